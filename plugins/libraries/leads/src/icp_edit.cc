#include "leads/icp_edit.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "leads/icp_config.h"
#include "leads/icp_places.h"
#include "leads/normalize.h"
#include "leads/text_diff.h"

namespace hades::domain {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxScore = 100;
constexpr int kReportSchemaVersion = 1;
constexpr std::string_view kFreshness = "freshness";
constexpr std::string_view kSic = "sic";
constexpr std::string_view kSupportedVerdict = "supported";

// ---------------------------------------------------------------------------------------------
// The calibration report: the fields a plan needs (docs/calibration-report.md).

struct ReportBucket {
  std::string bucket;
  std::int64_t n = 0;
  std::int64_t deliveries = 0;
  double rate = 0;
  std::optional<std::int64_t> current;
  std::optional<std::int64_t> suggested;
  std::string confidence;
  std::optional<std::string> verdict;
};

struct ReportDimension {
  std::string name;
  bool scored = false;
  std::vector<ReportBucket> buckets;
};

struct Report {
  std::string icp_sha256;
  std::string inputs_hash;
  std::string created_at;
  std::vector<ReportDimension> dimensions;
  bool has_verdicts = false;
};

Status bad_report(const std::string& where, const std::string& what) {
  return Status::invalid_config("calibration report: " + where + ": " + what);
}

// Typed access to one JSON object, errors naming the field's path.
class Fields {
 public:
  Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

