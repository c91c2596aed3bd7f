// bucket_sql.h: the aggregation queries, with buckets computed by the database.
//
// Each lead_outcomes row is reduced, in SQL, to one integer: a mixed-radix number whose digits
// are its buckets (workflow, employee tier, proximity band, signal strength, numeric signal,
// freshness tier, recorded score, holdout side), each digit a CASE expression built from
// icp.yaml's tiers. Grouping on that integer first (plus the few raw texts that need the shared
// normaliser: SIC code, an employee count stored as text, an unlisted signal strength) keeps
// SQLite's sort cheap; the C++ side decodes the digits again (CellKey). (On the embedded SQLite
// file the leads are streamed instead and keyed in C++: lead_stream.h.) Only intent leads pay
// for parsing source_features (json_extract of the four values the buckets need). The per-state
// counts come from the same pass: the table is wide (source_features), so each pass costs.
//
// Every digit of a tiered field uses the same codes: 0..N-1 the N tiers icp.yaml lists, then
// kBeyond (past the last tier: "outside tiers", "beyond 100 mi", "past tiers"; for the signal
// strength an unlisted text), kUnknown (missing or not a number) and kNotApplicable (the
// field belongs to the other workflow).
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_CALIBRATOR_BUCKET_SQL_H_
#define HADES_PLUGINS_CALIBRATOR_BUCKET_SQL_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "leads/icp_config.h"

namespace hades::calibrator {

// The digits of the composite key, most significant first.
enum class KeyDigit {
  kWorkflow,
  kEmployee,
  kProximity,
  kStrength,
  kNumericSignal,
  kFreshness,
  kScore,
  kHoldout
};
inline constexpr std::size_t kKeyDigits = 8;

// Workflow digit values.
inline constexpr std::int64_t kGeography = 0;
inline constexpr std::int64_t kIntent = 1;
inline constexpr std::int64_t kOtherWorkflow = 2;
// Score digit: 0..100 as recorded, kNoScore when missing or out of range.
inline constexpr std::int64_t kNoScore = 101;

// Where a tiered digit falls, relative to its N tiers.
enum class TierCode { kTier, kBeyond, kUnknown, kNotApplicable };

class CellKey {
 public:
  explicit CellKey(const domain::IcpConfig& icp);

  // The digit values of `key`. REQUIRES: `key` was made by lead_cells_sql() for this icp.yaml.
  std::array<std::int64_t, kKeyDigits> decode(std::int64_t key) const;
  // What a tiered digit's value means, and the tier when kTier.
  TierCode code(KeyDigit digit, std::int64_t value) const;
  // The number of tiers of a tiered digit (employee, proximity, strength, freshness).
  std::int64_t tiers(KeyDigit digit) const;
  std::int64_t radix(KeyDigit digit) const { return radices_[static_cast<std::size_t>(digit)]; }

 private:
  std::array<std::int64_t, kKeyDigits> radices_{};
};

// 1 for a lead that counts as a success (delivery, or a delivery later churned), else 0.
inline constexpr std::string_view kSuccessSql =
    "CASE WHEN outcome IN ('delivery', 'churned') THEN 1 ELSE 0 END";

// Matured lead_outcomes, aggregated twice in one statement (one pass over the table):
//   0, key, sic_code, employee_text, other_strength, leads, deliveries   per composite key
//   1, NULL, state, NULL, NULL, leads, deliveries                        per raw state
// Arguments: the holdout date, matured_before.
std::string lead_cells_sql(const domain::IcpConfig& icp, const CellKey& layout);

// historical_outcomes per raw SIC, employee tier digit, employee text and state:
//   sic_code, employee digit, employee_text, state, leads, deliveries.
std::string historical_sql(const domain::IcpConfig& icp, const CellKey& layout);

// Days from export to delivery, per whole day: lag, deliveries. Rows whose dates do not parse
// are left out.
std::string delivery_lag_sql();

// Matured batches with p(hades_score) summed: batch_id, exported_at, scored leads, their
// deliveries, sum p, sum p(1-p), unscored leads. Argument: matured_before.
// REQUIRES: probability.size() == 101.
std::string batches_sql(const std::vector<double>& probability);

// Matured lead_outcomes per scoring-check period, workflow digit and score digit:
//   period, workflow (kGeography, kIntent, kOtherWorkflow), score (0..100 or kNoScore), leads,
//   deliveries;
// the period is the number of `change_times` (ascending ISO-8601 texts) at or before the lead's
// exported_at (scoring_check.h, period_of()). Argument: matured_before.
std::string scoring_sql(const std::vector<std::string>& change_times);

// `text` as an SQL string literal ('it''s').
std::string sql_text_literal(std::string_view text);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_BUCKET_SQL_H_
