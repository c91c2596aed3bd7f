// What a scheduler and a new user meet when things are wrong: every permanent failure exits with
// the code docs/exit-codes.md gives it, naming the path or plugin at fault, and no input crashes
// the process. Each case was tried as a user would before it was fixed (issue 13).
#define BOOST_TEST_MODULE hardening_e2e_test
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <string>

#include "process.h"
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
    args.insert(args.begin(), testing::hades_binary());
    return testing::run_process(args, dir.path(), env, 300, run_as);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = dir.file(name);
    fs::create_directories(fs::path(path).parent_path());
    testing::write_file(path, text);
    return path;
  }
  // A one-step job: csv_source `input` -> turso_sink, on `database`.
  std::string csv_job(const std::string& input, const std::string& database = "") const {
    return write("job.yaml", "name: load\ndatabase: " +
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
  BOOST_TEST(has(r.err, "--plugin-path " + cli.dir.file("nowhere") + " is not a directory"),
             r.err);
}

BOOST_AUTO_TEST_CASE(an_unknown_plugin_names_the_directories_searched) {
  Cli cli;
  const std::string job = cli.write(
      "job.yaml", "name: j\ndatabase: sqlite://h.db\nsteps:\n  - name: t\n"
                  "    task: {plugin: nosuch_task}\n");
  const ProcessResult r = cli.hades({"--plugin-path", cli.dir.path(), "validate", job});
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(has(r.err, "unknown plugin 'nosuch_task'"), r.err);
  BOOST_TEST(has(r.err, "searched " + cli.dir.path() + ", "), r.err);
  BOOST_TEST(has(r.err, "for hades_nosuch_task.so"), r.err);
}

}  // namespace
}  // namespace hades
