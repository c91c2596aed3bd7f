// export_batch.h: the export_batch plugin, a Transform that turns ranked, scored leads into
// one export batch.
//
// create() binds the settings and reads the Contact Owners from icp.yaml, so `hades validate`
// reports a bad file. open() applies the outcome tables' migrations and marks dead runs' batches
// abandoned. The first apply() takes the run's batch ID: ctx.frozen_value("batch_id") over
// domain::allocate_batch_id(), hence one ID per run, the same after a resume. Not open():
// the runner opens the step's sinks after its transforms, and a batch must not be allocated for
// an export whose file cannot even be opened (an output_dir that is a file, say); by the first
// apply() every sink has opened its output. apply() appends to every lead the values the
// VanillaSoft file and lead_outcomes need (kAddedColumns), computed from the lead and its
// export_rank only, so a resumed run produces exactly the rows of an uninterrupted one.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_EXPORT_BATCH_EXPORT_BATCH_H_
#define HADES_PLUGINS_EXPORT_BATCH_EXPORT_BATCH_H_

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "export_text.h"
#include "hades/plugin.h"
#include "hades/settings.h"

namespace hades::export_batch {

// The `with:` keys export_batch accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[10];

// The columns appended after the input's, in this order.
inline constexpr std::array<std::string_view, 14> kAddedColumns = {
    "batch_id",       "exported_at",    "workflow_type", "contact_owner",         "list_source",
    "lead_source",    "import_notes",   "team",          "vending_business_name", "operator_name",
    "operator_phone", "operator_email", "operator_zip",  "operator_website"};

// Input fields every lead must have (the scorer's and sql_source's output).
inline constexpr std::array<std::string_view, 2> kRequiredFields = {"export_rank", "hades_score"};

struct ExportBatchConfig {
  std::vector<std::string> agents;  // Contact Owners, from icp.yaml
  bool geography = false;           // the workflow: intent or geography
  std::string data_source;          // "ZoomInfo"
  // The values of team and the operator columns, in kAddedColumns order from "team" on.
  std::array<std::string, 7> constants;
};

// Binds and checks settings and reads the agents from icp.yaml. Fails with kInvalidConfig
// naming the key, or the icp.yaml file and line.
Result<ExportBatchConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

class ExportBatch : public Transform {
 public:
  explicit ExportBatch(ExportBatchConfig config);

  // Fails with kInvalidConfig when the input lacks a required field or already has an added
  // one; with the database's error when the migrations fail. Keeps `ctx` for apply().
  Result<std::shared_ptr<const Schema>> open(Context& ctx,
                                             const std::shared_ptr<const Schema>& input) override;
  // Takes the run's batch ID on the first call (failing with the database's error when it
  // cannot be allocated). Rejects a lead whose export_rank or hades_score is not a number, whose
  // person_id or company_name is blank (lead_outcomes needs both), or whose `workflow` is not
  // the export's.
  Status apply(Chunk input, Chunk* output, Rejects& rejects) override;

  // The run's batch ID; "" until the first apply().
  const std::string& batch_id() const { return batch_id_; }

 private:
  // Input columns the notes read; nullopt when the input has no such field.
  struct Fields {
    std::size_t export_rank = 0;
    std::size_t hades_score = 0;
    std::optional<std::size_t> person_id, company_name, workflow, age_days, freshness_label,
        intent_strength, intent_score, distance_miles;
  };

  // The values appended to `row`, or kRejected with the reason.
  // Marks the job's batches that only a dead run held as abandoned, and removes their partial
  // CSVs: a run started with --fresh (or after an abandoned one) leaves them behind.
  static Status abandon_dead_batches(Context& ctx);
  // Allocates (or, resumed, reads back) the run's batch ID unless it is known already.
  Status take_batch_id();
  Status extend(Row& row) const;
  LeadNotes notes_of(const Row& row, std::int64_t score) const;

  const ExportBatchConfig config_;
  Fields fields_;
  Context* ctx_ = nullptr;  // open()'s, valid until the step ends
  std::string batch_day_;
  std::string batch_id_;
  std::string exported_at_;
  std::string list_source_;
  std::shared_ptr<const Schema> output_schema_;
};

}  // namespace hades::export_batch

#endif  // HADES_PLUGINS_EXPORT_BATCH_EXPORT_BATCH_H_
