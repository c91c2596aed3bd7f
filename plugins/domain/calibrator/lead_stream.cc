#include "lead_stream.h"

#include <array>
#include <charconv>
#include <utility>

#include "leads/normalize.h"
#include "outcomes/outcome_tables.h"

namespace hades::calibrator {
namespace {

using domain::IcpConfig;

constexpr std::string_view kColumns =
    "SELECT CASE workflow_type WHEN 'geography' THEN 0 WHEN 'intent' THEN 1 ELSE 2 END, "
    "employee_count, distance_miles, hades_score, ";
// Only intent leads whose columns were not written (age_days NULL) are parsed; malformed
// source_features would make json_extract fail the whole query, so they count as unknown instead
// (as in lead_cells_sql()).
constexpr std::string_view kIntentValid =
    "CASE WHEN workflow_type = 'intent' AND age_days IS NULL AND json_valid(source_features) THEN "
    "json_extract(source_features, ";
constexpr std::string_view kFeaturePaths =
    "'$.inputs.intent_strength', '$.inputs.intent_score', '$.inputs.intent_date', "
    "'$.components.age_days') END";

// Where each feature sits in the kLeadFeatures array.
enum Feature : std::size_t { kStrength, kIntentScore, kIntentDate, kAgeDays, kFeatures };

// The columns of both queries; `features` is the kLeadFeatures expression.
std::string select_columns(std::string_view features) {
  return std::string(kColumns) + std::string(kSuccessSql) + ", sic_code, state, " +
         std::string(features) +
         ", batch_id, exported_at, id, intent_strength, intent_score, intent_date, age_days, "
         "scoring_rules";
}

bool is_number(const Value& v) {
  return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v);
}

// REQUIRES: is_number(v).
double number_of(const Value& v) {
  if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  return std::get<double>(v);
}

bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The end of the JSON value that starts at `i` (SQLite rendered it, so it is well formed).
std::size_t skip_value(std::string_view json, std::size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // the end of the enclosing array
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || is_blank_char(c))) {
      return i;
    }
  }
  return i;
}

// A JSON number as json_extract() returns it: an integer token that fits 64 bits as an integer,
// anything else as a real.
Value number_value(std::string_view token) {
  const char* first = token.data();
  const char* last = first + token.size();
  if (token.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t n = 0;
    const auto [end, error] = std::from_chars(first, last, n);
    if (error == std::errc() && end == last) return n;
  }
  double d = 0;
  std::from_chars(first, last, d);
  return d;
}

std::optional<Value> scalar_of(std::string_view token) {
  if (token.empty() || token == "null") return Value();
  if (token == "true") return Value(std::int64_t{1});
  if (token == "false") return Value(std::int64_t{0});
  if (token.front() == '{' || token.front() == '[') return std::nullopt;
  if (token.front() == '"') {
    if (token.size() < 2 || token.find('\\') != std::string_view::npos) return std::nullopt;
    return Value(std::string(token.substr(1, token.size() - 2)));
  }
  return number_value(token);
}

}  // namespace

std::string lead_stream_sql() {
  // Every column it reads is in lead_outcomes_calibration (outcome_tables migration 6), so SQLite
  // seeks each published batch in that index and walks its matured export times, never reading
  // the rows themselves, whose source_features make up most of their bytes.
  return select_columns("NULL") + " FROM lead_outcomes WHERE exported_at < ? AND " +
         domain::published_batch_sql("batch_id");
}

std::string lead_rows_by_id_sql() {
  return select_columns(std::string(kIntentValid) + std::string(kFeaturePaths)) + ", " +
         std::string(kIntentValid) +
         "'$.inputs.intent_strength') END FROM lead_outcomes WHERE +exported_at < ? AND " +
         domain::published_batch_sql() +
         " AND id IN "
         "(SELECT value FROM json_each(?))";
}

std::size_t json_array_scalars(std::string_view json, std::span<std::optional<Value>> out) {
  std::size_t i = 0;
  const auto skip_blanks = [&] {
    while (i < json.size() && is_blank_char(json[i])) ++i;
  };
  skip_blanks();
  if (i >= json.size() || json[i] != '[') return 0;
  ++i;
  std::size_t count = 0;
  while (count < out.size()) {
    skip_blanks();
    if (i >= json.size() || json[i] == ']') break;
    const std::size_t start = i;
    i = skip_value(json, i);
    out[count++] = scalar_of(json.substr(start, i - start));
    skip_blanks();
    if (i >= json.size() || json[i] != ',') break;
    ++i;
  }
  return count;
}

LeadKeyer::LeadKeyer(const IcpConfig& icp, const CellKey& layout, std::string holdout_date)
    : layout_(layout), holdout_date_(std::move(holdout_date)), employee_(icp.employee_scale) {
  for (const domain::ProximityTier& t : icp.proximity) miles_.push_back(t.max_miles);
  for (const auto& [strength, score] : icp.signal_strength_scores) {
    strengths_.push_back(domain::ascii_lower(strength));
  }
  for (const domain::FreshnessTier& t : icp.freshness) days_.push_back(t.max_days);
}

