// What a scheduler and a new user meet when things are wrong: every permanent failure exits with
// the code docs/exit-codes.md gives it, naming the path or plugin at fault, and no input crashes
// the process. Each case was tried as a user would before it was fixed (issue 13).
#define BOOST_TEST_MODULE hardening_e2e_test
#include <sys/stat.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "process.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string plugin_dir() { return std::getenv("HADES_PLUGIN_DIR"); }

struct Cli {
  testing::TempDir dir;

  ProcessResult hades(std::vector<std::string> args, std::map<std::string, std::string> env = {},
                      testing::RunAs run_as = testing::RunAs::kCaller) const {
    args.insert(args.begin(), run_as == testing::RunAs::kUnprivileged ? installed_for_everyone()
                                                                      : testing::hades_binary());
    return testing::run_process(args, dir.path(), env, 300, run_as);
  }
  // hades and the two plugins these jobs use, copied where nobody can reach them: the build
  // tree may sit in a directory only its owner can enter (a clone in a mktemp -d), and an
  // unprivileged child must still find the binary and <bin>/../lib/hades/plugins.
  std::string installed_for_everyone() const {
    const fs::path root = fs::path(dir.path()) / "install";
    const fs::path binary = root / "bin" / "hades";
    if (fs::exists(binary)) return binary.string();
    const fs::path plugins = root / "lib" / "hades" / "plugins";
    fs::create_directories(binary.parent_path());
    fs::create_directories(plugins);
    fs::copy_file(testing::hades_binary(), binary);
    for (const char* name : {"hades_csv_source.so", "hades_turso_sink.so"}) {
      fs::copy_file(plugin_dir() + "/" + name, plugins / name);
    }
    for (const fs::path& p : {root, root / "bin", root / "lib", root / "lib" / "hades", plugins}) {
      fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                             fs::perms::others_read | fs::perms::others_exec);
    }
    return binary.string();
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = dir.file(name);
    fs::create_directories(fs::path(path).parent_path());
    testing::write_file(path, text);
    return path;
  }
  // A one-step job: csv_source `input` -> turso_sink, on `database`.
  std::string csv_job(const std::string& input, const std::string& database = "") const {
    return write("job.yaml",
                 "name: load\ndatabase: " +
                     (database.empty() ? "sqlite://" + dir.file("hades.db") : database) +
                     "\nsteps:\n  - name: load\n"
                     "    source: {plugin: csv_source, with: {path: \"" +
                     input +
                     "\"}}\n"
                     "    sinks: [{plugin: turso_sink, with: {table: t}}]\n");
  }
  // Lets a process run as nobody into the directory (and write there).
  void open_to_everyone() const { fs::permissions(dir.path(), fs::perms::all); }
};

// A plugin directory holding csv_source cut short inside its loadable segments.
struct TruncatedPluginDir {
  testing::TempDir dir;
  std::string path = dir.file("hades_csv_source.so");
  TruncatedPluginDir() {
    fs::copy_file(plugin_dir() + "/hades_csv_source.so", path);
    fs::resize_file(path, 20000);
  }
};

// ---- 3. plugins ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_truncated_plugin_is_refused_with_exit_4_naming_the_file) {
  Cli cli;
  const TruncatedPluginDir broken;
  const std::string job = cli.csv_job(cli.write("in.csv", "id\n1\n"));
  // Before: SIGBUS inside dlopen() for all three commands.
  const ProcessResult listed = cli.hades({"--plugin-path", broken.dir.path(), "plugins"});
  BOOST_TEST(listed.signal == 0);
  BOOST_TEST(listed.exit_code == 4, listed.out << listed.err);
  BOOST_TEST(has(listed.out, "csv_source  UNUSABLE: " + broken.path), listed.out);
  BOOST_TEST(has(listed.out, "truncated"), listed.out);
  for (const char* command : {"validate", "run"}) {
    const ProcessResult r = cli.hades({"--plugin-path", broken.dir.path(), command, job});
    BOOST_TEST(r.signal == 0, command);
    BOOST_TEST(r.exit_code == 4, command << ": " << r.err);
    BOOST_TEST(has(r.err, broken.path), command << ": " << r.err);
  }
}

