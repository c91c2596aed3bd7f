// model_store.h: trained lead models in the job's database (table lead_models), and finding the
// model a reference names (icp.yaml's `scoring_method.model`: a lead_models id or a file path).
//
// One row per trained model: the model's JSON, byte for byte what the trainer also writes to its
// file, with the fields the page and the scorer look for first copied into columns. A resumed
// training run replaces the row its step wrote before (same run and step) instead of adding one.
//
// Migration component kLeadModelsComponent (hades/migrations.h), version 1.
//
// Thread safety: as the Database passed in.

#ifndef HADES_LEAD_MODEL_MODEL_STORE_H_
#define HADES_LEAD_MODEL_MODEL_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/migrations.h"
#include "hades/status.h"
#include "lead_model/model.h"
#include "leads/icp_config.h"

namespace hades::lead_model {

inline constexpr std::string_view kLeadModelsComponent = "lead_models";

const std::vector<Migration>& lead_model_migrations();
Status apply_lead_model_migrations(Database& db);

// A row of lead_models.
struct StoredModel {
  std::int64_t id = 0;
  std::string created_at;
  std::optional<std::int64_t> run_id;
  std::string step;
  std::string sha256;  // of json
  std::string verdict;
  std::string file;  // where the trainer wrote it; "" when it wrote none
  std::string json;  // the model_to_json() document
};

// Inserts the model (or replaces the row of the same run and step) and returns the row's id.
// `json` is model_to_json()'s text; `file` where it was written.
Result<std::int64_t> store_model(Database& db, const LeadModel& model, const std::string& json,
                                 const std::string& step, const std::string& file);

// The row `id`; nullopt when there is none.
Result<std::optional<StoredModel>> stored_model(Database& db, std::int64_t id);
// The newest row; nullopt when the table is empty.
Result<std::optional<StoredModel>> latest_model(Database& db);

// A model reference as icp.yaml's `scoring_method.model` holds it: an id of lead_models
// (digits only) or a file path.
struct ModelReference {
  std::optional<std::int64_t> id;
  std::string path;
  std::string text() const;  // as written: "12" or the path
};
ModelReference parse_model_reference(std::string_view text);

// The model a reference names, read and checked (model_from_json), with where it came from
// ("lead_models id 12", "models/model-20261206-101500.json") and its JSON's SHA-256. Fails with
// kInvalidConfig when there is no such row or file, or it is not a valid model; kIo when the file
// cannot be read.
struct LoadedModel {
  LeadModel model;
  std::string source;
  std::string sha256;
};
Result<LoadedModel> load_model(Database& db, const ModelReference& reference);

// The one rule for whether a model may score leads with `icp` (the scorer's `model` setting and
// the weight_writer's approval both ask it): load_model() succeeds, the model was trained on
// `icp`'s feature set (BucketRules), and it beat the weights on its holdout (verdict "model
// better"). Otherwise kInvalidConfig (kIo for an unreadable file) saying which, in words the
// scorer's fallback log line and the approval's refusal can show as they are.
Result<LoadedModel> load_usable_model(Database& db, const ModelReference& reference,
                                      const domain::IcpConfig& icp);

}  // namespace hades::lead_model

#endif  // HADES_LEAD_MODEL_MODEL_STORE_H_
