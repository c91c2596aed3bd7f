#include "exit_code.h"

namespace hades {

int exit_code_for(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidConfig:
      return kExitInvalid;
    case StatusCode::kLocked:
      return kExitLocked;
    case StatusCode::kPluginAbi:
      return kExitPlugin;
    case StatusCode::kBudgetExceeded:
      return kExitBudget;
    case StatusCode::kCorruption:
      return kExitState;
    case StatusCode::kIo:
    case StatusCode::kRemote:
    case StatusCode::kRejected:
    case StatusCode::kCancelled:
    case StatusCode::kInternal:
      return kExitFailed;
  }
  return kExitFailed;
}

}  // namespace hades
