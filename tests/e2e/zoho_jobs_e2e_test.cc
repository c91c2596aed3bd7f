// The Zoho jobs (jobs/import_historical.yaml, jobs/sync_outcomes.yaml) on the real hades binary
// against the Zoho simulator (tools/zoho_sim, as a process on a free port) serving the org that
// tools/generate_crm.py plants, checked against the generator's truth file:
//   - the import gives exactly the planted VanillaSoft leads, deliveries and per-SIC counts, the
//     same table under every fault and all faults at once, and after a SIGKILL at any point;
//   - the sync puts every planted outcome on the right lead_outcomes rows, logs the planted
//     unmatched and ambiguous records, makes one call per module on a quiet night and changes
//     nothing, never moves an outcome backwards, and survives a SIGKILL.
#define BOOST_TEST_MODULE zoho_jobs_e2e_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "crm_text/crm_text.h"
#include "hades/http.h"
#include "leads/normalize.h"
#include "outcomes/outcome_tables.h"
#include "process.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

using nlohmann::json;
using testing::Process;
using testing::ProcessResult;
using testing::TempDir;
using testing::TestDatabase;

// The generated org and its truth, made once for the whole module.
struct Org {
  TempDir dir;
  json truth;
  Org() {
    const char* generator = std::getenv("ZOHO_SIM_GENERATOR");
    BOOST_TEST_REQUIRE(generator != nullptr, "ZOHO_SIM_GENERATOR is not set (run through ctest)");
    const ProcessResult gen =
        testing::run_process({"/usr/bin/python3", generator, "--out", dir.file("org.json"),
                              "--truth", dir.file("truth.json")},
                             dir.path());
    BOOST_TEST_REQUIRE(gen.exit_code == 0, gen.err);
    truth = json::parse(testing::read_file(dir.file("truth.json")));
  }
  std::string data() const { return dir.file("org.json"); }
};

const Org& org() {
  static const Org kOrg;
  return kOrg;
}

