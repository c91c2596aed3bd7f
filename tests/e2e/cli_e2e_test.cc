// The command line as users and schedulers meet it: validate's file:line:col errors, plan,
// runs, state --reset, unlock, --set, --fresh, JSON logs, and secrets that never reach output.
// CTest runs it twice: on a SQLite file and, as cli_e2e_test_sqld, on a real sqld.
#define BOOST_TEST_MODULE cli_e2e_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "process.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

using testing::ProcessResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Cli {
  testing::TempDir dir;
  testing::TestDatabase database{dir.path()};
  ProcessResult hades(std::vector<std::string> args,
                      std::map<std::string, std::string> env = {}) const {
    args.insert(args.begin(),
                {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir()});
    env.merge(database.env());
    return testing::run_process(args, dir.path(), env);
  }
  testing::Process start(const std::string& job) const {
    return testing::Process(
        {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(), "run", job},
        dir.path(), database.env());
  }
  std::string write_job(const std::string& name, const std::string& yaml) const {
    const std::string path = dir.file(name);
    testing::write_file(path, yaml);
    return path;
  }
  std::string two_step_job() const {
    std::ostringstream csv;
    csv << "id,name\n";
    for (int i = 1; i <= 3000; ++i) csv << i << ",n" << i << "\n";
    testing::write_file(dir.file("in.csv"), csv.str());
    return write_job(
        "job.yaml",
        "name: two_steps\n"
        "database: " +
            database.url() +
            "\n"
            "params:\n  input: {default: " +
            dir.file("in.csv") +
            "}\n  table: first\n"
            "steps:\n"
            "  - name: first\n"
            "    source: {plugin: csv_source, with: {path: \"${param:input}\"}}\n"
            "    sinks: [{plugin: turso_sink, with: {table: \"${param:table}\", key: [id]}}]\n"
            "  - name: second\n"
            "    chunk_size: 100\n"
            "    source: {plugin: csv_source, with: {path: \"${param:input}\"}}\n"
            "    transforms: [{plugin: slow_transform, with: {sleep_ms: 30}}]\n"
            "    sinks: [{plugin: turso_sink, with: {table: second}}]\n");
  }
  // two_step_job(), run and killed with SIGKILL mid-run: an unfinished run to resume.
  std::string interrupted_two_step_job() const {
    const std::string job = two_step_job();
    testing::Process run = start(job);
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    BOOST_REQUIRE(run.running());
    run.send(SIGKILL);
    run.wait();
    return job;
  }
};

BOOST_AUTO_TEST_CASE(validate_reports_every_error_with_file_line_and_column) {
  Cli cli;
  const std::string job = cli.write_job("bad.yaml",
                                        "name: bad\n"
                                        "database: sqlite://x.db\n"
                                        "steps:\n"
                                        "  - name: load\n"
                                        "    sorce: {plugin: csv_source}\n"
                                        "    source: {plugin: csv_sourse, with: {path: a.csv}}\n"
                                        "    sinks: [{plugin: turso_sink, with: {tabel: t}}]\n");
  const ProcessResult r = cli.hades({"validate", job});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(has(r.err, job + ":5:5: unknown key 'sorce' in step 'load'; did you mean 'source'?"),
             r.err);
  BOOST_TEST(
      has(r.err,
          job + ":6:22: unknown plugin 'csv_sourse'; did you mean 'csv_source'? known plugins:"),
      r.err);
  BOOST_TEST(has(r.err, "csv_source"), r.err);
  BOOST_TEST(has(r.err, job + ":7:41: plugin 'turso_sink': unknown key 'tabel'"), r.err);
  BOOST_TEST(has(r.err, "did you mean 'table'?"), r.err);
}

