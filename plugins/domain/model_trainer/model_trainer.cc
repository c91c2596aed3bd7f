#include "model_trainer.h"

#include <cstdio>
#include <filesystem>
#include <utility>

#include "hades/plugin_export.h"
#include "hades/staged_file.h"
#include "hades/time.h"
#include "lead_model/model_store.h"
#include "outcomes/outcome_tables.h"
#include "training.h"
#include "training_data.h"

namespace hades::model_trainer {

const SettingSpec kSettings[7] = {
    {"icp", SettingType::kString, true, nullptr, false,
     "Path of the icp.yaml whose tiers define the features and whose weights the model is "
     "compared with. Loaded and checked when the step is created. Never written."},
    {"model_dir", SettingType::kString, false, "models/", false,
     "Directory for model-YYYYMMDD-HHMMSS.json and model-latest.json; created when missing."},
    {"matured_days", SettingType::kInt, false, "90", false,
     "A lead_outcomes row counts once it was exported at least this many days before the run "
     "started (0-3650), as for the calibrator."},
    {"holdout_date", SettingType::kString, false, nullptr, false,
     "The champion/challenger split, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ: leads exported before "
     "it train, matured leads exported on or after it test. Empty or absent: the export time "
     "before which 80% of the matured HADES leads were exported."},
    {"min_hades_outcomes", SettingType::kInt, false, "500", false,
     "Training refuses (exit 2) with fewer matured HADES-originated outcomes than this (at "
     "least 1): the design's threshold for the model."},
    {"bootstrap_resamples", SettingType::kInt, false, "2000", false,
     "Paired bootstrap resamples of the AUC difference (2000-1000000)."},
    {"seed", SettingType::kInt, false, "1", false,
     "Seed of the bootstrap (>= 0): the same data, settings and seed give the same model file."},
};

namespace {

constexpr std::string_view kLatest = "model-latest.json";

Status bad_range(std::string_view key, std::int64_t lo, std::int64_t hi, std::int64_t got) {
  return Status::invalid_config("model_trainer: `" + std::string(key) + "` must be between " +
                                std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                                std::to_string(got));
}

}  // namespace

Result<TrainerConfig> bind_config(const Settings& settings) {
  TrainerConfig config;
  const std::string icp_path = settings.get_string("icp").value_or("");
  if (icp_path.empty()) return Status::invalid_config("model_trainer: `icp` is required");
  config.model_dir = settings.get_string("model_dir").value_or("models/");
  if (config.model_dir.empty()) {
    return Status::invalid_config("model_trainer: `model_dir` must not be empty");
  }
  config.matured_days = settings.get_int("matured_days").value_or(90);
  if (config.matured_days < 0 || config.matured_days > kMaxMaturedDays) {
    return bad_range("matured_days", 0, kMaxMaturedDays, config.matured_days);
  }
  Result<std::optional<std::string>> holdout =
      parse_split_time("holdout_date", settings.get_string("holdout_date").value_or(""));
  if (!holdout.ok()) return holdout.status().with_context("model_trainer");
  config.holdout_date = *holdout;
  config.min_hades_outcomes = settings.get_int("min_hades_outcomes").value_or(500);
  if (config.min_hades_outcomes < 1) {
    return Status::invalid_config("model_trainer: `min_hades_outcomes` must be at least 1, got " +
                                  std::to_string(config.min_hades_outcomes));
  }
  const std::int64_t resamples = settings.get_int("bootstrap_resamples").value_or(kMinResamples);
  if (resamples < kMinResamples || resamples > kMaxResamples) {
    return bad_range("bootstrap_resamples", kMinResamples, kMaxResamples, resamples);
  }
  config.bootstrap_resamples = static_cast<int>(resamples);
  const std::int64_t seed = settings.get_int("seed").value_or(1);
  if (seed < 0) return Status::invalid_config("model_trainer: `seed` must be >= 0");
  config.seed = static_cast<std::uint64_t>(seed);
  Result<domain::IcpConfig> icp = domain::load_icp_config(icp_path);
  if (!icp.ok()) return Status::invalid_config("model_trainer: `icp`: " + icp.status().message());
  config.icp = std::move(icp).value();
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<TrainerConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<ModelTrainer>(std::move(config).value()));
}