BOOST_AUTO_TEST_CASE(a_plugin_path_that_does_not_exist_is_a_usage_error) {
  Cli cli;
  const ProcessResult r = cli.hades({"--plugin-path", cli.dir.file("nowhere"), "plugins"});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(has(r.err, "--plugin-path " + cli.dir.file("nowhere") + " is not a directory"), r.err);
}

BOOST_AUTO_TEST_CASE(an_unknown_plugin_names_the_directories_searched) {
  Cli cli;
  const std::string job = cli.write("job.yaml",
                                    "name: j\ndatabase: sqlite://h.db\nsteps:\n  - name: t\n"
                                    "    task: {plugin: nosuch_task}\n");
  const ProcessResult r = cli.hades({"--plugin-path", cli.dir.path(), "validate", job});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, "unknown plugin 'nosuch_task'"), r.err);
  BOOST_TEST(has(r.err, "searched " + cli.dir.path() + ", "), r.err);
  BOOST_TEST(has(r.err, "for hades_nosuch_task.so"), r.err);
}

// ---- 2. permanent failures exit 2 ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_missing_input_exits_2_naming_it_in_validate_and_run) {
  Cli cli;
  const std::string missing = cli.dir.file("nowhere/leads.csv");
  const std::string job = cli.csv_job(missing);
  for (const char* command : {"validate", "run"}) {
    const ProcessResult r = cli.hades({command, job});
    BOOST_TEST(r.exit_code == 2, command << ": " << r.err);
    BOOST_TEST(has(r.err, "csv_source: `path`: " + missing + " does not exist"),
               command << ": " << r.err);
  }
}

BOOST_AUTO_TEST_CASE(an_unreadable_input_exits_2_naming_it) {
  Cli cli;
  cli.open_to_everyone();
  const std::string input = cli.write("secret.csv", "id\n1\n");
  fs::permissions(input, fs::perms::none);
  const std::string job = cli.csv_job(input);
  const ProcessResult r = cli.hades({"run", job}, {}, testing::RunAs::kUnprivileged);
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, input + " is not readable"), r.err);
}

// A line feed never comes: the reader gives up at 64 MiB. The file says the same on every try.
BOOST_AUTO_TEST_CASE(a_64_mib_line_with_no_end_exits_2) {
  Cli cli;
  const std::string input = cli.dir.file("endless.csv");
  {
    std::ofstream out(input, std::ios::binary);
    out << "id\n";
    const std::string block(1 << 20, 'x');
    for (int i = 0; i < 65; ++i) out << block;
  }
  const ProcessResult r = cli.hades({"run", cli.csv_job(input)});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, input + ": the record starting on line 2 is longer than 67108864 bytes"),
             r.err);
}

BOOST_AUTO_TEST_CASE(a_database_in_a_read_only_directory_exits_2_naming_it) {
  Cli cli;
  cli.open_to_everyone();
  const std::string input = cli.write("in.csv", "id\n1\n");
  const std::string ro = cli.dir.file("ro");
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                          fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const std::string job = cli.csv_job(input, "sqlite://" + ro + "/hades.db");
  for (const char* command : {"validate", "run"}) {
    const ProcessResult r = cli.hades({command, job}, {}, testing::RunAs::kUnprivileged);
    BOOST_TEST(r.exit_code == 2, command << ": " << r.err);
    BOOST_TEST(has(r.err, "the SQLite database " + ro + "/hades.db: " + ro + " is not writable"),
               command << ": " << r.err);
  }
  // The same for a runs/state/unlock, which open the database without binding plugins.
  const ProcessResult runs = cli.hades({"runs", job}, {}, testing::RunAs::kUnprivileged);
  BOOST_TEST(runs.exit_code == 2, runs.err);
}

BOOST_AUTO_TEST_CASE(a_rejects_dir_that_is_a_file_exits_2_in_validate) {
  Cli cli;
  const std::string input = cli.write("in.csv", "id\n1\n");
  const std::string in_the_way = cli.write("rejects", "a file\n");
  const std::string job =
      cli.write("job.yaml", "name: load\ndatabase: sqlite://" + cli.dir.file("h.db") +
                                "\nrejects_dir: " + in_the_way +
                                "/x\nsteps:\n  - name: load\n"
                                "    source: {plugin: csv_source, with: {path: " +
                                input +
                                "}}\n"
                                "    sinks: [{plugin: turso_sink, with: {table: t}}]\n");
  const ProcessResult r = cli.hades({"validate", job});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, job + ":3:14: rejects_dir: " + in_the_way + " is not a directory"), r.err);
}

