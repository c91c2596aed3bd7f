// cli.h: the `hades` command line. Returns the process exit code (docs/exit-codes.md); never
// throws.

#ifndef HADES_FRAMEWORK_CLI_H_
#define HADES_FRAMEWORK_CLI_H_

namespace hades {

int run_cli(int argc, const char* const* argv);

}  // namespace hades

#endif  // HADES_FRAMEWORK_CLI_H_