  Result<std::string> text(const char* key) const {
    const json* v = find(key);
    if (v == nullptr || !v->is_string()) return bad_report(at(key), "expected text");
    return v->get<std::string>();
  }
  Result<std::int64_t> integer(const char* key) const {
    const json* v = find(key);
    if (v == nullptr || !v->is_number_integer()) return bad_report(at(key), "expected an integer");
    return v->get<std::int64_t>();
  }
  Result<std::optional<std::int64_t>> optional_integer(const char* key) const {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return std::optional<std::int64_t>();
    if (!v->is_number_integer()) return bad_report(at(key), "expected an integer or null");
    return std::optional<std::int64_t>(v->get<std::int64_t>());
  }
  Result<double> number_or_zero(const char* key) const {
    const json* v = find(key);
    if (v == nullptr || v->is_null()) return 0.0;
    if (!v->is_number()) return bad_report(at(key), "expected a number");
    return v->get<double>();
  }
  const json* find(const char* key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  const json& object_;
  std::string path_;
};

#define HADES_EDIT_ASSIGN(lhs, expr)                      \
  do {                                                    \
    auto edit_result_ = (expr);                           \
    if (!edit_result_.ok()) return edit_result_.status(); \
    (lhs) = std::move(edit_result_).value();              \
  } while (false)

Result<ReportBucket> read_bucket(const json& j, const std::string& path) {
  if (!j.is_object()) return bad_report(path, "expected an object");
  const Fields f(j, path);
  ReportBucket b;
  HADES_EDIT_ASSIGN(b.bucket, f.text("bucket"));
  HADES_EDIT_ASSIGN(b.n, f.integer("n"));
  HADES_EDIT_ASSIGN(b.deliveries, f.integer("deliveries"));
  HADES_EDIT_ASSIGN(b.rate, f.number_or_zero("rate"));
  HADES_EDIT_ASSIGN(b.current, f.optional_integer("current_score"));
  HADES_EDIT_ASSIGN(b.suggested, f.optional_integer("suggested_score"));
  HADES_EDIT_ASSIGN(b.confidence, f.text("confidence"));
  if (const json* v = f.find("verdict"); v != nullptr && !v->is_null()) {
    if (!v->is_string()) return bad_report(f.at("verdict"), "expected text");
    b.verdict = v->get<std::string>();
  }
  return b;
}

Result<ReportDimension> read_dimension(const json& j, const std::string& path) {
  if (!j.is_object()) return bad_report(path, "expected an object");
  const Fields f(j, path);
  ReportDimension d;
  HADES_EDIT_ASSIGN(d.name, f.text("dimension"));
  const json* scored = f.find("scored");
  if (scored == nullptr || !scored->is_boolean())
    return bad_report(f.at("scored"), "expected true or false");
  d.scored = scored->get<bool>();
  const json* buckets = f.find("buckets");
  if (buckets == nullptr || !buckets->is_array())
    return bad_report(f.at("buckets"), "expected a list");
  for (std::size_t i = 0; i < buckets->size(); ++i) {
    ReportBucket b;
    HADES_EDIT_ASSIGN(b,
                      read_bucket((*buckets)[i], f.at("buckets") + "[" + std::to_string(i) + "]"));
    d.buckets.push_back(std::move(b));
  }
  return d;
}

Result<Report> read_report(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::invalid_config("calibration report: not a JSON object");
  }
  const Fields f(j, "");
  std::int64_t version = 0;
  HADES_EDIT_ASSIGN(version, f.integer("schema_version"));
  if (version != kReportSchemaVersion) {
    return bad_report("schema_version", "version " + std::to_string(version) +
                                            " is not the one this hades reads (1)");
  }
  std::string status;
  HADES_EDIT_ASSIGN(status, f.text("status"));
  if (status != "ok") {
    return Status::invalid_config("calibration report: status '" + status +
                                  "': it has no outcomes, so nothing to apply");
  }
  Report r;
  const json* icp = f.find("icp");
  if (icp == nullptr || !icp->is_object()) return bad_report("icp", "expected an object");
  HADES_EDIT_ASSIGN(r.icp_sha256, Fields(*icp, "icp").text("sha256"));
  HADES_EDIT_ASSIGN(r.inputs_hash, f.text("inputs_hash"));
  HADES_EDIT_ASSIGN(r.created_at, f.text("created_at"));
  const json* dims = f.find("dimensions");
  if (dims == nullptr || !dims->is_array()) return bad_report("dimensions", "expected a list");
  for (std::size_t i = 0; i < dims->size(); ++i) {
    ReportDimension d;
    HADES_EDIT_ASSIGN(d, read_dimension((*dims)[i], "dimensions[" + std::to_string(i) + "]"));
    for (const ReportBucket& b : d.buckets) r.has_verdicts = r.has_verdicts || b.verdict;
    r.dimensions.push_back(std::move(d));
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Text of the new values and comments

std::string evidence(const ReportBucket& b, const PlanOptions& options, const std::string& was) {
  std::string text = rate_text(b.rate) + " delivery rate, " + count_text(b.n) + " leads";
  if (!options.calibrated_on.empty()) text += ", calibrated " + options.calibrated_on;
  return text + ", was " + was;
}

// As flatten_icp_config() writes a number.
std::string double_text(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

// The freshness multiplier in the file's style: a file that writes 1 rather than 1.0 gets 0 or
// 1 for the whole scores.
std::string multiplier_in_style(std::int64_t score, std::string_view old_text) {
  if ((score == 0 || score == kMaxScore) && old_text.find('.') == std::string_view::npos) {
    return score == 0 ? "0" : "1";
  }
  return multiplier_text(score);
}

// ---------------------------------------------------------------------------------------------
// Selection -> report buckets

struct Candidate {
  const ReportDimension* dimension;
  const ReportBucket* bucket;
  bool named;  // named in the selection (refusals are errors), not found by all/supported
};

std::string item_name(const ReportDimension& d, const ReportBucket& b) {
  return d.name + ":" + b.bucket;
}

std::string dimension_names(const Report& r) {
  std::string out;
  for (const ReportDimension& d : r.dimensions) out += (out.empty() ? "" : ", ") + d.name;
  return out;
}

Result<std::vector<Candidate>> named_candidates(const Report& r, const Selection& s) {
  std::vector<Candidate> out;
  for (const SelectionItem& item : s.items) {
    const std::string name = item.dimension + ":" + item.bucket;
    const auto d = std::find_if(r.dimensions.begin(), r.dimensions.end(),
                                [&](const ReportDimension& x) { return x.name == item.dimension; });
    if (d == r.dimensions.end()) {
      return Status::invalid_config("select: " + name + ": the report has no dimension '" +
                                    item.dimension + "' (it has " + dimension_names(r) + ")");
    }
    if (!d->scored) {
      return Status::invalid_config("select: " + name + ": icp.yaml has no scores for " +
                                    item.dimension);
    }
    const auto b = std::find_if(d->buckets.begin(), d->buckets.end(),
                                [&](const ReportBucket& x) { return x.bucket == item.bucket; });
    if (b == d->buckets.end()) {
      return Status::invalid_config("select: " + name + ": the report has no bucket '" +
                                    item.bucket + "' in " + item.dimension);
    }
    if (!b->suggested) {
      return Status::invalid_config("select: " + name +
                                    ": the report makes no suggestion for it (manual review)");
    }
    out.push_back({&*d, &*b, true});
  }
  return out;
}

Result<std::vector<Candidate>> found_candidates(const Report& r, const Selection& s) {
  if (s.kind == Selection::Kind::kSupported && !r.has_verdicts) {
    return Status::invalid_config(
        "select: supported: the report predates evidence verdicts (no bucket has a `verdict`); "
        "recalibrate with a calibrator that writes them, or name the items");
  }
  std::vector<Candidate> out;
  for (const ReportDimension& d : r.dimensions) {
    if (!d.scored) continue;
    for (const ReportBucket& b : d.buckets) {
      if (!b.suggested || !b.current || *b.suggested == *b.current) continue;
      if (s.kind == Selection::Kind::kSupported && b.verdict != kSupportedVerdict) continue;
      out.push_back({&d, &b, false});
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Planning

struct PlannedEdit {
  IcpChange change;
  std::string flat_key;
  TextEdit edit;
  int order = 0;  // edits at one offset apply in this order
};

Status disagrees(const std::string& name, std::int64_t report_current, std::int64_t file_score,
                 const std::string& place) {
  return Status::invalid_config("select: " + name + ": the report's current score " +
                                std::to_string(report_current) +
                                " is not what icp.yaml gives it at " + place + " (" +
                                std::to_string(file_score) + "); recalibrate");
}

// A SIC that sic_scores lacks: a new entry, "was" the default it scored until now.
Status plan_insert(const IcpDocument& doc, const std::map<std::string, std::string>& flat,
                   const ReportBucket& b, const PlanOptions& options, PlannedEdit& p) {
  IcpChange& ch = p.change;
  ch.inserted = true;
  ch.place = "onsite_likelihood.sic_scores.\"" + b.bucket + "\"";
  p.flat_key = "onsite_likelihood.sic_scores." + b.bucket;
  ch.old_score = std::stoll(flat.at("onsite_likelihood.default"));
  if (b.current && *b.current != ch.old_score) {
    return disagrees("sic:" + b.bucket, *b.current, ch.old_score, "onsite_likelihood.default");
  }
  ch.new_value = std::to_string(ch.new_score);
  std::string comment = evidence(b, options, "default " + std::to_string(ch.old_score));
  const std::string industry = doc.industry_name(nullptr, b.bucket);
  if (!industry.empty()) comment = industry + ": " + comment;
  bool written = false;
  HADES_EDIT_ASSIGN(p.edit, doc.insert_sic(b.bucket, ch.new_value, comment, &written));
  if (written) ch.comment = comment;
  return Status::ok_status();
}

// A number icp.yaml has. False when it is already the suggestion (nothing to do).
Result<bool> plan_replace(const IcpDocument& doc, const std::map<std::string, std::string>& flat,
                          const ReportDimension& d, const ReportBucket& b, const IcpPlace& place,
                          const PlanOptions& options, PlannedEdit& p) {
  IcpChange& ch = p.change;
  const bool freshness = d.name == kFreshness;
  ch.place = place.path;
  ch.old_value = place.text;
  p.flat_key = place.flat_key;
  const std::string& old_flat = flat.at(place.flat_key);
  ch.old_score = freshness
                     ? static_cast<std::int64_t>(100.0 * std::strtod(old_flat.c_str(), nullptr))
                     : std::stoll(old_flat);
  if (b.current && *b.current != ch.old_score) {
    return disagrees(item_name(d, b), *b.current, ch.old_score, place.path);
  }
  if (ch.new_score == ch.old_score) return false;
  ch.new_value =
      freshness ? multiplier_in_style(ch.new_score, place.text) : std::to_string(ch.new_score);
  std::string comment = evidence(b, options, place.text);
  if (freshness) comment = "score " + std::to_string(ch.new_score) + ", " + comment;
  if (d.name == kSic) {
    const std::string industry = doc.industry_name(&place, b.bucket);
    if (!industry.empty()) comment = industry + ": " + comment;
  }
  bool written = false;
  HADES_EDIT_ASSIGN(p.edit, doc.replace(place, ch.new_value, comment, &written));
  if (written) ch.comment = comment;
  return true;
}

// The change and edit for one candidate, or nullopt with a SkippedItem in `skipped`.
Result<std::optional<PlannedEdit>> plan_one(const IcpDocument& doc,
                                            const std::map<std::string, std::string>& flat,
                                            const Candidate& c, const PlanOptions& options,
                                            std::vector<SkippedItem>& skipped) {
  const ReportDimension& d = *c.dimension;
  const ReportBucket& b = *c.bucket;
  const std::string name = item_name(d, b);
  PlaceLookup lookup;
  HADES_EDIT_ASSIGN(lookup, doc.find(d.name, b.bucket));
  if (lookup.kind == PlaceLookup::Kind::kNoPlace) {
    if (c.named) {
      return Status::invalid_config("select: " + name +
                                    " has no place in icp.yaml: " + lookup.why_not);
    }
    skipped.push_back({{d.name, b.bucket}, "no place in icp.yaml: " + lookup.why_not});
    return std::optional<PlannedEdit>();
  }
  if (*b.suggested < 0 || *b.suggested > kMaxScore) {
    return bad_report(name, "suggested_score " + std::to_string(*b.suggested) + " is not 0-100");
  }
  PlannedEdit p;
  p.change.dimension = d.name;
  p.change.bucket = b.bucket;
  p.change.new_score = *b.suggested;
  p.change.leads = b.n;
  p.change.deliveries = b.deliveries;
  p.change.rate = b.rate;
  p.change.confidence = b.confidence;
  if (lookup.kind == PlaceLookup::Kind::kNewSic) {
    HADES_RETURN_IF_ERROR(plan_insert(doc, flat, b, options, p));
    return std::optional<PlannedEdit>(std::move(p));
  }
  bool changes = false;
  HADES_EDIT_ASSIGN(changes, plan_replace(doc, flat, d, b, lookup.place, options, p));
  if (!changes) {
    skipped.push_back({{d.name, b.bucket}, "already " + std::to_string(*b.suggested)});
    return std::optional<PlannedEdit>();
  }
  return std::optional<PlannedEdit>(std::move(p));
}

// Applies the edits (sorted, not overlapping) to `text` and sets each change's line in the result.
Result<std::string> apply_edits(std::string_view text, std::vector<PlannedEdit>& edits) {
  std::stable_sort(edits.begin(), edits.end(), [](const PlannedEdit& a, const PlannedEdit& b) {
    return a.edit.begin != b.edit.begin ? a.edit.begin < b.edit.begin : a.order < b.order;
  });
  std::string out;
  std::size_t at = 0;
  for (PlannedEdit& p : edits) {
    if (p.edit.begin < at) return Status::internal("icp.yaml edits overlap at " + p.change.place);
    out.append(text.substr(at, p.edit.begin - at));
    // An entry added after a last line without a line end starts with that line end.
    const std::string_view added = p.edit.text;
    const bool eol_first = !added.empty() && (added.front() == '\r' || added.front() == '\n');
    p.change.line =
        static_cast<int>(std::count(out.begin(), out.end(), '\n')) + 1 + (eol_first ? 1 : 0);
    out += p.edit.text;
    at = p.edit.end;
  }
  out.append(text.substr(at));
  return out;
}

// The edited text must load, and read exactly the planned values and nothing else new.
Status verify(const std::map<std::string, std::string>& old_flat, std::string_view new_text,
              const std::vector<PlannedEdit>& edits, const PlanOptions& options) {
  Result<IcpConfig> loaded = parse_icp_config(new_text, options.icp_name);
  if (!loaded.ok()) {
    return Status::invalid_config(
        options.icp_name +
        ": the edited file would not load, so nothing changed: " + loaded.status().message());
  }
  std::map<std::string, std::string> expected = old_flat;
  for (const PlannedEdit& p : edits) {
    expected[p.flat_key] = p.change.dimension == kFreshness
                               ? double_text(std::strtod(p.change.new_value.c_str(), nullptr))
                               : p.change.new_value;
  }
  const std::map<std::string, std::string> actual = flatten_icp_config(*loaded);
  for (const auto& [key, value] : actual) {
    const auto e = expected.find(key);
    if (e == expected.end() || e->second != value) {
      return Status::invalid_config(
          options.icp_name + ": the edit would make the scorer read " + key + " as " + value +
          (e == expected.end() ? std::string(", a value it did not have") : ", not " + e->second) +
          "; nothing changed");
    }
  }
  if (actual.size() != expected.size()) {
    return Status::invalid_config(
        options.icp_name + ": the edit would drop a value the scorer reads; nothing changed");
  }
  return Status::ok_status();
}

#undef HADES_EDIT_ASSIGN

}  // namespace

// ---------------------------------------------------------------------------------------------

Result<Selection> parse_selection(std::string_view text) {
  const std::string_view all = trim(text);
  Selection s;
  if (all.empty()) {
    return Status::invalid_config(
        "select is empty: name items (sic:8062,employee_tier:101-500), `supported` or `all`");
  }
  if (all == "all" || all == "supported") {
    s.kind = all == "all" ? Selection::Kind::kAll : Selection::Kind::kSupported;
    return s;
  }
  std::size_t start = 0;
  while (start <= all.size()) {
    std::size_t comma = all.find(',', start);
    if (comma == std::string_view::npos) comma = all.size();
    const std::string_view item = trim(all.substr(start, comma - start));
    start = comma + 1;
    if (item == "all" || item == "supported") {
      return Status::invalid_config("select: `" + std::string(item) +
                                    "` stands alone; it cannot be combined with items");
    }
    const std::size_t colon = item.find(':');
    const std::string_view dimension =
        colon == std::string_view::npos ? item : trim(item.substr(0, colon));
    const std::string_view bucket =
        colon == std::string_view::npos ? "" : trim(item.substr(colon + 1));
    if (dimension.empty() || bucket.empty()) {
      return Status::invalid_config("select: '" + std::string(item) +
                                    "' is not dimension:bucket (e.g. sic:8062, proximity:5-10 mi)");
    }
    SelectionItem parsed{std::string(dimension), std::string(bucket)};
    if (std::find(s.items.begin(), s.items.end(), parsed) == s.items.end()) {
      s.items.push_back(std::move(parsed));
    }
  }
  return s;
}

std::string selection_text(const Selection& selection) {
  if (selection.kind == Selection::Kind::kAll) return "all";
  if (selection.kind == Selection::Kind::kSupported) return "supported";
  std::string out;
  for (const SelectionItem& i : selection.items) {
    out += (out.empty() ? "" : ",") + i.dimension + ":" + i.bucket;
  }
  return out;
}

std::string count_text(std::int64_t n) {
  std::string digits = std::to_string(n);
  const std::size_t sign = n < 0 ? 1 : 0;
  for (std::size_t i = digits.size(); i > sign + 3; i -= 3) digits.insert(i - 3, 1, ',');
  return digits;
}

std::string rate_text(double rate) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * rate);
  return buffer;
}

std::string multiplier_text(std::int64_t score) {
  // score/100 in d decimals is m / 10^d for m in [ceil(score 10^d / 100), floor(((score + 1)
  // 10^d - 1) / 100)]; the first m whose double the scorer truncates back to `score` wins.
  std::int64_t scale = 1;
  for (int digits = 1; digits <= 9; ++digits) {
    scale *= 10;
    for (std::int64_t m = (score * scale + 99) / 100; m <= ((score + 1) * scale - 1) / 100; ++m) {
      std::string fraction = std::to_string(m % scale);
      fraction.insert(0, static_cast<std::size_t>(digits) - fraction.size(), '0');
      const std::string text = std::to_string(m / scale) + "." + fraction;
      if (static_cast<std::int64_t>(100.0 * std::strtod(text.c_str(), nullptr)) == score) {
        return text;
      }
    }
  }
  return std::to_string(score / 100) + "." + std::to_string(score % 100);  // not reached
}

Result<IcpEditPlan> plan_icp_edit(std::string_view report_json, std::string_view icp_text,
                                  const Selection& selection, const PlanOptions& options) {
  Result<Report> report = read_report(report_json);
  if (!report.ok()) return report.status();
  IcpEditPlan plan;
  plan.report_inputs_hash = report->inputs_hash;
  plan.report_created_at = report->created_at;
  plan.sha256_before = sha256_hex(icp_text);
  if (report->icp_sha256 != plan.sha256_before) {
    return Status::invalid_config(
        options.icp_name +
        ": icp.yaml changed since this report; recalibrate (the report was "
        "made from sha256 " +
        report->icp_sha256.substr(0, 12) + ", the file is now " + plan.sha256_before.substr(0, 12) +
        ")");
  }
  Result<IcpConfig> old = parse_icp_config(icp_text, options.icp_name);
  if (!old.ok()) return old.status();
  const std::map<std::string, std::string> old_flat = flatten_icp_config(*old);
  Result<IcpDocument> doc = IcpDocument::parse(icp_text, options.icp_name);
  if (!doc.ok()) return doc.status();

  Result<std::vector<Candidate>> candidates = selection.kind == Selection::Kind::kItems
                                                  ? named_candidates(*report, selection)
                                                  : found_candidates(*report, selection);
  if (!candidates.ok()) return candidates.status();
  std::vector<PlannedEdit> edits;
  try {
    for (const Candidate& c : *candidates) {
      Result<std::optional<PlannedEdit>> one = plan_one(*doc, old_flat, c, options, plan.skipped);
      if (!one.ok()) return one.status();
      if (*one) {
        (*one)->order = static_cast<int>(edits.size());
        edits.push_back(std::move(**one));
      }
    }
  } catch (const YAML::Exception& e) {  // a value the loader accepted but yaml-cpp cannot convert
    return Status::invalid_config(options.icp_name + ": " + e.what());
  }
  if (edits.empty()) {
    plan.sha256_after = plan.sha256_before;
    plan.text_after = std::string(icp_text);
    return plan;
  }
  Result<std::string> text = apply_edits(icp_text, edits);
  if (!text.ok()) return text.status();
  HADES_RETURN_IF_ERROR(verify(old_flat, *text, edits, options));
  for (PlannedEdit& p : edits) plan.changes.push_back(std::move(p.change));
  plan.text_after = std::move(text).value();
  plan.sha256_after = sha256_hex(plan.text_after);
  plan.diff = unified_diff(icp_text, plan.text_after, diff_label('a', options.icp_name),
                           diff_label('b', options.icp_name));
  return plan;
}

// ---------------------------------------------------------------------------------------------

std::string changes_to_json(const std::vector<IcpChange>& changes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const IcpChange& c : changes) {
    out.push_back({{"dimension", c.dimension},
                   {"bucket", c.bucket},
                   {"place", c.place},
                   {"line", c.line},
                   {"inserted", c.inserted},
                   {"old", c.old_value},
                   {"new", c.new_value},
                   {"old_score", c.old_score},
                   {"new_score", c.new_score},
                   {"leads", c.leads},
                   {"deliveries", c.deliveries},
                   {"rate", c.rate},
                   {"confidence", c.confidence},
                   {"comment", c.comment}});
  }
  return out.dump();
}

Result<std::vector<IcpChange>> changes_from_json(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    return Status::corruption("icp_changes.items is not a JSON array");
  }
  std::vector<IcpChange> out;
  try {
    for (const json& c : j) {
      IcpChange ch;
      ch.dimension = c.at("dimension").get<std::string>();
      ch.bucket = c.at("bucket").get<std::string>();
      ch.place = c.at("place").get<std::string>();
      ch.line = c.at("line").get<int>();
      ch.inserted = c.at("inserted").get<bool>();
      ch.old_value = c.at("old").get<std::string>();
      ch.new_value = c.at("new").get<std::string>();
      ch.old_score = c.at("old_score").get<std::int64_t>();
      ch.new_score = c.at("new_score").get<std::int64_t>();
      ch.leads = c.at("leads").get<std::int64_t>();
      ch.deliveries = c.at("deliveries").get<std::int64_t>();
      ch.rate = c.at("rate").get<double>();
      ch.confidence = c.at("confidence").get<std::string>();
      ch.comment = c.at("comment").get<std::string>();
      out.push_back(std::move(ch));
    }
  } catch (const json::exception& e) {
    return Status::corruption(std::string("icp_changes.items: ") + e.what());
  }
  return out;
}

}  // namespace hades::domain
