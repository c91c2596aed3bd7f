#include "calibration_page.h"

#include <cstdlib>
#include <fstream>
#include <set>

#include "assets.h"
#include "leads/icp_config.h"
#include "model_view.h"
#include "outcome_feed.h"
#include "outcomes/outcome_summary.h"
#include "report_view.h"

namespace hades::calibration_page {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kBatchesShown = 20;
constexpr std::size_t kBatchLeadsShown = 1000;
constexpr std::size_t kHistoryShown = 20;

WebResponse json_reply(int status, const json& body) {
  return WebResponse::json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

WebResponse error_reply(int status, const std::string& message) {
  return json_reply(status, {{"error", message}});
}

// A failed change: why, and that icp.yaml is as it was (the writer's guarantee).
WebResponse refused_change(const Status& status) {
  const bool conflict =
      status.code() == StatusCode::kInvalidConfig || status.code() == StatusCode::kLocked;
  return json_reply(conflict ? 409 : 500, {{"error", status.message()}, {"nothing_changed", true}});
}

std::string content_type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

json item_json(const WeightChangeItem& item) {
  return {
      {"item", item.item}, {"place", item.place}, {"before", item.before}, {"after", item.after}};
}

json change_json(const WeightChangeRecord& c) {
  json items = json::array();
  for (const auto& item : c.items) items.push_back(item_json(item));
  return {{"id", c.id},
          {"applied_at", c.applied_at},
          {"applied_by", c.applied_by},
          {"kind", c.kind},
          {"report", c.report},
          {"sha256_before", c.sha256_before},
          {"sha256_after", c.sha256_after},
          {"items", items},
          {"rolls_back", c.rolls_back ? json(*c.rolls_back) : json()},
          {"rolled_back", c.rolled_back},
          {"diff", c.diff}};
}

// The body of a POST as a JSON object; nullopt when it is not one.
std::optional<json> body_object(const WebRequest& request) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

// The `items` of a POST body: a non-empty list of distinct strings.
std::optional<std::vector<std::string>> items_of(const json& body) {
  if (!body.contains("items") || !body["items"].is_array() || body["items"].empty()) {
    return std::nullopt;
  }
  std::vector<std::string> items;
  std::set<std::string> seen;
  for (const json& item : body["items"]) {
    if (!item.is_string() || !seen.insert(item.get<std::string>()).second) return std::nullopt;
    items.push_back(item.get<std::string>());
  }
  return items;
}

bool has_model_id(const json& body) {
  return body.contains("model_id") && body["model_id"].is_number_integer();
}

// Each file's modification time and size, or an error text.
bool file_changed(const std::string& path, fs::file_time_type* mtime, std::uintmax_t* size,
                  std::string* error) {
  std::error_code ec;
  const auto t = fs::last_write_time(path, ec);
  const auto s = ec ? 0 : fs::file_size(path, ec);
  if (ec) {
    *error = ec.message();
    return true;
  }
  error->clear();
  const bool changed = t != *mtime || s != *size;
  *mtime = t;
  *size = s;
  return changed;
}

}  // namespace

PageConfig page_config(const Settings& settings) {
  PageConfig config;
  config.reports_dir = settings.get_string("reports").value_or(config.reports_dir);
  config.icp_path = settings.get_string("icp").value_or("");
  if (config.icp_path.empty()) {
    // The same default as the jobs' `icp` parameter: ${env:HADES_ICP:-config/icp.yaml}.
    const char* env = std::getenv("HADES_ICP");
    config.icp_path = env != nullptr && *env != '\0' ? env : "config/icp.yaml";
  }
  return config;
}

CalibrationPage::CalibrationPage(PageConfig config, WeightChangesFactory weights)
    : config_(std::move(config)), make_weights_(std::move(weights)) {}

Status CalibrationPage::start(PageContext& ctx, PageRoutes& routes) {
  db_ = &ctx.database();
  log_ = &ctx.log();
  // The counts the page shows come from the summary tables; this creates them (and the outcome
  // tables) on a database that has none yet, filled from the rows already there.
  HADES_RETURN_IF_ERROR(domain::apply_outcome_summary_migrations(*db_));
  weights_ = make_weights_(*db_, config_.icp_path);
  for (const EmbeddedFile& file : embedded_files()) {
    const std::string path = file.name == "index.html" ? "/" : "/" + std::string(file.name);
    routes.asset(path, content_type_of(file.name), file.bytes);
  }
  const auto bind = [this](WebResponse (CalibrationPage::*handler)(const WebRequest&)) {
    return [this, handler](const WebRequest& request) { return (this->*handler)(request); };
  };
  routes.get("/api/summary", bind(&CalibrationPage::summary));
  routes.get("/api/weights", bind(&CalibrationPage::weights));
  routes.get("/api/report", bind(&CalibrationPage::report));
  routes.get("/api/outcomes", bind(&CalibrationPage::outcomes));
  routes.get("/api/batch", bind(&CalibrationPage::batch));
  routes.post("/api/preview", bind(&CalibrationPage::preview));
  routes.post("/api/apply", bind(&CalibrationPage::apply));
  routes.post("/api/rollback", bind(&CalibrationPage::rollback));
  routes.get("/api/model", bind(&CalibrationPage::model));
  routes.post("/api/model/preview", bind(&CalibrationPage::model_preview));
  routes.post("/api/model/approve", bind(&CalibrationPage::model_approve));
  routes.post("/api/model/revert", bind(&CalibrationPage::model_revert));
  std::string error;
  if (icp(&error) == nullptr) log_->warn("the page cannot show icp.yaml yet: " + error);
  log_->info("icp.yaml " + config_.icp_path + ", reports " + report_path());
  return Status::ok_status();
}

std::string CalibrationPage::report_path() const {
  return (fs::path(config_.reports_dir) / "calibration-latest.json").string();
}

std::string CalibrationPage::report_file_for(const json& report) const {
  // created_at "2026-12-06T19:56:45Z" names calibration-20261206-195645.json.
  std::string stamp;
  for (const char c : report.value("created_at", "")) {
    if (c >= '0' && c <= '9') stamp.push_back(c);
  }
  if (stamp.size() == 14) {
    const fs::path own = fs::path(config_.reports_dir) /
                         ("calibration-" + stamp.substr(0, 8) + "-" + stamp.substr(8) + ".json");
    std::error_code ec;
    if (fs::exists(own, ec)) return own.string();
  }
  return report_path();
}

const IcpView* CalibrationPage::icp(std::string* error) {
  if (file_changed(config_.icp_path, &icp_.mtime, &icp_.size, &icp_.error)) {
    auto view = read_icp_view(config_.icp_path);
    icp_.value.reset();
    if (view.ok()) {
      icp_.value = std::move(view).value();
    } else {
      icp_.error = view.status().message();
    }
  } else if (!icp_.error.empty()) {
    icp_.value.reset();
  }
  *error = icp_.error;
  return icp_.value ? &*icp_.value : nullptr;
}

const json* CalibrationPage::latest_report(std::string* error) {
  const std::string path = report_path();
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    report_.value.reset();
    report_.mtime = {};
    error->clear();
    return nullptr;
  }
  if (file_changed(path, &report_.mtime, &report_.size, &report_.error)) {
    std::ifstream in(path, std::ios::binary);
    json parsed = json::parse(in, nullptr, false);
    report_.value.reset();
    if (parsed.is_discarded() || !parsed.is_object()) {
      report_.error = path + " is not a calibration report (not a JSON object)";
    } else {
      report_.value = std::move(parsed);
    }
  }
  *error = report_.error;
  return report_.value ? &*report_.value : nullptr;
}