BOOST_AUTO_TEST_CASE(every_shipped_job_validates_with_the_built_plugins) {
  // What a user gets from a fresh checkout: each file in jobs/ checks out against the plugins'
  // settings schemas, given the secrets the Zoho jobs read from the environment and, for the
  // export, an input file that exists (validate checks that it can be read; the default one is
  // made by tools/demo).
  const std::map<std::string, std::string> env = {
      {"ZOHO_CLIENT_ID", "id"}, {"ZOHO_CLIENT_SECRET", "secret"}, {"ZOHO_REFRESH_TOKEN", "token"}};
  testing::TempDir dir;
  testing::write_file(dir.file("leads.csv"), "person_id\n");
  const std::map<std::string, std::vector<std::string>> extra = {
      {"export_leads.yaml", {"--set", "input=" + dir.file("leads.csv")}}};
  int jobs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::source_dir() + "/jobs")) {
    if (entry.path().extension() != ".yaml") continue;
    ++jobs;
    std::vector<std::string> args = {testing::hades_binary(), "validate", entry.path().string()};
    if (const auto it = extra.find(entry.path().filename().string()); it != extra.end()) {
      args.insert(args.end(), it->second.begin(), it->second.end());
    }
    const ProcessResult r = testing::run_process(args, testing::source_dir(), env);
    BOOST_TEST(r.exit_code == 0, entry.path() << ": " << r.err);
    BOOST_TEST(has(r.out, ": OK ("), entry.path() << ": " << r.out);
  }
  BOOST_TEST(jobs >= 4);
}

// A CI job that lints job files has no Zoho secrets: one error per variable, or, with
// --allow-missing-env, everything else checked and the variables named. run still refuses.
BOOST_AUTO_TEST_CASE(validate_without_the_secrets) {
  const std::string job = testing::source_dir() + "/jobs/sync_outcomes.yaml";
  testing::TempDir dir;
  const std::map<std::string, std::string> env = {{"HADES_DB", "sqlite://" + dir.file("h.db")}};
  const ProcessResult strict =
      testing::run_process({testing::hades_binary(), "validate", job}, dir.path(), env);
  BOOST_TEST(strict.exit_code == 2, strict.err);
  for (const char* name : {"ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"}) {
    const std::string said = "environment variable " + std::string(name) + " is not set (used at ";
    const std::size_t first = strict.err.find(said);
    BOOST_TEST(first != std::string::npos, strict.err);
    BOOST_TEST(strict.err.find(said, first + 1) == std::string::npos, "once: " << strict.err);
  }
  const ProcessResult lenient = testing::run_process(
      {testing::hades_binary(), "validate", "--allow-missing-env", job}, dir.path(), env);
  BOOST_TEST(lenient.exit_code == 0, lenient.err);
  BOOST_TEST(has(lenient.out,
                 "OK (5 steps); not set, so not checked: ZOHO_CLIENT_ID, "
                 "ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN"),
             lenient.out);
  // Everything else is still checked: a bad parameter fails as it would with the secrets.
  const ProcessResult bad = testing::run_process(
      {testing::hades_binary(), "validate", "--allow-missing-env", job, "--set", "chunk_size=0"},
      dir.path(), env);
  BOOST_TEST(bad.exit_code == 2, bad.err);
  BOOST_TEST(has(bad.err, "--set chunk_size=0: parameter 'chunk_size' expected an integer"),
             bad.err);
  const ProcessResult run =
      testing::run_process({testing::hades_binary(), "run", job}, dir.path(), env);
  BOOST_TEST(run.exit_code == 2, run.err);
  BOOST_TEST(has(run.err, "environment variable ZOHO_CLIENT_ID is not set"), run.err);
  const ProcessResult no_such_option = testing::run_process(
      {testing::hades_binary(), "run", "--allow-missing-env", job}, dir.path(), env);
  BOOST_TEST(no_such_option.exit_code == 2, no_such_option.err);
}

