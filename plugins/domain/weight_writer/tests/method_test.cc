// Switching icp.yaml's scoring_method (leads/icp_method.h): the text edit, its audit and
// rollback (the `icp_changes` suite, also on sqld), and the weight_writer's set_method action with
// its refusal of models that may not score.

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "lead_model/model.h"
#include "lead_model/model_store.h"
#include "lead_model/tests/model_testing.h"
#include "leads/icp_changes.h"
#include "leads/icp_config.h"
#include "leads/icp_method.h"
#include "test_database.h"
#include "test_support.h"
#include "weight_writer.h"
#include "weights_testing.h"

namespace hades::weight_writer {
namespace {

using domain::IcpEditPlan;
using domain::MethodChoice;
using hades::testing::FakeContext;
using hades::testing::TempDir;

std::string shipped_text() {
  return hades::testing::read_file(testing::repo_path("config/icp.yaml"));
}

Result<IcpEditPlan> plan(const std::string& text, bool use_model, const std::string& model = "") {
  domain::PlanOptions options;
  options.icp_name = "icp.yaml";
  return domain::plan_method_edit(text, MethodChoice{use_model, model}, {4000, 410, "model better"},
                                  options);
}

domain::ScoringMethod method_of(const std::string& text) {
  Result<domain::IcpConfig> c = domain::parse_icp_config(text, "icp.yaml");
  BOOST_TEST_REQUIRE(c.ok(), c.status().to_string());
  return c->scoring_method;
}

BOOST_AUTO_TEST_SUITE(icp_method)

BOOST_AUTO_TEST_CASE(a_file_without_the_section_gets_it_appended_and_nothing_else) {
  const std::string text = shipped_text();
  Result<IcpEditPlan> p = plan(text, true, "12");
  BOOST_TEST_REQUIRE(p.ok(), p.status().to_string());
  BOOST_TEST_REQUIRE(p->text_after.starts_with(text));
  BOOST_TEST(p->text_after.substr(text.size()) ==
             "\n# How the scorer scores leads: `weights` (the tables above) or `model` (a trained "
             "lead\n# model, docs/model.md). Changed by the weight_writer (action: set_method), "
             "audited.\nscoring_method:\n  use: model\n  model: \"12\"\n");
  BOOST_TEST(method_of(p->text_after).use_model);
  BOOST_TEST(method_of(p->text_after).model == "12");
  BOOST_TEST_REQUIRE(p->changes.size() == 1u);
  const domain::IcpChange& c = p->changes[0];
  BOOST_TEST(c.dimension == "scoring_method");
  BOOST_TEST(c.bucket == "use");
  BOOST_TEST(c.old_value == "weights");
  BOOST_TEST(c.new_value == "model 12");
  BOOST_TEST(c.confidence == "model better");
  BOOST_TEST(c.leads == 4000);
  BOOST_TEST(p->diff.find("+scoring_method:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(crlf_stays_crlf) {
  const std::string text = testing::to_crlf(shipped_text());
  Result<IcpEditPlan> p = plan(text, true, "models/model-20261206-101500.json");
  BOOST_TEST_REQUIRE(p.ok(), p.status().to_string());
  const std::string added = p->text_after.substr(text.size());
  BOOST_TEST(added.find("\r\nscoring_method:\r\n  use: model\r\n") != std::string::npos, added);
  BOOST_TEST(method_of(p->text_after).model == "models/model-20261206-101500.json");
}

BOOST_AUTO_TEST_CASE(an_existing_section_has_its_values_replaced_in_place) {
  const std::string text = shipped_text() +
                           "\nscoring_method:   # who scores\n  use: weights    # for now\n"
                           "  model: 'models/old.json'\n";
  Result<IcpEditPlan> p = plan(text, true, "7");
  BOOST_TEST_REQUIRE(p.ok(), p.status().to_string());
  BOOST_TEST(p->text_after == shipped_text() +
                                  "\nscoring_method:   # who scores\n  use: model    # for now\n"
                                  "  model: \"7\"\n");
  // Back to the weights: `model` says which model was approved last.
  Result<IcpEditPlan> back = plan(p->text_after, false);
  BOOST_TEST_REQUIRE(back.ok(), back.status().to_string());
  BOOST_TEST(back->text_after == shipped_text() +
                                     "\nscoring_method:   # who scores\n  use: weights    # for "
                                     "now\n  model: \"7\"\n");
  BOOST_TEST(back->changes[0].old_value == "model 7");
  BOOST_TEST(back->changes[0].new_value == "weights");
}

BOOST_AUTO_TEST_CASE(a_missing_model_key_is_inserted_under_use) {
  const std::string text = shipped_text() + "scoring_method:\n    use: weights\n";
  Result<IcpEditPlan> p = plan(text, true, "3");
  BOOST_TEST_REQUIRE(p.ok(), p.status().to_string());
  BOOST_TEST(p->text_after ==
             shipped_text() + "scoring_method:\n    use: model\n    model: \"3\"\n");
}

BOOST_AUTO_TEST_CASE(a_flow_mapping_is_edited_or_refused) {
  const std::string flow = shipped_text() + "scoring_method: {use: model, model: \"3\"}\n";
  Result<IcpEditPlan> p = plan(flow, true, "4");
  BOOST_TEST_REQUIRE(p.ok(), p.status().to_string());
  BOOST_TEST(p->text_after == shipped_text() + "scoring_method: {use: model, model: \"4\"}\n");
  const std::string no_model = shipped_text() + "scoring_method: {use: weights}\n";
  const Status s = plan(no_model, true, "4").status();
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("flow mapping without `model`") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(asking_for_what_the_file_says_changes_nothing) {
  const std::string text = shipped_text();
  Result<IcpEditPlan> weights = plan(text, false);
  BOOST_TEST_REQUIRE(weights.ok());
  BOOST_TEST(weights->empty());
  BOOST_TEST(weights->text_after == text);
  const std::string approved = plan(text, true, "5")->text_after;
  BOOST_TEST(plan(approved, true, "5")->empty());
  BOOST_TEST(!plan(approved, true, "6")->empty());
}

BOOST_AUTO_TEST_CASE(odd_references_are_quoted_or_refused) {
  Result<IcpEditPlan> p = plan(shipped_text(), true, "my \"best\" model\\1.json");
  BOOST_TEST_REQUIRE(p.ok(), p.status().to_string());
  BOOST_TEST(method_of(p->text_after).model == "my \"best\" model\\1.json");
  BOOST_TEST(plan(shipped_text(), true, "a\nb").status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(plan(shipped_text(), true, "").status().code() == StatusCode::kInvalidConfig);
}

BOOST_AUTO_TEST_CASE(the_loader_checks_the_section) {
  const auto error = [](const std::string& section) {
    return domain::parse_icp_config(shipped_text() + section, "icp.yaml").status().message();
  };
  BOOST_TEST(error("scoring_method:\n  use: modle\n")
                 .find("scoring_method.use: expected weights or model, got 'modle'") !=
             std::string::npos);
  BOOST_TEST(error("scoring_method:\n  use: model\n").find("missing key 'model'") !=
             std::string::npos);
  BOOST_TEST(error("scoring_method:\n  use: weights\n  modle: 3\n").find("unknown key 'modle'") !=
             std::string::npos);
  BOOST_TEST(error("scoring_method: model\n").find("expected a mapping") != std::string::npos);
  BOOST_TEST(!method_of(shipped_text()).use_model);
}

BOOST_AUTO_TEST_SUITE_END()

// Joins the suite of icp_changes_test.cc, so that weight_writer_test_sqld runs it on sqld.
BOOST_AUTO_TEST_SUITE(icp_changes)

BOOST_AUTO_TEST_CASE(a_method_change_is_audited_and_rolls_back_to_the_same_bytes) {
  TempDir dir;
  const std::string icp = dir.file("icp.yaml");
  const std::string before = shipped_text();
  hades::testing::write_file(icp, before);
  auto db = hades::testing::scratch_database();
  domain::MethodRequest request;
  request.context.icp_path = icp;
  request.context.applied_by = "ana";
  request.context.applied_at = "2026-12-06T10:00:00Z";
  request.choice = {true, "12"};
  request.evidence = {4000, 410, "model better"};
  request.model_source = "lead_models id 12";
  request.model_sha256 = std::string(64, 'b');
  Result<domain::ChangeOutcome> made = domain::apply_method_change(*db, request);
  BOOST_TEST_REQUIRE(made.ok(), made.status().to_string());
  BOOST_TEST_REQUIRE(made->change.has_value());
  BOOST_TEST(made->change->report_path == "lead_models id 12");
  BOOST_TEST(made->change->report_inputs_hash == std::string(64, 'b'));
  BOOST_TEST(method_of(hades::testing::read_file(icp)).use_model);
  // Applied again: nothing to change, no row.
  Result<domain::ChangeOutcome> again = domain::apply_method_change(*db, request);
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(!again->change.has_value());

  domain::RollbackRequest rollback;
  rollback.context = request.context;
  Result<domain::ChangeOutcome> undone = domain::rollback_icp_change(*db, rollback);
  BOOST_TEST_REQUIRE(undone.ok(), undone.status().to_string());
  BOOST_TEST(hades::testing::read_file(icp) == before);
  Result<std::vector<domain::IcpChangeRecord>> history = domain::icp_change_history(*db, icp, 10);
  BOOST_TEST_REQUIRE(history.ok());
  BOOST_TEST_REQUIRE(history->size() == 2u);
  BOOST_TEST((*history)[0].kind == "rollback");
  BOOST_TEST((*history)[0].items[0].new_value == "weights");
  BOOST_TEST((*history)[1].items[0].new_value == "model 12");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(set_method_task)

struct MethodFixture {
  TempDir dir;
  std::string icp = dir.file("icp.yaml");
  std::unique_ptr<Database> db = hades::testing::scratch_database();
  FakeContext ctx{*db};

  MethodFixture() {
    hades::testing::write_file(icp, shipped_text());
    ctx.run_info.run_id = 4;
    ctx.run_info.job_name = "set_scoring_method";
    ctx.run_info.step_name = "set_method";
    ctx.run_info.started_at = "2026-12-06T06:00:00Z";
  }

  std::int64_t store(std::string_view verdict) {
    const lead_model::LeadModel m =
        lead_model::testing::plain_model(*domain::load_icp_config(icp), verdict);
    return lead_model::store_model(*db, m, lead_model::model_to_json(m), "train", "").value();
  }

  Status run(const std::string& use, const std::string& model, bool dry_run, std::string* printed) {
    Settings s;
    s.set("action", std::string("set_method"));
    s.set("icp", icp);
    s.set("use", use);
    s.set("model", model);
    s.set("applied_by", std::string("ana"));
    s.set("dry_run", dry_run);
    Result<WeightWriterConfig> config = bind_config(s);
    if (!config.ok()) return config.status();
    WeightWriter task(std::move(config).value());
    const Status status = task.run(ctx);
    *printed = task.printed();
    return status;
  }
};

BOOST_FIXTURE_TEST_CASE(a_better_model_is_approved_and_rolled_back, MethodFixture) {
  const std::string before = hades::testing::read_file(icp);
  const std::int64_t id = store(lead_model::kModelBetter);
  std::string printed;
  BOOST_TEST_REQUIRE(run("model", std::to_string(id), true, &printed).ok());
  BOOST_TEST(printed.find("dry run: 1 change(s)") != std::string::npos, printed);
  BOOST_TEST(hades::testing::read_file(icp) == before);
  const Status s = run("model", std::to_string(id), false, &printed);
  BOOST_TEST_REQUIRE(s.ok(), s.to_string());
  BOOST_TEST(printed.find("scores with model " + std::to_string(id) + ", approved by ana") !=
                 std::string::npos,
             printed);
  BOOST_TEST(printed.find("weights -> model " + std::to_string(id)) != std::string::npos, printed);
  BOOST_TEST(method_of(hades::testing::read_file(icp)).model == std::to_string(id));

  Settings rollback;
  rollback.set("action", std::string("rollback"));
  rollback.set("icp", icp);
  rollback.set("applied_by", std::string("ana"));
  ctx.run_info.run_id = 5;
  WeightWriter undo(bind_config(rollback).value());
  BOOST_TEST_REQUIRE(undo.run(ctx).ok());
  BOOST_TEST(hades::testing::read_file(icp) == before);
}

BOOST_FIXTURE_TEST_CASE(a_model_that_may_not_score_is_refused_and_nothing_changes, MethodFixture) {
  const std::string before = hades::testing::read_file(icp);
  std::string printed;
  for (const std::string_view verdict :
       {lead_model::kInsufficientEvidence, lead_model::kWeightsBetter}) {
    const Status s = run("model", std::to_string(store(verdict)), false, &printed);
    BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
    BOOST_TEST(
        s.message().find("the model cannot be approved, nothing changed") != std::string::npos,
        s.message());
    BOOST_TEST(s.message().find("is not better than the weights") != std::string::npos);
  }
  const Status missing = run("model", dir.file("none.json"), false, &printed);
  BOOST_TEST(missing.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.message().find("missing or unreadable") != std::string::npos);
  BOOST_TEST(hades::testing::read_file(icp) == before);
}

BOOST_FIXTURE_TEST_CASE(settings_of_set_method_are_checked, MethodFixture) {
  std::string printed;
  BOOST_TEST(run("maybe", "", false, &printed).message().find("`use` must be model or weights") !=
             std::string::npos);
  // No choice: what icp.yaml and the newest model say; nothing changes.
  const std::string before = hades::testing::read_file(icp);
  BOOST_TEST_REQUIRE(run("", "", false, &printed).ok());
  BOOST_TEST(
      printed.find("scores with weights.\nNo lead model is trained yet") != std::string::npos,
      printed);
  const std::int64_t id = store(lead_model::kModelBetter);
  BOOST_TEST_REQUIRE(run("", "", false, &printed).ok());
  BOOST_TEST(printed.find("approve it with --set use=model --set model=" + std::to_string(id)) !=
                 std::string::npos,
             printed);
  BOOST_TEST(hades::testing::read_file(icp) == before);
  BOOST_TEST(run("model", " ", false, &printed).message().find("use: model needs `model`") !=
             std::string::npos);
  // Back to the weights needs no model; with none approved there is nothing to change.
  BOOST_TEST(run("weights", "", false, &printed).ok());
  BOOST_TEST(printed.find("already scores with weights") != std::string::npos, printed);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::weight_writer
