// Several different jobs started at the same moment on a SQLite file that does not exist yet:
// every one must succeed. Before the SQLite backend retried what SQLite's busy handler does not
// cover (switching the new file to WAL, reading while another process does), some failed with
// "database is locked", exit 1.
//
// Each job runs as `hades run` does, through run_cli(), in a process forked from this one and
// released at one instant, so that they really start together: started with exec, loading and
// dynamic linking spread them out enough to hide the race most of the time.
#define BOOST_TEST_MODULE first_start_test
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "cli.h"
#include "process.h"
#include "test_support.h"

namespace hades {
namespace {

constexpr int kJobs = 8;
constexpr int kRounds = 20;

// Job `i` of a round: every other one also runs the outcome tables' migrations, so that two
// components' migrations and plain table creation race each other.
std::string job_text(int i, const testing::TempDir& dir) {
  std::string text = "name: job" + std::to_string(i) + "\ndatabase: sqlite://" +
                     dir.file("db/hades.db") + "\nrejects_dir: " + dir.file("rejects") +
                     "\nsteps:\n";
  if (i % 2 == 0) text += "  - name: schema\n    task: {plugin: outcome_schema}\n";
  text += "  - name: load\n    source: {plugin: csv_source, with: {path: " + dir.file("in.csv") +
          "}}\n    sinks: [{plugin: turso_sink, with: {table: t" + std::to_string(i) +
          ", key: [id]}}]\n";
  return text;
}

// Forks a child that waits until `start`, runs `hades run <job>` in-process with its output in
// `log`, and exits with its code.
pid_t start_job(const std::string& job, const std::string& log,
                std::chrono::steady_clock::time_point start) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  std::this_thread::sleep_until(start);
  const char* argv[] = {"hades", "--plugin-path", std::getenv("HADES_PLUGIN_DIR"), "run",
                        job.c_str()};
  _exit(run_cli(5, argv));
}

BOOST_AUTO_TEST_CASE(eight_jobs_started_at_once_on_a_new_sqlite_file_all_succeed) {
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    testing::TempDir dir;
    testing::write_file(dir.file("in.csv"), "id,name\n1,a\n2,b\n3,c\n");
    std::vector<std::string> jobs;
    for (int i = 0; i < kJobs; ++i) {
      jobs.push_back(dir.file("job" + std::to_string(i) + ".yaml"));
      testing::write_file(jobs.back(), job_text(i, dir));
    }
    // Long enough for every fork to be done and waiting.
    const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    std::vector<pid_t> pids;
    for (int i = 0; i < kJobs; ++i) {
      pids.push_back(start_job(jobs[i], dir.file("job" + std::to_string(i) + ".log"), start));
    }
    for (int i = 0; i < kJobs; ++i) {
      int status = 0;
      waitpid(pids[i], &status, 0);
      const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (!ok) ++failures;
      BOOST_TEST(ok, "round " << round << ", job " << i << ": status " << status << "\n"
                              << testing::read_file(dir.file("job" + std::to_string(i) + ".log")));
    }
  }
  BOOST_TEST(failures == 0);
}

}  // namespace
}  // namespace hades
