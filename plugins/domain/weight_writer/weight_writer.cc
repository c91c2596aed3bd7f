#include "weight_writer.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <utility>

#include "hades/plugin_export.h"
#include "hades/time.h"
#include "lead_model/model_store.h"
#include "leads/icp_changes.h"
#include "leads/normalize.h"

namespace hades::weight_writer {

const SettingSpec kSettings[10] = {
    {"action", SettingType::kString, false, "apply", false,
     "`apply`: apply `select` of `report` to `icp`; `rollback`: restore the text before change "
     "`change`; `set_method`: set icp.yaml's `scoring_method` to `use` (and `model`)."},
    {"icp", SettingType::kString, true, nullptr, false,
     "Path of the icp.yaml to change (a symlink is followed). Edited in place: only the changed "
     "numbers and their comments."},
    {"report", SettingType::kString, false, nullptr, false,
     "apply: the calibration report (JSON) whose suggestions to apply; made from this very "
     "icp.yaml, or the run is refused."},
    {"select", SettingType::kString, false, nullptr, false,
     "apply: `dimension:bucket` items, comma-separated (`sic:8062,proximity:5-10 mi`), "
     "`supported` or `all`. Empty: list the report's suggestions and change nothing."},
    {"change", SettingType::kString, false, "latest", false,
     "rollback: the icp_changes id to undo, or `latest` (the newest change of this icp.yaml)."},
    {"applied_by", SettingType::kString, true, nullptr, false,
     "Who approves the change; recorded in icp_changes."},
    {"dry_run", SettingType::kBool, false, "false", false,
     "Print the items and the unified diff and change nothing (no lock, no row)."},
    {"lock_wait_seconds", SettingType::kInt, false, "0", false,
     "How long to wait while another apply or rollback changes the same icp.yaml before failing "
     "with exit 3 (0-3600)."},
    {"use", SettingType::kString, false, nullptr, false,
     "set_method: `model` (score with the lead model `model`) or `weights` (score with the "
     "weights again). Empty: say what icp.yaml and the newest model say and change nothing."},
    {"model", SettingType::kString, false, nullptr, false,
     "set_method with use: model: a lead_models id or a model file; refused unless the model "
     "was trained on this icp.yaml's feature set and beat the weights on its holdout."},
};

namespace {

std::string now_utc() { return format_offset_time(std::time(nullptr), 0, "Z"); }

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

// One line per item: what, where, from, to, and the evidence.
std::string describe(const std::vector<domain::IcpChange>& changes) {
  std::size_t item_width = 0;
  std::size_t place_width = 0;
  for (const domain::IcpChange& c : changes) {
    item_width = std::max(item_width, c.dimension.size() + 1 + c.bucket.size());
    place_width = std::max(place_width, c.place.size());
  }
  std::string out;
  for (const domain::IcpChange& c : changes) {
    out += "  " + pad(c.dimension + ":" + c.bucket, item_width) + "  " + pad(c.place, place_width) +
           "  " + (c.inserted ? "(new)" : c.old_value) + " -> " + c.new_value + "  (" +
           domain::count_text(c.leads) + " leads, " + domain::rate_text(c.rate) + ", " +
           c.confidence + ")\n";
  }
  return out;
}

std::string describe(const std::vector<domain::SkippedItem>& skipped) {
  std::string out;
  for (const domain::SkippedItem& s : skipped) {
    out += "  skipped " + s.item.dimension + ":" + s.item.bucket + ": " + s.reason + "\n";
  }
  return out;
}

Result<std::optional<std::int64_t>> parse_change(const std::string& text) {
  if (text.empty() || text == "latest") return std::optional<std::int64_t>();
  std::int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || id > 1'000'000'000'000) {
      return Status::invalid_config(
          "weight_writer: `change` must be an icp_changes id or "
          "`latest`, got '" +
          text + "'");
    }
    id = id * 10 + (c - '0');
  }
  if (id == 0) return Status::invalid_config("weight_writer: `change` ids start at 1");
  return std::optional<std::int64_t>(id);
}

