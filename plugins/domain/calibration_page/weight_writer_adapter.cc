// WeightChanges over the leads library's icp.yaml editing (leads/icp_edit.h, leads/icp_changes.h):
// the same plan, lock, journal and icp_changes audit as jobs/apply_weights.yaml and
// jobs/rollback_weights.yaml, so a change made from the page and one made by a job are one
// history.
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "lead_model/model_store.h"
#include "leads/icp_changes.h"
#include "leads/icp_edit.h"
#include "leads/icp_file.h"
#include "leads/icp_method.h"
#include "leads/text_diff.h"
#include "weight_changes.h"

namespace hades::calibration_page {
namespace {

namespace pc = domain;

// How long an apply from the page waits for another writer of icp.yaml: short, since the page
// answers one request at a time and the person can try again.
constexpr std::chrono::milliseconds kLockWait{2000};

std::string utc_now(const char* format) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

// "sic:8062" -> {sic, 8062}; the bucket may hold ':' or blanks ("proximity:5-10 mi").
Result<pc::Selection> selection_of(const std::vector<std::string>& items) {
  pc::Selection selection;
  selection.kind = pc::Selection::Kind::kItems;
  for (const std::string& item : items) {
    const auto colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
      return Status::invalid_config("'" + item + "' is not a dimension:bucket item");
    }
    selection.items.push_back({item.substr(0, colon), item.substr(colon + 1)});
  }
  return selection;
}

WeightChangeItem item_of(const pc::IcpChange& c) {
  return {c.dimension + ":" + c.bucket, c.place, c.old_value, c.new_value};
}

WeightChangePlan plan_of(const pc::IcpEditPlan& plan) {
  WeightChangePlan out;
  for (const pc::IcpChange& c : plan.changes) out.items.push_back(item_of(c));
  out.diff = plan.diff;
  out.icp_sha256 = plan.sha256_before;
  return out;
}

WeightChangeRecord record_of(const pc::IcpChangeRecord& r) {
  WeightChangeRecord out;
  out.id = r.id;
  out.applied_at = r.applied_at;
  out.applied_by = r.applied_by;
  out.kind = r.kind;
  out.report = r.report_path;
  out.sha256_before = r.sha256_before;
  out.sha256_after = r.sha256_after;
  for (const pc::IcpChange& c : r.items) out.items.push_back(item_of(c));
  out.rolls_back = r.rolls_back;
  out.diff = pc::unified_diff(r.text_before, r.text_after, pc::diff_label('a', r.icp_path),
                              pc::diff_label('b', r.icp_path));
  return out;
}

class WeightWriterChanges final : public WeightChanges {
 public:
  WeightWriterChanges(Database& db, std::string icp_path)
      : db_(db), icp_path_(std::move(icp_path)) {}

  Status available() const override { return Status::ok_status(); }

  Result<WeightChangePlan> preview(const std::string& report_path,
                                   const std::vector<std::string>& items) override {
    auto request = apply_request(report_path, items, "");
    if (!request.ok()) return request.status();
    auto plan = pc::preview_icp_changes(*request);
    if (!plan.ok()) return plan.status();
    return plan_of(*plan);
  }

  Result<WeightChangeRecord> apply(const std::string& report_path,
                                   const std::vector<std::string>& items,
                                   const std::string& expected_icp_sha256,
                                   const std::string& applied_by) override {
    auto request = apply_request(report_path, items, applied_by);
    if (!request.ok()) return request.status();
    // The library's guard compares the report's icp.sha256 with the file; the page names the
    // hash it showed, which must be that report's.
    const nlohmann::json report = nlohmann::json::parse(request->report_json, nullptr, false);
    if (!report.is_object() || !report.contains("icp") || !report["icp"].is_object() ||
        report["icp"].value("sha256", "") != expected_icp_sha256) {
      return Status::invalid_config("the report is not the one the page showed: reload");
    }
    auto outcome = pc::apply_icp_changes(db_, *request);
    if (!outcome.ok()) return outcome.status();
    if (!outcome->change) {
      return Status::invalid_config("nothing to change: every item is already at its suggestion");
    }
    return record_of(*outcome->change);
  }

