// The Score Calibration page in a real browser (Debian's chromium, driven by playwright-core:
// tests/browser/calibration_page.mjs) over a database filled by the real jobs, the whole loop:
//   the Zoho simulator with a generated org -> jobs/import_historical.yaml -> jobs/calibrate.yaml
//   -> jobs/export_leads.yaml (one batch) -> the simulator produces outcomes for that batch
//   (tools/zoho_sim/produce_outcomes.py) -> jobs/sync_outcomes.yaml -> jobs/calibrate.yaml
// with `hades serve` running throughout. Each tab's content is checked against the database and
// the report; the indicator against the sync's flag; a POST without the CSRF token gets 403.
// Screenshots of each tab land in <build>/screenshots/.
#define BOOST_TEST_MODULE calibration_page_browser_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "leads/icp_config.h"
#include "serve_process.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Process;
using testing::ProcessResult;
using testing::ServeProcess;
using testing::TempDir;

void require_success(const ProcessResult& r, const std::string& what) {
  BOOST_TEST_REQUIRE(r.exit_code == 0, what << " exited " << r.exit_code << ":\n"
                                            << r.out << r.err);
}

std::string npm_dir() { return testing::source_dir() + "/.deps/npm"; }

// The job database, opened by this test with the sqlite3 CLI's sibling: hades' own backend.
class Sql {
 public:
  explicit Sql(std::string path) : path_(std::move(path)) {}
  std::string value(const std::string& sql) const {
    const ProcessResult r = testing::run_process({"/usr/bin/sqlite3", path_, sql}, "/");
    BOOST_TEST_REQUIRE(r.exit_code == 0, sql << ": " << r.err);
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }
  long long number(const std::string& sql) const { return std::stoll(value(sql)); }

 private:
  std::string path_;
};

// The loop, run once for the whole module; the indicator is read at three moments of it.
struct Loop {
  TempDir dir;
  json truth;
  std::unique_ptr<Process> sim;
  std::string sim_url;
  std::unique_ptr<ServeProcess> serve;
  std::string page_url;
  std::string shots = testing::build_dir() + "/screenshots";
  Sql sql{dir.file("hades.db")};
  json flag_before_sync, flag_after_sync, flag_after_calibration;
  json produced;

  Loop() {
    BOOST_TEST_REQUIRE(fs::exists(npm_dir() + "/node_modules/playwright-core"),
                       "no playwright-core in " << npm_dir() << ": run tools/test (setup.sh)");
    BOOST_TEST_REQUIRE(fs::exists("/usr/bin/chromium"),
                       "no /usr/bin/chromium: tools/test installs it");
    fs::create_directories(shots);
    fs::copy_file(testing::source_dir() + "/config/icp.yaml", dir.file("icp.yaml"));
    start_simulator();
    run_job("import_historical", {});
    run_job("calibrate", {"--set", "report_dir=" + dir.file("reports")});
    export_batch();
    serve = std::make_unique<ServeProcess>(
        std::vector<std::string>{},
        std::vector<std::string>{"--database", "sqlite://" + dir.file("hades.db"), "--reports",
                                 dir.file("reports"), "--icp", dir.file("icp.yaml")},
        dir.path());
    page_url = serve->url("/calibration/");
    flag_before_sync = browse({"flag"});
    produce_outcomes();
    // The sync flags outcomes newer than the last calibration by whole-second timestamps: the
    // steps so far may all fit in the calibration's second.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    run_job("sync_outcomes", {});
    flag_after_sync = browse({"flag"});
    // The new batch counts at once (matured_days 0): the report covers the synced outcomes. A
    // lead counts when exported strictly before the run's start, which has whole seconds.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    run_job("calibrate", {"--set", "report_dir=" + dir.file("reports"), "--set", "matured_days=0"});
    flag_after_calibration = browse({"flag"});
  }
  ~Loop() {
    if (sim) sim->send(SIGTERM);
  }

  std::map<std::string, std::string> env() const {
    const json& c = truth["credentials"];
    return {{"HADES_DB", "sqlite://" + dir.file("hades.db")},
            {"HADES_ICP", dir.file("icp.yaml")},
            {"ZOHO_ACCOUNTS_URL", sim_url},
            {"ZOHO_CLIENT_ID", c["client_id"].get<std::string>()},
            {"ZOHO_CLIENT_SECRET", c["client_secret"].get<std::string>()},
            {"ZOHO_REFRESH_TOKEN", c["refresh_token"].get<std::string>()}};
  }

