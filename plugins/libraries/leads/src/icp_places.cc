#include "leads/icp_places.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "leads/normalize.h"

namespace hades::domain {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// Anchors cannot nest deeper than this in any icp.yaml a person writes; deeper is refused.
constexpr int kMaxDepth = 64;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// One line of the text: [begin, content_end) is its content, [content_end, end) its line end.
struct LineSpan {
  std::size_t begin = 0;
  std::size_t content_end = 0;
  std::size_t end = 0;
};

LineSpan line_at(std::string_view text, std::size_t pos) {
  LineSpan line;
  line.begin = pos;
  while (line.begin > 0 && text[line.begin - 1] != '\n') --line.begin;
  const std::size_t newline = text.find('\n', pos);
  if (newline == std::string_view::npos) {
    line.content_end = line.end = text.size();
  } else {
    line.end = newline + 1;
    line.content_end = newline > line.begin && text[newline - 1] == '\r' ? newline - 1 : newline;
  }
  return line;
}

// The bytes of a scalar in the text: [begin, end), quotes included; `quote` is 0 when plain.
struct Token {
  std::size_t begin = 0;
  std::size_t end = 0;
  char quote = 0;
};

using Entry = MapEntry;

std::vector<Entry> entries(const YAML::Node& map) {
  std::vector<Entry> out;
  if (!map.IsMap()) return out;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar()) out.push_back({it->first, it->second});
  }
  return out;
}

std::optional<Entry> entry(const YAML::Node& map, std::string_view key) {
  for (Entry& e : entries(map)) {
    if (e.key.Scalar() == key) return std::move(e);
  }
  return std::nullopt;
}

// How many times a walk of `node` reaches `target`: more than once when an alias shares it.
int reach_count(const YAML::Node& node, const YAML::Node& target, int depth) {
  if (depth > kMaxDepth) return 2;  // treat as shared: refuse rather than recurse forever
  int count = node.is(target) ? 1 : 0;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      count += reach_count(it->second, target, depth + 1);
    }
  } else if (node.IsSequence()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      count += reach_count(*it, target, depth + 1);
    }
  }
  return count;
}

bool is_digits(std::string_view text, bool allow_point) {
  if (text.empty()) return false;
  bool point = false;
  for (char c : text) {
    if (c == '.' && allow_point && !point) {
      point = true;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

std::string miles_text(double miles) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", miles);
  return buffer;
}

std::string number_text(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

// "General Medical Hospitals" from "General Medical Hospitals   (N=133, rate=4.5%)",
// "Trucking, Except Local (NEW - 19.0% delivery rate)" or "Hospitals: 11.2% delivery rate, ...";
// "" when the comment does not start with a name (evidence only, or nothing).
std::string name_in_comment(std::string_view body) {
  std::size_t cut = body.size();
  for (std::string_view stop : {"(", ":", "  "}) cut = std::min(cut, body.find(stop));
  const std::string_view name = trim(body.substr(0, cut));
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front()))) return "";
  return std::string(name);
}

