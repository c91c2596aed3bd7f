// process.h: running the real `hades` binary from tests, as a scheduler would.
//
// Child processes get their stdout and stderr in files, so tests can read everything a run
// printed after it ended or was killed.

#ifndef HADES_TESTS_SUPPORT_PROCESS_H_
#define HADES_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace hades::testing {

struct ProcessResult {
  int exit_code = -1;  // exit status, or -1 when killed by a signal
  int signal = 0;      // the signal that killed it, or 0
  std::string out;     // stdout
  std::string err;     // stderr
};

// Who a child runs as. kUnprivileged: when the test runs as root (CI does), the child drops to
// uid/gid 65534 (nobody) before exec, so that file permissions apply to it (root ignores them);
// otherwise it runs as the caller, to whom they apply anyway. Its cwd must then be reachable by
// everyone.
enum class RunAs { kCaller, kUnprivileged };

// A started child process. Destroying a still-running Process kills it (SIGKILL) and reaps it.
class Process {
 public:
  // Starts `argv` (argv[0] is the program path) in `cwd` with `env` added to this environment.
  Process(const std::vector<std::string>& argv, const std::string& cwd,
          const std::map<std::string, std::string>& env = {}, RunAs run_as = RunAs::kCaller);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void send(int signal) const;
  // Waits for the end (at most `timeout_seconds`, then SIGKILL) and collects the output.
  ProcessResult wait(double timeout_seconds = 300);
  bool running();

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string out_path_;
  std::string err_path_;
};

// Runs to completion.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          const std::map<std::string, std::string>& env = {},
                          double timeout_seconds = 300, RunAs run_as = RunAs::kCaller);

// The hades binary and plugin directory of this build (from CTest's environment).
std::string hades_binary();
std::string source_dir();
std::string build_dir();
std::string test_plugin_dir();

}  // namespace hades::testing

#endif  // HADES_TESTS_SUPPORT_PROCESS_H_
