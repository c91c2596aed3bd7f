// training_data.h: the matured outcomes, read from the job's database and reduced to groups of
// leads that share every bucket (lead_model/buckets.h), a time block and a weights score.
//
// Which rows count (the calibrator's rule, plugins/domain/calibrator/README.md "What counts"):
//   - every historical_outcomes row: `delivery` is a success, `no_delivery` a failure; it has
//     the features sic, employee_tier and region only;
//   - lead_outcomes rows of published batches (domain::published_batch_sql()) exported
//     before `matured_before` (the run's start minus matured_days): `delivery` or `churned` is a
//     success, anything else a failure. Intent leads take signal strength and freshness from
//     source_features (inputs.intent_strength; components.age_days when inputs.intent_date is
//     set), geography leads proximity from distance_miles.
// Rows are read in pages by id (bounded memory on any backend: Turso answers a statement in one
// reply) and summed into groups at once; only the groups are kept.
//
// Time blocks. The HADES leads exported before the holdout date are cut into kTimeBlocks blocks
// of about equal size in export order (a batch, which shares one export time, is never cut):
// blocks 1..kTimeBlocks, the time-ordered folds that choose C. Historical rows, which predate
// HADES, are block 0; the holdout (exported at or after the holdout date) is block
// kHoldoutBlock. The holdout date is given, or the export time before which 80% of the matured
// HADES leads were exported (the calibrator's automatic split).
//
// The weights score of a HADES lead is what icp.yaml's weights give it now (the champion the
// model must beat): domain::score_intent()/score_geography() on the inputs its
// source_features recorded (and the recorded age). A lead whose source_features cannot be read
// keeps its recorded hades_score; one with neither has none and is left out of the comparison.
//
// Thread safety: load_training_set() queries `db`; the rest are values.

#ifndef HADES_PLUGINS_MODEL_TRAINER_TRAINING_DATA_H_
#define HADES_PLUGINS_MODEL_TRAINER_TRAINING_DATA_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"
#include "lead_model/buckets.h"
#include "leads/icp_config.h"

namespace hades::model_trainer {

inline constexpr int kTimeBlocks = 5;
inline constexpr int kHoldoutBlock = kTimeBlocks + 1;
inline constexpr double kTrainingShare = 0.8;
inline constexpr std::int32_t kNoBucket = -1;
inline constexpr std::int32_t kNoScore = -1;

// Leads that share everything the training looks at.
struct Cell {
  lead_model::RowKind kind = lead_model::RowKind::kHistorical;
  std::array<std::int32_t, lead_model::kFeatureCount> bucket{};  // ids into TrainingSet::names
  int block = 0;
  std::int32_t weights_score = kNoScore;  // 0..100
  std::int64_t n = 0;
  std::int64_t k = 0;
};

struct TrainingSet {
  // Bucket names per feature; a Cell's bucket[f] indexes names[f] (kNoBucket: not applicable).
  std::array<std::vector<std::string>, lead_model::kFeatureCount> names;
  // The buckets icp.yaml's tiers and strengths define, in its order, per feature (the order the
  // model lists its levels in).
  std::array<std::vector<std::string>, lead_model::kFeatureCount> tier_order;
  std::vector<Cell> cells;
  std::string matured_before;
  std::string holdout_date;
  bool holdout_automatic = true;
  std::int64_t historical = 0;
  std::int64_t historical_deliveries = 0;
  std::int64_t hades_leads = 0;
  std::int64_t hades_deliveries = 0;
  std::int64_t holdout_rescored = 0;  // holdout leads whose weights score was recomputed
  std::string first_export;
  std::string last_export;

  // SHA-256 of the cells in a canonical order and form (names, not ids).
  std::string data_sha256() const;
};

struct LoadOptions {
  std::string matured_before;               // ISO-8601 UTC
  std::optional<std::string> holdout_date;  // ISO-8601 UTC; nullopt: automatic
  std::int64_t page_rows = 20000;           // rows per query
};

// Matured HADES-originated outcomes (lead_outcomes of published batches exported before
// `matured_before`): what the minimum is checked against before anything is read.
Result<std::int64_t> count_hades_outcomes(Database& db, const std::string& matured_before);

// Reads and groups every row that counts. The caller has applied the outcome migrations.
// Fails with the database's status, naming the query.
Result<TrainingSet> load_training_set(Database& db, const domain::IcpConfig& icp,
                                      const LoadOptions& options);

// The block boundaries: `cuts[b]` is the first export time of block b + 2 (b = 0..count-2), from
// (exported_at, leads) pairs in ascending time; whole export times only. Fewer cuts when there
// are fewer distinct times. Exposed for tests.
std::vector<std::string> block_cuts(const std::vector<std::pair<std::string, std::int64_t>>& times,
                                    int count);

}  // namespace hades::model_trainer

#endif  // HADES_PLUGINS_MODEL_TRAINER_TRAINING_DATA_H_