// A column to put comments at: the one most of the mapping's comments start at.
std::optional<std::size_t> most_common(const std::vector<std::size_t>& columns) {
  std::optional<std::size_t> best;
  std::size_t best_count = 0;
  for (std::size_t c : columns) {
    const auto count = static_cast<std::size_t>(std::count(columns.begin(), columns.end(), c));
    if (count > best_count) {
      best = c;
      best_count = count;
    }
  }
  return best;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Parsing and positions

IcpDocument::IcpDocument(std::string_view text, std::string name, YAML::Node root, std::size_t bom)
    : text_(text), name_(std::move(name)), root_(std::move(root)), bom_(bom) {}

Result<IcpDocument> IcpDocument::parse(std::string_view text, std::string name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::invalid_config(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                  std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  const std::size_t bom = text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
  return IcpDocument(text, std::move(name), std::move(root), bom);
}

std::size_t IcpDocument::offset(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  return mark.pos < 0 ? text_.size() : static_cast<std::size_t>(mark.pos) + bom_;
}

Status IcpDocument::error(const YAML::Node& node, const std::string& what) const {
  const YAML::Mark mark = node.Mark();
  return Status::invalid_config(name_ + ":" + std::to_string(mark.line + 1) + ":" +
                                std::to_string(mark.column + 1) + ": " + what);
}

Status IcpDocument::check_not_shared(const YAML::Node& node, const std::string& path) const {
  if (reach_count(root_, node, 0) <= 1) return Status::ok_status();
  return error(node, path +
                         " is shared through a YAML anchor with another part of the file; "
                         "changing it would change both: edit it by hand");
}

std::string IcpDocument::comment_on_line(std::size_t pos) const {
  const LineSpan line = line_at(text_, pos);
  for (std::size_t i = pos; i < line.content_end; ++i) {
    if (text_[i] == '#' && (i == line.begin || is_blank(text_[i - 1]))) {
      return std::string(trim(text_.substr(i + 1, line.content_end - i - 1)));
    }
  }
  return "";
}

namespace {

// The scalar's bytes at `pos`, past an anchor (`&a`) or tag (`!!int`) written before it.
std::optional<Token> token_at(std::string_view text, std::size_t pos, const std::string& scalar) {
  while (pos < text.size() && (text[pos] == '&' || text[pos] == '!')) {
    while (pos < text.size() && !is_blank(text[pos]) && text[pos] != '\n') ++pos;
    while (pos < text.size() && is_blank(text[pos])) ++pos;
  }
  if (pos >= text.size()) return std::nullopt;
  const char c = text[pos];
  if (c == '"' || c == '\'') {
    const std::size_t close = pos + 1 + scalar.size();
    if (close < text.size() && text.substr(pos + 1, scalar.size()) == scalar && text[close] == c) {
      return Token{pos, close + 1, c};
    }
    return std::nullopt;
  }
  if (text.substr(pos, scalar.size()) != scalar) return std::nullopt;
  return Token{pos, pos + scalar.size(), 0};
}

}  // namespace

Result<IcpPlace> IcpDocument::make_place(std::string path, std::string flat_key,
                                         const YAML::Node& key, const YAML::Node& value,
                                         const YAML::Node& parent) const {
  if (!value.IsScalar()) return error(value, path + ": expected a number");
  if (!is_digits(value.Scalar(), true)) {
    return error(value, path + " is written as '" + value.Scalar() +
                            "'; only plain decimal numbers are edited: change it by hand");
  }
  HADES_RETURN_IF_ERROR(check_not_shared(value, path));
  if (!token_at(text_, offset(value), value.Scalar())) {
    return error(value, path +
                            ": cannot find the number's text where the parser puts it; edit "
                            "it by hand");
  }
  IcpPlace place;
  place.path = std::move(path);
  place.flat_key = std::move(flat_key);
  place.key = key;
  place.value = value;
  place.parent = parent;
  place.line = value.Mark().line + 1;
  place.text = value.Scalar();
  return place;
}

// ---------------------------------------------------------------------------------------------
// Finding a bucket's place

Result<PlaceLookup> IcpDocument::find(std::string_view dimension, std::string_view bucket) const {
  if (dimension == "sic") return find_sic(bucket);
  if (dimension == "employee_tier") return find_tier("employee_scale", bucket);
  if (dimension == "proximity") return find_tier("proximity", bucket);
  if (dimension == "signal_strength") return find_signal(bucket);
  if (dimension == "freshness") return find_freshness(bucket);
  PlaceLookup none;
  none.why_not = "icp.yaml has no scores for " + std::string(dimension);
  return none;
}

namespace {

PlaceLookup no_place(std::string why) {
  PlaceLookup none;
  none.why_not = std::move(why);
  return none;
}

PlaceLookup found(IcpPlace place) {
  PlaceLookup out;
  out.kind = PlaceLookup::Kind::kFound;
  out.place = std::move(place);
  return out;
}

}  // namespace

Result<PlaceLookup> IcpDocument::find_sic(std::string_view bucket) const {
  const std::optional<Entry> onsite = entry(root_, "onsite_likelihood");
  const std::optional<Entry> table = onsite ? entry(onsite->value, "sic_scores") : std::nullopt;
  if (!table) return error(root_, "onsite_likelihood.sic_scores is missing");
  if (const std::optional<Entry> e = entry(table->value, bucket)) {
    Result<IcpPlace> place = make_place(
        "onsite_likelihood.sic_scores.\"" + std::string(bucket) + "\"",
        "onsite_likelihood.sic_scores." + std::string(bucket), e->key, e->value, table->value);
    if (!place.ok()) return place.status();
    return found(std::move(place).value());
  }
  if (bucket == "unknown") {
    return no_place(
        "leads without a SIC score onsite_likelihood.default, which also scores every SIC "
        "sic_scores lacks; change it by hand");
  }
  if (normalize_sic(bucket).value_or("") != bucket) return no_place("not a 4-digit SIC code");
  HADES_RETURN_IF_ERROR(check_not_shared(table->value, "onsite_likelihood.sic_scores"));
  PlaceLookup out;
  out.kind = PlaceLookup::Kind::kNewSic;
  return out;
}

Result<PlaceLookup> IcpDocument::find_tier(std::string_view section,
                                           std::string_view bucket) const {
  const bool employee = section == "employee_scale";
  const std::optional<Entry> list = entry(root_, section);
  if (!list || !list->value.IsSequence()) return error(root_, std::string(section) + " is missing");
  std::string lower = "0";
  for (std::size_t i = 0; i < list->value.size(); ++i) {
    const YAML::Node item = list->value[i];
    std::string name;
    if (employee) {
      const std::optional<Entry> min = entry(item, "min");
      const std::optional<Entry> max = entry(item, "max");
      if (!min || !max) continue;
      name = std::to_string(min->value.as<std::int64_t>()) + "-" +
             std::to_string(max->value.as<std::int64_t>());
    } else {
      const std::optional<Entry> max = entry(item, "max_miles");
      if (!max) continue;
      const std::string upper = miles_text(max->value.as<double>());
      name = lower + "-" + upper + " mi";
      lower = upper;
    }
    if (name != bucket) continue;
    const std::optional<Entry> score = entry(item, "score");
    if (!score) return error(item, std::string(section) + ": tier without a score");
    const std::string path = std::string(section) + "[" + std::to_string(i) + "].score";
    Result<IcpPlace> place = make_place(path, path, score->key, score->value, item);
    if (!place.ok()) return place.status();
    return found(std::move(place).value());
  }
  if (bucket == "unknown") {
    return no_place(employee ? "an unknown employee count scores 50, a fixed rule of the scorer"
                             : "an unknown distance is scored as 15 miles, a fixed rule of the "
                               "scorer");
  }
  if (employee && bucket == "outside tiers") {
    return no_place("a count outside every tier scores 40, a fixed rule of the scorer");
  }
  if (!employee && bucket.substr(0, 7) == "beyond ") {
    return no_place("a distance beyond the last tier scores 30, a fixed rule of the scorer");
  }
  return no_place(std::string(section) + " has no tier named " + std::string(bucket));
}

Result<PlaceLookup> IcpDocument::find_signal(std::string_view bucket) const {
  const std::optional<Entry> table = entry(root_, "signal_strength_scores");
  if (!table) return error(root_, "signal_strength_scores is missing");
  if (const std::optional<Entry> e = entry(table->value, bucket)) {
    const std::string path = "signal_strength_scores." + std::string(bucket);
    Result<IcpPlace> place = make_place(path, path, e->key, e->value, table->value);
    if (!place.ok()) return place.status();
    return found(std::move(place).value());
  }
  if (bucket == "unknown") {
    return no_place("a missing strength scores as Low: change Low to change it");
  }
  return no_place(
      "signal_strength_scores does not list it, so the scorer scores it as Low; add "
      "it by hand");
}

Result<PlaceLookup> IcpDocument::find_freshness(std::string_view bucket) const {
  const std::optional<Entry> tiers = entry(root_, "freshness");
  if (!tiers) return error(root_, "freshness is missing");
  std::optional<PlaceLookup> match;
  const std::vector<Entry> all = entries(tiers->value);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::optional<Entry> label = entry(all[i].value, "label");
    if (!label || label->value.Scalar() != bucket) continue;
    if (match) {
      return error(all[i].key, "two freshness tiers are labelled '" + std::string(bucket) +
                                   "'; the report cannot say which one it means");
    }
    const std::optional<Entry> multiplier = entry(all[i].value, "multiplier");
    if (!multiplier) return error(all[i].key, "freshness tier without a multiplier");
    Result<IcpPlace> place = make_place("freshness." + all[i].key.Scalar() + ".multiplier",
                                        "freshness[" + std::to_string(i) + "].multiplier",
                                        multiplier->key, multiplier->value, all[i].value);
    if (!place.ok()) return place.status();
    match = found(std::move(place).value());
  }
  if (match) return *match;
  if (bucket == "past tiers") {
    return no_place("past the last tier a lead is stale and not exported, a fixed rule");
  }
  if (bucket == "unknown") {
    return no_place("an unknown intent date counts as 999 days old, a fixed rule of the scorer");
  }
  return no_place("no freshness tier is labelled " + std::string(bucket));
}

// ---------------------------------------------------------------------------------------------
// Editing

namespace {

// Facts about a mapping's `key: number` lines that new and changed lines copy.
struct Layout {
  std::optional<std::size_t> number_end;  // all numbers end in this column (right-aligned)
  std::optional<std::size_t> comment;     // most comments start in this column
};

// Whether the entry's key, number and an optional comment are all its line holds (block style).
bool alone_on_line(std::string_view text, std::size_t key_pos, const Token& token) {
  const LineSpan line = line_at(text, token.begin);
  if (key_pos < line.begin || key_pos > token.begin) return false;
  for (std::size_t i = line.begin; i < key_pos; ++i) {
    if (!is_blank(text[i]) && text[i] != '-') return false;
  }
  std::size_t after = token.end;
  while (after < line.content_end && is_blank(text[after])) ++after;
  return after == line.content_end || text[after] == '#';
}

Layout layout_of(std::string_view text, std::size_t bom, const YAML::Node& map) {
  std::vector<std::size_t> ends;
  std::vector<std::size_t> comments;
  for (const Entry& e : entries(map)) {
    if (!e.value.IsScalar() || e.value.Mark().pos < 0 || e.key.Mark().pos < 0) continue;
    const std::optional<Token> t =
        token_at(text, static_cast<std::size_t>(e.value.Mark().pos) + bom, e.value.Scalar());
    if (!t || !alone_on_line(text, static_cast<std::size_t>(e.key.Mark().pos) + bom, *t)) continue;
    const LineSpan line = line_at(text, t->begin);
    ends.push_back(t->end - line.begin);
    const std::size_t hash = text.find('#', t->end);
    if (hash < line.content_end) comments.push_back(hash - line.begin);
  }
  Layout layout;
  if (ends.size() >= 2 &&
      std::all_of(ends.begin(), ends.end(), [&](std::size_t e) { return e == ends.front(); })) {
    layout.number_end = ends.front();
  }
  layout.comment = most_common(comments);
  return layout;
}

// Blanks that put a comment at `column` after text ending at `end`: at least one, else two.
std::string comment_gap(std::size_t end, std::optional<std::size_t> column) {
  if (column && *column > end) return std::string(*column - end, ' ');
  return "  ";
}

}  // namespace

Result<TextEdit> IcpDocument::replace(const IcpPlace& place, std::string_view value,
                                      std::string_view comment, bool* comment_written) const {
  const std::optional<Token> t = token_at(text_, offset(place.value), place.value.Scalar());
  if (!t) return error(place.value, place.path + ": the number moved; edit it by hand");
  std::string token(value);
  if (t->quote != 0) token = t->quote + token + t->quote;
  *comment_written = false;
  if (comment.empty() || !alone_on_line(text_, offset(place.key), *t)) {
    return TextEdit{t->begin, t->end, token};
  }
  const LineSpan line = line_at(text_, t->begin);
  const Layout layout = layout_of(text_, bom_, place.parent);
  std::size_t begin = t->begin;
  std::string lead;
  // A number in a right-aligned column keeps its right edge: the blanks after the colon absorb
  // the change of width.
  std::size_t gap = t->begin;
  while (gap > line.begin && text_[gap - 1] == ' ') --gap;
  if (layout.number_end && *layout.number_end == t->end - line.begin && gap < t->begin &&
      gap > line.begin && text_[gap - 1] == ':') {
    const std::size_t width = t->end - gap;
    begin = gap;
    lead = std::string(width > token.size() ? width - token.size() : 1, ' ');
  }
  std::size_t after = t->end;
  while (after < line.content_end && is_blank(text_[after])) ++after;
  const std::optional<std::size_t> column =
      after < line.content_end ? std::optional<std::size_t>(after - line.begin) : layout.comment;
  const std::size_t end_column = (begin - line.begin) + lead.size() + token.size();
  *comment_written = true;
  return TextEdit{begin, line.content_end,
                  lead + token + comment_gap(end_column, column) + "# " + std::string(comment)};
}

namespace {

// Where a new key goes among a mapping's entries: before `next` (the first greater key, when
// the keys are sorted), else after the last entry; `reference` is the neighbour whose style the
// new entry copies (null in an empty mapping).
struct Neighbours {
  std::vector<Entry> all;
  const Entry* next = nullptr;
  const Entry* reference = nullptr;
};

Neighbours neighbours_of(const YAML::Node& map, std::string_view key) {
  Neighbours n;
  n.all = entries(map);
  const bool sorted = std::is_sorted(
      n.all.begin(), n.all.end(),
      [](const Entry& a, const Entry& b) { return a.key.Scalar() < b.key.Scalar(); });
  for (const Entry& e : n.all) {
    if (sorted && e.key.Scalar() > key) {
      n.next = &e;
      break;
    }
  }
  n.reference = n.next != nullptr ? n.next : (n.all.empty() ? nullptr : &n.all.back());
  return n;
}

}  // namespace

Result<TextEdit> IcpDocument::insert_sic(std::string_view code, std::string_view value,
                                         std::string_view comment, bool* comment_written) const {
  const std::optional<Entry> onsite = entry(root_, "onsite_likelihood");
  const std::optional<Entry> table = onsite ? entry(onsite->value, "sic_scores") : std::nullopt;
  if (!table || !table->value.IsMap()) {
    return error(root_, "onsite_likelihood.sic_scores is missing");
  }
  const Neighbours n = neighbours_of(table->value, code);
  // Quoted like the neighbour: "8062", '8062' or 8062.
  const char quote = n.reference == nullptr ? '"' : text_[offset(n.reference->key)];
  std::string key(code);
  if (quote == '"' || quote == '\'') key = quote + key + quote;
  *comment_written = false;
  if (text_[offset(table->value)] == '{') {
    return insert_in_flow(table->value, n.all, n.next, key + ": " + std::string(value));
  }
  std::string line = key + ":";
  Result<TextEdit> edit =
      insert_in_block(table->value, n.all, n.next, *n.reference, line, value, comment);
  *comment_written = edit.ok() && !comment.empty();
  return edit;
}

Result<TextEdit> IcpDocument::insert_in_flow(const YAML::Node& map, const std::vector<Entry>& all,
                                             const Entry* next, const std::string& pair) const {
  if (all.empty()) return TextEdit{offset(map) + 1, offset(map) + 1, pair};
  if (next != nullptr) return TextEdit{offset(next->key), offset(next->key), pair + ", "};
  const std::optional<Token> last =
      token_at(text_, offset(all.back().value), all.back().value.Scalar());
  if (!last) return error(all.back().value, "sic_scores: cannot find its last value");
  return TextEdit{last->end, last->end, ", " + pair};
}

Result<TextEdit> IcpDocument::insert_in_block(const YAML::Node& map, const std::vector<Entry>& all,
                                              const Entry* next, const Entry& reference,
                                              std::string line, std::string_view value,
                                              std::string_view comment) const {
  const LineSpan ref_line = line_at(text_, offset(reference.key));
  // The neighbour's indentation, with a sequence's "- " turned into blanks.
  std::string indent(text_.substr(ref_line.begin, offset(reference.key) - ref_line.begin));
  std::replace_if(
      indent.begin(), indent.end(), [](char c) { return !is_blank(c); }, ' ');
  std::string eol(text_.substr(ref_line.content_end, ref_line.end - ref_line.content_end));
  if (eol.empty()) eol = text_.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
  const Layout layout = layout_of(text_, bom_, map);
  line = indent + line;
  const std::size_t width = layout.number_end.value_or(0);
  line +=
      std::string(width > line.size() + value.size() ? width - line.size() - value.size() : 1, ' ');
  line += std::string(value);
  if (!comment.empty())
    line += comment_gap(line.size(), layout.comment) + "# " + std::string(comment);
  if (next != nullptr) return TextEdit{ref_line.begin, ref_line.begin, line + eol};
  const std::optional<Token> last =
      token_at(text_, offset(all.back().value), all.back().value.Scalar());
  if (!last) return error(all.back().value, "sic_scores: cannot find its last value");
  const LineSpan last_line = line_at(text_, last->end);
  if (last_line.end == last_line.content_end) {  // the file ends without a line end
    return TextEdit{last_line.end, last_line.end, eol + line};
  }
  return TextEdit{last_line.end, last_line.end, line + eol};
}

std::string IcpDocument::industry_name(const IcpPlace* place, std::string_view sic) const {
  if (place != nullptr) {
    const std::optional<Token> t = token_at(text_, offset(place->value), place->value.Scalar());
    if (t) {
      std::string name = name_in_comment(comment_on_line(t->end));
      if (!name.empty()) return name;
    }
  }
  const std::optional<Entry> filters = entry(root_, "hard_filters");
  const std::optional<Entry> codes = filters ? entry(filters->value, "sic_codes") : std::nullopt;
  if (!codes || !codes->value.IsSequence()) return "";
  for (auto it = codes->value.begin(); it != codes->value.end(); ++it) {
    if (it->IsScalar() && it->Scalar() == sic) {
      const std::optional<Token> t = token_at(text_, offset(*it), it->Scalar());
      if (t) return name_in_comment(comment_on_line(t->end));
    }
  }
  return "";
}

// ---------------------------------------------------------------------------------------------

std::map<std::string, std::string> flatten_icp_config(const IcpConfig& c) {
  std::map<std::string, std::string> out;
  const IntentWeights& iw = c.intent_weights;
  out["scoring.intent.signal_strength"] = number_text(iw.signal_strength);
  out["scoring.intent.onsite_likelihood"] = number_text(iw.onsite_likelihood);
  out["scoring.intent.freshness"] = number_text(iw.freshness);
  const GeographyWeights& gw = c.geography_weights;
  out["scoring.geography.proximity"] = number_text(gw.proximity);
  out["scoring.geography.onsite_likelihood"] = number_text(gw.onsite_likelihood);
  out["scoring.geography.authority"] = number_text(gw.authority);
  out["scoring.geography.employee_scale"] = number_text(gw.employee_scale);
  for (const auto& [level, score] : c.authority_scores) {
    out["authority_scores." + level] = std::to_string(score);
  }
  out["authority_scores.default"] = std::to_string(c.authority_default);
  for (std::size_t i = 0; i < c.authority_title_keywords.size(); ++i) {
    out["authority_title_keywords[" + std::to_string(i) + "]"] = c.authority_title_keywords[i];
  }
  for (const auto& [strength, score] : c.signal_strength_scores) {
    out["signal_strength_scores." + strength] = std::to_string(score);
  }
  for (std::size_t i = 0; i < c.freshness.size(); ++i) {
    const std::string at = "freshness[" + std::to_string(i) + "].";
    out[at + "name"] = c.freshness[i].name;
    out[at + "max_days"] = std::to_string(c.freshness[i].max_days);
    out[at + "multiplier"] = number_text(c.freshness[i].multiplier);
    out[at + "label"] = c.freshness[i].label;
  }
  for (const auto& [sic, score] : c.sic_scores) {
    out["onsite_likelihood.sic_scores." + sic] = std::to_string(score);
  }
  out["onsite_likelihood.default"] = std::to_string(c.sic_default);
  for (std::size_t i = 0; i < c.employee_scale.size(); ++i) {
    const std::string at = "employee_scale[" + std::to_string(i) + "].";
    out[at + "min"] = std::to_string(c.employee_scale[i].min);
    out[at + "max"] = std::to_string(c.employee_scale[i].max);
    out[at + "score"] = std::to_string(c.employee_scale[i].score);
  }
  for (std::size_t i = 0; i < c.proximity.size(); ++i) {
    const std::string at = "proximity[" + std::to_string(i) + "].";
    out[at + "max_miles"] = number_text(c.proximity[i].max_miles);
    out[at + "score"] = std::to_string(c.proximity[i].score);
  }
  for (std::size_t i = 0; i < c.call_center_agents.size(); ++i) {
    out["call_center_agents[" + std::to_string(i) + "]"] = c.call_center_agents[i];
  }
  out["scoring_method.use"] = c.scoring_method.use_model ? "model" : "weights";
  out["scoring_method.model"] = c.scoring_method.model;
  return out;
}

}  // namespace hades::domain
