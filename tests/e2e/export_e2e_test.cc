// The export job (jobs/export_leads.yaml) on the real binary: the VanillaSoft CSV and
// lead_outcomes agree with each other and with the ranking; a run killed with SIGKILL at any
// point resumes to the same batch ID, a byte-identical CSV and identical lead_outcomes; two
// processes exporting at once never share a batch ID.
//
// With HADES_TEST_DATABASE=sqld (CTest's export_e2e_test_sqld) the job's database is a real sqld
// of its own, so batch IDs are allocated through Turso's batch transactions instead.
#define BOOST_TEST_MODULE export_e2e_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "process.h"
#include "sqlite_database.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using testing::on_sqld;
using testing::Process;
using testing::ProcessResult;
using testing::TestDatabase;
using Strings = std::vector<std::string>;

constexpr const char* kAsOf = "2026-02-11";

std::string query_text(Database& db, const std::string& sql) {
  const Result<QueryResult> rows = db.query(sql);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  std::string text;
  for (const auto& row : rows->rows) {
    for (const Value& v : row) text += (is_null(v) ? "<null>" : to_text(v)) + "|";
    text += "\n";
  }
  return text;
}

// Leads for the kill test: enough for a few dozen chunks in the export step.
// (sqld refuses a response past 10 MB, and outcomes() reads them all at once.)
int kill_test_rows() { return on_sqld() ? 8'000 : 50'000; }

// One export job directory: generated leads, its own database and output directory.
class ExportDir {
 public:
  ExportDir(const std::string& workflow, int rows) : workflow_(workflow), database_{dir_.path()} {
    const ProcessResult generated = testing::run_process(
        {"/usr/bin/python3", testing::source_dir() + "/tools/generate_leads.py", "--workflow",
         workflow, "--rows", std::to_string(rows), "--seed", "11", "--as-of", kAsOf, "--out",
         dir_.file("leads.csv")},
        dir_.path());
    BOOST_REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  }

  std::vector<std::string> args(const Strings& extra = {}) const {
    Strings args = {testing::hades_binary(),
                    "run",
                    testing::source_dir() + "/jobs/export_leads.yaml",
                    "--set",
                    "workflow=" + workflow_,
                    "--set",
                    "input=" + dir_.file("leads.csv"),
                    "--set",
                    "output_dir=" + dir_.file("out"),
                    "--set",
                    std::string("as_of=") + kAsOf};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::map<std::string, std::string> env() const {
    std::map<std::string, std::string> env = database_.env();
    env["HADES_DB"] = database_.url();
    env["HADES_ICP"] = icp_.empty() ? testing::source_dir() + "/config/icp.yaml" : icp_;
    return env;
  }
  // Scores with the icp.yaml at `path` instead of the shipped one.
  void use_icp(std::string path) { icp_ = std::move(path); }
  ProcessResult run(const Strings& extra = {}) const {
    return testing::run_process(args(extra), dir_.path(), env());
  }
  Process start() const { return Process(args(), dir_.path(), env()); }

  std::unique_ptr<Database> db() const { return database_.open(); }
  // The one published CSV of the output directory, or "" when there is none.
  std::string csv_path() const {
    std::string found;
    if (!fs::exists(dir_.file("out"))) return found;
    for (const auto& entry : fs::directory_iterator(dir_.file("out"))) {
      if (entry.path().extension() == ".csv") {
        BOOST_TEST(found.empty(), "two CSV files in " << dir_.file("out"));
        found = entry.path().string();
      }
    }
    return found;
  }
  // Bytes of the partial CSV being written, 0 when there is none yet.
  std::uintmax_t partial_size() const {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_.file("out"), ec)) {
      if (entry.path().string().ends_with(".csv.partial")) return entry.file_size(ec);
    }
    return 0;
  }
  // lead_outcomes in id order; exported_at and created_at, which hold the run's start time,
  // are checked against it and masked so that two runs compare equal.
  std::string outcomes() const {
    auto db = this->db();
    const std::string started = query_text(*db, "SELECT started_at FROM hades_runs");
    BOOST_TEST(query_text(*db,
                          "SELECT DISTINCT exported_at FROM lead_outcomes UNION "
                          "SELECT DISTINCT created_at FROM lead_outcomes") == started);
    return query_text(*db,
                      "SELECT id, batch_id, person_id, company_name, company_id, sic_code, "
                      "employee_count, distance_miles, zip_code, state, hades_score, "
                      "workflow_type, outcome, outcome_at, source_features, updated_at "
                      "FROM lead_outcomes ORDER BY id");
  }
  std::string batch_ids() const {
    return query_text(*db(), "SELECT batch_id FROM hades_batch_ids ORDER BY seq");
  }
  // Every partial CSV of the output directory.
  std::vector<std::string> partial_files() const {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_.file("out"), ec)) {
      if (entry.path().string().ends_with(".partial")) found.push_back(entry.path().string());
    }
    return found;
  }
  const testing::TempDir& dir() const { return dir_; }

 private:
  testing::TempDir dir_;
  std::string workflow_;
  TestDatabase database_;
  std::string icp_;  // "" for config/icp.yaml
};

