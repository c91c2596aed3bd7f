// The calibration page's endpoints, called the way the host calls them, over a real database
// (SQLite, and sqld in the _sqld variant) and the shipped config/icp.yaml:
//   - the summary tables equal a GROUP BY of lead_outcomes after inserts, updates and deletes;
//   - each endpoint's numbers against the database and the report;
//   - the Apply / Roll back flow against a fake weight writer: what the page asks for, what it
//     refuses itself, and how a failure is reported (why, and that nothing changed);
//   - icp.yaml comments and industry names; the README's settings table.
#define BOOST_TEST_MODULE calibration_page_test
#include "calibration_page.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "fake_weight_changes.h"
#include "icp_view.h"
#include "lead_model/model.h"
#include "lead_model/model_store.h"
#include "lead_model/tests/model_testing.h"
#include "leads/icp_config.h"
#include "outcome_feed.h"
#include "outcomes/outcome_summary.h"
#include "outcomes/outcome_tables.h"
#include "report_view.h"
#include "test_database.h"
#include "test_support.h"

namespace hades::calibration_page {
namespace {

using hades::testing::dump;
using hades::testing::TempDir;
using nlohmann::json;
using testing::FakeWeightChanges;
using testing::FakeWeightState;

// ---- a host in miniature: routes by path, a context over a test database ------------------

class Routes final : public PageRoutes {
 public:
  void get(std::string path, WebHandler h) override { gets[path] = std::move(h); }
  void post(std::string path, WebHandler h) override { posts[path] = std::move(h); }
  void asset(std::string path, std::string_view type, std::string_view bytes) override {
    assets[path] = {std::string(type), std::string(bytes)};
  }
  std::map<std::string, WebHandler> gets, posts;
  std::map<std::string, std::pair<std::string, std::string>> assets;
};

class Context final : public PageContext {
 public:
  explicit Context(Database& db) : db_(db) {}
  Database& database() override { return db_; }
  Logger& log() override { return log_; }
  const std::string& mount() const override { return mount_; }
  hades::testing::RecordingLogger log_;

 private:
  Database& db_;
  std::string mount_ = "/calibration/";
};

std::string shipped_icp() { return hades::testing::source_dir() + "/config/icp.yaml"; }
std::string shipped_icp_sha() { return read_icp_view(shipped_icp())->sha256; }

struct Page {
  TempDir dir;
  std::unique_ptr<Database> db = hades::testing::scratch_database();
  std::shared_ptr<FakeWeightState> weights = std::make_shared<FakeWeightState>();
  Context context{*db};
  Routes routes;
  std::unique_ptr<CalibrationPage> page;

  // The page over `icp` (the shipped icp.yaml by default).
  explicit Page(const std::string& icp = shipped_icp()) {
    weights->icp_sha256 = read_icp_view(icp)->sha256;
    std::filesystem::create_directories(dir.file("reports"));
    page = std::make_unique<CalibrationPage>(PageConfig{dir.file("reports"), icp},
                                             [state = weights](Database&, const std::string&) {
                                               return std::make_unique<FakeWeightChanges>(state);
                                             });
    const Status started = page->start(context, routes);
    BOOST_TEST_REQUIRE(started.ok(), started.to_string());
  }

  std::pair<int, json> get(const std::string& path,
                           std::vector<std::pair<std::string, std::string>> query = {}) {
    const WebResponse r =
        routes.gets.at(path)(WebRequest{"GET", path, std::move(query), "", "ana"});
    return {r.status, json::parse(r.body)};
  }
  std::pair<int, json> post(const std::string& path, const json& body) {
    const WebResponse r = routes.posts.at(path)(WebRequest{"POST", path, {}, body.dump(), "ana"});
    return {r.status, json::parse(r.body)};
  }
  void write_report(const json& report) {
    hades::testing::write_file(dir.file("reports/calibration-latest.json"), report.dump());
    // A new file under the same name must be noticed even within one second.
    std::filesystem::last_write_time(
        dir.file("reports/calibration-latest.json"),
        std::filesystem::file_time_type::clock::now() + std::chrono::seconds(++report_writes_));
  }