// `e BETWEEN min AND max` per tier, then beyond for other numbers, unknown for the rest (a text
// is never between two numbers in SQLite).
std::int64_t LeadKeyer::employee_digit(const Value& employees) const {
  const auto n = static_cast<std::int64_t>(employee_.size());
  if (const std::int64_t* count = std::get_if<std::int64_t>(&employees)) {
    for (std::size_t i = 0; i < employee_.size(); ++i) {
      if (employee_[i].min <= *count && *count <= employee_[i].max) {
        return static_cast<std::int64_t>(i);
      }
    }
    return n;
  }
  if (const double* count = std::get_if<double>(&employees)) {
    for (std::size_t i = 0; i < employee_.size(); ++i) {
      if (static_cast<double>(employee_[i].min) <= *count &&
          *count <= static_cast<double>(employee_[i].max)) {
        return static_cast<std::int64_t>(i);
      }
    }
    return n;
  }
  return n + 1;
}

std::int64_t LeadKeyer::proximity_digit(const Value& miles) const {
  const auto n = static_cast<std::int64_t>(miles_.size());
  if (!is_number(miles)) return n + 1;
  const double d = number_of(miles);
  for (std::size_t i = 0; i < miles_.size(); ++i) {
    if (d <= miles_[i]) return static_cast<std::int64_t>(i);
  }
  return n;
}

// The strength lower-cased and trimmed matches icp.yaml's; '' and NULL are unknown; any other
// value (a number included) is past the listed strengths.
std::int64_t LeadKeyer::strength_digit(const Value& strength) const {
  const auto n = static_cast<std::int64_t>(strengths_.size());
  if (is_null(strength)) return n + 1;
  const std::string* text = std::get_if<std::string>(&strength);
  if (text == nullptr) return n;
  const std::string_view trimmed = domain::trim(*text);
  if (trimmed.empty()) return n + 1;
  for (std::size_t i = 0; i < strengths_.size(); ++i) {
    if (domain::iequals(trimmed, strengths_[i])) return static_cast<std::int64_t>(i);
  }
  return n;
}

std::int64_t LeadKeyer::freshness_digit(const Value& date, const Value& age) const {
  const auto n = static_cast<std::int64_t>(days_.size());
  if (is_null(date) || !is_number(age)) return n + 1;
  const double days = number_of(age);
  for (std::size_t i = 0; i < days_.size(); ++i) {
    if (days <= static_cast<double>(days_[i])) return static_cast<std::int64_t>(i);
  }
  return n;
}

bool LeadKeyer::holdout(const Value& exported_at) const {
  const std::string* at = std::get_if<std::string>(&exported_at);
  return at != nullptr && *at >= holdout_date_;
}

std::optional<std::int64_t> LeadKeyer::key(const std::vector<Value>& row, Value& other_strength,
                                           const Value* exact) const {
  // Every feature is NULL unless the lead is an intent lead with valid source_features; an
  // element json_array_scalars() leaves to SQLite (nullopt) is a non-NULL non-number.
  std::array<std::optional<Value>, kFeatures> features;
  features.fill(Value());
  const std::int64_t workflow = as_int(row[kLeadWorkflow]).value_or(kOtherWorkflow);
  // An intent lead without its columns is read again by id, with its source_features.
  if (workflow == kIntent && is_null(row[kLeadAgeDays]) && exact == nullptr) return std::nullopt;
  if (workflow == kIntent && !is_null(row[kLeadAgeDays])) {
    // The columns the export wrote. A blank date is no date, as source_features records it.
    features = {row[kLeadStrength], row[kLeadIntentScore], row[kLeadIntentDate], row[kLeadAgeDays]};
    const std::string* date = std::get_if<std::string>(&row[kLeadIntentDate]);
    if (date != nullptr && domain::trim(*date).empty()) features[kIntentDate] = Value();
  } else if (const std::string* json = std::get_if<std::string>(&row[kLeadFeatures])) {
    json_array_scalars(*json, features);
  }
  if (exact != nullptr) features[kStrength] = *exact;
  if (!features[kStrength]) return std::nullopt;
  const Value& strength = *features[kStrength];
  const Value kNotANumber = std::string();
  const Value& score = features[kIntentScore] ? *features[kIntentScore] : kNotANumber;
  const Value& date = features[kIntentDate] ? *features[kIntentDate] : kNotANumber;
  const Value& age = features[kAgeDays] ? *features[kAgeDays] : kNotANumber;

  const bool geography = workflow == kGeography;
  const bool intent = workflow == kIntent;
  const std::int64_t strength_value = strength_digit(strength);
  other_strength =
      strength_value == static_cast<std::int64_t>(strengths_.size()) ? strength : Value();
  const Value& recorded = row[kLeadScore];
  const std::int64_t* score_value = std::get_if<std::int64_t>(&recorded);

  const std::int64_t digits[kKeyDigits] = {
      workflow,
      employee_digit(row[kLeadEmployees]),
      geography ? proximity_digit(row[kLeadMiles]) : layout_.tiers(KeyDigit::kProximity) + 2,
      intent ? strength_value : layout_.tiers(KeyDigit::kStrength) + 2,
      is_number(score) && number_of(score) > 0 ? 1 : 0,
      intent ? freshness_digit(date, age) : layout_.tiers(KeyDigit::kFreshness) + 2,
      score_value != nullptr && *score_value >= 0 && *score_value <= 100 ? *score_value : kNoScore,
      holdout(row[kLeadExportedAt]) ? 1 : 0};
  std::int64_t key = digits[0];
  for (std::size_t i = 1; i < kKeyDigits; ++i) {
    key = key * layout_.radix(static_cast<KeyDigit>(i)) + digits[i];
  }
  return key;
}

}  // namespace hades::calibrator