// Rows of a CSV file as Python's csv module reads them.
std::vector<Strings> read_csv(const std::string& path) {
  const ProcessResult read = testing::run_process(
      {"/usr/bin/python3",
       testing::source_dir() + "/plugins/domain/vanillasoft_writer/tests/read_csv.py", path},
      fs::path(path).parent_path().string());
  BOOST_REQUIRE_MESSAGE(read.exit_code == 0, read.err);
  return nlohmann::json::parse(read.out).get<std::vector<Strings>>();
}

std::string today_batch_prefix(Database& db) {
  const std::string started = query_text(db, "SELECT started_at FROM hades_runs LIMIT 1");
  return "HADES-" + started.substr(0, 4) + started.substr(5, 2) + started.substr(8, 2) + "-";
}

BOOST_AUTO_TEST_CASE(the_csv_and_lead_outcomes_describe_the_same_ranked_batch) {
  ExportDir job("geography", 3000);
  const std::string summary_path = job.dir().file("summary.json");
  const ProcessResult r =
      job.run({"--set", "min_score=40", "--set", "max_leads=1200", "--summary", summary_path});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto db = job.db();
  const std::string batch_id = today_batch_prefix(*db) + "001";
  BOOST_TEST(job.batch_ids() == batch_id + "|\n");
  // Published with its file: its leads are the ones calibration counts.
  BOOST_TEST(query_text(*db, "SELECT state, output_file FROM hades_batch_ids") ==
             "published|" + job.csv_path() + "|\n");

  const std::vector<Strings> rows = read_csv(job.csv_path());
  BOOST_TEST(fs::path(job.csv_path()).filename().string().starts_with("HADES-geography-"));
  const auto outcomes = db->query(
      "SELECT batch_id, company_name, hades_score, workflow_type, source_features, zip_code "
      "FROM lead_outcomes ORDER BY id");
  BOOST_REQUIRE(outcomes.ok());
  // Leads scoring at least 40 are the ones that reach order_by (the scorer leaves the others out).
  const nlohmann::json summary = nlohmann::json::parse(testing::read_file(summary_path));
  const nlohmann::json& plugins = summary["steps"][1]["plugins"];
  BOOST_REQUIRE(plugins[2]["plugin"] == "order_by");
  const std::int64_t expected = std::min<std::int64_t>(1200, plugins[2]["in"].get<std::int64_t>());
  BOOST_TEST_MESSAGE(expected << " leads exported");
  BOOST_TEST(expected > 500);
  BOOST_REQUIRE(static_cast<std::int64_t>(outcomes->rows.size()) == expected);
  BOOST_REQUIRE(rows.size() == outcomes->rows.size() + 1);
  const Strings agents = {"agent1@example.com", "agent2@example.com", "agent3@example.com",
                          "agent4@example.com", "agent5@example.com"};
  std::int64_t previous_score = 100;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& outcome = outcomes->rows[i - 1];
    const std::int64_t score = *as_int(outcome[2]);
    BOOST_TEST_CONTEXT("row " << i) {
      BOOST_TEST(rows[i].size() == 31u);
      BOOST_TEST(to_text(outcome[0]) == batch_id);
      BOOST_TEST(to_text(outcome[3]) == "geography");
      BOOST_TEST(score >= 40);
      BOOST_TEST(score <= previous_score);  // best first
      BOOST_TEST(nlohmann::json::parse(to_text(outcome[4]))["score"] == score);
      BOOST_TEST(rows[i][18] == agents[(i - 1) % agents.size()]);  // Contact Owner
      BOOST_TEST(rows[i][30].starts_with("Batch: " + batch_id +
                                         " | Score: " + std::to_string(score) + " | Distance: "));
      BOOST_TEST(rows[i][16] == to_text(outcome[5]));  // ZIP as text, zeros kept
    }
    previous_score = score;
  }
}