  void start_simulator() {
    require_success(
        testing::run_process({"/usr/bin/python3", testing::source_dir() + "/tools/generate_crm.py",
                              "--out", dir.file("org.json"), "--truth", dir.file("truth.json")},
                             dir.path()),
        "generate_crm.py");
    truth = json::parse(testing::read_file(dir.file("truth.json")));
    const char* binary = std::getenv("ZOHO_SIM_BIN");
    BOOST_TEST_REQUIRE(binary != nullptr, "ZOHO_SIM_BIN is not set (run through ctest)");
    sim = std::make_unique<Process>(
        std::vector<std::string>{binary, "--data", dir.file("org.json"), "--port", "0",
                                 "--port-file", dir.file("sim.port")},
        dir.path());
    std::string port;
    for (int i = 0; i < 400 && port.empty(); ++i) {
      std::ifstream in(dir.file("sim.port"));
      std::getline(in, port);
      if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    BOOST_TEST_REQUIRE(!port.empty(), "zoho_sim wrote no port file");
    sim_url = "http://127.0.0.1:" + port;
  }

  void run_job(const std::string& job, std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::hades_binary(), "run",
                                     testing::source_dir() + "/jobs/" + job + ".yaml"};
    argv.insert(argv.end(), args.begin(), args.end());
    require_success(testing::run_process(argv, dir.path(), env()), job);
  }

  void export_batch() {
    require_success(testing::run_process(
                        {"/usr/bin/python3", testing::source_dir() + "/tools/generate_leads.py",
                         "--workflow", "intent", "--rows", "2000", "--seed", "11", "--as-of",
                         "2026-12-01", "--out", dir.file("leads.csv")},
                        dir.path()),
                    "generate_leads.py");
    run_job("export_leads", {"--set", "input=" + dir.file("leads.csv"), "--set",
                             "output_dir=" + dir.file("exports"), "--set", "as_of=2026-12-01",
                             "--set", "max_leads=400"});
  }

  void produce_outcomes() {
    std::string csv;
    for (const auto& entry : fs::directory_iterator(dir.file("exports"))) csv = entry.path();
    const ProcessResult r = testing::run_process(
        {"/usr/bin/python3", testing::source_dir() + "/tools/zoho_sim/produce_outcomes.py", "--sim",
         sim_url, "--csv", csv, "--exported-at",
         sql.value("SELECT min(exported_at) FROM lead_outcomes")},
        dir.path());
    require_success(r, "produce_outcomes.py");
    produced = json::parse(r.out);
  }

  // Runs calibration_page.mjs COMMAND page_url ARGS and returns what it printed.
  json browse(std::vector<std::string> args) const {
    std::vector<std::string> argv = {"/usr/bin/env", "node",
                                     testing::source_dir() + "/tests/browser/calibration_page.mjs",
                                     args.front(), page_url};
    argv.insert(argv.end(), args.begin() + 1, args.end());
    const ProcessResult r = testing::run_process(
        argv, dir.path(),
        {{"NODE_PATH", npm_dir() + "/node_modules"}, {"HADES_SCREENSHOTS", shots}}, 180);
    BOOST_TEST_REQUIRE(r.exit_code == 0, "calibration_page.mjs " << args.front() << ":\n" << r.err);
    return json::parse(r.out);
  }
};

const Loop& loop() {
  static const Loop kLoop;
  return kLoop;
}