json CalibrationPage::history_json() {
  auto history = weights_->history(kHistoryShown);
  json out = {{"available", weights_->available().ok()},
              {"unavailable_reason",
               weights_->available().ok() ? json() : json(weights_->available().message())},
              {"changes", json::array()}};
  if (!history.ok()) {
    out["error"] = history.status().message();
    return out;
  }
  for (const WeightChangeRecord& c : *history) out["changes"].push_back(change_json(c));
  return out;
}

WebResponse CalibrationPage::summary(const WebRequest&) {
  auto flag = recalibration_flag(*db_);
  if (!flag.ok()) return error_reply(500, flag.status().message());
  auto last = last_calibration(*db_);
  if (!last.ok()) return error_reply(500, last.status().message());
  std::string icp_error, report_error;
  const IcpView* view = icp(&icp_error);
  const json* report = latest_report(&report_error);
  // The sync sets the flag; only a calibration after it makes it old news (its report already
  // counts those outcomes), and the flag stays up until the next sync recomputes it.
  if (flag->is_object() && last->is_object() && (*flag)["updated_at"].is_string()) {
    (*flag)["stale"] =
        (*last)["created_at"].get<std::string>() >= (*flag)["updated_at"].get<std::string>();
  }
  json out = {{"flag", *flag},
              {"last_calibration", *last},
              {"icp",
               {{"path", config_.icp_path},
                {"sha256", view ? json(view->sha256) : json()},
                {"error", icp_error.empty() ? json() : json(icp_error)}}},
              {"report", nullptr},
              {"report_error", report_error.empty() ? json() : json(report_error)},
              {"reports_dir", config_.reports_dir}};
  if (report != nullptr) {
    const std::string sha = report->contains("icp") ? (*report)["icp"].value("sha256", "") : "";
    out["report"] = {{"path", report_path()},
                     {"created_at", report->value("created_at", "")},
                     {"icp_sha256", sha},
                     {"icp_unchanged", view != nullptr && sha == view->sha256}};
  }
  return json_reply(200, out);
}

