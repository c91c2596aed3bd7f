// cli/commands.h: the table of `hades` commands. Each command parses its own options from the
// words after its name and returns the process exit code (docs/exit-codes.md); a bad command
// line throws UsageError (cli/session.h). One file per group: job_commands.cc (run, validate,
// plan), plugin_commands.cc (plugins), state_commands.cc (runs, state, unlock),
// serve_command.cc (serve).

#ifndef HADES_FRAMEWORK_CLI_COMMANDS_H_
#define HADES_FRAMEWORK_CLI_COMMANDS_H_

#include <string>
#include <string_view>
#include <vector>

namespace hades::cli {

using CommandMain = int (*)(const std::vector<std::string>& args);

struct Command {
  std::string_view name;
  std::string_view synopsis;  // for the usage: "run JOB"
  std::string_view summary;
  CommandMain main;
};

// Every command, in the order `hades --help` lists them.
const std::vector<Command>& commands();

int run_main(const std::vector<std::string>& args);
int validate_main(const std::vector<std::string>& args);
int plan_main(const std::vector<std::string>& args);
int plugins_main(const std::vector<std::string>& args);
int runs_main(const std::vector<std::string>& args);
int state_main(const std::vector<std::string>& args);
int unlock_main(const std::vector<std::string>& args);
int serve_main(const std::vector<std::string>& args);

}  // namespace hades::cli

#endif  // HADES_FRAMEWORK_CLI_COMMANDS_H_