// jobs/export_leads.yaml over 50 generated leads, into `output_dir`, on the directory's database.
struct Export {
  Cli cli;
  Export() {
    const ProcessResult generated = testing::run_process(
        {"/usr/bin/python3", testing::source_dir() + "/tools/generate_leads.py", "--workflow",
         "intent", "--rows", "50", "--seed", "3", "--as-of", "2026-02-11", "--out",
         cli.dir.file("leads.csv")},
        cli.dir.path());
    BOOST_REQUIRE_MESSAGE(generated.exit_code == 0, generated.err);
  }
  ProcessResult hades(const std::string& command, const std::string& output_dir) const {
    return cli.hades({command, testing::source_dir() + "/jobs/export_leads.yaml", "--set",
                      "input=" + cli.dir.file("leads.csv"), "--set", "output_dir=" + output_dir},
                     {{"HADES_DB", "sqlite://" + cli.dir.file("hades.db")},
                      {"HADES_ICP", testing::source_dir() + "/config/icp.yaml"}});
  }
  std::string batches() const {
    auto db = open_sqlite_database(cli.dir.file("hades.db"));
    BOOST_REQUIRE(db.ok());
    auto rows = (*db)->query("SELECT count(*) FROM hades_batch_ids");
    return rows.ok() ? to_text(rows->rows.at(0).at(0)) : "no table";
  }
};

BOOST_AUTO_TEST_CASE(an_output_dir_that_is_a_file_exits_2_in_validate_and_run) {
  Export e;
  const std::string file = e.cli.write("exports", "not a directory\n");
  for (const char* command : {"validate", "run"}) {
    const ProcessResult r = e.hades(command, file);
    BOOST_TEST(r.exit_code == 2, command << ": " << r.err);
    BOOST_TEST(has(r.err, "vanillasoft_writer: `output_dir`: " + file + " is not a directory"),
               command << ": " << r.err);
  }
}

// A dangling symlink passes the factory's check (its parent is writable) and fails at open():
// the batch ID used to be taken in export_batch's open(), before the writer's, and was spent on
// an export that never had a file.
BOOST_AUTO_TEST_CASE(no_batch_id_is_taken_when_the_output_cannot_be_opened) {
  Export e;
  const std::string link = e.cli.dir.file("exports");
  fs::create_symlink(e.cli.dir.file("gone/away"), link);
  BOOST_TEST(e.hades("validate", link).exit_code == 0);
  const ProcessResult r = e.hades("run", link);
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, "vanillasoft_writer: cannot create " + link), r.err);
  BOOST_TEST(e.batches() == "0");
  // Once the directory is there, the run resumes and takes the day's first batch.
  fs::remove(link);
  const ProcessResult fixed = e.hades("run", link);
  BOOST_TEST(fixed.exit_code == 0, fixed.err);
  BOOST_TEST(e.batches() == "1");
}

// ---- 4. tokens from the environment ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_database_token_with_a_line_break_is_refused_unquoted) {
  Cli cli;
  const std::string job = cli.csv_job(cli.write("in.csv", "id\n1\n"), "http://127.0.0.1:9");
  const std::string token = "tok-4711\r\nX-Injected: yes";
  const ProcessResult r = cli.hades({"run", job}, {{"TURSO_AUTH_TOKEN", token}});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, "the database auth token in TURSO_AUTH_TOKEN contains a line break"),
             r.err);
  BOOST_TEST(!has(r.err + r.out, "tok-4711"), r.err);
  BOOST_TEST(!has(r.err + r.out, "X-Injected"), r.err);
}

// Reading /dev/zero to its end exhausted memory.
BOOST_AUTO_TEST_CASE(a_token_file_is_read_with_a_size_cap) {
  Cli cli;
  const std::string job = cli.csv_job(cli.write("in.csv", "id\n1\n"), "http://127.0.0.1:9");
  const ProcessResult r =
      testing::run_process({testing::hades_binary(), "run", job}, cli.dir.path(),
                           {{"HADES_DB_TOKEN_FILE", "/dev/zero"}}, 60);
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, "HADES_DB_TOKEN_FILE /dev/zero is larger than 65536 bytes"), r.err);
}

