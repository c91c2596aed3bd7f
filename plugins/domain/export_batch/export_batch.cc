#include "export_batch.h"

#include <cmath>
#include <filesystem>
#include <utility>

#include "hades/plugin_export.h"
#include "hades/time.h"
#include "icp_agents.h"
#include "outcomes/batch_ids.h"
#include "outcomes/outcome_tables.h"

namespace hades::export_batch {

const SettingSpec kSettings[10] = {
    {"icp", SettingType::kString, true, nullptr, false,
     "The icp.yaml whose `call_center_agents` become the Contact Owners, round robin."},
    {"workflow", SettingType::kString, true, nullptr, false,
     "`intent` or `geography`: picks the Lead Source tag and the Import Notes."},
    {"data_source", SettingType::kString, false, "ZoomInfo", false,
     "Where the leads came from; starts List Source and Lead Source."},
    {"team", SettingType::kString, false, nullptr, false,
     "The VanillaSoft team the batch is routed to (column Team); empty when not set."},
    {"vending_business_name", SettingType::kString, false, nullptr, false,
     "Vending Business Name column, for an export made for a named operator."},
    {"operator_name", SettingType::kString, false, nullptr, false, "Operator Name column."},
    {"operator_phone", SettingType::kString, false, nullptr, false,
     "Operator Phone # column (formatted like every phone)."},
    {"operator_email", SettingType::kString, false, nullptr, false,
     "Operator Email Address column."},
    {"operator_zip", SettingType::kString, false, nullptr, false, "Operator Zip Code column."},
    {"operator_website", SettingType::kString, false, nullptr, false,
     "Operator Website Address column."},
};

namespace {

constexpr std::size_t kFirstConstantSetting = 3;  // kSettings index of "team"

Status invalid(const std::string& message) {
  return Status::invalid_config("export_batch: " + message);
}

// A whole number from an integer, a whole double or text that spells one.
std::optional<std::int64_t> whole_number(const Value& value) {
  if (const std::optional<std::int64_t> n = as_int(value)) return n;
  const std::optional<double> d = as_double(value);
  if (d && std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9e18) {
    return static_cast<std::int64_t>(*d);
  }
  return std::nullopt;
}

bool is_blank(const Value& value) {
  return to_text(value).find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string text_of(const Row& row, std::optional<std::size_t> index) {
  return index ? to_text(row[*index]) : std::string();
}

}  // namespace

Result<ExportBatchConfig> bind_config(const Settings& settings) {
  ExportBatchConfig config;
  const std::string workflow = settings.get_string("workflow").value_or("");
  if (workflow != "intent" && workflow != "geography") {
    return invalid("`workflow` must be intent or geography; got '" + workflow + "'");
  }
  config.geography = workflow == "geography";
  config.data_source = settings.get_string("data_source").value_or("ZoomInfo");
  for (std::size_t i = 0; i < config.constants.size(); ++i) {
    config.constants[i] =
        settings.get_string(kSettings[kFirstConstantSetting + i].name).value_or("");
  }
  Result<std::vector<std::string>> agents =
      load_call_center_agents(settings.get_string("icp").value_or(""));
  if (!agents.ok()) return agents.status().with_context("export_batch: `icp`");
  config.agents = std::move(agents).value();
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<ExportBatchConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<ExportBatch>(std::move(config).value()));
}

ExportBatch::ExportBatch(ExportBatchConfig config) : config_(std::move(config)) {}

Result<std::shared_ptr<const Schema>> ExportBatch::open(
    Context& ctx, const std::shared_ptr<const Schema>& input) {
  for (const std::string_view name : kRequiredFields) {
    if (!input->index_of(name)) {
      return invalid("the input has no field '" + std::string(name) + "' (sql_source's " +
                     "row_number and the scorer's score)");
    }
  }
  for (const std::string_view name : kAddedColumns) {
    if (input->index_of(name)) {
      return invalid("the input already has a field '" + std::string(name) + "'");
    }
  }
  fields_ = Fields{*input->index_of("export_rank"),    *input->index_of("hades_score"),
                   input->index_of("person_id"),       input->index_of("company_name"),
                   input->index_of("workflow"),        input->index_of("age_days"),
                   input->index_of("freshness_label"), input->index_of("intent_strength"),
                   input->index_of("intent_score"),    input->index_of("distance_miles")};

  const RunInfo& run = ctx.run();
  Result<std::string> day = domain::batch_day(run.started_at);
  if (!day.ok()) return day.status();
  Result<std::string> list_date = list_source_date(run.started_at);
  if (!list_date.ok()) return list_date.status();
  HADES_RETURN_IF_ERROR(domain::apply_outcome_migrations(ctx.database()));
  HADES_RETURN_IF_ERROR(abandon_dead_batches(ctx));
  ctx_ = &ctx;
  batch_day_ = std::move(day).value();
  batch_id_.clear();
  exported_at_ = run.started_at;
  list_source_ = config_.data_source + " " + *list_date;

  std::vector<std::string> columns = input->columns();
  columns.insert(columns.end(), kAddedColumns.begin(), kAddedColumns.end());
  output_schema_ = std::make_shared<const Schema>(std::move(columns));
  return output_schema_;
}

Status ExportBatch::take_batch_id() {
  if (!batch_id_.empty()) return Status::ok_status();
  Context& ctx = *ctx_;
  const RunInfo& run = ctx.run();
  const domain::BatchIdRequest request{batch_day_, run.job_name, run.run_id, format_utc(ctx.now())};
  Result<std::string> batch_id =
      ctx.frozen_value(domain::kBatchIdFrozenKey,
                       [&request](Database& db) { return domain::allocate_batch_id(db, request); });
  if (!batch_id.ok()) return batch_id.status();
  batch_id_ = std::move(batch_id).value();
  ctx.log().info("export batch " + batch_id_);
  return Status::ok_status();
}

Status ExportBatch::abandon_dead_batches(Context& ctx) {
  Result<std::vector<domain::AbandonedBatch>> abandoned = domain::abandon_dead_batches(
      ctx.database(), ctx.run().job_name, ctx.run().run_id, format_utc(ctx.now()));
  if (!abandoned.ok()) return abandoned.status();
  for (const domain::AbandonedBatch& batch : *abandoned) {
    std::string note = "batch " + batch.batch_id + " of an abandoned run: marked abandoned";
    if (!batch.output_file.empty()) {
      // The published name never exists for an allocated batch; only its partial file can.
      std::error_code ec;
      if (std::filesystem::remove(batch.output_file + ".partial", ec)) {
        note += ", removed " + batch.output_file + ".partial";
      }
    }
    ctx.log().info(note + "; its lead_outcomes rows count nowhere");
  }
  return Status::ok_status();
}

LeadNotes ExportBatch::notes_of(const Row& row, std::int64_t score) const {
  LeadNotes notes;
  notes.batch_id = batch_id_;
  notes.score = score;
  if (config_.geography) {
    if (fields_.distance_miles) notes.distance_miles = as_double(row[*fields_.distance_miles]);
    return notes;
  }
  if (fields_.age_days) notes.age_days = whole_number(row[*fields_.age_days]);
  notes.freshness = text_of(row, fields_.freshness_label);
  const std::optional<std::int64_t> intent_score =
      fields_.intent_score ? whole_number(row[*fields_.intent_score]) : std::nullopt;
  notes.signal = signal_label(text_of(row, fields_.intent_strength), intent_score);
  return notes;
}

Status ExportBatch::extend(Row& row) const {
  const std::optional<std::int64_t> rank = whole_number(row[fields_.export_rank]);
  if (!rank || *rank < 1) {
    return Status::rejected("export_rank '" + to_text(row[fields_.export_rank]) +
                            "' is not a positive integer");
  }
  const std::optional<std::int64_t> score = whole_number(row[fields_.hades_score]);
  if (!score) {
    return Status::rejected("hades_score '" + to_text(row[fields_.hades_score]) +
                            "' is not an integer");
  }
  for (const auto& [index, name] : {std::pair{fields_.person_id, "person_id"},
                                    std::pair{fields_.company_name, "company_name"}}) {
    if (index && is_blank(row[*index])) return Status::rejected(std::string(name) + " is empty");
  }
  const std::string workflow = config_.geography ? "geography" : "intent";
  if (fields_.workflow && !is_null(row[*fields_.workflow]) &&
      to_text(row[*fields_.workflow]) != workflow) {
    return Status::rejected("lead scored for workflow '" + to_text(row[*fields_.workflow]) +
                            "' in the " + workflow + " export");
  }
  const LeadNotes notes = notes_of(row, *score);
  row.reserve(row.size() + kAddedColumns.size());
  row.emplace_back(batch_id_);
  row.emplace_back(exported_at_);
  row.emplace_back(workflow);
  row.emplace_back(contact_owner(config_.agents, *rank));
  row.emplace_back(list_source_);
  row.emplace_back(lead_source(config_.data_source, config_.geography, notes));
  row.emplace_back(import_notes(config_.geography, notes));
  for (const std::string& constant : config_.constants) row.emplace_back(constant);
  return Status::ok_status();
}

Status ExportBatch::apply(Chunk input, Chunk* output, Rejects& rejects) {
  if (!output_schema_) return Status::internal("export_batch: apply() before open()");
  // Only now: every sink of the step has opened its output by the first apply().
  HADES_RETURN_IF_ERROR(take_batch_id());
  for (std::size_t i = 0; i < input.size(); ++i) {
    Row row = std::move(input.mutable_row(i));
    const Status extended = extend(row);
    if (!extended.ok()) {
      rejects.reject(input.position(i), extended.message(), "");
      continue;
    }
    output->append(std::move(row), input.position(i));
  }
  return Status::ok_status();
}

}  // namespace hades::export_batch

HADES_PLUGIN(export_batch, "1.0.0", hades::PluginKind::kTransform,
             "Gives ranked, scored leads the run's batch ID, Contact Owner, Lead Source and "
             "Import Notes for the VanillaSoft export",
             hades::export_batch::kSettings, hades::export_batch::create)
