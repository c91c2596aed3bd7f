#include "training_data.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "leads/normalize.h"
#include "leads/scoring.h"
#include "outcomes/outcome_tables.h"

namespace hades::model_trainer {
namespace {

using domain::IcpConfig;
using lead_model::BucketRules;
using lead_model::Feature;
using lead_model::index_of;
using lead_model::RowKind;

// source_features values the buckets and the weights score need, in this order.
constexpr const char* kFeaturePaths =
    "'$.inputs.intent_strength', '$.inputs.intent_score', '$.inputs.intent_date', "
    "'$.components.age_days', '$.inputs.audience_strength', '$.inputs.management_level', "
    "'$.inputs.title'";
enum Extracted : std::size_t {
  kStrength,
  kIntentScore,
  kIntentDate,
  kAgeDays,
  kAudience,
  kManagementLevel,
  kTitle,
  kExtracted
};

// Columns of the lead_outcomes page query.
enum LeadColumn : std::size_t {
  kId,
  kWorkflow,
  kSic,
  kEmployees,
  kMiles,
  kState,
  kExportedAt,
  kSuccess,
  kRecordedScore,
  kFeatures,
};

std::string leads_sql() {
  return std::string(
             "SELECT id, workflow_type, sic_code, employee_count, distance_miles, state, "
             "exported_at, CASE WHEN outcome IN ('delivery', 'churned') THEN 1 ELSE 0 END, "
             "hades_score, CASE WHEN json_valid(source_features) THEN json_extract("
             "source_features, ") +
         kFeaturePaths + ") END FROM lead_outcomes WHERE id > ? AND +exported_at < ? AND " +
         domain::published_batch_sql() + " ORDER BY id LIMIT ?";
}

constexpr const char* kHistoricalSql =
    "SELECT id, sic_code, employee_count, state, CASE WHEN outcome = 'delivery' THEN 1 ELSE 0 "
    "END FROM historical_outcomes WHERE id > ? ORDER BY id LIMIT ?";

std::string text_of(const Value& v) {
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return is_null(v) ? std::string() : to_text(v);
}

std::optional<std::int64_t> employees_of(const Value& v) {
  if (const std::int64_t* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const double* d = std::get_if<double>(&v)) {
    return std::isfinite(*d)
               ? std::optional<std::int64_t>(static_cast<std::int64_t>(std::floor(*d)))
               : std::nullopt;
  }
  if (const std::string* s = std::get_if<std::string>(&v)) {
    Result<std::optional<std::int64_t>> parsed = domain::parse_employee_count(*s);
    return parsed.ok() ? *parsed : std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> miles_of(const Value& v) {
  if (const double* d = std::get_if<double>(&v)) return *d;
  if (const std::int64_t* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const std::string* s = std::get_if<std::string>(&v)) {
    Result<std::optional<double>> parsed = domain::parse_number(*s);
    return parsed.ok() ? *parsed : std::nullopt;
  }
  return std::nullopt;
}

// The recorded features of an intent or geography lead: json_extract()'s array, or nothing.
struct Recorded {
  bool present = false;
  std::string strength;
  std::optional<std::int64_t> intent_score;
  bool dated = false;
  std::optional<std::int64_t> age_days;
  std::string audience;
  std::string management_level;
  std::string title;
};

std::optional<std::int64_t> whole_number(const nlohmann::json& j) {
  if (j.is_number_integer()) return j.get<std::int64_t>();
  if (j.is_number_float() && std::isfinite(j.get<double>()) &&
      j.get<double>() == std::floor(j.get<double>())) {
    return static_cast<std::int64_t>(j.get<double>());
  }
  return std::nullopt;
}

std::string json_text(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return std::string();
  return j.dump();
}

Recorded recorded_of(const Value& v) {
  Recorded r;
  const std::string* text = std::get_if<std::string>(&v);
  if (text == nullptr) return r;
  const nlohmann::json a = nlohmann::json::parse(*text, nullptr, false);
  if (!a.is_array() || a.size() != kExtracted) return r;
  r.present = true;
  r.strength = json_text(a[kStrength]);
  r.intent_score = whole_number(a[kIntentScore]);
  r.dated = !a[kIntentDate].is_null();
  r.age_days = whole_number(a[kAgeDays]);
  r.audience = json_text(a[kAudience]);
  r.management_level = json_text(a[kManagementLevel]);
  r.title = json_text(a[kTitle]);
  return r;
}

// Bucket names interned per feature, with caches for raw texts that need normalising.
class Interner {
 public:
  explicit Interner(TrainingSet& set) : set_(set) {}

  std::int32_t id(Feature f, const std::string& name) {
    auto& ids = ids_[index_of(f)];
    const auto it = ids.find(name);
    if (it != ids.end()) return it->second;
    const auto next = static_cast<std::int32_t>(set_.names[index_of(f)].size());
    set_.names[index_of(f)].push_back(name);
    ids.emplace(name, next);
    return next;
  }

  // The id of the bucket `make(raw)` gives, computed once per distinct raw text.
  template <typename Make>
  std::int32_t cached(Feature f, const std::string& raw, const Make& make) {
    auto& cache = raw_[index_of(f)];
    const auto it = cache.find(raw);
    if (it != cache.end()) return it->second;
    const std::int32_t value = id(f, make(raw));
    cache.emplace(raw, value);
    return value;
  }

 private:
  TrainingSet& set_;
  std::array<std::unordered_map<std::string, std::int32_t>, lead_model::kFeatureCount> ids_;
  std::array<std::unordered_map<std::string, std::int32_t>, lead_model::kFeatureCount> raw_;
};

struct CellKey {
  std::array<std::int32_t, lead_model::kFeatureCount> bucket{};
  int kind = 0;
  int block = 0;
  std::int32_t score = kNoScore;
  bool operator==(const CellKey&) const = default;
};

struct CellKeyHash {
  std::size_t operator()(const CellKey& k) const {
    std::uint64_t h = 1469598103934665603ULL;
    const auto mix = [&h](std::uint64_t v) {
      h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    };
    for (const std::int32_t b : k.bucket) mix(static_cast<std::uint32_t>(b));
    mix(static_cast<std::uint64_t>(k.kind) << 16 | static_cast<std::uint64_t>(k.block) << 8 |
        static_cast<std::uint32_t>(k.score + 1));
    return static_cast<std::size_t>(h);
  }
};

class Accumulator {
 public:
  explicit Accumulator(TrainingSet& set) : set_(set) {}

  void add(RowKind kind, const std::array<std::int32_t, lead_model::kFeatureCount>& bucket,
           int block, std::int32_t score, bool success) {
    const CellKey key{bucket, static_cast<int>(kind), block, score};
    auto [it, inserted] = index_.emplace(key, set_.cells.size());
    if (inserted) set_.cells.push_back(Cell{kind, bucket, block, score, 0, 0});
    Cell& c = set_.cells[it->second];
    ++c.n;
    c.k += success ? 1 : 0;
  }

 private:
  TrainingSet& set_;
  std::unordered_map<CellKey, std::size_t, CellKeyHash> index_;
};

using ExportTimes = std::vector<std::pair<std::string, std::int64_t>>;

Result<ExportTimes> export_times(Database& db, const std::string& matured_before) {
  Result<QueryResult> rows =
      db.query("SELECT exported_at, count(*) FROM lead_outcomes WHERE +exported_at < ? AND " +
                   domain::published_batch_sql() + " GROUP BY exported_at ORDER BY exported_at",
               {Value(matured_before)});
  if (!rows.ok()) return rows.status().with_context("model_trainer: counting matured leads");
  ExportTimes out;
  for (const std::vector<Value>& r : rows->rows) {
    out.emplace_back(text_of(r[0]), as_int(r[1]).value_or(0));
  }
  return out;
}

// The first export time at which the leads before and at it exceed `share` of them all.
std::string time_at_share(const ExportTimes& times, double share) {
  std::int64_t total = 0;
  for (const auto& [t, n] : times) total += n;
  const double wanted = share * static_cast<double>(total);
  std::int64_t before = 0;
  for (const auto& [t, n] : times) {
    if (static_cast<double>(before + n) > wanted) return t;
    before += n;
  }
  return times.empty() ? std::string() : times.back().first;
}

Status load_historical(Database& db, const BucketRules& rules, std::int64_t page, TrainingSet& set,
                       Interner& names, Accumulator& cells) {
  std::int64_t after = 0;
  for (;;) {
    Result<QueryResult> rows = db.query(kHistoricalSql, {Value(after), Value(page)});
    if (!rows.ok()) return rows.status().with_context("model_trainer: reading historical_outcomes");
    for (const std::vector<Value>& r : rows->rows) {
      after = as_int(r[0]).value_or(after);
      std::array<std::int32_t, lead_model::kFeatureCount> bucket;
      bucket.fill(kNoBucket);
      bucket[index_of(Feature::kSic)] = names.cached(
          Feature::kSic, text_of(r[1]), [&](const std::string& s) { return rules.sic(s); });
      bucket[index_of(Feature::kEmployeeTier)] =
          names.id(Feature::kEmployeeTier, rules.employee(employees_of(r[2])));
      bucket[index_of(Feature::kRegion)] = names.cached(
          Feature::kRegion, text_of(r[3]), [&](const std::string& s) { return rules.region(s); });
      const bool success = as_int(r[4]).value_or(0) != 0;
      cells.add(RowKind::kHistorical, bucket, 0, kNoScore, success);
      ++set.historical;
      set.historical_deliveries += success ? 1 : 0;
    }
    if (static_cast<std::int64_t>(rows->rows.size()) < page) return Status::ok_status();
  }
}

// What icp.yaml's weights give the lead now; its recorded score when its inputs are not there.
std::int32_t weights_score(const IcpConfig& icp, RowKind kind, const std::vector<Value>& r,
                           const Recorded& f) {
  if (!f.present) {
    const std::optional<std::int64_t> recorded = as_int(r[kRecordedScore]);
    return recorded && *recorded >= 0 && *recorded <= 100 ? static_cast<std::int32_t>(*recorded)
                                                          : kNoScore;
  }
  const std::optional<std::string> sic4 = domain::normalize_sic(text_of(r[kSic]));
  const std::string_view sic = sic4 ? std::string_view(*sic4) : std::string_view();
  if (kind == RowKind::kIntent) {
    domain::IntentInputs in;
    in.sic4 = sic;
    in.employees = employees_of(r[kEmployees]);
    in.intent_score = f.intent_score;
    in.intent_strength = f.strength;
    in.age_days = f.dated ? f.age_days : std::nullopt;
    in.audience_strength = f.audience;
    return static_cast<std::int32_t>(domain::score_intent(icp, in).score);
  }
  domain::GeographyInputs in;
  in.sic4 = sic;
  in.employees = employees_of(r[kEmployees]);
  in.distance_miles = miles_of(r[kMiles]);
  in.management_level = f.management_level;
  in.title = f.title;
  return static_cast<std::int32_t>(domain::score_geography(icp, in).score);
}

struct Blocks {
  std::string holdout_date;
  std::vector<std::string> cuts;
  int of(const std::string& exported_at) const {
    if (exported_at >= holdout_date) return kHoldoutBlock;
    return 1 +
           static_cast<int>(std::upper_bound(cuts.begin(), cuts.end(), exported_at) - cuts.begin());
  }
};

Status load_leads(Database& db, const IcpConfig& icp, const BucketRules& rules,
                  const LoadOptions& options, const Blocks& blocks, TrainingSet& set,
                  Interner& names, Accumulator& cells) {
  const std::string sql = leads_sql();
  std::int64_t after = 0;
  for (;;) {
    Result<QueryResult> rows =
        db.query(sql, {Value(after), Value(options.matured_before), Value(options.page_rows)});
    if (!rows.ok()) return rows.status().with_context("model_trainer: reading lead_outcomes");
    for (const std::vector<Value>& r : rows->rows) {
      after = as_int(r[kId]).value_or(after);
      const RowKind kind =
          text_of(r[kWorkflow]) == "geography" ? RowKind::kGeography : RowKind::kIntent;
      const Recorded f = recorded_of(r[kFeatures]);
      std::array<std::int32_t, lead_model::kFeatureCount> bucket;
      bucket.fill(kNoBucket);
      bucket[index_of(Feature::kSic)] = names.cached(
          Feature::kSic, text_of(r[kSic]), [&](const std::string& s) { return rules.sic(s); });
      bucket[index_of(Feature::kEmployeeTier)] =
          names.id(Feature::kEmployeeTier, rules.employee(employees_of(r[kEmployees])));
      bucket[index_of(Feature::kRegion)] =
          names.cached(Feature::kRegion, text_of(r[kState]),
                       [&](const std::string& s) { return rules.region(s); });
      if (kind == RowKind::kGeography) {
        bucket[index_of(Feature::kProximity)] =
            names.id(Feature::kProximity, rules.proximity(miles_of(r[kMiles])));
      } else {
        bucket[index_of(Feature::kSignalStrength)] =
            names.cached(Feature::kSignalStrength, f.strength,
                         [&](const std::string& s) { return rules.signal(s); });
        bucket[index_of(Feature::kFreshness)] =
            names.id(Feature::kFreshness, rules.freshness(f.dated ? f.age_days : std::nullopt));
      }
      const bool success = as_int(r[kSuccess]).value_or(0) != 0;
      const int block = blocks.of(text_of(r[kExportedAt]));
      if (block == kHoldoutBlock && f.present) ++set.holdout_rescored;
      cells.add(kind, bucket, block, weights_score(icp, kind, r, f), success);
      ++set.hades_leads;
      set.hades_deliveries += success ? 1 : 0;
    }
    if (static_cast<std::int64_t>(rows->rows.size()) < options.page_rows)
      return Status::ok_status();
  }
}

}  // namespace

std::vector<std::string> block_cuts(const ExportTimes& times, int count) {
  std::vector<std::string> cuts;
  for (int b = 1; b < count; ++b) {
    const std::string cut = time_at_share(times, static_cast<double>(b) / count);
    // A cut at the first time would leave block 1 empty; a repeated cut, a block empty.
    if (cut.empty() || cut == times.front().first) continue;
    if (!cuts.empty() && cuts.back() >= cut) continue;
    cuts.push_back(cut);
  }
  return cuts;
}

Result<std::int64_t> count_hades_outcomes(Database& db, const std::string& matured_before) {
  Result<QueryResult> rows =
      db.query("SELECT count(*) FROM lead_outcomes WHERE +exported_at < ? AND " +
                   domain::published_batch_sql(),
               {Value(matured_before)});
  if (!rows.ok()) return rows.status().with_context("model_trainer: counting matured leads");
  return as_int(rows->rows.at(0).at(0)).value_or(0);
}

Result<TrainingSet> load_training_set(Database& db, const IcpConfig& icp,
                                      const LoadOptions& options) {
  TrainingSet set;
  set.matured_before = options.matured_before;
  Result<ExportTimes> times = export_times(db, options.matured_before);
  if (!times.ok()) return times.status();
  set.holdout_automatic = !options.holdout_date.has_value();
  set.holdout_date =
      options.holdout_date ? *options.holdout_date : time_at_share(*times, kTrainingShare);
  if (!times->empty()) {
    set.first_export = times->front().first;
    set.last_export = times->back().first;
  }
  ExportTimes training;
  for (const auto& t : *times) {
    if (t.first < set.holdout_date) training.push_back(t);
  }
  const Blocks blocks{set.holdout_date, training.empty() ? std::vector<std::string>()
                                                         : block_cuts(training, kTimeBlocks)};
  const BucketRules rules(icp);
  for (const Feature f : lead_model::kAllFeatures)
    set.tier_order[index_of(f)] = rules.tier_levels(f);
  Interner names(set);
  Accumulator cells(set);
  HADES_RETURN_IF_ERROR(load_historical(db, rules, options.page_rows, set, names, cells));
  HADES_RETURN_IF_ERROR(load_leads(db, icp, rules, options, blocks, set, names, cells));
  return set;
}

std::string TrainingSet::data_sha256() const {
  std::vector<std::string> lines;
  lines.reserve(cells.size());
  for (const Cell& c : cells) {
    std::string line = std::to_string(static_cast<int>(c.kind));
    for (std::size_t f = 0; f < lead_model::kFeatureCount; ++f) {
      line += '|';
      if (c.bucket[f] != kNoBucket) line += names[f][static_cast<std::size_t>(c.bucket[f])];
    }
    line += "|" + std::to_string(c.block) + "|" + std::to_string(c.weights_score) + "|" +
            std::to_string(c.n) + "|" + std::to_string(c.k) + "\n";
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::string all;
  for (const std::string& l : lines) all += l;
  return domain::sha256_hex(all);
}

}  // namespace hades::model_trainer