WebResponse CalibrationPage::weights(const WebRequest&) {
  std::string error;
  const IcpView* view = icp(&error);
  if (view == nullptr) return json_reply(200, {{"error", error}, {"path", config_.icp_path}});
  auto last = last_calibration(*db_);
  if (!last.ok()) return error_reply(500, last.status().message());
  return json_reply(200, {{"path", view->path},
                          {"sha256", view->sha256},
                          {"tables", json::parse(view->tables_json)},
                          {"last_calibration", *last},
                          {"history", history_json()}});
}

WebResponse CalibrationPage::report(const WebRequest&) {
  std::string report_error, icp_error;
  const json* report = latest_report(&report_error);
  if (report == nullptr) {
    return json_reply(200, {{"available", false},
                            {"path", report_path()},
                            {"error", report_error.empty() ? json() : json(report_error)}});
  }
  const IcpView* view = icp(&icp_error);
  json out = report_reply(*report, report_path(), view ? view->sha256 : "",
                          view ? view->industry_names : std::map<std::string, std::string>{});
  out["apply_available"] = weights_->available().ok();
  out["apply_unavailable_reason"] =
      weights_->available().ok() ? json() : json(weights_->available().message());
  return json_reply(200, out);
}

WebResponse CalibrationPage::outcomes(const WebRequest&) {
  auto feed = outcome_feed(*db_, kBatchesShown);
  if (!feed.ok()) return error_reply(500, feed.status().message());
  std::string error;
  const json* report = latest_report(&error);
  json check = {{"ran", false}, {"findings", json::array()}};
  if (report != nullptr && report->contains("batches")) {
    const json& b = (*report)["batches"];
    check = {{"ran", b.value("ran", false)},
             {"skipped_reason", b.value("skipped_reason", json())},
             {"judged", b.value("judged", 0)},
             {"warned", b.value("warned", 0)},
             {"flagged", b.value("flagged", 0)},
             {"findings", b.value("findings", json::array())},
             {"report_created_at", report->value("created_at", "")}};
  }
  (*feed)["batch_check"] = check;
  return json_reply(200, *feed);
}

WebResponse CalibrationPage::batch(const WebRequest& request) {
  const auto id = request.query_value("id");
  if (!id || id->empty()) return error_reply(400, "which batch? api/batch?id=HADES-...");
  std::string error;
  const IcpView* view = icp(&error);
  auto detail =
      batch_detail(*db_, *id, view ? view->industry_names : std::map<std::string, std::string>{},
                   kBatchLeadsShown);
  if (!detail.ok()) return error_reply(500, detail.status().message());
  if (detail->is_null()) return error_reply(404, "no batch " + *id);
  return json_reply(200, *detail);
}