ModelTrainer::ModelTrainer(TrainerConfig config) : config_(std::move(config)) {}

Status ModelTrainer::write_files(const std::string& json) {
  std::error_code error;
  std::filesystem::create_directories(config_.model_dir, error);
  if (error) {
    return Status::io("model_trainer: cannot create model_dir '" + config_.model_dir +
                      "': " + error.message());
  }
  const std::filesystem::path dir(config_.model_dir);
  model_file_ = (dir / ("model-" + file_stamp(model_.created_at) + ".json")).string();
  // The timestamped file first: model-latest.json only ever is a complete model.
  for (const std::string& path : {model_file_, (dir / std::string(kLatest)).string()}) {
    const Status written = write_whole_file(path, json);
    if (!written.ok()) return written.with_context("model_trainer: writing " + path);
  }
  return Status::ok_status();
}

Status ModelTrainer::run(Context& ctx) {
  Database& db = ctx.database();
  HADES_RETURN_IF_ERROR(domain::apply_outcome_migrations(db));
  HADES_RETURN_IF_ERROR(lead_model::apply_lead_model_migrations(db));
  const RunInfo& run = ctx.run();
  Result<std::string> matured_before = days_before(run.started_at, config_.matured_days);
  if (!matured_before.ok()) return matured_before.status().with_context("model_trainer");

  Result<std::int64_t> hades = count_hades_outcomes(db, *matured_before);
  if (!hades.ok()) return hades.status();
  if (*hades < config_.min_hades_outcomes) {
    return Status::invalid_config(
        "model_trainer: " + std::to_string(*hades) +
        " matured HADES-originated outcomes (lead_outcomes of published batches exported before " +
        *matured_before + "); training needs at least " +
        std::to_string(config_.min_hades_outcomes) +
        " (min_hades_outcomes). Nothing was trained: keep scoring with the weights, and train "
        "again when more outcomes have matured.");
  }
  Result<TrainingSet> data =
      load_training_set(db, config_.icp, LoadOptions{*matured_before, config_.holdout_date});
  if (!data.ok()) return data.status();
  ctx.log().info("model_trainer: " + std::to_string(data->hades_leads) + " HADES and " +
                 std::to_string(data->historical) + " historical outcomes in " +
                 std::to_string(data->cells.size()) + " groups");
  if (ctx.cancelled()) return Status::cancelled("model_trainer: cancelled after reading outcomes");

  model_ = lead_model::LeadModel{};
  model_.created_at = run.started_at;
  model_.run_id = run.run_id;
  model_.icp_path = config_.icp.source;
  model_.icp_sha256 = config_.icp.sha256;
  const lead_model::BucketRules rules(config_.icp);
  model_.feature_set_json = rules.definition_json();
  model_.feature_set_sha256 = rules.definition_sha256();
  HADES_RETURN_IF_ERROR(
      train(*data, TrainingOptions{config_.bootstrap_resamples, config_.seed}, model_));

  const std::string json = lead_model::model_to_json(model_);
  HADES_RETURN_IF_ERROR(write_files(json));
  Result<std::int64_t> id = lead_model::store_model(db, model_, json, run.step_name, model_file_);
  if (!id.ok()) return id.status();
  model_id_ = *id;

  const std::string where = "lead_models id " + std::to_string(model_id_) + ", " + model_file_;
  const std::string summary = summary_text(model_, where);
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  std::fflush(stdout);
  ctx.log().info("model_trainer: model " + std::to_string(model_id_) + " (" + model_file_ +
                 "): " + model_.evaluation.verdict);
  return Status::ok_status();
}

}  // namespace hades::model_trainer

HADES_PLUGIN(model_trainer, "1.0.0", hades::PluginKind::kTask,
             "Trains the lead model (L2 logistic regression on the scoring dimensions) on "
             "matured outcomes and compares it with icp.yaml's weights on a holdout; never "
             "changes icp.yaml",
             hades::model_trainer::kSettings, hades::model_trainer::create)