  Result<WeightChangeRecord> rollback(std::int64_t change_id,
                                      const std::string& applied_by) override {
    pc::RollbackRequest request{context(applied_by), change_id};
    auto outcome = pc::rollback_icp_change(db_, request);
    if (!outcome.ok()) return outcome.status();
    if (!outcome->change) return Status::invalid_config("nothing to roll back");
    return record_of(*outcome->change);
  }

  Result<WeightChangePlan> preview_method(bool use_model,
                                          const std::string& model_reference) override {
    auto request = method_request(use_model, model_reference, "");
    if (!request.ok()) return request.status();
    auto plan = pc::preview_method_change(*request);
    if (!plan.ok()) return plan.status();
    return plan_of(*plan);
  }

  Result<WeightChangeRecord> set_method(bool use_model, const std::string& model_reference,
                                        const std::string& expected_icp_sha256,
                                        const std::string& applied_by) override {
    auto request = method_request(use_model, model_reference, applied_by);
    if (!request.ok()) return request.status();
    auto text = pc::read_file_bytes(icp_path_);
    if (!text.ok()) return text.status();
    if (pc::sha256_hex(*text) != expected_icp_sha256) {
      return Status::invalid_config("icp.yaml changed since the page was loaded: reload");
    }
    auto outcome = pc::apply_method_change(db_, *request);
    if (!outcome.ok()) return outcome.status();
    if (!outcome->change) {
      return Status::invalid_config("nothing to change: icp.yaml already scores with " +
                                    pc::method_text(use_model, model_reference));
    }
    return record_of(*outcome->change);
  }

  Result<std::vector<WeightChangeRecord>> history(std::size_t limit) override {
    auto rows = pc::icp_change_history(db_, icp_path_, static_cast<int>(limit));
    if (!rows.ok()) return rows.status();
    std::vector<WeightChangeRecord> out;
    for (const pc::IcpChangeRecord& r : *rows) out.push_back(record_of(r));
    // Newest first: a rollback is always newer than the change it undid.
    for (const WeightChangeRecord& r : out) {
      if (!r.rolls_back) continue;
      for (WeightChangeRecord& undone : out) {
        if (undone.id == *r.rolls_back) undone.rolled_back = true;
      }
    }
    return out;
  }

 private:
  pc::ChangeContext context(const std::string& applied_by) const {
    pc::ChangeContext c;
    c.icp_path = icp_path_;
    c.applied_by = applied_by;
    c.applied_at = utc_now("%Y-%m-%dT%H:%M:%SZ");
    c.lock_wait = kLockWait;
    return c;  // no run id: a change from the page is not a job step
  }

  Result<pc::ApplyRequest> apply_request(const std::string& report_path,
                                         const std::vector<std::string>& items,
                                         const std::string& applied_by) const {
    auto selection = selection_of(items);
    if (!selection.ok()) return selection.status();
    auto report = pc::read_file_bytes(report_path);
    if (!report.ok()) return report.status();
    pc::ApplyRequest request;
    request.context = context(applied_by);
    request.report_path = report_path;
    request.report_json = std::move(report).value();
    request.selection = std::move(selection).value();
    request.calibrated_on = utc_now("%Y-%m-%d");
    return request;
  }

  // The request for a method switch; a model must be one that may score with icp.yaml.
  Result<pc::MethodRequest> method_request(bool use_model, const std::string& model_reference,
                                           const std::string& applied_by) {
    pc::MethodRequest request;
    request.context = context(applied_by);
    request.choice = {use_model, use_model ? model_reference : std::string()};
    if (!use_model) return request;
    auto icp = pc::load_icp_config(icp_path_);
    if (!icp.ok()) return icp.status();
    auto model = lead_model::load_usable_model(
        db_, lead_model::parse_model_reference(model_reference), *icp);
    if (!model.ok()) return Status::invalid_config(model.status().message());
    const lead_model::Evaluation& e = model->model.evaluation;
    request.evidence = {e.test_leads, e.test_deliveries, e.verdict};
    request.model_source = model->source;
    request.model_sha256 = model->sha256;
    return request;
  }

  Database& db_;
  std::string icp_path_;
};

}  // namespace

std::unique_ptr<WeightChanges> make_weight_changes(Database& db, const std::string& icp_path) {
  return std::make_unique<WeightWriterChanges>(db, icp_path);
}

}  // namespace hades::calibration_page