Result<WeightWriterConfig> bind_method(const Settings& settings, WeightWriterConfig config) {
  const std::string use = settings.get_string("use").value_or("");
  if (use.empty()) {
    config.list_only = true;  // nothing chosen yet: say what icp.yaml and the newest model say
    return config;
  }
  if (use != "model" && use != "weights") {
    return Status::invalid_config(
        "weight_writer: set_method's `use` must be model or weights, got '" + use + "'");
  }
  config.method.use_model = use == "model";
  config.method.model = std::string(domain::trim(settings.get_string("model").value_or("")));
  if (config.method.use_model && config.method.model.empty()) {
    return Status::invalid_config(
        "weight_writer: use: model needs `model`: a lead_models id or a model file (jobs/"
        "train_model.yaml prints both)");
  }
  return config;
}

}  // namespace

Result<WeightWriterConfig> bind_config(const Settings& settings) {
  WeightWriterConfig config;
  const std::string action = settings.get_string("action").value_or("apply");
  if (action != "apply" && action != "rollback" && action != "set_method") {
    return Status::invalid_config(
        "weight_writer: `action` must be apply, rollback or set_method, got '" + action + "'");
  }
  config.action = action == "apply"      ? Action::kApply
                  : action == "rollback" ? Action::kRollback
                                         : Action::kSetMethod;
  config.icp = settings.get_string("icp").value_or("");
  if (config.icp.empty()) return Status::invalid_config("weight_writer: `icp` is required");
  config.applied_by = settings.get_string("applied_by").value_or("");
  if (config.applied_by.empty()) {
    return Status::invalid_config("weight_writer: `applied_by` must name who approves the change");
  }
  config.dry_run = settings.get_bool("dry_run").value_or(false);
  const std::int64_t wait = settings.get_int("lock_wait_seconds").value_or(0);
  if (wait < 0 || wait > kMaxLockWaitSeconds) {
    return Status::invalid_config("weight_writer: `lock_wait_seconds` must be between 0 and " +
                                  std::to_string(kMaxLockWaitSeconds) + ", got " +
                                  std::to_string(wait));
  }
  config.lock_wait = std::chrono::seconds(wait);
  if (config.action == Action::kSetMethod) return bind_method(settings, std::move(config));
  if (config.action == Action::kRollback) {
    Result<std::optional<std::int64_t>> change =
        parse_change(settings.get_string("change").value_or("latest"));
    if (!change.ok()) return change.status();
    config.change = *change;
    return config;
  }
  config.report = settings.get_string("report").value_or("");
  if (config.report.empty()) {
    return Status::invalid_config("weight_writer: `report` is required to apply");
  }
  const std::string select = settings.get_string("select").value_or("");
  if (domain::trim(select).empty()) {
    config.list_only = true;  // nothing chosen yet: list what could be
    config.selection.kind = domain::Selection::Kind::kAll;
    return config;
  }
  Result<domain::Selection> selection = domain::parse_selection(select);
  if (!selection.ok()) return selection.status().with_context("weight_writer");
  config.selection = std::move(selection).value();
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<WeightWriterConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<WeightWriter>(std::move(config).value()));
}

domain::StageHook crash_hook_from_environment() {
  const char* stage = std::getenv(kCrashAtEnv);
  if (stage == nullptr || *stage == '\0') return nullptr;
  return [at = std::string(stage)](std::string_view reached) {
    if (reached == at) std::raise(SIGKILL);
  };
}

WeightWriter::WeightWriter(WeightWriterConfig config) : config_(std::move(config)) {}