BOOST_AUTO_TEST_CASE(a_zoho_credential_with_a_line_break_is_refused_by_validate) {
  Cli cli;
  const ProcessResult r =
      cli.hades({"validate", testing::source_dir() + "/jobs/import_historical.yaml"},
                {{"ZOHO_CLIENT_ID", "1000.id"},
                 {"ZOHO_CLIENT_SECRET", "secret-4711"},
                 {"ZOHO_REFRESH_TOKEN", "1000.refresh-4711\r\nX-Injected: yes"},
                 {"HADES_DB", "sqlite://" + cli.dir.file("h.db")}});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, "`refresh_token` contains a space, a line break or another control"),
             r.err);
  BOOST_TEST(!has(r.err + r.out, "4711"), r.err);
}

// ---- 6. leftovers ----------------------------------------------------------------------------

// A job of one step, chunk_size 1: csv_source (3 rows, the second bad) -> staged_sink, which
// fails on chunk `${param:fail}`; the rejects and the staged file both go under the directory.
struct LeftoverJob {
  Cli cli;
  std::string job;
  explicit LeftoverJob(const std::string& database = "") {
    const std::string input = cli.write("in.csv", "id,name\n1,a\n2,b,extra\n3,c\n");
    fs::create_directory(cli.dir.file("out"));
    job = cli.write("job.yaml",
                    "name: leftovers\ndatabase: " +
                        (database.empty() ? "sqlite://" + cli.dir.file("hades.db") : database) +
                        "\nrejects_dir: " + cli.dir.file("rejects") +
                        "\nparams: {fail: 0}\nsteps:\n  - name: load\n    chunk_size: 1\n"
                        "    source: {plugin: csv_source, with: {path: " +
                        input +
                        "}}\n"
                        "    sinks: [{plugin: staged_sink, with: {dir: " +
                        cli.dir.file("out") + ", fail_on_chunk: \"${param:fail}\"}}]\n");
  }
  ProcessResult run(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--plugin-path", testing::test_plugin_dir(), "run", job});
    return cli.hades(args);
  }
  // Every file under the directory's `sub`, relative names, sorted.
  std::vector<std::string> files(const std::string& sub) const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(cli.dir.file(sub))) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), cli.dir.file(sub)).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string database_id(const std::string& db_path) {
  auto db = open_sqlite_database(db_path);
  BOOST_REQUIRE(db.ok());
  auto rows =
      (*db)->query("SELECT value FROM hades_run_values WHERE run_id = 0 AND key = 'database_id'");
  BOOST_REQUIRE(rows.ok());
  BOOST_REQUIRE(rows->rows.size() == 1u);
  return to_text(rows->rows[0][0]);
}

// A run abandoned with --fresh never resumes: its .partial files stayed forever.
BOOST_AUTO_TEST_CASE(fresh_removes_the_partial_files_of_the_abandoned_run) {
  const LeftoverJob j;
  const ProcessResult failed = j.run({"--set", "fail=3"});
  BOOST_TEST(failed.exit_code == 1, failed.err);
  const std::string id = database_id(j.cli.dir.file("hades.db"));
  BOOST_TEST(id.size() == 8u);
  BOOST_TEST((j.files("out") == std::vector<std::string>{"out-1.txt.partial"}));
  BOOST_TEST((j.files("rejects") ==
              std::vector<std::string>{"leftovers/load.run-1." + id + ".jsonl.partial"}));
  const ProcessResult fresh = j.run({"--fresh"});
  BOOST_TEST(fresh.exit_code == 0, fresh.err);
  BOOST_TEST(has(fresh.err, "run 1: removed " + j.cli.dir.file("out/out-1.txt.partial")),
             fresh.err);
  BOOST_TEST((j.files("out") == std::vector<std::string>{"out-2.txt"}));
  BOOST_TEST(
      (j.files("rejects") == std::vector<std::string>{"leftovers/load.run-2." + id + ".jsonl"}));
}

