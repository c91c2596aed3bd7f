// lead_stream.h: the matured leads one row at a time, their buckets computed here in C++.
//
// The streamed counterpart of lead_cells_sql() (bucket_sql.h), for the embedded SQLite file:
// there, SQLite's GROUP BY sorts every row and its VM evaluates the bucket CASE expressions per
// row, which took most of the run's time over 10M leads. lead_stream_sql() reads the raw columns
// and an intent lead's four values the buckets need from the columns the export writes them to
// (intent_strength, intent_score, intent_date, age_days: outcome_tables migration 6); all of
// them are in the covering index lead_outcomes_calibration, so SQLite scans that index and never
// the wide rows. LeadKeyer then computes the same composite key (CellKey) as the CASE expressions
// do, with SQLite's comparison rules (a text is never <= a number; only integers and reals are
// numbers), so both paths give the same groups: calibration_test and calibrator_test compare them
// cell by cell.
//
// An intent row whose columns were not written (age_days NULL: an export job without them, or
// source_features of a shape the migration did not copy) is left by LeadKeyer to a second read:
// the caller reads such rows again by id with lead_rows_by_id_sql(), which gives one
// json_extract() of the four values from source_features (a JSON array: one parse per row) and
// the strength exactly as json_extract() gives it (SQLite's own unescaping and rendering decide
// the text of a strength that is a JSON string with escapes, an object or an array).
//
// Thread safety: LeadKeyer is immutable after construction.

#ifndef HADES_PLUGINS_CALIBRATOR_LEAD_STREAM_H_
#define HADES_PLUGINS_CALIBRATOR_LEAD_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bucket_sql.h"
#include "hades/value.h"
#include "leads/icp_config.h"

namespace hades::calibrator {

// Columns of lead_stream_sql() and lead_rows_by_id_sql().
enum LeadColumn : std::size_t {
  kLeadWorkflow,    // workflow digit (kGeography, kIntent, kOtherWorkflow)
  kLeadEmployees,   // employee_count as stored (a text one is parsed after aggregation)
  kLeadMiles,       // distance_miles
  kLeadScore,       // hades_score
  kLeadSuccess,     // delivery or churned: 0 or 1
  kLeadSic,         // sic_code as stored
  kLeadState,       // state as stored
  kLeadFeatures,    // lead_rows_by_id_sql(): for intent leads without the columns below
                    // (age_days NULL) and with valid source_features, the JSON array
                    // [intent_strength, intent_score, intent_date, age_days]; else NULL
  kLeadBatch,       // batch_id
  kLeadExportedAt,  // exported_at
  kLeadId,          // lead_outcomes.id
  kLeadStrength,    // the columns intent_strength, intent_score, intent_date, age_days
  kLeadIntentScore,
  kLeadIntentDate,
  kLeadAgeDays,
  kLeadScoringRules,   // scoring_rules
  kLeadExactStrength,  // lead_rows_by_id_sql() only: json_extract of the strength
};

// Matured lead_outcomes, one row each (kLeadWorkflow..kLeadScoringRules). Argument:
// matured_before.
std::string lead_stream_sql();

// The same columns plus kLeadExactStrength for the leads whose ids are the elements of the JSON
// array given as the second argument. Arguments: matured_before, "[id, ...]".
std::string lead_rows_by_id_sql();

class LeadKeyer {
 public:
  // `holdout_date`: leads exported at or after it are the backtest's holdout (ISO-8601 texts
  // compare as times; an export time that is not a text is before it, as in SQL).
  LeadKeyer(const domain::IcpConfig& icp, const CellKey& layout, std::string holdout_date);

  // The composite key of a row of lead_stream_sql() (as lead_cells_sql()'s CASE expressions give
  // it), and in `other_strength` the strength as lead_cells_sql()'s other-strength column gives it
  // (NULL unless a listed strength). nullopt for an intent row without its columns: read the row
  // again with lead_rows_by_id_sql() and pass its kLeadExactStrength as `exact`.
  std::optional<std::int64_t> key(const std::vector<Value>& row, Value& other_strength,
                                  const Value* exact = nullptr) const;

 private:
  std::int64_t employee_digit(const Value& employees) const;
  std::int64_t proximity_digit(const Value& miles) const;
  std::int64_t strength_digit(const Value& strength) const;
  std::int64_t freshness_digit(const Value& date, const Value& age) const;
  bool holdout(const Value& exported_at) const;

  CellKey layout_;
  std::string holdout_date_;
  std::vector<domain::EmployeeTier> employee_;
  std::vector<double> miles_;
  std::vector<std::string> strengths_;  // icp.yaml's, lower-cased
  std::vector<std::int64_t> days_;
};

// Reads the elements of a JSON array as SQLite renders it into `out` (up to out.size() of them),
// each as json_extract() with one path returns it: null -> NULL, true/false -> 1/0, integers ->
// integer (real past 64 bits), other numbers -> real, a string without escapes -> its text.
// nullopt for a string with escapes, an object or an array. Returns the elements read; 0 when
// `json` is not an array.
std::size_t json_array_scalars(std::string_view json, std::span<std::optional<Value>> out);

}  // namespace hades::calibrator

#endif  // HADES_PLUGINS_CALIBRATOR_LEAD_STREAM_H_