// When the export is killed, relative to its ranking (order_by's barrier).
enum class KillWhen {
  kReading,  // as soon as the export step has started (its rejects file appears)
  kSorting,  // once order_by has spilled a sorted run: holding, sorting, not yet committed
  kWriting,  // after the barrier, once the partial CSV holds the given bytes
};

// True once order_by of run 1 has a sorted run on disk.
bool has_sorted_run(const ExportDir& victim) {
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(victim.dir().file("var/work"), ec)) {
    if (entry.path().extension() == ".sorted") return true;
  }
  return false;
}

// Starts `victim`'s export and kills it with SIGKILL at `when` (kWriting: once its partial CSV
// holds `kill_at_bytes`). Returns whether it was still running then: a kill after the end
// proves nothing.
bool start_and_kill(const ExportDir& victim, KillWhen when, std::uintmax_t kill_at_bytes = 0) {
  Process run = victim.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  // Named export.run-1.<database id>.jsonl.partial (docs/architecture.md, "Rejects").
  const auto rejects_started = [&] {
    std::error_code ec;
    for (const auto& entry :
         fs::directory_iterator(victim.dir().file("var/rejects/export_leads"), ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("export.run-1.") && name.ends_with(".jsonl.partial")) return true;
    }
    return false;
  };
  const auto reached = [&] {
    switch (when) {
      case KillWhen::kReading:
        return rejects_started();
      case KillWhen::kSorting:
        return has_sorted_run(victim);
      case KillWhen::kWriting:
        return victim.partial_size() >= kill_at_bytes;
    }
    return true;
  };
  while (!reached() && run.running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const bool was_running = run.running();
  BOOST_TEST_MESSAGE("killed with " << victim.partial_size() << " bytes in the partial CSV");
  run.send(SIGKILL);
  (void)run.wait();
  return was_running;
}

// About a third of the CSV: ranked, and some chunks of lead_outcomes committed.
std::uintmax_t a_third_of_the_csv() { return static_cast<std::uintmax_t>(kill_test_rows()) * 100; }

// Kills the export at `when`, then runs the job again and compares with `reference`.
void kill_and_resume(const ExportDir& reference, KillWhen when, std::uintmax_t kill_at_bytes = 0) {
  ExportDir victim("intent", kill_test_rows());
  const bool was_running = start_and_kill(victim, when, kill_at_bytes);
  BOOST_TEST_CONTEXT("killed " << static_cast<int>(when) << " at " << kill_at_bytes << " bytes") {
    BOOST_TEST(was_running);  // the kill must interrupt the run, or this proves nothing
    BOOST_TEST(victim.csv_path().empty());  // nothing published before the step completes
    // Before the barrier nothing of the step is committed: no lead_outcomes row yet.
    if (when != KillWhen::kWriting) {
      BOOST_TEST(query_text(*victim.db(), "SELECT count(*) FROM lead_outcomes") == "0|\n");
    }
    const std::string batch_before = victim.batch_ids();
    const ProcessResult resumed = victim.run();
    BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
    BOOST_TEST(resumed.err.find("resuming run 1") != std::string::npos, resumed.err);
    if (when == KillWhen::kWriting) BOOST_TEST(victim.batch_ids() == batch_before);
    BOOST_TEST(victim.batch_ids() == reference.batch_ids());
    BOOST_TEST(testing::read_file(victim.csv_path()) == testing::read_file(reference.csv_path()));
    BOOST_TEST(victim.outcomes() == reference.outcomes());
  }
}

BOOST_AUTO_TEST_CASE(sigkill_mid_export_resumes_to_the_uninterrupted_result) {
  ExportDir reference("intent", kill_test_rows());
  const ProcessResult clean = reference.run();
  BOOST_REQUIRE_MESSAGE(clean.exit_code == 0, clean.err);
  const std::uintmax_t size = fs::file_size(reference.csv_path());
  const std::string outcomes = reference.outcomes();
  BOOST_TEST(std::count(outcomes.begin(), outcomes.end(), '\n') > kill_test_rows() / 2);
  BOOST_TEST_MESSAGE("reference CSV: " << size << " bytes");
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> share(0.05, 0.95);
  kill_and_resume(reference, KillWhen::kReading);
  kill_and_resume(reference, KillWhen::kSorting);
  for (int trial = 0; trial < 3; ++trial) {
    kill_and_resume(reference, KillWhen::kWriting,
                    static_cast<std::uintmax_t>(share(rng) * static_cast<double>(size)));
  }
}

// Once ranked, the leads are what they were ranked as: icp.yaml edited while a run is stopped
// after its ranking does not mix two scorings in one batch. The resumed run finishes from the
// ranked records (scored once, before the barrier), byte for byte as if nothing had changed.
BOOST_AUTO_TEST_CASE(icp_yaml_edited_after_the_ranking_does_not_mix_two_scorings) {
  const std::string original = testing::read_file(testing::source_dir() + "/config/icp.yaml");
  ExportDir reference("intent", kill_test_rows());
  const std::string reference_icp = reference.dir().file("icp.yaml");
  testing::write_file(reference_icp, original);
  reference.use_icp(reference_icp);
  BOOST_REQUIRE(reference.run().exit_code == 0);

  ExportDir victim("intent", kill_test_rows());
  const std::string icp = victim.dir().file("icp.yaml");
  testing::write_file(icp, original);
  victim.use_icp(icp);
  BOOST_REQUIRE(start_and_kill(victim, KillWhen::kWriting, a_third_of_the_csv()));
  BOOST_REQUIRE(!victim.outcomes().empty());

  std::string edited = original;
  const std::string weights = "    signal_strength: 0.50\n    onsite_likelihood: 0.25\n";
  BOOST_REQUIRE(edited.find(weights) != std::string::npos);
  edited.replace(edited.find(weights), weights.size(),
                 "    signal_strength: 0.40\n    onsite_likelihood: 0.35\n");
  testing::write_file(icp, edited);
  const ProcessResult resumed = victim.run();
  BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(testing::read_file(victim.csv_path()) == testing::read_file(reference.csv_path()));
  BOOST_TEST(victim.outcomes() == reference.outcomes());
}

// A person_id on several rows of the input: the first row is exported, every later one is a
// reject naming its own line and the line it repeats; the summary counts them by kind with the
// other rows the export refuses (a control character, an intent date in the future).
BOOST_AUTO_TEST_CASE(duplicates_control_characters_and_future_dates_are_rejects_by_kind) {
  ExportDir job("intent", 200);
  const std::string path = job.dir().file("leads.csv");
  std::vector<std::string> lines;
  {
    std::istringstream in(testing::read_file(path));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  BOOST_REQUIRE(lines.size() > 50u);
  const auto field = [&](const std::string& line, std::size_t n) {
    std::vector<std::string> cells;
    std::istringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
    return cells.at(n);
  };
  BOOST_REQUIRE(field(lines[0], 23) == "intent_date");
  // Three plain rows (no quoting, a dated intent) to change: 0-based indexes into `lines`.
  std::vector<std::size_t> plain;
  for (std::size_t i = 1; i < lines.size() && plain.size() < 3; ++i) {
    if (lines[i].find('"') == std::string::npos && field(lines[i], 23).size() == 10 &&
        !field(lines[i], 3).empty()) {
      plain.push_back(i);
    }
  }
  BOOST_REQUIRE_EQUAL(plain.size(), 3u);
  // The first plain row again twice at the end, the second copy with another company, so that
  // the row exported shows which one won; the second gets a NUL, the third a date next year.
  const std::string repeated = lines[plain[0]];
  std::string other_company = repeated;
  const std::string company = field(repeated, 2);
  other_company.replace(other_company.find(company), company.size(), "Impostor Vending Ltd");
  std::string& control = lines[plain[1]];
  control.insert(control.find(field(control, 3)), std::string("Ann\0", 4));
  std::string& future = lines[plain[2]];
  const std::string date = field(future, 23);
  future.replace(future.find("," + date + ","), date.size() + 2, ",2027-06-01,");
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  text += repeated + "\n" + other_company + "\n";
  testing::write_file(path, text);
  const std::size_t first = lines.size() + 1;  // 1-based line of the first appended copy
  const auto at = [](std::size_t index) { return "leads.csv:" + std::to_string(index + 1); };

  const std::string summary_path = job.dir().file("summary.json");
  const ProcessResult r = job.run({"--summary", summary_path});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const nlohmann::json summary = nlohmann::json::parse(testing::read_file(summary_path));
  const nlohmann::json& kinds = summary["steps"][1]["rejected_by_kind"];
  BOOST_TEST(kinds["duplicate"] == 2);
  BOOST_TEST(kinds["control_character"] == 1);
  BOOST_TEST(kinds["future_intent_date"] == 1);

  auto db = job.db();
  const std::string person = field(repeated, 0);
  BOOST_TEST(query_text(*db, "SELECT company_name FROM lead_outcomes WHERE person_id = '" + person +
                                 "'") == company + "|\n");
  // Relative to the run's directory, as the job names it (rejects_dir: var/rejects).
  const std::string rejects =
      testing::read_file(job.dir().file(summary["steps"][1]["rejects_file"].get<std::string>()));
  for (std::size_t line : {first, first + 1}) {
    BOOST_TEST(rejects.find("\"position\":\"leads.csv:" + std::to_string(line) +
                            "\",\"reason\":\"duplicate: the same person_id as the record at " +
                            at(plain[0]) + "\"") != std::string::npos,
               rejects);
  }
  BOOST_TEST(rejects.find("\"position\":\"" + at(plain[1]) +
                          "\",\"reason\":\"first_name: "
                          "control character U+0000") != std::string::npos,
             rejects);
  BOOST_TEST(rejects.find("\"position\":\"" + at(plain[2]) +
                          "\",\"reason\":\"intent_date: "
                          "'2027-06-01' is") != std::string::npos,
             rejects);
  BOOST_TEST(rejects.find("\"kind\":\"control_character\"") != std::string::npos, rejects);
  BOOST_TEST(rejects.find("\"kind\":\"future_intent_date\"") != std::string::npos, rejects);
  BOOST_TEST(rejects.find("\"kind\":\"duplicate\"") != std::string::npos, rejects);
}

// The bytes a user gets, pinned: the CSV and lead_outcomes of one export per workflow on a
// generated input, against golden files (HADES_UPDATE_GOLDEN=1 rewrites them on purpose). The
// run's own batch ID, List Source date and export time are masked: they change every day.
std::string masked(std::string text, const std::string& batch_id, const std::string& exported_at,
                   const std::string& list_date) {
  for (const auto& [from, to] : {std::pair{batch_id, std::string("HADES-<day>-<seq>")},
                                 std::pair{exported_at, std::string("<exported_at>")},
                                 std::pair{list_date, std::string("<list date>")}}) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return text;
}

BOOST_AUTO_TEST_CASE(the_export_matches_its_golden_csv_and_lead_outcomes) {
  for (const char* workflow : {"intent", "geography"}) {
    BOOST_TEST_CONTEXT(workflow) {
      ExportDir job(workflow, 600);
      const ProcessResult r = job.run({"--set", "min_score=35", "--set", "max_leads=300"});
      BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      auto db = job.db();
      const std::string batch_id = query_text(*db, "SELECT batch_id FROM hades_batch_ids");
      const std::string exported_at = query_text(*db, "SELECT started_at FROM hades_runs");
      static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
      const std::string list_date = std::string(kMonths[std::stoi(exported_at.substr(5, 2)) - 1]) +
                                    " " + exported_at.substr(8, 2) + " " + exported_at.substr(0, 4);
      const auto mask = [&](const std::string& text) {
        return masked(text, batch_id.substr(0, batch_id.size() - 2),
                      exported_at.substr(0, exported_at.size() - 2), list_date);
      };
      const std::string csv = mask(testing::read_file(job.csv_path()));
      const std::string rows = mask(query_text(
          *db,
          "SELECT id, batch_id, person_id, company_name, company_id, sic_code, employee_count, "
          "distance_miles, zip_code, state, hades_score, scoring_rules, workflow_type, "
          "exported_at, outcome, source_features, created_at FROM lead_outcomes ORDER BY id"));
      const std::string golden = testing::source_dir() + "/tests/data/export_golden/" + workflow;
      if (std::getenv("HADES_UPDATE_GOLDEN") != nullptr) {
        testing::write_file(golden + ".csv", csv);
        testing::write_file(golden + ".lead_outcomes.txt", rows);
      }
      BOOST_TEST(csv.size() > 50000u);  // hundreds of leads, not an empty export
      BOOST_TEST(csv == testing::read_file(golden + ".csv"));
      BOOST_TEST(rows == testing::read_file(golden + ".lead_outcomes.txt"));
    }
  }
}

// What the calibrator reads of an intent lead is written to columns of its own (outcome_tables
// migration 5), equal to what source_features records, so the calibrator can scan them instead
// of parsing JSON (issue 19): every exported intent lead has its age_days, and no lead's columns
// disagree with its source_features. Geography leads have no age.
BOOST_AUTO_TEST_CASE(the_export_writes_the_calibration_columns_as_source_features_has_them) {
  for (const char* workflow : {"intent", "geography"}) {
    BOOST_TEST_CONTEXT(workflow) {
      ExportDir job(workflow, 400);
      const ProcessResult r = job.run();
      BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      auto db = job.db();
      const bool intent = std::string(workflow) == "intent";
      BOOST_TEST(query_text(*db,
                            "SELECT count(*) > 100, count(age_days) = count(*) FROM "
                            "lead_outcomes") == (intent ? "1|1|\n" : "1|0|\n"));
      const std::string disagree =
          query_text(*db,
                     "SELECT count(*) FROM lead_outcomes WHERE age_days IS NOT NULL AND ("
                     "age_days IS NOT json_extract(source_features, '$.components.age_days') OR "
                     "nullif(trim(intent_strength), '') IS NOT "
                     "trim(json_extract(source_features, '$.inputs.intent_strength')) OR "
                     "nullif(trim(intent_date), '') IS NOT trim(json_extract(source_features, "
                     "'$.inputs.intent_date')) OR "
                     "(typeof(intent_score) = 'integer') IS NOT "
                     "(json_type(source_features, '$.inputs.intent_score') = 'integer') OR "
                     "(typeof(intent_score) = 'integer' AND intent_score IS NOT "
                     "json_extract(source_features, '$.inputs.intent_score')))");
      BOOST_TEST(disagree == "0|\n");
      if (intent) {
        BOOST_TEST(query_text(*db,
                              "SELECT count(DISTINCT intent_strength) > 2, "
                              "count(intent_score) > 0 FROM lead_outcomes") == "1|1|\n");
      }
    }
  }
}

// `--fresh` after a killed export: the dead run's batch never reached the dialer, so it is marked
// abandoned (its rows kept for audit, counted nowhere) and its partial CSV removed.
BOOST_AUTO_TEST_CASE(fresh_after_a_killed_export_abandons_its_batch_and_partial_file) {
  ExportDir victim("intent", kill_test_rows());
  BOOST_REQUIRE(start_and_kill(victim, KillWhen::kWriting, a_third_of_the_csv()));
  auto db = victim.db();
  const std::string dead_batch = query_text(*db, "SELECT batch_id FROM hades_batch_ids");
  BOOST_TEST(query_text(*db, "SELECT state FROM hades_batch_ids") == "allocated|\n");
  BOOST_REQUIRE_EQUAL(victim.partial_files().size(), 1u);
  const std::string dead_rows = query_text(*db, "SELECT count(*) FROM lead_outcomes");
  BOOST_REQUIRE(dead_rows != "0|\n");

  const ProcessResult fresh = victim.run({"--fresh"});
  BOOST_REQUIRE_MESSAGE(fresh.exit_code == 0, fresh.err);
  BOOST_TEST(fresh.err.find("marked abandoned") != std::string::npos, fresh.err);
  BOOST_TEST(query_text(*db, "SELECT batch_id || ' ' || state FROM hades_batch_ids ORDER BY seq")
                 .starts_with(dead_batch.substr(0, dead_batch.size() - 2) + " abandoned|\n"));
  BOOST_TEST(query_text(*db, "SELECT count(*) FROM hades_batch_ids WHERE state = 'published'") ==
             "1|\n");
  BOOST_TEST(victim.partial_files().empty());
  BOOST_TEST(!victim.csv_path().empty());
  // Kept for audit, not deleted.
  BOOST_TEST(query_text(*db, "SELECT count(*) FROM lead_outcomes WHERE batch_id = '" +
                                 dead_batch.substr(0, dead_batch.size() - 2) + "'") == dead_rows);
}

BOOST_AUTO_TEST_SUITE(million)

// The nightly export's input size, every lead kept: ordered in bounded memory with spilled runs,
// then written; in the sanitizer build this is the one test that walks every path at scale.
BOOST_AUTO_TEST_CASE(a_million_leads_through_one_pipeline) {
  ExportDir job("intent", 1'000'000);
  const std::string summary_path = job.dir().file("summary.json");
  const ProcessResult r = job.run(
      {"--set", "max_leads=100000000", "--set", "skip_budget=100000", "--summary", summary_path});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const nlohmann::json summary = nlohmann::json::parse(testing::read_file(summary_path));
  const nlohmann::json& plugins = summary["steps"][1]["plugins"];
  BOOST_REQUIRE(plugins[2]["plugin"] == "order_by");
  const std::int64_t exported = plugins[2]["out"].get<std::int64_t>();
  BOOST_TEST(exported > 500'000);
  auto db = job.db();
  BOOST_TEST(query_text(*db,
                        "SELECT count(*), min(export_rank), max(export_rank) FROM "
                        "lead_outcomes") ==
             std::to_string(exported) + "|1|" + std::to_string(exported) + "|\n");
  // Best first all the way down, and one row per person.
  BOOST_TEST(query_text(*db,
                        "SELECT count(*) FROM lead_outcomes a JOIN lead_outcomes b ON "
                        "b.export_rank = a.export_rank + 1 WHERE b.hades_score > "
                        "a.hades_score") == "0|\n");
  BOOST_TEST(query_text(*db, "SELECT count(DISTINCT person_id) FROM lead_outcomes") ==
             std::to_string(exported) + "|\n");
  const std::vector<Strings> rows = read_csv(job.csv_path());
  BOOST_TEST(static_cast<std::int64_t>(rows.size()) == exported + 1);
}

BOOST_AUTO_TEST_SUITE_END()

// A job that allocates a batch ID and records it, nothing else.
std::string allocation_job(const std::string& name, const testing::TempDir& dir,
                           const std::string& database_url) {
  testing::write_file(dir.file("icp.yaml"), "call_center_agents: [a@x.example]\n");
  return "name: " + name + "\ndatabase: " + database_url + "\nrejects_dir: " + dir.file("rejects") +
         "\nsteps:\n"
         "  - name: schema\n    task: {plugin: outcome_schema}\n"
         "  - name: allocate\n"
         "    source:\n      plugin: sql_source\n"
         "      with: {query: \"SELECT 85 AS hades_score, 'p' || :run_id AS person_id, "
         "'Acme' AS company_name\", row_number: export_rank}\n"
         "    transforms: [{plugin: export_batch, with: {icp: " +
         dir.file("icp.yaml") +
         ", workflow: intent}}]\n"
         "    sinks: [{plugin: turso_sink, with: {table: allocated, key: [batch_id], columns: "
         "{batch_id: batch_id, person_id: person_id}}}]\n";
}

BOOST_AUTO_TEST_CASE(two_processes_exporting_at_once_get_100_distinct_batch_ids) {
  testing::TempDir dir;
  const TestDatabase database{dir.path()};
  std::vector<std::string> jobs;
  for (const char* name : {"export_a", "export_b"}) {
    jobs.push_back(dir.file(std::string(name) + ".yaml"));
    testing::write_file(jobs.back(), allocation_job(name, dir, database.url()));
  }
  std::vector<std::thread> loops;
  std::vector<int> failures(2, 0);
  for (std::size_t j = 0; j < 2; ++j) {
    loops.emplace_back([&, j] {
      for (int i = 0; i < 50; ++i) {
        const ProcessResult r = testing::run_process({testing::hades_binary(), "run", jobs[j]},
                                                     dir.path(), database.env());
        if (r.exit_code != 0) ++failures[j];
      }
    });
  }
  for (std::thread& t : loops) t.join();
  BOOST_TEST(failures == (std::vector<int>{0, 0}), boost::test_tools::per_element());
  auto db = database.open();
  BOOST_TEST(query_text(*db,
                        "SELECT count(*), count(DISTINCT batch_id), count(DISTINCT job || "
                        "run_id) FROM hades_batch_ids") == "100|100|100|\n");
  BOOST_TEST(query_text(*db, "SELECT count(DISTINCT batch_id) FROM allocated") == "100|\n");
  // Unless the test ran across midnight (UTC), the day's sequence is exactly 1..100.
  const std::string days = query_text(*db, "SELECT count(DISTINCT day) FROM hades_batch_ids");
  if (days == "1|\n") {
    BOOST_TEST(query_text(*db, "SELECT min(seq), max(seq) FROM hades_batch_ids") == "1|100|\n");
  }
}

}  // namespace
}  // namespace hades
