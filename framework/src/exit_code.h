// exit_code.h: the one place a Status becomes a process exit code (docs/exit-codes.md).

#ifndef HADES_FRAMEWORK_EXIT_CODE_H_
#define HADES_FRAMEWORK_EXIT_CODE_H_

#include "hades/status.h"

namespace hades {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;   // resumable by running again
inline constexpr int kExitInvalid = 2;  // job, config or usage
inline constexpr int kExitLocked = 3;   // another run holds the lock
inline constexpr int kExitPlugin = 4;   // plugin load or API mismatch
inline constexpr int kExitBudget = 5;   // skip budget exceeded
inline constexpr int kExitState = 6;    // state or checkpoint unreadable

int exit_code_for(const Status& status);

}  // namespace hades

#endif  // HADES_FRAMEWORK_EXIT_CODE_H_
