// model_trainer.h: the model_trainer plugin, a Task that trains the lead model (the design's
// "Approach B", lead_model/model.h) on matured outcomes and compares it with icp.yaml's weights.
//
// Settings bind once, in create(): icp.yaml is loaded there (its tiers define the features, its
// weights are the champion), so `hades validate` reports a bad file with its line and column.
// run():
//   1. applies the outcome tables' and lead_models' migrations;
//   2. counts the matured HADES-originated outcomes and refuses, with kInvalidConfig (exit 2)
//      and nothing written, below min_hades_outcomes;
//   3. reads and groups the outcomes (training_data.h) and trains (training.h): C by
//      time-ordered folds, the champion/challenger comparison on the holdout, the model;
//   4. stores the model in lead_models and writes model-YYYYMMDD-HHMMSS.json and
//      model-latest.json into model_dir (each written aside, then renamed);
//   5. prints the summary: the data, C, the comparison and the verdict.
// It never changes icp.yaml: switching the scorer to the model is a person's approval through
// the weight_writer (docs/model.md). Everything is a function of the database, icp.yaml, the
// settings and the run's start time, so a resumed run trains the same model and replaces the
// row and files it wrote.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_MODEL_TRAINER_MODEL_TRAINER_H_
#define HADES_PLUGINS_MODEL_TRAINER_MODEL_TRAINER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hades/plugin.h"
#include "hades/settings.h"
#include "lead_model/model.h"
#include "leads/icp_config.h"

namespace hades::model_trainer {

// The `with:` keys; also the source of the README's settings table.
extern const SettingSpec kSettings[7];

inline constexpr std::int64_t kMaxMaturedDays = 3650;
inline constexpr std::int64_t kMinResamples = 2000;
inline constexpr std::int64_t kMaxResamples = 1'000'000;

struct TrainerConfig {
  domain::IcpConfig icp;
  std::string model_dir = "models/";
  std::int64_t matured_days = 90;
  std::optional<std::string> holdout_date;  // ISO-8601 UTC; nullopt: automatic
  std::int64_t min_hades_outcomes = 500;
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 1;
};

// Binds and checks the settings and loads icp.yaml. kInvalidConfig naming the key, or
// icp.yaml's file, line and column.
Result<TrainerConfig> bind_config(const Settings& settings);

Result<std::unique_ptr<Plugin>> create(const Settings& settings);

class ModelTrainer : public Task {
 public:
  explicit ModelTrainer(TrainerConfig config);
  Status run(Context& ctx) override;

  // The model of the last run(), its lead_models id and file, for tests.
  const lead_model::LeadModel& model() const { return model_; }
  std::int64_t model_id() const { return model_id_; }
  const std::string& model_file() const { return model_file_; }

 private:
  Status write_files(const std::string& json);

  const TrainerConfig config_;
  lead_model::LeadModel model_;
  std::int64_t model_id_ = 0;
  std::string model_file_;
};

}  // namespace hades::model_trainer

#endif  // HADES_PLUGINS_MODEL_TRAINER_MODEL_TRAINER_H_