WebResponse CalibrationPage::preview(const WebRequest& request) {
  const auto body = body_object(request);
  const auto items = body ? items_of(*body) : std::nullopt;
  if (!items) return error_reply(400, "expected {\"items\": [\"sic:8062\", ...]}");
  std::string error;
  const json* report = latest_report(&error);
  if (report == nullptr) return refused_change(Status::invalid_config("there is no report"));
  const std::set<std::string> allowed = selectable_items(*report);
  for (const std::string& item : *items) {
    if (!allowed.contains(item)) {
      return refused_change(
          Status::invalid_config("'" + item + "' is not a change the report suggests"));
    }
  }
  auto plan = weights_->preview(report_file_for(*report), *items);
  if (!plan.ok()) return refused_change(plan.status());
  json changes = json::array();
  for (const auto& item : plan->items) changes.push_back(item_json(item));
  return json_reply(200, {{"items", changes},
                          {"diff", plan->diff},
                          {"icp_sha256", plan->icp_sha256},
                          {"report_icp_sha256", (*report)["icp"].value("sha256", "")}});
}

WebResponse CalibrationPage::apply(const WebRequest& request) {
  const auto body = body_object(request);
  const auto items = body ? items_of(*body) : std::nullopt;
  if (!items || !(*body).contains("icp_sha256") || !(*body)["icp_sha256"].is_string() ||
      !(*body).contains("report_created_at") || !(*body)["report_created_at"].is_string()) {
    return error_reply(
        400, "expected {\"items\": [...], \"icp_sha256\": ..., \"report_created_at\": ...}");
  }
  std::string error;
  const json* report = latest_report(&error);
  if (report == nullptr) return refused_change(Status::invalid_config("there is no report"));
  const std::string report_sha = (*report)["icp"].value("sha256", "");
  if ((*body)["report_created_at"] != report->value("created_at", "") ||
      (*body)["icp_sha256"] != report_sha) {
    return refused_change(Status::invalid_config(
        "a newer calibration report arrived since the page was loaded: reload and review it"));
  }
  const std::set<std::string> allowed = selectable_items(*report);
  for (const std::string& item : *items) {
    if (!allowed.contains(item)) {
      return refused_change(
          Status::invalid_config("'" + item + "' is not a change the report suggests"));
    }
  }
  auto change = weights_->apply(report_file_for(*report), *items, report_sha, request.user);
  if (!change.ok()) {
    log_->warn("apply by " + request.user + " refused: " + change.status().message());
    return refused_change(change.status());
  }
  log_->info(request.user + " applied " + std::to_string(items->size()) +
             " change(s) to icp.yaml (change " + std::to_string(change->id) + ")");
  return json_reply(200, {{"change", change_json(*change)}});
}

WebResponse CalibrationPage::rollback(const WebRequest& request) {
  const auto body = body_object(request);
  if (!body || !body->contains("change_id") || !(*body)["change_id"].is_number_integer()) {
    return error_reply(400, "expected {\"change_id\": N}");
  }
  const std::int64_t id = (*body)["change_id"].get<std::int64_t>();
  auto history = weights_->history(1);
  if (!history.ok()) return refused_change(history.status());
  if (history->empty() || history->front().id != id || history->front().kind != "apply" ||
      history->front().rolled_back) {
    return refused_change(Status::invalid_config(
        "only the latest applied change can be rolled back here, and change " + std::to_string(id) +
        " is not it: reload the page"));
  }
  auto change = weights_->rollback(id, request.user);
  if (!change.ok()) {
    log_->warn("rollback by " + request.user + " refused: " + change.status().message());
    return refused_change(change.status());
  }
  log_->info(request.user + " rolled back change " + std::to_string(id));
  return json_reply(200, {{"change", change_json(*change)}});
}

// ---------------------------------------------------------------------------------------------
// The Model tab

std::vector<WeightChangeRecord> CalibrationPage::recent_changes() {
  auto history = weights_->history(kHistoryShown);
  return history.ok() ? std::move(history).value() : std::vector<WeightChangeRecord>{};
}