// zoho_sim as a process, with its request log.
class Sim {
 public:
  explicit Sim(const std::string& faults = "", int latency_ms = 0) {
    const char* binary = std::getenv("ZOHO_SIM_BIN");
    BOOST_TEST_REQUIRE(binary != nullptr, "ZOHO_SIM_BIN is not set (run through ctest)");
    std::vector<std::string> argv = {binary,
                                     "--data",
                                     org().data(),
                                     "--port",
                                     "0",
                                     "--port-file",
                                     dir_.file("port"),
                                     "--request-log",
                                     dir_.file("requests.jsonl"),
                                     "--latency-ms",
                                     std::to_string(latency_ms)};
    if (!faults.empty()) {
      argv.push_back("--faults");
      argv.push_back(faults);
    }
    process_ = std::make_unique<Process>(argv, dir_.path());
    std::string port;
    for (int i = 0; i < 400 && port.empty(); ++i) {
      std::ifstream in(dir_.file("port"));
      std::getline(in, port);
      if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    BOOST_TEST_REQUIRE(!port.empty(), "zoho_sim wrote no port file");
    url_ = "http://127.0.0.1:" + port;
  }
  ~Sim() { process_->send(SIGTERM); }

  const std::string& url() const { return url_; }

  // POST /__sim/<what> with a JSON body; returns the reply's JSON.
  json control(const std::string& what, const json& body) const {
    HttpRequest request;
    request.method = "POST";
    request.url = url_ + "/__sim/" + what;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body.dump();
    const Result<HttpResponse> reply = client_->send(request);
    BOOST_TEST_REQUIRE(reply.ok(), reply.status().to_string());
    BOOST_TEST_REQUIRE(reply->status == 200, what << ": " << reply->body);
    return json::parse(reply->body);
  }

  // API calls per module so far (token requests and /__sim/ calls are not API calls).
  std::map<std::string, int> api_calls() const {
    std::ifstream in(dir_.file("requests.jsonl"));
    std::map<std::string, int> calls;
    for (std::string line; std::getline(in, line);) {
      const json entry = json::parse(line);
      if (entry.value("api_call", false)) calls[entry.value("module", std::string("?"))] += 1;
    }
    return calls;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  std::string url_;
  std::unique_ptr<HttpClient> client_ = make_http_client();
};

// One job database and the runs of the two jobs against one simulator.
class Jobs {
 public:
  explicit Jobs(const Sim& sim) : sim_(sim), database_(dir_.path()) {}

  std::vector<std::string> args(const std::string& job, const std::string& chunk_size) const {
    return {testing::hades_binary(), "run", testing::source_dir() + "/jobs/" + job + ".yaml",
            "--set", "chunk_size=" + chunk_size};
  }
  std::map<std::string, std::string> env() const {
    std::map<std::string, std::string> env = database_.env();
    const json& creds = org().truth["credentials"];
    env["HADES_DB"] = database_.url();
    env["ZOHO_ACCOUNTS_URL"] = sim_.url();
    env["ZOHO_CLIENT_ID"] = creds["client_id"].get<std::string>();
    env["ZOHO_CLIENT_SECRET"] = creds["client_secret"].get<std::string>();
    env["ZOHO_REFRESH_TOKEN"] = creds["refresh_token"].get<std::string>();
    return env;
  }
  ProcessResult run(const std::string& job, const std::string& chunk_size = "2000") const {
    return testing::run_process(args(job, chunk_size), dir_.path(), env());
  }
  std::unique_ptr<Process> start(const std::string& job, const std::string& chunk_size) const {
    return std::make_unique<Process>(args(job, chunk_size), dir_.path(), env());
  }
  std::unique_ptr<Database> db() const { return database_.open(); }

 private:
  const Sim& sim_;
  TempDir dir_;
  TestDatabase database_;
};

std::vector<std::vector<Value>> rows_of(Database& db, const std::string& sql) {
  const Result<QueryResult> rows = db.query(sql);
  BOOST_TEST_REQUIRE(rows.ok(), rows.status().to_string() << " in " << sql);
  return rows->rows;
}

std::string text(Database& db, const std::string& sql) {
  std::string out;
  for (const auto& row : rows_of(db, sql)) {
    for (const Value& v : row) out += (is_null(v) ? "<null>" : to_text(v)) + "|";
    out += "\n";
  }
  return out;
}

std::string str(const json& v) {
  if (v.is_null()) return "<null>";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

// historical_outcomes without the run-time stamps, which differ between databases.
constexpr const char* kHistorical =
    "SELECT zoho_lead_id, company_name, sic_code, employee_count, zip_code, state, outcome, "
    "deal_created_at, delivery_at, zoho_deal_id, delivery_count, sic_raw, employees_raw, zip_raw, "
    "state_raw FROM historical_outcomes ORDER BY zoho_lead_id";

void require_success(const ProcessResult& r, const std::string& what) {
  BOOST_TEST_REQUIRE(r.exit_code == 0, what << " exited " << r.exit_code << " (signal " << r.signal
                                            << "):\n"
                                            << r.err);
}

// ---- the historical import ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(import_gives_exactly_the_planted_leads_and_deliveries) {
  const Sim sim;
  const Jobs jobs(sim);
  require_success(jobs.run("import_historical"), "import");
  auto db = jobs.db();
  const json& h = org().truth["historical"];

  BOOST_TEST(text(*db, "SELECT count(*) FROM historical_outcomes") ==
             std::to_string(h["vanillasoft_leads"].get<int>()) + "|\n");
  BOOST_TEST(text(*db, "SELECT outcome, count(*) FROM historical_outcomes GROUP BY 1 ORDER BY 1") ==
             "delivery|" + std::to_string(h["delivered"].get<int>()) + "|\nno_delivery|" +
                 std::to_string(h["no_delivery"].get<int>()) + "|\n");
  BOOST_TEST(text(*db,
                  "SELECT sum(delivery_count), sum(delivery_count >= 2) FROM "
                  "historical_outcomes") ==
             std::to_string(h["delivery_records"].get<int>()) + "|" +
                 std::to_string(h["leads_with_two_deliveries"].get<int>()) + "|\n");
  // Converted leads are in (Zoho hides them by default).
  BOOST_TEST(text(*db,
                  "SELECT count(*) FROM zoho_import_leads s JOIN historical_outcomes h "
                  "ON h.zoho_lead_id = s.id WHERE s.converted IN (1, 'true')") ==
             std::to_string(h["converted"].get<int>()) + "|\n");
  // No other source: staged look-alikes (COQL's = ignores case) are not imported.
  BOOST_TEST(text(*db,
                  "SELECT count(*) FROM historical_outcomes h JOIN zoho_import_leads s "
                  "ON h.zoho_lead_id = s.id WHERE s.lead_source IS NOT 'VanillaSoft'") == "0|\n");

  // Per SIC code, as the calibration reads them.
  std::string per_sic;
  for (const auto& [sic, counts] : h["per_sic"].items()) {
    per_sic += sic + "|" + str(counts["leads"]) + "|" + str(counts["delivered"]) + "|\n";
  }
  BOOST_TEST(text(*db,
                  "SELECT coalesce(sic_code, 'null'), count(*), "
                  "sum(outcome = 'delivery') FROM historical_outcomes GROUP BY 1 "
                  "ORDER BY 1") == per_sic);
  BOOST_TEST(h["per_sic"].size() == 23u);  // the 22 target codes and null

  // Every lead: outcome, deal, dates and values.
  std::map<std::string, std::vector<Value>> by_id;
  for (auto& row : rows_of(*db, kHistorical)) by_id[to_text(row[0])] = row;
  int checked = 0;
  for (const auto& [id, lead] : h["leads"].items()) {
    const auto found = by_id.find(id);
    BOOST_TEST_REQUIRE((found != by_id.end()), "lead " << id << " missing");
    const std::vector<Value>& r = found->second;
    const auto at = [&](std::size_t i) { return is_null(r[i]) ? "<null>" : to_text(r[i]); };
    BOOST_TEST(at(6) == str(lead["outcome"]), id);
    BOOST_TEST(at(9) == str(lead["deal_id"]), id);
    BOOST_TEST(at(8) == str(lead["delivery_at"]), id);
    const std::string created =
        lead["deal_created_at"].is_null()
            ? "<null>"
            : domain::to_utc_timestamp(lead["deal_created_at"].get<std::string>()).value_or("?");
    BOOST_TEST(at(7) == created, id);
    BOOST_TEST(at(11) == str(lead["sic_raw"]), id);
    BOOST_TEST(at(12) == str(lead["employees"]), id);
    BOOST_TEST(at(13) == str(lead["zip"]), id);
    BOOST_TEST(at(14) == str(lead["state"]), id);
    const std::string zip =
        lead["zip"].is_null()
            ? "<null>"
            : domain::normalize_zip(lead["zip"].get<std::string>()).value_or("<null>");
    BOOST_TEST(at(4) == zip, id);
    ++checked;
  }
  BOOST_TEST(checked == h["vanillasoft_leads"].get<int>());

  // A second run: nothing inserted, nothing updated, not even a time stamp.
  const std::string before = text(*db, "SELECT * FROM historical_outcomes ORDER BY id");
  const ProcessResult again = jobs.run("import_historical");
  require_success(again, "second import");
  BOOST_TEST(again.err.find(": 0 inserted, 0 updated, " +
                            std::to_string(h["vanillasoft_leads"].get<int>()) + " unchanged") !=
                 std::string::npos,
             again.err);
  BOOST_TEST(text(*db, "SELECT * FROM historical_outcomes ORDER BY id") == before);
}

BOOST_AUTO_TEST_CASE(import_under_every_fault_gives_the_same_table) {
  std::string expected;
  {
    const Sim sim;
    const Jobs jobs(sim);
    require_success(jobs.run("import_historical", "500"), "clean import");
    expected = text(*jobs.db(), kHistorical);
  }
  const std::vector<std::string> faults = {
      "token_expiry_every=2,seed=3",
      "storm401=2@2,seed=3",
      "burst429=3@2/4,seed=3",
      "http500=0.3,seed=3",
      "http502_html=0.3,seed=4",
      "http503_empty=0.3,seed=5",
      "reset=0.3,seed=6",
      "slow=0.3:300ms,seed=7",
      "modify_between_pages=1,seed=8",
      "concurrency=1,coql_concurrency=1,seed=9",
      "token_expiry_every=3,storm401=1@4,burst429=2@3/20,http500=0.1,http502_html=0.1,"
      "http503_empty=0.1,reset=0.1,slow=0.1:200ms,modify_between_pages=1,seed=11",
  };
  for (const std::string& spec : faults) {
    const Sim sim(spec);
    const Jobs jobs(sim);
    // As a scheduler does: exit 1 (a call failed max_attempts times) is retried, and the run
    // resumes from its last checkpoint.
    ProcessResult run;
    int attempts = 0;
    do {
      run = jobs.run("import_historical", "500");
      ++attempts;
    } while (run.exit_code == 1 && attempts < 5);
    BOOST_TEST(run.exit_code == 0, spec << ":\n" << run.err);
    BOOST_TEST_MESSAGE(spec << ": " << attempts << " run(s)");
    if (run.exit_code != 0) continue;
    BOOST_TEST(text(*jobs.db(), kHistorical) == expected, "faults " << spec);
  }
}

// The steps' progress as "step:status:chunks" for the kill points.
std::string progress(Database& db) {
  const Result<QueryResult> rows =
      db.query("SELECT step, status, checkpoint FROM hades_steps ORDER BY rowid DESC LIMIT 1");
  if (!rows.ok() || rows->rows.empty()) return "";
  const auto& r = rows->rows[0];
  const json cp = json::parse(to_text(r[2]), nullptr, false);
  const std::int64_t chunks = cp.is_object() ? cp.value("chunks", std::int64_t{0}) : 0;
  return to_text(r[0]) + ":" + to_text(r[1]) + ":" + std::to_string(chunks);
}

// Starts `job`, SIGKILLs it once `point` (a progress() prefix) shows, then runs it to the end.
// Returns whether the kill landed before the job ended.
bool kill_then_rerun(const Jobs& jobs, const std::string& job, const std::string& point) {
  auto victim = jobs.start(job, "500");
  auto db = jobs.db();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (victim->running() && std::chrono::steady_clock::now() < deadline &&
         !progress(*db).starts_with(point)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  victim->send(SIGKILL);
  const ProcessResult killed = victim->wait(30);
  BOOST_TEST_MESSAGE(job << ": killed at " << progress(*db) << " (wanted " << point << ")");
  require_success(jobs.run(job, "500"), job + " after SIGKILL at " + point);
  return killed.signal == SIGKILL;
}

BOOST_AUTO_TEST_CASE(import_killed_at_any_point_then_rerun_gives_the_same_table) {
  std::string expected;
  {
    const Sim sim;
    const Jobs jobs(sim);
    require_success(jobs.run("import_historical", "500"), "clean import");
    expected = text(*jobs.db(), kHistorical);
  }
  int killed = 0;
  // Leads come last, writing historical_outcomes chunk by chunk: killed between chunks.
  for (const std::string point : {"deals:running", "deliveries:running", "leads:running:1",
                                  "leads:running:4", "leads:running:6"}) {
    const Sim sim("", 150);
    const Jobs jobs(sim);
    killed += kill_then_rerun(jobs, "import_historical", point);
    BOOST_TEST(text(*jobs.db(), kHistorical) == expected, "killed at " << point);
  }
  BOOST_TEST(killed >= 4);
}

// ---- the outcome sync -----------------------------------------------------------------------

// lead_outcomes rows as the export wrote them for the truth's batches: person "row-N".
void export_batches(Database& db) {
  WriteBatch batch;
  for (const json& b : org().truth["hades"]["batches"]) {
    for (const json& row : b["rows"]) {
      batch.add(
          "INSERT INTO lead_outcomes (batch_id, person_id, company_name, company_id, "
          "exported_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          {Value(b["batch_id"].get<std::string>()),
           Value("row-" + std::to_string(row["row"].get<int>())),
           Value(row["company_name"].get<std::string>()),
           Value(row["company_id"].get<std::string>()), Value(std::string("2026-02-11T06:00:00Z")),
           Value(std::string("2026-02-11T06:00:00Z"))});
    }
  }
  const Status applied = db.apply(batch);
  BOOST_TEST_REQUIRE(applied.ok(), applied.to_string());
}

// The outcome tables as the export leaves them: migrated, with the truth's exported rows.
void prepare_sync(const Jobs& jobs) {
  auto db = jobs.db();
  const Status migrated = domain::apply_outcome_migrations(*db);
  BOOST_TEST_REQUIRE(migrated.ok(), migrated.to_string());
  export_batches(*db);
}

std::string sync_tables(Database& db) {
  return text(db,
              "SELECT batch_id, person_id, outcome, outcome_at, updated_at FROM lead_outcomes "
              "ORDER BY batch_id, person_id") +
         text(db,
              "SELECT module, zoho_id, batch_id, company, reason, detail, zoho_modified_at, "
              "first_seen_at, updated_at, resolved_at FROM unmatched_outcomes ORDER BY module, "
              "zoho_id") +
         text(db, "SELECT name, value, detail, updated_at FROM hades_flags");
}

// Checks every planted outcome against lead_outcomes.
void check_planted_outcomes(Database& db) {
  std::map<std::pair<std::string, std::string>, std::vector<std::vector<Value>>> rows;
  for (auto& r : rows_of(db,
                         "SELECT batch_id, company_id, outcome, outcome_at FROM "
                         "lead_outcomes")) {
    rows[{to_text(r[0]), to_text(r[1])}].push_back(r);
  }
  int with_outcome = 0;
  for (const json& e : org().truth["hades"]["expected"]) {
    const auto key =
        std::make_pair(e["batch_id"].get<std::string>(), e["company_id"].get<std::string>());
    BOOST_TEST_REQUIRE(rows.count(key) == 1u);
    const auto& company_rows = rows[key];
    for (const auto& r : company_rows) {
      const std::string outcome = is_null(r[2]) ? "<null>" : to_text(r[2]);
      BOOST_TEST(outcome == str(e["outcome"]), key.first << " " << key.second);
      if (e["outcome"].is_null()) continue;
      const std::string truth_at =
          domain::to_utc_timestamp(e["outcome_at"].get<std::string>()).value_or("?");
      // Several contacts of one company: the earliest of their records' times.
      if (company_rows.size() == 1) {
        BOOST_TEST(to_text(r[3]) == truth_at, key.first << " " << key.second);
      } else {
        BOOST_TEST(to_text(r[3]) <= truth_at, key.first << " " << key.second);
      }
    }
    with_outcome += !e["outcome"].is_null();
  }
  BOOST_TEST(with_outcome > 20);
}

std::string unmatched_truth() {
  std::set<std::string> lines;
  for (const json& u : org().truth["hades"]["unmatched"]) {
    lines.insert(u["module"].get<std::string>() + "|" + u["id"].get<std::string>() + "|" +
                 u["batch_id"].get<std::string>() + "|" + u["reason"].get<std::string>() + "|");
  }
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

BOOST_AUTO_TEST_CASE(sync_puts_every_planted_outcome_on_its_rows_and_logs_the_rest) {
  const Sim sim;
  const Jobs jobs(sim);
  prepare_sync(jobs);
  auto db = jobs.db();
  const ProcessResult night1 = jobs.run("sync_outcomes");
  require_success(night1, "night 1");
  check_planted_outcomes(*db);
  BOOST_TEST(text(*db,
                  "SELECT module, zoho_id, batch_id, reason FROM unmatched_outcomes WHERE "
                  "resolved_at IS NULL ORDER BY module || '|' || zoho_id || '|' || "
                  "batch_id || '|' || reason || '|'") == unmatched_truth());
  BOOST_TEST(text(*db,
                  "SELECT count(*) FROM unmatched_outcomes WHERE reason = 'ambiguous' AND "
                  "resolved_at IS NULL") ==
             std::to_string(org().truth["hades"]["batches"].size()) + "|\n");
  BOOST_TEST(text(*db, "SELECT value FROM hades_flags WHERE name = 'recalibration_available'") ==
             "true|\n");

  // A quiet night: one call per module, nothing changes.
  const std::string before = sync_tables(*db);
  const auto calls_before = sim.api_calls();
  require_success(jobs.run("sync_outcomes"), "quiet night");
  const auto calls_after = sim.api_calls();
  for (const char* module : {"Leads", "Deals", "Deliveries"}) {
    BOOST_TEST(calls_after.at(module) - calls_before.at(module) == 1, module);
  }
  BOOST_TEST(sync_tables(*db) == before);

  // Someone moves records back in Zoho; one delivery is removed (that is forward: churned).
  const json& expected = org().truth["hades"]["expected"];
  std::string moved_back_deal, moved_back_lead, removed_delivery, removed_company;
  for (const json& e : expected) {
    const std::string module =
        e["outcome"].is_null() ? "" : e["record"]["module"].get<std::string>();
    const std::string id = module.empty() ? "" : e["record"]["id"].get<std::string>();
    if (module == "Deals" && moved_back_deal.empty()) moved_back_deal = id;
    if (module == "Leads" && moved_back_lead.empty()) moved_back_lead = id;
    if (e["outcome"] == "delivery" && removed_delivery.empty()) {
      removed_delivery = id;
      removed_company = e["company_id"].get<std::string>();
    }
  }
  BOOST_TEST_REQUIRE(!moved_back_deal.empty());
  BOOST_TEST_REQUIRE(!moved_back_lead.empty());
  BOOST_TEST_REQUIRE(!removed_delivery.empty());
  sim.control(
      "modify",
      {{"module", "Deals"}, {"id", moved_back_deal}, {"fields", {{"Stage", "Qualification"}}}});
  sim.control("modify", {{"module", "Leads"},
                         {"id", moved_back_lead},
                         {"fields", {{"Lead_Status", "Not Contacted"}}}});
  const json removed = sim.control(
      "modify",
      {{"module", "Deliveries"}, {"id", removed_delivery}, {"fields", {{"Status", "Removed"}}}});
  const auto others = [&] {
    std::string out;
    const Result<QueryResult> rows = db->query(
        "SELECT id, outcome, outcome_at, updated_at FROM lead_outcomes WHERE company_id IS NOT ? "
        "ORDER BY id",
        {Value(removed_company)});
    BOOST_TEST_REQUIRE(rows.ok());
    for (const auto& row : rows->rows) {
      for (const Value& v : row) out += (is_null(v) ? "<null>" : to_text(v)) + "|";
      out += "\n";
    }
    return out;
  };
  const std::string others_before = others();
  require_success(jobs.run("sync_outcomes"), "night with changes");
  // The changes were read...
  BOOST_TEST(text(*db, "SELECT stage FROM zoho_sync_deals WHERE id = '" + moved_back_deal + "'") ==
             "Qualification|\n");
  BOOST_TEST(text(*db, "SELECT status FROM zoho_sync_leads WHERE id = '" + moved_back_lead + "'") ==
             "Not Contacted|\n");
  // ...nothing moved back, and the removed delivery's company is now churned.
  BOOST_TEST(others() == others_before);
  const Result<QueryResult> churned =
      db->query("SELECT outcome, outcome_at FROM lead_outcomes WHERE company_id = ?",
                {Value(removed_company)});
  BOOST_TEST_REQUIRE(churned.ok());
  BOOST_TEST(!churned->rows.empty());
  for (const auto& r : churned->rows) {
    BOOST_TEST(to_text(r[0]) == "churned");
    BOOST_TEST(to_text(r[1]) ==
               domain::to_utc_timestamp(removed["Modified_Time"].get<std::string>()).value_or("?"));
  }
}

BOOST_AUTO_TEST_CASE(sync_killed_at_any_point_then_rerun_gives_the_same_tables) {
  const auto final_tables = [](Database& db) {
    // updated_at and first_seen_at hold run start times, which differ between databases.
    return text(db,
                "SELECT batch_id, person_id, outcome, outcome_at FROM lead_outcomes ORDER BY "
                "batch_id, person_id") +
           text(db,
                "SELECT module, zoho_id, batch_id, company, reason, detail, resolved_at IS NULL "
                "FROM unmatched_outcomes ORDER BY module, zoho_id") +
           text(db, "SELECT name, value FROM hades_flags");
  };
  std::string expected;
  {
    const Sim sim;
    const Jobs jobs(sim);
    auto db = jobs.db();
    prepare_sync(jobs);
    require_success(jobs.run("sync_outcomes", "500"), "clean sync");
    expected = final_tables(*db);
  }
  int killed = 0;
  for (const std::string point :
       {"leads:running:0", "deals:running", "deliveries:running", "match:running"}) {
    const Sim sim("", 150);
    const Jobs jobs(sim);
    auto db = jobs.db();
    prepare_sync(jobs);
    killed += kill_then_rerun(jobs, "sync_outcomes", point);
    BOOST_TEST(final_tables(*db) == expected, "killed at " << point);
  }
  BOOST_TEST(killed >= 3);
}

}  // namespace
}  // namespace hades