BOOST_AUTO_TEST_CASE(a_good_job_validates_and_unknown_set_is_a_usage_error) {
  Cli cli;
  const std::string job = cli.two_step_job();
  const ProcessResult ok = cli.hades({"validate", job});
  BOOST_TEST(ok.exit_code == 0, ok.err);
  BOOST_TEST(has(ok.out, "OK (2 steps)"), ok.out);
  const ProcessResult bad = cli.hades({"validate", job, "--set", "inptu=x"});
  BOOST_TEST(bad.exit_code == 2);
  BOOST_TEST(has(bad.err, "did you mean 'input'?"), bad.err);
  BOOST_TEST(cli.hades({"frobnicate"}).exit_code == 2);
  BOOST_TEST(cli.hades({"run"}).exit_code == 2);
  for (const char* command :
       {"run", "validate", "plan", "plugins", "runs", "state", "unlock", "serve"}) {
    const ProcessResult help = cli.hades({command, "--help"});
    BOOST_TEST(help.exit_code == 0, command);
    BOOST_TEST(has(help.out, std::string("usage: hades ") + command), command << ": " << help.out);
  }
}

BOOST_AUTO_TEST_CASE(plan_shows_skips_resume_points_and_guarantees_and_state_resets_a_step) {
  Cli cli;
  const std::string job = cli.two_step_job();
  const ProcessResult fresh_plan = cli.hades({"plan", job});
  BOOST_TEST(fresh_plan.exit_code == 0, fresh_plan.err);
  BOOST_TEST(has(fresh_plan.out, "starts a new run"), fresh_plan.out);
  BOOST_TEST(has(fresh_plan.out, "guarantee: exactly-once"), fresh_plan.out);

  testing::Process run = cli.start(job);
  // Stop it during the slow second step: the first is then complete.
  for (int i = 0;
       i < 200 && cli.hades({"state", job}).out.find("step second: running") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  run.send(SIGKILL);
  run.wait();

  const ProcessResult plan = cli.hades({"plan", job});
  BOOST_TEST(has(plan.out, "resumes unfinished run 1"), plan.out);
  BOOST_TEST(has(plan.out, "step first: skip: completed in run 1"), plan.out);
  BOOST_TEST(has(plan.out, "step second: resume run 1 after chunk"), plan.out);

  const ProcessResult runs = cli.hades({"runs", job});
  BOOST_TEST(has(runs.out, "running"), runs.out);
  const ProcessResult reset = cli.hades({"state", job, "--reset", "second"});
  BOOST_TEST(reset.exit_code == 0, reset.err);
  BOOST_TEST(has(reset.out, "step second of run 1 will run from the start"), reset.out);
  BOOST_TEST(has(cli.hades({"plan", job}).out, "step second: run from the start"));

  const ProcessResult finished = cli.hades({"run", job});
  BOOST_TEST(finished.exit_code == 0, finished.err);
  auto db = cli.database.open();
  // The reset step ran again from the start; its earlier partial rows were rolled into the
  // reset run (insert mode), so the table has 3000 + the chunks committed before the reset.
  BOOST_TEST(as_int(db->query("SELECT count(DISTINCT id) FROM second")->rows[0][0]).value_or(0) ==
             3000);
  BOOST_TEST(as_int(db->query("SELECT count(*) FROM first")->rows[0][0]).value_or(0) == 3000);
  BOOST_TEST(has(cli.hades({"runs", job}).out, "succeeded"));
}

BOOST_AUTO_TEST_CASE(changed_parameters_do_not_silently_resume_and_fresh_abandons) {
  Cli cli;
  const std::string job = cli.interrupted_two_step_job();
  const ProcessResult other = cli.hades({"run", job, "--set", "table=elsewhere"});
  BOOST_TEST(other.exit_code == 2, other.err);
  BOOST_TEST(has(other.err, "started with other parameters"), other.err);
  BOOST_TEST(has(other.err, "--fresh"), other.err);
  const ProcessResult fresh = cli.hades({"run", job, "--set", "table=elsewhere", "--fresh"});
  BOOST_TEST(fresh.exit_code == 0, fresh.err);
  BOOST_TEST(has(cli.hades({"runs", job}).out, "abandoned"));
}

// The run remembers the job file it started with: an edited file does not resume it.
BOOST_AUTO_TEST_CASE(an_edited_job_file_does_not_silently_resume) {
  Cli cli;
  const std::string job = cli.interrupted_two_step_job();
  const std::string original = testing::read_file(job);
  testing::write_file(job, original + "# an edit\n");
  const ProcessResult edited = cli.hades({"run", job});
  BOOST_TEST(edited.exit_code == 2, edited.err);
  BOOST_TEST(has(edited.err, "was started with another version of " + job), edited.err);
  BOOST_TEST(has(edited.err, "--fresh"), edited.err);
  // `hades plan` tells the same before anything runs; with --fresh it plans a new run.
  const ProcessResult plan = cli.hades({"plan", job});
  BOOST_TEST(plan.exit_code == 2, plan.err);
  BOOST_TEST(has(plan.err, "was started with another version of " + job), plan.err);
  const ProcessResult fresh_plan = cli.hades({"plan", job, "--fresh"});
  BOOST_TEST(fresh_plan.exit_code == 0, fresh_plan.err);
  BOOST_TEST(has(fresh_plan.out, "starts a new run"), fresh_plan.out);
  // The file it started with resumes it.
  testing::write_file(job, original);
  const ProcessResult resumed = cli.hades({"run", job});
  BOOST_TEST(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(has(resumed.err, "resuming run 1"), resumed.err);
}

BOOST_AUTO_TEST_CASE(json_logs_are_one_object_per_line) {
  Cli cli;
  const ProcessResult r = cli.hades({"--log-format", "json", "run", cli.two_step_job()});
  BOOST_TEST(r.exit_code == 0, r.err);
  std::istringstream lines(r.err);
  int count = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto parsed = nlohmann::json::parse(line);  // throws (fails the test) if not JSON
    BOOST_TEST(parsed.contains("ts"));
    BOOST_TEST(parsed.contains("level"));
    BOOST_TEST(parsed.contains("msg"));
    ++count;
  }
  BOOST_TEST(count >= 3);
}

BOOST_AUTO_TEST_CASE(secrets_never_reach_logs_errors_or_summaries) {
  Cli cli;
  const std::string secret = "s3cr3t-T0KEN-value";
  const std::string job = cli.write_job(
      "secret.yaml",
      "name: secret\ndatabase: " + cli.database.url() +
          "\nsteps:\n  - name: call\n"
          "    task: {plugin: secret_echo_task, with: {token: \"${env:API_TOKEN}\"}}\n");
  for (const char* format : {"text", "json"}) {
    const ProcessResult r = cli.hades({"--log-format", format, "--log-level", "debug", "run", job,
                                       "--summary", cli.dir.file("summary.json")},
                                      {{"API_TOKEN", secret}});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(!has(r.err + r.out, secret), format << ": " << r.err);
    BOOST_TEST(has(r.err, "using token ***"), r.err);
    BOOST_TEST(has(r.err, "401 for token ***"), r.err);
    BOOST_TEST(!has(testing::read_file(cli.dir.file("summary.json")), secret));
  }
}

BOOST_AUTO_TEST_CASE(unlock_removes_a_stale_lock_and_refuses_a_live_one_without_force) {
  Cli cli;
  const std::string job = cli.two_step_job();
  BOOST_TEST(has(cli.hades({"unlock", job}).out, "is not locked"));
  {
    auto db = cli.database.open();
    WriteBatch batch;  // a lock left by a process on another machine
    batch.add(
        "INSERT INTO hades_locks (job, token, pid, host, pid_start, acquired_at) VALUES "
        "('two_steps', 'tok', 1, 'other-host', 1, '2026-01-01T00:00:00Z')");
    BOOST_REQUIRE(db->apply(batch).ok());
  }
  const ProcessResult blocked = cli.hades({"run", job});
  BOOST_TEST(blocked.exit_code == 3);
  BOOST_TEST(has(blocked.err, "pid 1 on host other-host"), blocked.err);
  const ProcessResult unlocked = cli.hades({"unlock", job});
  BOOST_TEST(unlocked.exit_code == 0, unlocked.err);
  BOOST_TEST(cli.hades({"run", job}).exit_code == 0);
}

}  // namespace
}  // namespace hades
