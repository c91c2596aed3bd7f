#include "bucket_sql.h"

#include <cstdio>

#include "leads/normalize.h"
#include "outcomes/outcome_tables.h"

namespace hades::calibrator {
namespace {

// Only leads of published batches count (outcome_tables.h).
std::string published() { return domain::published_batch_sql(); }

using domain::IcpConfig;

constexpr std::int64_t kScoreRadix = 102;  // 0..100 and kNoScore
// Beyond, unknown and not applicable, after a tiered digit's N tiers.
constexpr std::int64_t kTierExtras = 3;
// The ASCII blanks domain::trim() removes, for SQL's trim(X, Y).
constexpr std::string_view kBlanks = "\t\n\r ";

std::size_t index(KeyDigit d) { return static_cast<std::size_t>(d); }

std::string number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::string str(std::int64_t value) { return std::to_string(value); }

std::string is_number(std::string_view expr) {
  return "typeof(" + std::string(expr) + ") IN ('integer', 'real')";
}

// Tier bounds compare numbers only: in SQLite a text or NULL never satisfies `x <= 5`, so the
// tiers are tested first and the type only for the few values that fall through.
std::string employee_digit(const IcpConfig& icp, std::string_view column) {
  const std::string c(column);
  const auto n = static_cast<std::int64_t>(icp.employee_scale.size());
  std::string sql = "CASE";
  for (std::size_t i = 0; i < icp.employee_scale.size(); ++i) {
    sql += " WHEN " + c + " BETWEEN " + str(icp.employee_scale[i].min) + " AND " +
           str(icp.employee_scale[i].max) + " THEN " + str(static_cast<std::int64_t>(i));
  }
  return sql + " WHEN " + is_number(c) + " THEN " + str(n) + " ELSE " + str(n + 1) + " END";
}

std::string proximity_digit(const IcpConfig& icp) {
  const auto n = static_cast<std::int64_t>(icp.proximity.size());
  std::string sql = "CASE WHEN wf IS NOT 'geography' THEN " + str(n + 2);
  for (std::size_t i = 0; i < icp.proximity.size(); ++i) {
    sql += " WHEN d <= " + number(icp.proximity[i].max_miles) + " THEN " +
           str(static_cast<std::int64_t>(i));
  }
  return sql + " WHEN " + is_number("d") + " THEN " + str(n) + " ELSE " + str(n + 1) + " END";
}

// icp.yaml's strengths match ignoring ASCII case and surrounding blanks, as the scorer's do:
// `sn` is the recorded strength lower-cased and trimmed.
std::string strength_digit(const IcpConfig& icp) {
  const auto n = static_cast<std::int64_t>(icp.signal_strength_scores.size());
  std::string sql = "CASE WHEN wf IS NOT 'intent' THEN " + str(n + 2) + " ELSE CASE sn";
  for (std::size_t i = 0; i < icp.signal_strength_scores.size(); ++i) {
    sql += " WHEN " + sql_text_literal(domain::ascii_lower(icp.signal_strength_scores[i].first)) +
           " THEN " + str(static_cast<std::int64_t>(i));
  }
  return sql + " WHEN '' THEN " + str(n + 1) + " ELSE CASE WHEN sn IS NULL THEN " + str(n + 1) +
         " ELSE " + str(n) + " END END END";
}

std::string other_strength_column(const IcpConfig& icp) {
  std::string listed = "''";
  for (const auto& [strength, score] : icp.signal_strength_scores) {
    listed += ", " + sql_text_literal(domain::ascii_lower(strength));
  }
  return "CASE WHEN sn NOT IN (" + listed + ") THEN s END";
}

// A numeric intent_score above 0 sets the signal component instead of the strength table.
// (A text score is not above 0 here: SQLite orders every text after every number, so the type
// must be tested.)
std::string numeric_signal_digit() {
  return "CASE WHEN sc > 0 AND " + is_number("sc") + " THEN 1 ELSE 0 END";
}

// The recorded age, bucketed by the current tiers; unknown without an intent date (the scorer
// then records an age of 999, which is not an age).
std::string freshness_digit(const IcpConfig& icp) {
  const auto n = static_cast<std::int64_t>(icp.freshness.size());
  std::string sql =
      "CASE WHEN wf IS NOT 'intent' THEN " + str(n + 2) + " WHEN dt IS NULL THEN " + str(n + 1);
  for (std::size_t i = 0; i < icp.freshness.size(); ++i) {
    sql += " WHEN age <= " + str(icp.freshness[i].max_days) + " THEN " +
           str(static_cast<std::int64_t>(i));
  }
  return sql + " WHEN " + is_number("age") + " THEN " + str(n) + " ELSE " + str(n + 1) + " END";
}

std::string score_digit() {
  return "CASE WHEN hs BETWEEN 0 AND 100 AND typeof(hs) = 'integer' THEN hs ELSE " + str(kNoScore) +
         " END";
}

// An intent lead's value from its column (outcome_tables migration 6), or, when the export did
// not write the columns (age_days NULL), from source_features. Only intent leads are read.
// Malformed source_features would make json_extract fail the whole query: it counts as unknown
// instead.
std::string intent_feature(std::string_view column, std::string_view path) {
  return "CASE WHEN workflow_type = 'intent' THEN CASE WHEN age_days IS NOT NULL THEN " +
         std::string(column) +
         " WHEN json_valid(source_features) THEN json_extract(source_features, '" +
         std::string(path) + "') END END";
}

// A balanced CASE over integer scores [lo, hi): 7 comparisons instead of up to 101.
std::string score_lookup(const std::vector<double>& values, std::size_t lo, std::size_t hi) {
  if (hi - lo == 1) return number(values[lo]);
  const std::size_t mid = lo + (hi - lo) / 2;
  return "CASE WHEN hades_score < " + std::to_string(mid) + " THEN " +
         score_lookup(values, lo, mid) + " ELSE " + score_lookup(values, mid, hi) + " END";
}

}  // namespace

CellKey::CellKey(const IcpConfig& icp) {
  radices_[index(KeyDigit::kWorkflow)] = 3;
  radices_[index(KeyDigit::kEmployee)] =
      static_cast<std::int64_t>(icp.employee_scale.size()) + kTierExtras;
  radices_[index(KeyDigit::kProximity)] =
      static_cast<std::int64_t>(icp.proximity.size()) + kTierExtras;
  radices_[index(KeyDigit::kStrength)] =
      static_cast<std::int64_t>(icp.signal_strength_scores.size()) + kTierExtras;
  radices_[index(KeyDigit::kNumericSignal)] = 2;
  radices_[index(KeyDigit::kFreshness)] =
      static_cast<std::int64_t>(icp.freshness.size()) + kTierExtras;
  radices_[index(KeyDigit::kScore)] = kScoreRadix;
  radices_[index(KeyDigit::kHoldout)] = 2;
}

std::array<std::int64_t, kKeyDigits> CellKey::decode(std::int64_t key) const {
  std::array<std::int64_t, kKeyDigits> digits{};
  for (std::size_t i = kKeyDigits; i-- > 0;) {
    digits[i] = key % radices_[i];
    key /= radices_[i];
  }
  return digits;
}

std::int64_t CellKey::tiers(KeyDigit digit) const { return radix(digit) - kTierExtras; }

TierCode CellKey::code(KeyDigit digit, std::int64_t value) const {
  const std::int64_t n = tiers(digit);
  if (value < n) return TierCode::kTier;
  if (value == n) return TierCode::kBeyond;
  return value == n + 1 ? TierCode::kUnknown : TierCode::kNotApplicable;
}

std::string composite_key(const IcpConfig& icp, const CellKey& layout) {
  const std::string digits[kKeyDigits] = {
      "CASE wf WHEN 'geography' THEN 0 WHEN 'intent' THEN 1 ELSE 2 END",
      employee_digit(icp, "e"),
      proximity_digit(icp),
      strength_digit(icp),
      numeric_signal_digit(),
      freshness_digit(icp),
      score_digit(),
      "holdout"};
  // Horner's scheme over the digits, most significant first.
  std::string key = digits[0];
  for (std::size_t i = 1; i < kKeyDigits; ++i) {
    key.insert(0, "(");
    key += ") * " + str(layout.radix(static_cast<KeyDigit>(i))) + " + (" + digits[i] + ")";
  }
  return key;
}

std::string lead_cells_sql(const IcpConfig& icp, const CellKey& layout) {
  const std::string strength = intent_feature("intent_strength", "$.inputs.intent_strength");
  // A blank date column is no date, as source_features records it (null).
  const std::string date_column =
      "CASE WHEN trim(intent_date, " + sql_text_literal(kBlanks) + ") <> '' THEN intent_date END";
  // One pass over the wide table: the inner subquery reads each row once and parses an intent
  // lead's source_features once (LIMIT keeps it apart, and the repeated extractions of one row
  // hit SQLite's parse cache; the unary + keeps SQLite from walking the exported_at index for a
  // near-full scan). Its groups per bucket combination and state are materialized, then summed
  // per combination and per state.
  const std::string row =
      "SELECT state AS st, workflow_type AS wf, sic_code, employee_count AS e, "
      "distance_miles AS d, hades_score AS hs, exported_at >= ? AS holdout, " +
      std::string(kSuccessSql) + " AS y, " + strength + " AS s, lower(trim(" + strength + ", " +
      sql_text_literal(kBlanks) + ")) AS sn, " +
      intent_feature("intent_score", "$.inputs.intent_score") + " AS sc, " +
      intent_feature(date_column, "$.inputs.intent_date") + " AS dt, " +
      intent_feature("age_days", "$.components.age_days") +
      " AS age FROM lead_outcomes WHERE +exported_at < ? AND " + published() + " LIMIT -1";
  return "WITH lead AS MATERIALIZED (SELECT " + composite_key(icp, layout) +
         " AS key, sic_code, CASE WHEN typeof(e) = 'text' THEN e END AS et, " +
         other_strength_column(icp) + " AS os, st, count(*) AS n, sum(y) AS k FROM (" + row +
         ") GROUP BY 1, 2, 3, 4, 5) SELECT 0, key, sic_code, et, os, sum(n), sum(k) FROM lead "
         "GROUP BY 2, 3, 4, 5 UNION ALL SELECT 1, NULL, st, NULL, NULL, sum(n), sum(k) FROM lead "
         "GROUP BY 3";
}

std::string historical_sql(const IcpConfig& icp, const CellKey& /*layout*/) {
  return "SELECT sic_code, " + employee_digit(icp, "employee_count") +
         ", CASE WHEN typeof(employee_count) = 'text' THEN employee_count END, state, count(*), "
         "sum(CASE WHEN outcome = 'delivery' THEN 1 ELSE 0 END) FROM historical_outcomes "
         "GROUP BY 1, 2, 3, 4";
}

std::string delivery_lag_sql() {
  // The unary + keeps SQLite from looking every delivery up in the wide rows through the outcome
  // index: the covering index lead_outcomes_calibration has every column, a batch at a time.
  return "SELECT CAST(julianday(outcome_at) - julianday(exported_at) AS INTEGER), count(*) "
         "FROM lead_outcomes WHERE +outcome = 'delivery' AND outcome_at IS NOT NULL AND " +
         domain::published_batch_sql("batch_id") + " GROUP BY 1";
}

std::string batches_sql(const std::vector<double>& probability) {
  std::vector<double> variance;
  variance.reserve(probability.size());
  for (double p : probability) variance.push_back(p * (1 - p));
  const std::string scored = "typeof(hades_score) = 'integer' AND hades_score BETWEEN 0 AND 100";
  const std::string success(kSuccessSql);
  return "SELECT batch_id, min(exported_at), "
         "sum(CASE WHEN " +
         scored +
         " THEN 1 ELSE 0 END), "
         "sum(CASE WHEN " +
         scored + " THEN " + success +
         " ELSE 0 END), "
         "total(CASE WHEN " +
         scored + " THEN " + score_lookup(probability, 0, 101) +
         " END), "
         "total(CASE WHEN " +
         scored + " THEN " + score_lookup(variance, 0, 101) +
         " END), "
         "sum(CASE WHEN " +
         scored +
         " THEN 0 ELSE 1 END) "
         "FROM lead_outcomes WHERE +exported_at < ? AND " +
         published() + " GROUP BY batch_id";
}

std::string scoring_sql(const std::vector<std::string>& change_times) {
  // A number or NULL exported_at sorts before every text, as period_of() takes it.
  std::string period = "CASE WHEN typeof(exported_at) <> 'text' THEN 0";
  for (std::size_t i = 0; i < change_times.size(); ++i) {
    period += " WHEN exported_at < " + sql_text_literal(change_times[i]) + " THEN " +
              str(static_cast<std::int64_t>(i));
  }
  period += " ELSE " + str(static_cast<std::int64_t>(change_times.size())) + " END";
  return "SELECT " + period +
         ", CASE workflow_type WHEN 'geography' THEN 0 WHEN 'intent' THEN 1 ELSE 2 END, "
         "CASE WHEN typeof(hades_score) = 'integer' AND hades_score BETWEEN 0 AND 100 THEN "
         "hades_score ELSE " +
         str(kNoScore) + " END, count(*), sum(" + std::string(kSuccessSql) +
         ") FROM lead_outcomes WHERE +exported_at < ? AND " + published() + " GROUP BY 1, 2, 3";
}

std::string sql_text_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace hades::calibrator