// Both databases number their first run 1: the rejects files used to share a name.
BOOST_AUTO_TEST_CASE(two_databases_runs_keep_their_own_rejects_files_in_one_directory) {
  const LeftoverJob a;
  const std::string other_db = a.cli.dir.file("other.db");
  // The same rejects_dir and output directory for both: run b's job file from a's directory.
  const std::string b_job = a.cli.write("job-b.yaml", [&] {
    std::string text = testing::read_file(a.job);
    const std::string from = "sqlite://" + a.cli.dir.file("hades.db");
    text.replace(text.find(from), from.size(), "sqlite://" + other_db);
    return text;
  }());
  BOOST_TEST(a.run({}).exit_code == 0);
  const ProcessResult second =
      a.cli.hades({"--plugin-path", testing::test_plugin_dir(), "run", b_job});
  BOOST_TEST(second.exit_code == 0, second.err);
  const std::string id_a = database_id(a.cli.dir.file("hades.db"));
  const std::string id_b = database_id(other_db);
  BOOST_TEST(id_a != id_b);
  BOOST_TEST((a.files("rejects") ==
              std::vector<std::string>{"leftovers/load.run-1." + std::min(id_a, id_b) + ".jsonl",
                                       "leftovers/load.run-1." + std::max(id_a, id_b) + ".jsonl"}));
}

// ---- 8. smaller ones -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_sqlite_url_with_a_query_string_is_refused_and_creates_nothing) {
  Cli cli;
  const std::string job =
      cli.csv_job(cli.write("in.csv", "id\n1\n"), "sqlite://" + cli.dir.file("u.db?key=k-4711"));
  for (const char* command : {"validate", "run"}) {
    const ProcessResult r = cli.hades({command, job});
    BOOST_TEST(r.exit_code == 2, command << ": " << r.err);
    BOOST_TEST(has(r.err, "must not have a query string"), r.err);
    BOOST_TEST(!has(r.err, "k-4711"), r.err);
  }
  for (const auto& entry : fs::directory_iterator(cli.dir.path())) {
    BOOST_TEST(!has(entry.path().filename().string(), "u.db"), entry.path());
  }
}

BOOST_AUTO_TEST_CASE(state_refuses_an_unknown_step_and_a_run_id_below_1) {
  Cli cli;
  const std::string job = cli.csv_job(cli.write("in.csv", "id\n1\n"));
  BOOST_REQUIRE_EQUAL(cli.hades({"run", job}).exit_code, 0);
  const ProcessResult reset = cli.hades({"state", job, "--reset", "lod"});
  BOOST_TEST(reset.exit_code == 2, reset.out << reset.err);
  BOOST_TEST(has(reset.err, "job 'load' has no step 'lod'; did you mean 'load'?"), reset.err);
  BOOST_TEST(!has(reset.out, "will run from the start"), reset.out);
  for (const char* id : {"-5", "0"}) {
    const ProcessResult run = cli.hades({"state", job, "--run", id});
    BOOST_TEST(run.exit_code == 2, id << ": " << run.out << run.err);
    BOOST_TEST(has(run.err, "--run must be 1 or more"), run.err);
  }
  BOOST_TEST(cli.hades({"runs", job, "--limit", "-1"}).exit_code == 2);
  BOOST_TEST(cli.hades({"state", job, "--run", "1"}).exit_code == 0);
}

// The summary was written after the run to a temporary file that stayed behind, and the run
// exited 0 without it.
BOOST_AUTO_TEST_CASE(a_summary_that_cannot_be_written_exits_2_before_the_run) {
  Cli cli;
  const std::string job = cli.csv_job(cli.write("in.csv", "id\n1\n"));
  fs::create_directory(cli.dir.file("a_directory"));
  for (const std::string flag : {"--summary", "--metrics"}) {
    const ProcessResult r = cli.hades({"run", job, flag, cli.dir.file("a_directory")});
    BOOST_TEST(r.exit_code == 2, flag << ": " << r.err);
    BOOST_TEST(has(r.err, flag + ": " + cli.dir.file("a_directory") + " is a directory"), r.err);
    BOOST_TEST(!has(r.err, "succeeded"), r.err);
  }
  BOOST_TEST(cli.hades({"runs", job}).out.find("succeeded") == std::string::npos);
  for (const auto& entry : fs::recursive_directory_iterator(cli.dir.path())) {
    BOOST_TEST(!has(entry.path().string(), ".tmp."), entry.path());
  }
}

}  // namespace
}  // namespace hades