std::string with_commas(long long n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

BOOST_AUTO_TEST_CASE(the_indicator_appears_after_a_sync_brings_outcomes) {
  const Loop& l = loop();
  BOOST_TEST(l.produced["delivery"].get<int>() > 0, l.produced.dump());
  BOOST_TEST(l.flag_before_sync["visible"] == false, l.flag_before_sync.dump());
  BOOST_TEST(l.flag_after_sync["visible"] == true, l.flag_after_sync.dump());
  const std::string detail =
      l.sql.value("SELECT detail FROM hades_flags WHERE name = 'recalibration_available'");
  // The sync's detail, its UTC time written as the page writes times.
  const std::string shown = std::regex_replace(
      detail, std::regex(R"((\d{4}-\d\d-\d\d)T(\d\d:\d\d)[\d:.]*Z)"), "$1 $2 UTC");
  BOOST_TEST(contains(l.flag_after_sync["text"], shown), l.flag_after_sync.dump());
  BOOST_TEST(contains(l.flag_after_sync["text"], "how to run it"));
  // The calibration after the sync counts those outcomes: no longer news.
  BOOST_TEST(l.flag_after_calibration["visible"] == false, l.flag_after_calibration.dump());
}

BOOST_AUTO_TEST_CASE(each_tab_shows_what_the_database_and_report_hold) {
  const Loop& l = loop();
  const json seen = l.browse({"read", l.shots});
  for (const char* shot : {"weights", "report", "outcomes", "model-none"}) {
    BOOST_TEST(fs::file_size(l.shots + "/calibration-" + shot + ".png") > 10'000u, shot);
  }
  // No model trained in this loop (one batch is far below the 500 outcomes training needs).
  BOOST_TEST(contains(seen["model"]["empty"], "No lead model trained yet"), seen["model"].dump());
  BOOST_TEST(contains(seen["model"]["notice"], "The scorer scores with icp.yaml's weights"));

  // Current weights: the last calibration_runs row, and icp.yaml's SIC table.
  const json& w = seen["weights"];
  const std::string facts = w["facts"];
  BOOST_TEST(
      contains(facts, with_commas(l.sql.number(
                          "SELECT data_volume FROM calibration_runs ORDER BY id DESC LIMIT 1"))),
      facts);
  BOOST_TEST(contains(facts, l.sql.value("SELECT replace(substr(created_at, 1, 16), 'T', ' ') "
                                         "FROM calibration_runs ORDER BY id DESC LIMIT 1")),
             facts);
  const auto icp = domain::load_icp_config(l.dir.file("icp.yaml"));
  BOOST_TEST_REQUIRE(icp.ok());
  BOOST_TEST(w["icp_sha"] == icp->sha256);
  std::map<std::string, std::string> shown_scores;
  for (const json& row : w["sic"]) shown_scores[row[0]] = row[2];
  for (const auto& [code, score] : icp->sic_scores) {
    BOOST_TEST(shown_scores[code] == std::to_string(score), code);
  }
  BOOST_TEST(w["sic"][0][1] == "Construction Machinery");  // the name from the comment
  BOOST_TEST(w["employee"].size() == icp->employee_scale.size());

  // Calibration report: the latest report's rows, largest change first, and its totals.
  const json report =
      json::parse(testing::read_file(l.dir.file("reports/calibration-latest.json")));
  std::vector<std::pair<long long, std::string>> expected;
  for (const json& d : report["dimensions"]) {
    if (!d["scored"].get<bool>()) continue;
    for (const json& b : d["buckets"]) {
      if (b["suggested_score"].is_null() || b["current_score"].is_null()) continue;
      expected.emplace_back(
          std::llabs(b["delta"].get<long long>()),
          d["dimension"].get<std::string>() + ":" + b["bucket"].get<std::string>());
    }
  }
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  const json& r = seen["report"];
  BOOST_TEST_REQUIRE(r["items"].size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST(r["items"][i] == expected[i].second, i);
  }
  // Each row's evidence as the report has it: the verdict's word and the suggestion's interval.
  std::map<std::string, json> evidence;
  for (const json& d : report["dimensions"]) {
    for (const json& b : d["buckets"]) {
      evidence[d["dimension"].get<std::string>() + ":" + b["bucket"].get<std::string>()] = b;
    }
  }
  BOOST_TEST_REQUIRE(r["notes"].size() == expected.size());
  for (const json& note : r["notes"]) {
    const json& b = evidence[note[0].get<std::string>()];
    const std::string text = note[1];
    BOOST_TEST(contains(text, "supported") == (b["verdict"] == "supported"), note.dump());
    BOOST_TEST(contains(text, "within noise") == (b["verdict"] == "within_noise"), note.dump());
    BOOST_TEST(note[2] == std::to_string(std::lround(b["suggested_low"].get<double>())) + "–" +
                              std::to_string(std::lround(b["suggested_high"].get<double>())),
               note.dump());
  }
  // Is the scoring working? One period (icp.yaml never changed), its workflows against the
  // baseline and its bands, as the report has them.
  const json& check = report["scoring_check"];
  BOOST_TEST(r["scoring_periods"] == check["periods"].size());
  const json& period = check["periods"][0];
  BOOST_TEST_REQUIRE(r["scoring_workflows"].size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const json& row = r["scoring_workflows"][i];
    BOOST_TEST(row[0] == period["workflows"][i]["workflow"]);
    BOOST_TEST(contains(row[1], with_commas(period["workflows"][i]["n"].get<long long>())),
               row.dump());
  }
  BOOST_TEST_REQUIRE(r["scoring_bands"].size() == 4u);
  BOOST_TEST(r["scoring_bands"][0][0] == "High");
  BOOST_TEST(
      contains(r["scoring_bands"][0][2], with_commas(period["bands"][0]["n"].get<long long>())));
  BOOST_TEST(r["stats"][0] == with_commas(report["baseline"]["n"].get<long long>()));
  BOOST_TEST(r["stats"][1] == with_commas(report["baseline"]["deliveries"].get<long long>()));
  BOOST_TEST(contains(r["guard"], "ok"));  // icp.yaml unchanged since the report
  // One batch gives the backtest no training window: the page says so, with the report's why.
  const json& backtest = report["backtest"];
  BOOST_TEST(
      contains(r["verdict"], backtest["ran"].get<bool>()
                                 ? backtest["verdict"].get<std::string>()
                                 : "not run: " + backtest["skipped_reason"].get<std::string>()),
      r["verdict"]);
  BOOST_TEST(r["apply_disabled"] == true);  // nothing selected (or no writer in this build)
  BOOST_TEST(r["apply_text_after_tick"] == "Apply 1 selected change");

  // Outcomes feed: the funnel and the batch as lead_outcomes has them.
  const json& o = seen["outcomes"];
  const std::string batch = l.sql.value("SELECT DISTINCT batch_id FROM lead_outcomes");
  const json want_funnel = {
      {"exported", with_commas(l.sql.number("SELECT count(*) FROM lead_outcomes"))},
      {"contacted",
       with_commas(l.sql.number("SELECT count(*) FROM lead_outcomes WHERE outcome IS NOT NULL"))},
      {"appointment", with_commas(l.sql.number(
                          "SELECT count(*) FROM lead_outcomes WHERE outcome IN ('appointment', "
                          "'delivery', 'churned')"))},
      {"delivery", with_commas(l.sql.number("SELECT count(*) FROM lead_outcomes WHERE outcome IN "
                                            "('delivery', 'churned')"))}};
  BOOST_TEST_REQUIRE(o["funnel"].size() == 4u);
  for (const json& stage : o["funnel"]) {
    BOOST_TEST(stage[1] == want_funnel[stage[0].get<std::string>()], stage.dump());
  }
  BOOST_TEST(l.sql.number("SELECT count(*) FROM lead_outcomes WHERE outcome = 'delivery'") > 0);
  BOOST_TEST_REQUIRE(o["batches"].size() == 1u);
  BOOST_TEST(o["batches"][0][0] == batch);
  BOOST_TEST(o["batches"][0][3] == with_commas(l.sql.number("SELECT count(*) FROM lead_outcomes")));
  BOOST_TEST(o["batch_leads"].size() ==
             static_cast<std::size_t>(l.sql.number("SELECT count(*) FROM lead_outcomes")));
  BOOST_TEST(o["batch_leads"][0][0] ==
             l.sql.value("SELECT company_name FROM lead_outcomes ORDER BY id LIMIT 1"));
}

BOOST_AUTO_TEST_CASE(a_post_without_the_csrf_token_gets_403) {
  const json statuses = loop().browse({"csrf"});
  BOOST_TEST(statuses["without_token"] == 403);
  BOOST_TEST(statuses["wrong_token"] == 403);
  // With the page's token the host lets it through to the page, which answers for itself.
  BOOST_TEST(statuses["with_token"] != 403);
}

// Every value the scorer reads from icp.yaml, one per line, SIC scores last.
std::string values_of(const domain::IcpConfig& c, const std::map<std::string, long long>& sic) {
  std::ostringstream out;
  out << c.intent_weights.signal_strength << c.intent_weights.onsite_likelihood
      << c.intent_weights.freshness << c.geography_weights.proximity
      << c.geography_weights.onsite_likelihood << c.geography_weights.authority
      << c.geography_weights.employee_scale << "\n";
  for (const auto& [name, score] : c.authority_scores) out << name << "=" << score << "\n";
  for (const auto& [name, score] : c.signal_strength_scores) out << name << "=" << score << "\n";
  for (const auto& t : c.freshness)
    out << t.name << "=" << t.max_days << "/" << t.multiplier << "\n";
  for (const auto& t : c.employee_scale) out << t.min << "-" << t.max << "=" << t.score << "\n";
  for (const auto& t : c.proximity) out << t.max_miles << "=" << t.score << "\n";
  out << "default=" << c.sic_default << "\n";
  for (const auto& [code, score] : sic) out << code << "=" << score << "\n";
  return out.str();
}

std::map<std::string, long long> sic_map(const domain::IcpConfig& c) {
  std::map<std::string, long long> out;
  for (const auto& [code, score] : c.sic_scores) out[code] = score;
  return out;
}

// Apply goes through the leads library's icp.yaml editing, as jobs/apply_weights.yaml does.
BOOST_AUTO_TEST_CASE(apply_two_rows_then_roll_back) {
  const Loop& l = loop();
  const std::string icp_path = l.dir.file("icp.yaml");
  const std::string before = testing::read_file(icp_path);
  const auto old_config = domain::parse_icp_config(before, icp_path);
  BOOST_TEST_REQUIRE(old_config.ok());
  // Two SIC rows the report suggests changing, both in icp.yaml already.
  const json report =
      json::parse(testing::read_file(l.dir.file("reports/calibration-latest.json")));
  std::map<std::string, long long> chosen;
  for (const json& d : report["dimensions"]) {
    if (d["dimension"] != "sic") continue;
    for (const json& b : d["buckets"]) {
      if (chosen.size() < 2 && b["in_icp"].get<bool>() && !b["delta"].is_null() &&
          b["delta"].get<long long>() != 0) {
        chosen[b["bucket"].get<std::string>()] = b["suggested_score"].get<long long>();
      }
    }
  }
  BOOST_TEST_REQUIRE(chosen.size() == 2u);
  std::vector<std::string> args = {"apply"};
  for (const auto& [code, score] : chosen) args.push_back("sic:" + code);
  const json applied = l.browse(args);
  BOOST_TEST(applied["apply_text"] == "Apply 2 selected changes");
  BOOST_TEST(applied["confirm_items"].size() == 2u);

  // icp.yaml changed by exactly those two values, as the scorer reads it.
  const auto new_config = domain::load_icp_config(icp_path);
  BOOST_TEST_REQUIRE(new_config.ok(), new_config.status().to_string());
  std::map<std::string, long long> want = sic_map(*old_config);
  for (const auto& [code, score] : chosen) want[code] = score;
  BOOST_TEST(values_of(*new_config, sic_map(*new_config)) == values_of(*old_config, want));
  BOOST_TEST(applied["history"].size() >= 1u);

  // Roll back restores it byte for byte.
  const json rolled = l.browse({"rollback"});
  BOOST_TEST(rolled["history"].size() >= 2u);
  BOOST_TEST(testing::read_file(icp_path) == before);
}

// The Model tab over a database of generated outcomes (tools/generate_outcomes.py, planted
// effects) on which jobs/train_model.yaml trained a model that beats the weights: the tab shows
// the model file's numbers, Approve writes scoring_method into icp.yaml through the weight writer
// (an icp_changes row), and Revert rolls that back to the original bytes.
struct ModelLoop {
  TempDir dir;
  std::string shots = testing::build_dir() + "/screenshots";
  Sql sql{dir.file("hades.db")};
  std::string icp = dir.file("icp.yaml");
  std::string icp_before;
  std::string trained;  // what train_model printed
  std::unique_ptr<ServeProcess> serve;

  ModelLoop() {
    fs::create_directories(shots);
    fs::copy_file(testing::source_dir() + "/config/icp.yaml", icp);
    icp_before = testing::read_file(icp);
    // Exports up to yesterday, so that the run's 90-day maturity leaves most of them counted.
    const ProcessResult generated = testing::run_process(
        {"/usr/bin/python3", testing::source_dir() + "/tools/generate_outcomes.py", "--db",
         dir.file("hades.db"), "--rows", "20000", "--seed", "5", "--as-of", yesterday()},
        dir.path());
    require_success(generated, "generate_outcomes.py");
    const ProcessResult r = testing::run_process(
        {testing::hades_binary(), "run", testing::source_dir() + "/jobs/train_model.yaml", "--set",
         "model_dir=" + dir.file("models")},
        dir.path(), env());
    require_success(r, "train_model");
    trained = r.out;
    serve = std::make_unique<ServeProcess>(
        std::vector<std::string>{},
        std::vector<std::string>{"--database", "sqlite://" + dir.file("hades.db"), "--reports",
                                 dir.file("reports"), "--icp", icp},
        dir.path());
  }

  static std::string yesterday() {
    const std::time_t t = std::time(nullptr) - 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
  }

  std::map<std::string, std::string> env() const {
    return {{"HADES_DB", "sqlite://" + dir.file("hades.db")}, {"HADES_ICP", icp}};
  }

  json browse(const std::string& command) const {
    const ProcessResult r = testing::run_process(
        {"/usr/bin/env", "node", testing::source_dir() + "/tests/browser/calibration_page.mjs",
         command, serve->url("/calibration/"), shots},
        dir.path(), {{"NODE_PATH", npm_dir() + "/node_modules"}}, 180);
    BOOST_TEST_REQUIRE(r.exit_code == 0, "calibration_page.mjs " << command << ":\n" << r.err);
    return json::parse(r.out);
  }
};

BOOST_AUTO_TEST_CASE(the_model_tab_compares_approves_and_reverts) {
  const ModelLoop l;
  BOOST_TEST_REQUIRE(contains(l.trained, "verdict: model better"), l.trained);
  const std::string id = l.sql.value("SELECT max(id) FROM lead_models");
  const json model =
      json::parse(l.sql.value("SELECT model_json FROM lead_models WHERE id = " + id));
  const json seen = l.browse("model");
  for (const char* shot : {"model", "model-approve", "model-approved"}) {
    BOOST_TEST(fs::file_size(l.shots + "/calibration-" + std::string(shot) + ".png") > 10'000u,
               shot);
  }

  // The numbers are the model file's, rounded as shown.
  const json& before = seen["before"];
  const json& e = model["evaluation"];
  const auto three = [](double x) {
    char text[16];
    std::snprintf(text, sizeof text, "%.3f", x);
    return std::string(text);
  };
  BOOST_TEST(before["stats"][0] == three(e["model"]["auc"].get<double>()));
  BOOST_TEST(before["stats"][1] == three(e["weights"]["auc"].get<double>()));
  BOOST_TEST(before["stats"][3] == with_commas(e["test_leads"].get<long long>()));
  BOOST_TEST(before["verdict"] == "model better");
  BOOST_TEST(contains(before["reason"], e["reason"].get<std::string>()));
  BOOST_TEST(before["comparison"].size() == 4u);
  BOOST_TEST(before["reliability"].size() == e["reliability"].size());
  BOOST_TEST(before["features"].size() == 6u);
  BOOST_TEST(before["approve_text"] == "Approve model " + id);
  BOOST_TEST(before["approve_disabled"] == false);
  BOOST_TEST(before["revert_disabled"] == true);
  BOOST_TEST(contains(before["notice"], "The scorer scores with icp.yaml's weights"));

  // Approve: the confirmation shows the diff; icp.yaml now names the model, audited.
  BOOST_TEST(contains(seen["approve"]["confirm"], "scoring_method"));
  BOOST_TEST(contains(seen["approve"]["flash"], "now scores with model " + id));
  const json& approved = seen["approved"];
  BOOST_TEST(contains(approved["notice"], "The scorer scores with model " + id + "."),
             approved["notice"]);
  BOOST_TEST(approved["approve_text"] == "Approved");
  BOOST_TEST(approved["revert_disabled"] == false);
  BOOST_TEST(contains(approved["history"], "weights → model " + id));

  // Revert: the approval rolled back, icp.yaml byte for byte as before; both audited.
  BOOST_TEST(contains(seen["revert"]["flash"], "scores with the weights again"));
  BOOST_TEST(contains(seen["reverted"]["notice"], "The scorer scores with icp.yaml's weights"));
  BOOST_TEST(testing::read_file(l.icp) == l.icp_before);
  BOOST_TEST(l.sql.number("SELECT count(*) FROM icp_changes") == 2);
  BOOST_TEST(l.sql.value("SELECT report_path FROM icp_changes WHERE kind = 'apply'") ==
             "lead_models id " + id);
}

}  // namespace
}  // namespace hades