void WeightWriter::print(const std::string& text) {
  printed_ += text;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

domain::ChangeContext WeightWriter::change_context(const Context& ctx) const {
  const RunInfo& run = ctx.run();
  return {config_.icp,       config_.applied_by,           now_utc(), run.run_id, run.step_name,
          config_.lock_wait, crash_hook_from_environment()};
}

Status WeightWriter::run(Context& ctx) {
  printed_.clear();
  switch (config_.action) {
    case Action::kApply:
      return apply(ctx);
    case Action::kRollback:
      return rollback(ctx);
    case Action::kSetMethod:
      return set_method(ctx);
  }
  return Status::internal("weight_writer: unknown action");
}

Status WeightWriter::method_menu(Context& ctx) {
  Result<domain::IcpConfig> icp = domain::load_icp_config(config_.icp);
  if (!icp.ok()) return Status::invalid_config("weight_writer: " + icp.status().message());
  const domain::ScoringMethod& now = icp->scoring_method;
  std::string text = "nothing chosen, nothing changed. " + config_.icp + " scores with " +
                     domain::method_text(now.use_model, now.model) + ".\n";
  Result<std::optional<lead_model::StoredModel>> newest = lead_model::latest_model(ctx.database());
  if (!newest.ok()) return newest.status();
  if (!*newest) {
    text += "No lead model is trained yet: run jobs/train_model.yaml.\n";
  } else {
    const std::string id = std::to_string((*newest)->id);
    Result<lead_model::LoadedModel> usable =
        lead_model::load_usable_model(ctx.database(), lead_model::parse_model_reference(id), *icp);
    text += "The newest model is " + id + " (" + (*newest)->created_at + ", " + (*newest)->verdict +
            "): " +
            (usable.ok() ? "approve it with --set use=model --set model=" + id
                         : "it cannot be approved: " + usable.status().message()) +
            ".\n";
  }
  print(text);
  ctx.log().info("weight_writer: no method chosen; nothing changed");
  return Status::ok_status();
}

Status WeightWriter::set_method(Context& ctx) {
  if (config_.list_only) return method_menu(ctx);
  domain::MethodRequest request;
  request.context = change_context(ctx);
  request.choice = config_.method;
  if (config_.method.use_model) {
    Result<domain::IcpConfig> icp = domain::load_icp_config(config_.icp);
    if (!icp.ok()) return Status::invalid_config("weight_writer: " + icp.status().message());
    Result<lead_model::LoadedModel> model = lead_model::load_usable_model(
        ctx.database(), lead_model::parse_model_reference(config_.method.model), *icp);
    if (!model.ok()) {
      return Status::invalid_config(
          "weight_writer: the model cannot be approved, nothing "
          "changed: " +
          model.status().message());
    }
    const lead_model::Evaluation& e = model->model.evaluation;
    request.evidence = {e.test_leads, e.test_deliveries, e.verdict};
    request.model_source = model->source;
    request.model_sha256 = model->sha256;
  }
  if (config_.dry_run) {
    Result<domain::IcpEditPlan> plan = domain::preview_method_change(request);
    if (!plan.ok()) return plan.status();
    print("dry run: " + std::to_string(plan->changes.size()) + " change(s) to " + config_.icp +
          "; nothing changed\n" + describe(plan->changes) + plan->diff);
    return Status::ok_status();
  }
  Result<domain::ChangeOutcome> outcome = domain::apply_method_change(ctx.database(), request);
  if (!outcome.ok()) return outcome.status();
  if (!outcome->change) {
    print(config_.icp + " already scores with " +
          domain::method_text(config_.method.use_model, config_.method.model) +
          ": nothing to change\n");
    ctx.log().info("weight_writer: nothing to change");
    return Status::ok_status();
  }
  const domain::IcpChangeRecord& c = *outcome->change;
  const std::string what = "change " + std::to_string(c.id) +
                           (outcome->resumed ? " (made before this run was interrupted)" : "") +
                           ": " + config_.icp + " scores with " +
                           domain::method_text(config_.method.use_model, config_.method.model) +
                           ", approved by " + c.applied_by;
  print(what + "\n" + describe(c.items) + outcome->diff);
  ctx.log().info("weight_writer: " + what);
  return Status::ok_status();
}

Status WeightWriter::apply(Context& ctx) {
  Result<std::string> report = domain::read_file_bytes(config_.report);
  if (!report.ok()) {
    // A missing report is a mistake in how the job was started, not a failing disk.
    return Status::invalid_config("weight_writer: report: " + report.status().message() +
                                  " (run jobs/calibrate.yaml first, or pass --set report=...)");
  }
  domain::ApplyRequest request;
  request.context = change_context(ctx);
  std::error_code error;
  request.report_path = std::filesystem::absolute(config_.report, error).string();
  request.report_json = std::move(report).value();
  request.selection = config_.selection;
  request.calibrated_on = ctx.run().started_at.substr(0, 10);

  if (config_.list_only) {
    Result<domain::IcpEditPlan> plan = domain::preview_icp_changes(request);
    if (!plan.ok()) return plan.status();
    print("nothing selected, nothing changed. The suggestions of " + config_.report +
          " that differ from " + config_.icp + " (what select=all would apply):\n" +
          describe(plan->changes) + describe(plan->skipped) +
          "Apply some with --set select=DIMENSION:BUCKET,... (or all), after a look with --set "
          "dry_run=true.\n");
    ctx.log().info("weight_writer: no selection; listed " + std::to_string(plan->changes.size()) +
                   " suggestion(s), nothing changed");
    return Status::ok_status();
  }
  if (config_.dry_run) {
    Result<domain::IcpEditPlan> plan = domain::preview_icp_changes(request);
    if (!plan.ok()) return plan.status();
    print("dry run: " + std::to_string(plan->changes.size()) + " change(s) to " + config_.icp +
          " from " + config_.report + "; nothing changed\n" + describe(plan->changes) +
          describe(plan->skipped) + plan->diff);
    ctx.log().info("weight_writer: dry run, " + std::to_string(plan->changes.size()) +
                   " change(s) shown, nothing changed");
    return Status::ok_status();
  }
  Result<domain::ChangeOutcome> outcome = domain::apply_icp_changes(ctx.database(), request);
  if (!outcome.ok()) return outcome.status();
  if (!outcome->change) {
    print("nothing to change in " + config_.icp +
          ": every selected item is already at its "
          "suggestion\n" +
          describe(outcome->skipped));
    ctx.log().info("weight_writer: nothing to change");
    return Status::ok_status();
  }
  const domain::IcpChangeRecord& c = *outcome->change;
  const std::string what = "change " + std::to_string(c.id) +
                           (outcome->resumed ? " (made before this run was interrupted)" : "") +
                           ": " + std::to_string(c.items.size()) + " item(s) of " + config_.icp +
                           " applied by " + c.applied_by;
  print(what + "\n" + describe(c.items) + describe(outcome->skipped) + outcome->diff);
  ctx.log().info("weight_writer: " + what);
  return Status::ok_status();
}

Status WeightWriter::rollback(Context& ctx) {
  domain::RollbackRequest request;
  request.context = change_context(ctx);
  request.change_id = config_.change;
  Result<domain::ChangeOutcome> outcome =
      config_.dry_run ? domain::preview_rollback(ctx.database(), request)
                      : domain::rollback_icp_change(ctx.database(), request);
  if (!outcome.ok()) return outcome.status();
  const domain::IcpChangeRecord& c = *outcome->change;
  const std::string undone = "change " + std::to_string(c.rolls_back.value_or(0));
  std::string what;
  if (config_.dry_run) {
    what = "dry run: rolling back " + undone + " would restore " + config_.icp +
           " as it was before it; nothing changed";
  } else {
    what = "change " + std::to_string(c.id) + " rolls back " + undone + ": " + config_.icp +
           " restored as it was before it" +
           (outcome->resumed ? " (done before this run was interrupted)" : "");
  }
  print(what + "\n" + describe(c.items) + outcome->diff);
  ctx.log().info("weight_writer: " + what);
  return Status::ok_status();
}

}  // namespace hades::weight_writer

HADES_PLUGIN(weight_writer, "1.0.0", hades::PluginKind::kTask,
             "Applies approved calibration suggestions to icp.yaml in place (only the changed "
             "numbers and their comments), or rolls a change back; audited in icp_changes",
             hades::weight_writer::kSettings, hades::weight_writer::create)
