#include "cli.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/session.h"
#include "exit_code.h"
#include "hades/plugin.h"

namespace hades {
namespace cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"run", "run JOB", "run a job, resuming its unfinished run if there is one", run_main},
      {"validate", "validate JOB",
       "check a job file and every plugin setting; print file:line:col errors", validate_main},
      {"plan", "plan JOB", "show what `run` would do now: skipped steps, resume points, guarantees",
       plan_main},
      {"plugins", "plugins", "list the plugins found on the plugin path", plugins_main},
      {"runs", "runs JOB", "list a job's runs", runs_main},
      {"state", "state JOB",
       "show a run's steps and checkpoints; --reset STEP forgets a step's progress", state_main},
      {"unlock", "unlock JOB", "remove a job's lock left by a process on another host",
       unlock_main},
      {"serve", "serve", "serve the page plugins (the Score Calibration page) over HTTP",
       serve_main},
  };
  return kCommands;
}

}  // namespace cli

namespace {

using cli::UsageError;
namespace po = boost::program_options;

std::string usage() {
  std::string text =
      "usage: hades [--log-format text|json] [--log-level LEVEL] [--plugin-path DIR]... COMMAND "
      "...\n\ncommands:\n";
  for (const cli::Command& c : cli::commands()) {
    std::string synopsis(c.synopsis);
    synopsis.resize(std::max<std::size_t>(synopsis.size() + 2, 14), ' ');
    text += "  " + synopsis + std::string(c.summary) + "\n";
  }
  return text + "\n`hades COMMAND --help` describes a command. Exit codes: docs/exit-codes.md.\n";
}

// Splits argv into the command and the words around it; global options may stand anywhere.
std::pair<std::string, std::vector<std::string>> split_command(int argc, const char* const* argv) {
  std::vector<std::string> rest;
  std::string command;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    const bool takes_value =
        word == "--log-format" || word == "--log-level" || word == "--plugin-path";
    if (command.empty() && !word.starts_with("-")) {
      command = word;
      continue;
    }
    rest.push_back(word);
    if (command.empty() && takes_value && i + 1 < argc) rest.push_back(argv[++i]);
  }
  return {command, rest};
}

int dispatch(const std::string& command, const std::vector<std::string>& args) {
  for (const cli::Command& c : cli::commands()) {
    if (c.name == command) return c.main(args);
  }
  throw UsageError{"unknown command '" + command + "'"};
}

}  // namespace

int run_cli(int argc, const char* const* argv) {
  try {
    const auto [command, args] = split_command(argc, argv);
    if (command.empty() && !args.empty() && args[0] == "--version") {
      std::cout << "hades " << HADES_VERSION << " (plugin API " << kApiMajor << "." << kApiMinor
                << ")\n";
      return kExitOk;
    }
    if (command.empty() || command == "help") {
      const bool asked =
          command == "help" || (!args.empty() && (args[0] == "--help" || args[0] == "-h"));
      (asked ? std::cout : std::cerr) << usage();
      return asked ? kExitOk : kExitInvalid;
    }
    if (command == "version" || command == "--version") {
      std::cout << "hades " << HADES_VERSION << " (plugin API " << kApiMajor << "." << kApiMinor
                << ")\n";
      return kExitOk;
    }
    return dispatch(command, args);
  } catch (const UsageError& e) {
    std::cerr << "hades: " << e.message << "\n\n" << usage();
    return kExitInvalid;
  } catch (const po::error& e) {
    std::cerr << "hades: " << e.what() << "\n(see hades --help)\n";
    return kExitInvalid;
  } catch (const std::exception& e) {
    std::cerr << "hades: internal error: " << e.what() << "\n";
    return kExitFailed;
  }
}

}  // namespace hades
