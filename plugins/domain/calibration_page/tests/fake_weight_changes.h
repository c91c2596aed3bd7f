// fake_weight_changes.h: a WeightChanges that keeps its changes in memory, for the page's tests.
//
// It behaves like the weight writer as far as the page can tell: a guard on icp.yaml's hash,
// a history newest first, rollbacks that are changes of their own; and a test can make the next
// call fail with any Status. Every call is logged as text, so a test sees exactly what the page
// asked for.

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_TESTS_FAKE_WEIGHT_CHANGES_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_TESTS_FAKE_WEIGHT_CHANGES_H_

#include <memory>
#include <string>
#include <vector>

#include "weight_changes.h"

namespace hades::calibration_page::testing {

struct FakeWeightState {
  std::string icp_sha256;          // what icp.yaml's hash is "now"
  Status available;                // what available() says
  Status fail_next;                // when not OK, the next preview/apply/rollback returns it
  std::vector<std::string> calls;  // "apply <report> <items,> <sha> <by>", ...
  std::vector<WeightChangeRecord> changes;  // oldest first
  std::string method = "weights";           // what set_method() made icp.yaml say
};

class FakeWeightChanges final : public WeightChanges {
 public:
  explicit FakeWeightChanges(std::shared_ptr<FakeWeightState> state) : s_(std::move(state)) {}

  Status available() const override { return s_->available; }

  Result<WeightChangePlan> preview(const std::string& report,
                                   const std::vector<std::string>& items) override {
    s_->calls.push_back("preview " + report + " " + joined(items));
    if (Status failure = take_failure(); !failure.ok()) return failure;
    WeightChangePlan plan{{}, "--- icp.yaml\n+++ icp.yaml\n", s_->icp_sha256};
    for (const std::string& item : items) {
      plan.items.push_back({item, "place of " + item, "1", "2"});
      plan.diff += "-  " + item + ": 1\n+  " + item + ": 2\n";
    }
    return plan;
  }

  Result<WeightChangeRecord> apply(const std::string& report, const std::vector<std::string>& items,
                                   const std::string& expected_sha,
                                   const std::string& by) override {
    s_->calls.push_back("apply " + report + " " + joined(items) + " " + expected_sha + " " + by);
    if (Status failure = take_failure(); !failure.ok()) return failure;
    if (expected_sha != s_->icp_sha256) {
      return Status::invalid_config("icp.yaml changed since this report; recalibrate");
    }
    WeightChangeRecord change = record("apply", by);
    change.report = report;
    for (const std::string& item : items) change.items.push_back({item, "place", "1", "2"});
    return commit(std::move(change));
  }

  Result<WeightChangeRecord> rollback(std::int64_t id, const std::string& by) override {
    s_->calls.push_back("rollback " + std::to_string(id) + " " + by);
    if (Status failure = take_failure(); !failure.ok()) return failure;
    for (WeightChangeRecord& c : s_->changes) {
      if (c.id != id) continue;
      c.rolled_back = true;
      if (!c.items.empty() && c.items[0].item == "scoring_method:use")
        s_->method = c.items[0].before;
      WeightChangeRecord undo = record("rollback", by);
      undo.rolls_back = id;
      return commit(std::move(undo));
    }
    return Status::invalid_config("no change " + std::to_string(id));
  }

  Result<WeightChangePlan> preview_method(bool use_model, const std::string& model) override {
    s_->calls.push_back("preview_method " + method_of(use_model, model));
    if (Status failure = take_failure(); !failure.ok()) return failure;
    return WeightChangePlan{
        {{"scoring_method:use", "scoring_method", s_->method, method_of(use_model, model)}},
        "-  use: weights\n+  use: model\n",
        s_->icp_sha256};
  }

  Result<WeightChangeRecord> set_method(bool use_model, const std::string& model,
                                        const std::string& expected_sha,
                                        const std::string& by) override {
    s_->calls.push_back("set_method " + method_of(use_model, model) + " " + expected_sha + " " +
                        by);
    if (Status failure = take_failure(); !failure.ok()) return failure;
    if (expected_sha != s_->icp_sha256) {
      return Status::invalid_config("icp.yaml changed since the page was loaded: reload");
    }
    WeightChangeRecord change = record("apply", by);
    change.items.push_back(
        {"scoring_method:use", "scoring_method", s_->method, method_of(use_model, model)});
    s_->method = method_of(use_model, model);
    return commit(std::move(change));
  }

  Result<std::vector<WeightChangeRecord>> history(std::size_t limit) override {
    std::vector<WeightChangeRecord> out(s_->changes.rbegin(), s_->changes.rend());
    if (out.size() > limit) out.resize(limit);
    return out;
  }

 private:
  static std::string method_of(bool use_model, const std::string& model) {
    return use_model ? "model " + model : "weights";
  }
  static std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += item + ",";
    return out;
  }
  Status take_failure() {
    Status failure = s_->fail_next;
    s_->fail_next = Status::ok_status();
    return failure;
  }
  WeightChangeRecord record(const std::string& kind, const std::string& by) {
    WeightChangeRecord c;
    c.id = static_cast<std::int64_t>(s_->changes.size()) + 1;
    c.applied_at = "2026-12-06T10:00:0" + std::to_string(c.id) + "Z";
    c.applied_by = by;
    c.kind = kind;
    c.sha256_before = s_->icp_sha256;
    c.sha256_after = s_->icp_sha256 + "+" + std::to_string(c.id);
    return c;
  }
  Result<WeightChangeRecord> commit(WeightChangeRecord change) {
    s_->icp_sha256 = change.sha256_after;
    s_->changes.push_back(change);
    return change;
  }

  std::shared_ptr<FakeWeightState> s_;
};

}  // namespace hades::calibration_page::testing

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_TESTS_FAKE_WEIGHT_CHANGES_H_