 private:
  int report_writes_ = 0;
};

void insert_lead(Database& db, const std::string& batch, int person, const std::string& exported,
                 const std::string& outcome = "", const std::string& outcome_at = "",
                 const std::string& sic = "8062", const std::string& state = "published") {
  // The batch, once: only published batches' leads count.
  hades::testing::execute(
      db,
      "INSERT OR IGNORE INTO hades_batch_ids (batch_id, day, seq, run_id, job, allocated_at, "
      "state) SELECT ?, substr(?, 7, 8), count(*) + 1, count(*) + 1, 'test', ?, ? "
      "FROM hades_batch_ids",
      {Value(batch), Value(batch), Value(exported), Value(state)});
  hades::testing::execute(
      db,
      "INSERT INTO lead_outcomes (batch_id, person_id, company_name, sic_code, hades_score, "
      "workflow_type, exported_at, outcome, outcome_at, created_at) "
      "VALUES (?, ?, ?, ?, 70, 'intent', ?, ?, ?, ?)",
      {Value(batch), Value("p" + std::to_string(person)),
       Value("Company " + std::to_string(person)), Value(sic), Value(exported),
       outcome.empty() ? Value() : Value(outcome), outcome_at.empty() ? Value() : Value(outcome_at),
       Value(exported)});
}

// The summary as a GROUP BY of lead_outcomes would give it.
constexpr const char* kBatchesByGroupBy =
    "SELECT batch_id, min(exported_at), count(*), sum(outcome IS NOT NULL), "
    "sum(outcome IN ('appointment', 'delivery', 'churned')), "
    "sum(outcome IN ('delivery', 'churned')), sum(outcome = 'churned') "
    "FROM lead_outcomes GROUP BY batch_id ORDER BY batch_id";
constexpr const char* kBatchesFromSummary =
    "SELECT batch_id, exported_at, leads, contacted, appointments, deliveries, churned "
    "FROM lead_outcome_batches WHERE leads > 0 ORDER BY batch_id";
constexpr const char* kLagsByGroupBy =
    "SELECT batch_id, max(0, CAST(julianday(outcome_at) - julianday(exported_at) AS INTEGER)), "
    "count(*) FROM lead_outcomes WHERE outcome = 'delivery' GROUP BY 1, 2 ORDER BY 1, 2";
constexpr const char* kLagsFromSummary =
    "SELECT batch_id, lag_days, deliveries FROM lead_outcome_lags WHERE deliveries > 0 "
    "ORDER BY 1, 2";

// A report in docs/calibration-report.md's schema: SIC 8062 (in icp.yaml, +8), 9999 (a new
// code: selectable), unknown (no place in icp.yaml), employee tiers with no change and -12,
// state (unscored).
json sample_report(const std::string& icp_sha) {
  const auto bucket = [](const std::string& name, int n, int k, double low, double high,
                         double shrunk, json current, json suggested, const std::string& conf,
                         bool in_icp) {
    json delta = current.is_null() || suggested.is_null()
                     ? json()
                     : json(suggested.get<int>() - current.get<int>());
    return json{{"bucket", name},
                {"n", n},
                {"deliveries", k},
                {"rate", static_cast<double>(k) / n},
                {"wilson_low", low},
                {"wilson_high", high},
                {"shrunk_rate", shrunk},
                {"current_score", current},
                {"suggested_score", suggested},
                {"delta", delta},
                {"confidence", conf},
                {"manual_review", conf == "Low"},
                {"in_icp", in_icp}};
  };
  // The calibrator's evidence (docs/calibration-report.md, "Evidence") on two SIC rows.
  const auto with_evidence = [](json b, double low, double high, const char* verdict) {
    b["suggested_low"] = low;
    b["suggested_high"] = high;
    b["verdict"] = verdict;
    return b;
  };
  return {
      {"schema_version", 1},
      {"status", "ok"},
      {"message", "calibrated"},
      {"created_at", "2026-12-06T10:00:00Z"},
      {"run_id", 7},
      {"icp", {{"path", "config/icp.yaml"}, {"sha256", icp_sha}}},
      {"baseline", {{"n", 1000}, {"deliveries", 100}, {"rate", 0.1}}},
      {"parameters", {{"matured_days", 90}}},
      {"dimensions",
       json::array(
           {{{"dimension", "sic"},
             {"scored", true},
             {"population", "all outcomes"},
             {"n", 700},
             {"deliveries", 70},
             {"p_value", 0.0001},
             {"no_signal", false},
             {"buckets",
              json::array(
                  {with_evidence(bucket("8062", 400, 60, 0.12, 0.19, 0.15, 33, 41, "High", true),
                                 36, 47, "supported"),
                   with_evidence(bucket("9999", 50, 5, 0.04, 0.21, 0.11, 40, 30, "Medium", false),
                                 12, 55, "within_noise"),
                   bucket("unknown", 250, 5, 0.01, 0.05, 0.03, 40, 20, "High", false)})}},
            {{"dimension", "employee_tier"},
             {"scored", true},
             {"population", "geography leads"},
             {"n", 300},
             {"deliveries", 30},
             {"p_value", 0.2},
             {"p_value_holm", 0.4},
             {"no_signal", false},
             {"buckets",
              json::array({bucket("50-100", 200, 20, 0.07, 0.15, 0.10, 100, 100, "High", true),
                           bucket("101-500", 100, 10, 0.05, 0.17, 0.09, 80, 68, "Low", true)})}},
            {{"dimension", "state"},
             {"scored", false},
             {"population", "all outcomes"},
             {"n", 1000},
             {"deliveries", 100},
             {"p_value", 0.5},
             {"no_signal", true},
             {"buckets", json::array({bucket("MA", 1000, 100, 0.08, 0.12, 0.1, nullptr, nullptr,
                                             "High", false)})}}})},
      {"backtest",
       {{"ran", true},
        {"verdict", "suggested better"},
        {"test_leads", 300},
        {"current", {{"auc", 0.61}}},
        {"suggested", {{"auc", 0.66}}},
        {"auc_difference", {{"estimate", 0.05}, {"low", 0.02}, {"high", 0.08}}}}},
      {"batches",
       {{"ran", true},
        {"judged", 2},
        {"warned", 0},
        {"flagged", 1},
        {"findings",
         json::array({{{"batch_id", "HADES-20260101-001"}, {"z", 3.4}, {"status", "flag"}}})}}},
      {"scoring_check",
       {{"baseline", {{"n", 3000}, {"deliveries", 300}, {"rate", 0.1}}},
        {"periods", json::array({{{"from", nullptr}, {"to", nullptr}, {"change", nullptr}}})}}}};
}

// ---- the summary tables -----------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(summary)

BOOST_AUTO_TEST_CASE(triggers_keep_the_summary_equal_to_a_group_by) {
  auto db = hades::testing::scratch_database();
  BOOST_TEST_REQUIRE(domain::apply_outcome_migrations(*db).ok());
  // Rows before the migration are counted by its fill; rows after by the triggers.
  insert_lead(*db, "HADES-20260101-001", 1, "2026-01-01T06:00:00Z", "delivery",
              "2026-01-31T07:00:00Z");
  insert_lead(*db, "HADES-20260101-001", 2, "2026-01-01T06:00:00Z", "contacted",
              "2026-01-03T06:00:00Z");
  const Status migrated = domain::apply_outcome_summary_migrations(*db);
  BOOST_TEST_REQUIRE(migrated.ok(), migrated.to_string());
  insert_lead(*db, "HADES-20260101-001", 3, "2026-01-01T06:00:00Z");
  insert_lead(*db, "HADES-20260201-001", 1, "2026-02-01T06:00:00Z", "delivery",
              "2026-02-11T05:00:00Z");
  insert_lead(*db, "HADES-20260201-001", 2, "2026-02-01T06:00:00Z", "appointment",
              "2026-02-05T06:00:00Z");
  BOOST_TEST(dump(*db, kBatchesFromSummary) == dump(*db, kBatchesByGroupBy));
  BOOST_TEST(dump(*db, kLagsFromSummary) == dump(*db, kLagsByGroupBy));
  // The sync moves outcomes forward (and a delivery to churned); a repair deletes a row.
  hades::testing::execute(*db,
                          "UPDATE lead_outcomes SET outcome = 'delivery', outcome_at = ?, "
                          "updated_at = ? WHERE person_id = 'p3'",
                          {Value("2026-03-15T00:00:00Z"), Value("2026-03-16T00:00:00Z")});
  hades::testing::execute(*db,
                          "UPDATE lead_outcomes SET outcome = 'churned', outcome_at = ? WHERE "
                          "batch_id = 'HADES-20260201-001' AND person_id = 'p1'",
                          {Value("2026-06-01T00:00:00Z")});
  hades::testing::execute(*db, "UPDATE lead_outcomes SET updated_at = 'x'");  // no outcome change
  hades::testing::execute(*db, "DELETE FROM lead_outcomes WHERE person_id = 'p2'");
  BOOST_TEST(dump(*db, kBatchesFromSummary) == dump(*db, kBatchesByGroupBy));
  BOOST_TEST(dump(*db, kLagsFromSummary) == dump(*db, kLagsByGroupBy));
  BOOST_TEST(dump(*db, kLagsFromSummary) == "HADES-20260101-001|30|1|\nHADES-20260101-001|72|1|\n");
  // Applying again changes nothing.
  BOOST_TEST(domain::apply_outcome_summary_migrations(*db).ok());
  BOOST_TEST(dump(*db, kBatchesFromSummary) == dump(*db, kBatchesByGroupBy));
}

BOOST_AUTO_TEST_CASE(median_of_a_distribution) {
  BOOST_TEST(median_of({}) == -1);
  BOOST_TEST(median_of({{5, 1}}) == 5);
  BOOST_TEST(median_of({{1, 1}, {2, 1}, {9, 1}}) == 2);
  BOOST_TEST(median_of({{1, 2}, {9, 2}}) == 1);  // the lower middle of an even count
  BOOST_TEST(median_of({{1, 1}, {4, 5}, {9, 1}}) == 4);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the read endpoints ---------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(reads)

BOOST_AUTO_TEST_CASE(outcomes_count_every_lead_of_the_counted_batches) {
  Page p;
  for (int i = 0; i < 25; ++i) {
    char batch[32];
    std::snprintf(batch, sizeof batch, "HADES-202601%02d-001", i + 1);
    const std::string day = std::string(batch).substr(6, 8);
    const std::string exported =
        day.substr(0, 4) + "-" + day.substr(4, 2) + "-" + day.substr(6, 2) + "T06:00:00Z";
    insert_lead(*p.db, batch, 1, exported, "delivery", "2026-03-01T06:00:00Z");
    insert_lead(*p.db, batch, 2, exported, "appointment", "2026-02-01T06:00:00Z");
    insert_lead(*p.db, batch, 3, exported);
  }
  // Batches whose CSV never reached the dialer count nowhere (docs/export.md, "Batch states").
  insert_lead(*p.db, "HADES-20260126-001", 1, "2026-01-26T06:00:00Z", "", "", "8062", "abandoned");
  insert_lead(*p.db, "HADES-20260127-001", 1, "2026-01-27T06:00:00Z", "", "", "8062", "allocated");
  const auto [status, body] = p.get("/api/outcomes");
  BOOST_TEST(status == 200);
  const json& stages = body["funnel"]["stages"];
  BOOST_TEST(stages[0]["count"] == 75);
  BOOST_TEST(stages[1]["count"] == 50);
  BOOST_TEST(stages[2]["count"] == 50);
  BOOST_TEST(stages[3]["count"] == 25);
  BOOST_TEST(stages[3]["rate"].get<double>() == 25.0 / 75.0, boost::test_tools::tolerance(1e-12));
  // The 20 newest batches, newest first.
  BOOST_TEST(body["batches"].size() == 20u);
  BOOST_TEST(body["batches"][0]["batch_id"] == "HADES-20260125-001");
  BOOST_TEST(body["batches"][0]["leads"] == 3);
  BOOST_TEST(body["batches"][0]["deliveries"] == 1);
  BOOST_TEST(body["batches"][19]["batch_id"] == "HADES-20260106-001");
  // Lag: deliveries on 2026-03-01 of leads exported Jan 1..25: 35..59 days, median 47.
  BOOST_TEST(body["lag"]["deliveries"] == 25);
  BOOST_TEST(body["lag"]["median_days"] == 47);
  BOOST_TEST(body["lag"]["months"].size() == 1u);
  BOOST_TEST(body["lag"]["months"][0]["month"] == "2026-01");
  BOOST_TEST(body["batch_check"]["ran"] == false);  // no report yet
}

BOOST_AUTO_TEST_CASE(a_batch_lists_its_leads_and_names_their_industry) {
  Page p;
  insert_lead(*p.db, "HADES-20260101-001", 1, "2026-01-01T06:00:00Z", "delivery",
              "2026-02-01T06:00:00Z", "8062");
  auto [status, body] = p.get("/api/batch", {{"id", "HADES-20260101-001"}});
  BOOST_TEST(status == 200);
  BOOST_TEST(body["rows"].size() == 1u);
  BOOST_TEST(body["rows"][0]["industry"] == "General Medical and Surgical Hospitals");
  BOOST_TEST(body["rows"][0]["outcome"] == "delivery");
  // Arguments are values, never SQL.
  std::tie(status, body) = p.get("/api/batch", {{"id", "x' OR '1'='1"}});
  BOOST_TEST(status == 404);
  std::tie(status, body) = p.get("/api/batch");
  BOOST_TEST(status == 400);
}

BOOST_AUTO_TEST_CASE(the_indicator_follows_the_syncs_flag) {
  Page p;
  BOOST_TEST(p.get("/api/summary").second["flag"].is_null());
  hades::testing::execute(*p.db,
                          "INSERT INTO hades_flags (name, value, detail, updated_at) VALUES "
                          "('recalibration_available', 'true', '3 lead_outcomes rows advanced', "
                          "'2026-12-01T02:00:00Z')");
  const json flag = p.get("/api/summary").second["flag"];
  BOOST_TEST(flag["available"] == true);
  BOOST_TEST(flag["detail"] == "3 lead_outcomes rows advanced");
  hades::testing::execute(*p.db, "UPDATE hades_flags SET value = 'false'");
  BOOST_TEST(p.get("/api/summary").second["flag"]["available"] == false);
}

BOOST_AUTO_TEST_CASE(weights_are_icp_yaml_with_comments_and_industry_names) {
  Page p;
  const auto [status, body] = p.get("/api/weights");
  BOOST_TEST(status == 200);
  BOOST_TEST(body["sha256"] == shipped_icp_sha());
  const json& t = body["tables"];
  json sic_8062, sic_3531;
  for (const json& s : t["sic"]) {
    if (s["code"] == "8062") sic_8062 = s;
    if (s["code"] == "3531") sic_3531 = s;
  }
  BOOST_TEST(sic_8062["industry"] == "General Medical and Surgical Hospitals");
  BOOST_TEST(sic_8062["score"] == 33);
  BOOST_TEST(sic_8062["source"] == "icp.yaml");
  BOOST_TEST(sic_8062["comment"] == "N=133, rate=4.5%");
  BOOST_TEST(sic_3531["source"] == "default");  // a target code without its own score
  BOOST_TEST(sic_3531["score"] == 40);
  BOOST_TEST(t["sic"].size() == 25u);
  BOOST_TEST(t["employee_scale"][2]["comment"] == "1.0% delivery rate (was 100)");
  BOOST_TEST(t["weights"]["geography"][0]["component"] == "proximity");
  BOOST_TEST(t["weights"]["geography"][0]["weight"] == 0.40);
  BOOST_TEST(t["freshness"][1]["label"] == "Warm");
  BOOST_TEST(body["last_calibration"].is_null());
  BOOST_TEST(body["history"]["changes"].empty());
}

BOOST_AUTO_TEST_CASE(a_comment_the_weight_writer_rewrote_keeps_name_and_evidence_apart) {
  std::string text = hades::testing::read_file(shipped_icp());
  const std::string old_line =
      "\"8062\":  33    # General Medical Hospitals         (N=133, rate=4.5%)";
  const auto at = text.find(old_line);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  text.replace(at, old_line.size(),
               "\"8062\":  41    # General Medical Hospitals: 11.2% delivery rate, 412 leads, "
               "calibrated 2026-12-06, was 33");
  const auto view = parse_icp_view(text, "icp.yaml");
  BOOST_TEST_REQUIRE(view.ok(), view.status().to_string());
  // Named: a range-for over a member of a temporary would read it after it is destroyed.
  const json tables = json::parse(view->tables_json);
  for (const json& s : tables["sic"]) {
    if (s["code"] != "8062") continue;
    BOOST_TEST(s["industry"] == "General Medical and Surgical Hospitals");
    BOOST_TEST(s["score"] == 41);
    BOOST_TEST(s["source"] == "calibrated");
    BOOST_TEST(s["comment"] == "11.2% delivery rate, 412 leads, calibrated 2026-12-06, was 33");
  }
}

BOOST_AUTO_TEST_CASE(line_comments_ignore_hashes_inside_quotes) {
  BOOST_TEST(line_comment("  \"8062\":  33    # General Medical  ") == "General Medical");
  BOOST_TEST(line_comment("  name: \"a # b\"  # real") == "real");
  BOOST_TEST(line_comment("  url: http://x/#frag") == "");
  BOOST_TEST(line_comment("# whole line") == "whole line");
  BOOST_TEST(line_comment("key: value") == "");
}

BOOST_AUTO_TEST_CASE(the_report_is_sorted_by_the_size_of_the_change_with_bands_and_noise) {
  Page p;
  BOOST_TEST(p.get("/api/report").second["available"] == false);
  p.write_report(sample_report(shipped_icp_sha()));
  const auto [status, body] = p.get("/api/report");
  BOOST_TEST(status == 200);
  BOOST_TEST(body["icp_unchanged"] == true);
  BOOST_TEST(body["backtest"]["verdict"] == "suggested better");
  std::vector<std::string> order;
  for (const json& r : body["rows"]) order.push_back(r["item"]);
  // State is unscored: no row. Ties keep the report's order.
  const std::vector<std::string> expected = {"sic:unknown", "employee_tier:101-500", "sic:9999",
                                             "sic:8062", "employee_tier:50-100"};
  BOOST_TEST(order == expected, boost::test_tools::per_element());
  const json& r8062 = body["rows"][3];
  BOOST_TEST(r8062["label"] == "SIC 8062");
  BOOST_TEST(r8062["name"] == "General Medical and Surgical Hospitals");
  BOOST_TEST(r8062["delta"] == 8);
  BOOST_TEST(r8062["band"] == "moderate");
  BOOST_TEST(r8062["selectable"] == true);
  // The report's evidence, not a judgement of the page's own.
  BOOST_TEST(r8062["verdict"] == "supported");
  BOOST_TEST(r8062["within_noise"] == false);
  BOOST_TEST(r8062["suggested_low"] == 36.0);
  BOOST_TEST(r8062["suggested_high"] == 47.0);
  BOOST_TEST(body["rows"][2]["verdict"] == "within_noise");
  BOOST_TEST(body["rows"][2]["within_noise"] == true);
  // Rows of a report without evidence (an older calibrator) have no verdict and no tag.
  BOOST_TEST(body["rows"][0]["verdict"].is_null());
  BOOST_TEST(body["rows"][0]["within_noise"] == false);
  BOOST_TEST(body["rows"][0]["suggested_low"].is_null());
  BOOST_TEST(body["dimensions"][1]["p_value_holm"] == 0.4);
  BOOST_TEST(body["scoring_check"]["baseline"]["n"] == 3000);
  BOOST_TEST(body["rows"][0]["selectable"] == false);  // "unknown" has no place in icp.yaml
  BOOST_TEST(body["rows"][0]["band"] == "far");
  BOOST_TEST(body["rows"][2]["selectable"] == true);   // a new SIC code can be added
  BOOST_TEST(body["rows"][4]["selectable"] == false);  // no change
  BOOST_TEST(delta_band(5) == "close");
  BOOST_TEST(delta_band(-6) == "moderate");
  BOOST_TEST(delta_band(16) == "far");
  // A report made against another icp.yaml: the guard says so.
  p.write_report(sample_report(std::string(64, '0')));
  BOOST_TEST(p.get("/api/report").second["icp_unchanged"] == false);
  BOOST_TEST(p.get("/api/summary").second["report"]["icp_unchanged"] == false);
}

BOOST_AUTO_TEST_CASE(the_page_serves_its_files_and_every_endpoint) {
  Page p;
  BOOST_TEST(p.routes.assets.count("/") == 1u);
  BOOST_TEST(p.routes.assets["/"].first == "text/html; charset=utf-8");
  BOOST_TEST(p.routes.assets["/app.js"].first == "text/javascript; charset=utf-8");
  BOOST_TEST(p.routes.assets["/app.css"].second.find("font-family") != std::string::npos);
  // No inline script or style anywhere in the HTML: the CSP would refuse it.
  const std::string& html = p.routes.assets["/"].second;
  BOOST_TEST(html.find("<script>") == std::string::npos);
  BOOST_TEST(html.find("style=") == std::string::npos);
  BOOST_TEST(html.find("<style") == std::string::npos);
  BOOST_TEST(html.find("http") == std::string::npos);  // no CDN, no external link
  BOOST_TEST(p.routes.assets["/model.js"].first == "text/javascript; charset=utf-8");
  for (const char* path :
       {"/api/summary", "/api/weights", "/api/report", "/api/outcomes", "/api/model"}) {
    BOOST_TEST(p.get(path).first == 200, path);
  }
}

BOOST_AUTO_TEST_CASE(readme_lists_the_settings) {
  const auto missing =
      hades::testing::missing_readme_setting_rows("calibration_page", kPageSettings);
  BOOST_TEST(missing.empty(), "README rows that do not match: " << missing.size());
}

BOOST_AUTO_TEST_SUITE_END()

// ---- Apply and Roll back, against the fake writer ------------------------------------------

BOOST_AUTO_TEST_SUITE(changes)

BOOST_AUTO_TEST_CASE(preview_apply_and_roll_back_the_latest) {
  Page p;
  const std::string sha = shipped_icp_sha();
  p.write_report(sample_report(sha));
  const json items = {"sic:8062", "employee_tier:101-500"};

  auto [status, body] = p.post("/api/preview", {{"items", items}});
  BOOST_TEST(status == 200);
  BOOST_TEST(body["items"].size() == 2u);
  BOOST_TEST(body["diff"].get<std::string>().find("+  sic:8062: 2") != std::string::npos);
  BOOST_TEST(body["icp_sha256"] == sha);
  BOOST_TEST(p.weights->changes.empty());  // a preview writes nothing

  std::tie(status, body) = p.post(
      "/api/apply",
      {{"items", items}, {"icp_sha256", sha}, {"report_created_at", "2026-12-06T10:00:00Z"}});
  BOOST_TEST(status == 200);
  // The writer is handed the report, the items, the report's hash as guard, and who asked.
  BOOST_TEST(p.weights->calls.back() == "apply " + p.dir.file("reports/calibration-latest.json") +
                                            " sic:8062,employee_tier:101-500, " + sha + " ana");
  const std::int64_t id = body["change"]["id"];
  json history = p.get("/api/weights").second["history"]["changes"];
  BOOST_TEST(history.size() == 1u);
  BOOST_TEST(history[0]["applied_by"] == "ana");
  BOOST_TEST(history[0]["items"][0]["item"] == "sic:8062");

  std::tie(status, body) = p.post("/api/rollback", {{"change_id", id}});
  BOOST_TEST(status == 200);
  BOOST_TEST(body["change"]["kind"] == "rollback");
  BOOST_TEST(body["change"]["rolls_back"] == id);
  history = p.get("/api/weights").second["history"]["changes"];
  BOOST_TEST(history.size() == 2u);
  BOOST_TEST(history[1]["rolled_back"] == true);
  // The rollback is the latest now, and a rollback is not rolled back from the page.
  std::tie(status, body) = p.post("/api/rollback", {{"change_id", id}});
  BOOST_TEST(status == 409);
  BOOST_TEST(body["nothing_changed"] == true);
}

BOOST_AUTO_TEST_CASE(the_page_refuses_what_the_report_does_not_suggest) {
  Page p;
  const std::string sha = shipped_icp_sha();
  p.write_report(sample_report(sha));
  const auto apply = [&](const json& items, const std::string& created) {
    return p.post("/api/apply",
                  {{"items", items}, {"icp_sha256", sha}, {"report_created_at", created}});
  };
  // No place in icp.yaml, no change, not in the report, not a list: nothing reaches the writer.
  for (const json& items :
       {json{"sic:unknown"}, json{"employee_tier:50-100"}, json{"sic:1234"}, json{"state:MA"}}) {
    const auto [status, body] = apply(items, "2026-12-06T10:00:00Z");
    BOOST_TEST(status == 409, items.dump());
    BOOST_TEST(body["nothing_changed"] == true);
  }
  BOOST_TEST(apply(json::array(), "2026-12-06T10:00:00Z").first == 400);
  BOOST_TEST(apply(json{"sic:8062", "sic:8062"}, "2026-12-06T10:00:00Z").first == 400);
  BOOST_TEST(p.post("/api/apply", {{"items", {"sic:8062"}}}).first == 400);
  BOOST_TEST(p.routes.posts.at("/api/apply")(WebRequest{"POST", "/api/apply", {}, "not json", "a"})
                 .status == 400);
  // A report newer than the one the person reviewed.
  const auto [status, body] = apply(json{"sic:8062"}, "2026-12-05T10:00:00Z");
  BOOST_TEST(status == 409);
  BOOST_TEST(body["error"].get<std::string>().find("newer calibration report") !=
             std::string::npos);
  BOOST_TEST(p.weights->calls.empty());
}

BOOST_AUTO_TEST_CASE(a_failed_apply_says_why_and_that_nothing_changed) {
  Page p;
  const std::string sha = shipped_icp_sha();
  p.write_report(sample_report(sha));
  const json request = {
      {"items", {"sic:8062"}}, {"icp_sha256", sha}, {"report_created_at", "2026-12-06T10:00:00Z"}};
  // The guard: icp.yaml changed after the report.
  p.weights->icp_sha256 = std::string(64, 'f');
  auto [status, body] = p.post("/api/apply", request);
  BOOST_TEST(status == 409);
  BOOST_TEST(body["error"] == "icp.yaml changed since this report; recalibrate");
  BOOST_TEST(body["nothing_changed"] == true);
  // Another apply holds the lock; the disk fails.
  p.weights->icp_sha256 = sha;
  p.weights->fail_next = Status::locked("another change is being applied");
  std::tie(status, body) = p.post("/api/apply", request);
  BOOST_TEST(status == 409);
  BOOST_TEST(body["error"] == "another change is being applied");
  p.weights->fail_next = Status::io("disk full");
  std::tie(status, body) = p.post("/api/apply", request);
  BOOST_TEST(status == 500);
  BOOST_TEST(body["nothing_changed"] == true);
  BOOST_TEST(p.weights->changes.empty());
}

BOOST_AUTO_TEST_CASE(without_the_writer_the_report_still_shows_and_apply_says_why) {
  Page p;
  p.weights->available = Status::invalid_config("no weight_writer in this build");
  p.weights->fail_next = Status::invalid_config("no weight_writer in this build");
  p.write_report(sample_report(shipped_icp_sha()));
  const json report = p.get("/api/report").second;
  BOOST_TEST(report["available"] == true);
  BOOST_TEST(report["apply_available"] == false);
  BOOST_TEST(report["apply_unavailable_reason"] == "no weight_writer in this build");
  const auto [status, body] = p.post("/api/preview", {{"items", {"sic:8062"}}});
  BOOST_TEST(status == 409);
  BOOST_TEST(body["error"] == "no weight_writer in this build");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::calibration_page

namespace hades::calibration_page {
namespace {

// ---- The Model tab, against the fake writer ------------------------------------------------

// A model over the shipped icp.yaml's feature set with the given verdict, stored in `db`.
std::int64_t store_model(Database& db, std::string_view verdict) {
  const lead_model::LeadModel m =
      lead_model::testing::plain_model(*domain::load_icp_config(shipped_icp()), verdict);
  const auto id = lead_model::store_model(db, m, lead_model::model_to_json(m), "train",
                                          "models/model-20261206-060000.json");
  BOOST_TEST_REQUIRE(id.ok(), id.status().to_string());
  return *id;
}

// The shipped icp.yaml that approves model `id`, in `dir`.
std::string approving_icp(const TempDir& dir, std::int64_t id) {
  const std::string path = dir.file("icp-model.yaml");
  hades::testing::write_file(path, hades::testing::read_file(shipped_icp()) +
                                       "scoring_method:\n  use: model\n  model: \"" +
                                       std::to_string(id) + "\"\n");
  return path;
}

BOOST_AUTO_TEST_SUITE(model_tab)

BOOST_AUTO_TEST_CASE(without_a_model_the_tab_says_so_and_the_weights_score) {
  Page p;
  const auto [status, body] = p.get("/api/model");
  BOOST_TEST(status == 200);
  BOOST_TEST(body["available"] == false);
  BOOST_TEST(body["method"]["use"] == "weights");
  BOOST_TEST(body["method"]["scorer_now"] == "the weights");
  BOOST_TEST(body["revert"]["available"] == false);
}

BOOST_AUTO_TEST_CASE(a_usable_model_is_shown_previewed_and_approved) {
  Page p;
  const std::int64_t id = store_model(*p.db, "model better");
  auto [status, body] = p.get("/api/model");
  BOOST_TEST(status == 200);
  BOOST_TEST(body["available"] == true);
  BOOST_TEST(body["id"] == id);
  BOOST_TEST(body["usable"] == true);
  BOOST_TEST(body["file"] == "models/model-20261206-060000.json");
  BOOST_TEST(body["model"]["evaluation"]["verdict"] == "model better");
  BOOST_TEST(body["method"]["approves_this_model"] == false);
  BOOST_TEST(body["approve_available"] == true);

  std::tie(status, body) = p.post("/api/model/preview", {{"model_id", id}});
  BOOST_TEST(status == 200);
  BOOST_TEST(body["items"][0]["item"] == "scoring_method:use");
  BOOST_TEST(p.weights->calls.back() == "preview_method model " + std::to_string(id));

  const std::string sha = shipped_icp_sha();
  std::tie(status, body) = p.post("/api/model/approve", {{"model_id", id}, {"icp_sha256", sha}});
  BOOST_TEST(status == 200);
  BOOST_TEST(p.weights->calls.back() ==
             "set_method model " + std::to_string(id) + " " + sha + " ana");
  BOOST_TEST(body["change"]["items"][0]["after"] == "model " + std::to_string(id));
  // The history of the tab holds the change.
  const json history = p.get("/api/model").second["history"];
  BOOST_TEST_REQUIRE(history.size() == 1u);
  BOOST_TEST(history[0]["after"] == "model " + std::to_string(id));
}

BOOST_AUTO_TEST_CASE(approve_refuses_a_model_that_may_not_score_or_is_not_the_newest) {
  Page p;
  const std::int64_t old = store_model(*p.db, "model better");
  const std::int64_t newest = store_model(*p.db, "insufficient evidence");
  const std::string sha = shipped_icp_sha();
  const json body = p.get("/api/model").second;
  BOOST_TEST(body["usable"] == false);
  BOOST_TEST(body["unusable_reason"].get<std::string>().find("is not better than the weights") !=
             std::string::npos);
  auto [status, reply] = p.post("/api/model/approve", {{"model_id", newest}, {"icp_sha256", sha}});
  BOOST_TEST(status == 409);
  BOOST_TEST(reply["nothing_changed"] == true);
  std::tie(status, reply) = p.post("/api/model/approve", {{"model_id", old}, {"icp_sha256", sha}});
  BOOST_TEST(status == 409);
  BOOST_TEST(reply["error"].get<std::string>().find("is not the newest model") !=
             std::string::npos);
  BOOST_TEST(p.post("/api/model/approve", {{"model_id", "1"}}).first == 400);
  BOOST_TEST(p.post("/api/model/preview", json::object()).first == 400);
  BOOST_TEST(p.weights->calls.empty());
}

BOOST_AUTO_TEST_CASE(revert_rolls_back_the_approval_or_sets_the_weights) {
  TempDir dir;
  Page p(approving_icp(dir, 1));
  const std::int64_t id = store_model(*p.db, "model better");
  BOOST_TEST_REQUIRE(id == 1);
  json body = p.get("/api/model").second;
  BOOST_TEST(body["method"]["approves_this_model"] == true);
  BOOST_TEST(body["method"]["scorer_now"] == "the model lead_models id " + std::to_string(id));
  // The approval is the latest change: Revert rolls it back.
  const std::string sha = p.weights->icp_sha256;
  p.weights->changes.push_back(WeightChangeRecord{
      7,
      "2026-12-06T10:00:00Z",
      "ana",
      "apply",
      "lead_models id 1",
      sha,
      sha,
      {{"scoring_method:use", "scoring_method", "weights", "model " + std::to_string(id)}},
      std::nullopt,
      false,
      ""});
  body = p.get("/api/model").second;
  BOOST_TEST(body["revert"]["rollback_change"] == 7);
  auto [status, reply] = p.post("/api/model/revert", {{"icp_sha256", body["icp_sha256"]}});
  BOOST_TEST(status == 200);
  BOOST_TEST(p.weights->calls.back() == "rollback 7 ana");
  // A later weight change makes a rollback impossible: Revert sets the weights instead. (The
  // fake's file hash moved with its rollback; the real file here did not change.)
  p.weights->icp_sha256 = sha;
  p.weights->changes.push_back(WeightChangeRecord{9,
                                                  "2026-12-06T11:00:00Z",
                                                  "ana",
                                                  "apply",
                                                  "r.json",
                                                  sha,
                                                  sha,
                                                  {{"sic:8062", "p", "1", "2"}},
                                                  std::nullopt,
                                                  false,
                                                  ""});
  body = p.get("/api/model").second;
  BOOST_TEST(body["revert"]["set_weights"] == true);
  std::tie(status, reply) = p.post("/api/model/revert", {{"icp_sha256", body["icp_sha256"]}});
  BOOST_TEST(status == 200);
  BOOST_TEST(p.weights->calls.back() == "set_method weights " + sha + " ana");
  // A stale page is refused.
  std::tie(status, reply) = p.post("/api/model/revert", {{"icp_sha256", std::string(64, '0')}});
  BOOST_TEST(status == 409);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::calibration_page