WebResponse CalibrationPage::model(const WebRequest&) {
  auto reply = model_reply(*db_, config_.icp_path, recent_changes());
  if (!reply.ok()) return error_reply(500, reply.status().message());
  (*reply)["approve_available"] = weights_->available().ok();
  (*reply)["approve_unavailable_reason"] =
      weights_->available().ok() ? json() : json(weights_->available().message());
  return json_reply(200, *reply);
}

// The newest model's id when the request names it and it may score; else why not.
// REQUIRES: has_model_id(body).
Result<std::int64_t> CalibrationPage::requested_model(const json& body) {
  auto reply = model_reply(*db_, config_.icp_path, {});
  if (!reply.ok()) return reply.status();
  if (!(*reply)["available"].get<bool>() || (*reply)["id"] != body["model_id"]) {
    return Status::invalid_config("model " + body["model_id"].dump() +
                                  " is not the newest model: reload the page");
  }
  if (!(*reply)["usable"].get<bool>()) {
    return Status::invalid_config((*reply)["unusable_reason"].get<std::string>());
  }
  return body["model_id"].get<std::int64_t>();
}

WebResponse CalibrationPage::model_preview(const WebRequest& request) {
  const auto body = body_object(request);
  if (!body || !has_model_id(*body)) return error_reply(400, "expected {\"model_id\": N}");
  auto id = requested_model(*body);
  if (!id.ok()) return refused_change(id.status());
  auto plan = weights_->preview_method(true, std::to_string(*id));
  if (!plan.ok()) return refused_change(plan.status());
  json items = json::array();
  for (const auto& item : plan->items) items.push_back(item_json(item));
  return json_reply(200,
                    {{"items", items}, {"diff", plan->diff}, {"icp_sha256", plan->icp_sha256}});
}

WebResponse CalibrationPage::model_approve(const WebRequest& request) {
  const auto body = body_object(request);
  if (!body || !has_model_id(*body) || !body->contains("icp_sha256") ||
      !(*body)["icp_sha256"].is_string()) {
    return error_reply(400, "expected {\"model_id\": N, \"icp_sha256\": ...}");
  }
  auto id = requested_model(*body);
  if (!id.ok()) return refused_change(id.status());
  auto change = weights_->set_method(true, std::to_string(*id),
                                     (*body)["icp_sha256"].get<std::string>(), request.user);
  if (!change.ok()) {
    log_->warn("approving model " + std::to_string(*id) + " by " + request.user +
               " refused: " + change.status().message());
    return refused_change(change.status());
  }
  log_->info(request.user + " approved scoring with model " + std::to_string(*id) + " (change " +
             std::to_string(change->id) + ")");
  return json_reply(200, {{"change", change_json(*change)}});
}

WebResponse CalibrationPage::model_revert(const WebRequest& request) {
  const auto body = body_object(request);
  if (!body || !body->contains("icp_sha256") || !(*body)["icp_sha256"].is_string()) {
    return error_reply(400, "expected {\"icp_sha256\": ...}");
  }
  std::string error;
  const IcpView* view = icp(&error);
  if (view == nullptr) return refused_change(Status::invalid_config(error));
  if ((*body)["icp_sha256"] != view->sha256) {
    return refused_change(
        Status::invalid_config("icp.yaml changed since the page was loaded: reload"));
  }
  auto config = domain::load_icp_config(config_.icp_path);
  if (!config.ok()) return refused_change(Status::invalid_config(config.status().message()));
  const std::optional<RevertPlan> plan =
      revert_plan(config->scoring_method.use_model, recent_changes());
  if (!plan) {
    return refused_change(Status::invalid_config("icp.yaml already scores with the weights"));
  }
  auto change = plan->rollback_change ? weights_->rollback(*plan->rollback_change, request.user)
                                      : weights_->set_method(false, "", view->sha256, request.user);
  if (!change.ok()) {
    log_->warn("revert to the weights by " + request.user +
               " refused: " + change.status().message());
    return refused_change(change.status());
  }
  log_->info(request.user + " reverted scoring to the weights (change " +
             std::to_string(change->id) + ")");
  return json_reply(200, {{"change", change_json(*change)}});
}

}  // namespace hades::calibration_page
