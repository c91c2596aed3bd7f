// hades/status.h: errors as values.
//
// A Status is either OK or carries a code and a message. Every call that crosses a plugin
// boundary, touches the disk, the network or a database returns a Status (or a Result<T>, which
// holds a T or a non-OK Status). Exceptions never cross the plugin boundary.
//
// Thread safety: Status and Result are values; distinct objects may be used from distinct threads.

#ifndef HADES_STATUS_H_
#define HADES_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hades {

// The domain of an error. Each code maps to one process exit code (see exit_code.h in the
// framework and docs/exit-codes.md): keep the two in step.
enum class StatusCode {
  kOk = 0,
  kInvalidConfig,   // a job, a setting, a config file or the command line is wrong: exit 2
  kIo,              // a local file or the disk failed: exit 1
  kRemote,          // a remote service failed or answered nonsense: exit 1
  kCorruption,      // stored state (checkpoint, run table) cannot be read: exit 6
  kRejected,        // one record is bad; it goes to the rejects file, not up the stack
  kCancelled,       // SIGTERM/SIGINT: stopped at a chunk boundary: exit 1
  kPluginAbi,       // a plugin cannot be loaded or was built for another API: exit 4
  kLocked,          // another run holds the job's lock: exit 3
  kBudgetExceeded,  // more rejected records than the step's skip budget: exit 5
  kInternal,        // a bug, or an exception a plugin let escape: exit 1
};

// Returns the stable lower-case name of `code` ("invalid_config", "io", ...).
std::string_view status_code_name(StatusCode code);

class Status {
 public:
  // An OK status. Cheap: no allocation.
  Status() = default;

  static Status ok_status() { return Status(); }
  static Status invalid_config(std::string message) {
    return Status(StatusCode::kInvalidConfig, std::move(message));
  }
  static Status io(std::string message) { return Status(StatusCode::kIo, std::move(message)); }
  // `retryable` marks transient failures (timeouts, 429, 5xx, a busy database).
  static Status remote(std::string message, bool retryable = false) {
    Status s(StatusCode::kRemote, std::move(message));
    s.retryable_ = retryable;
    return s;
  }
  static Status corruption(std::string message) {
    return Status(StatusCode::kCorruption, std::move(message));
  }
  static Status rejected(std::string message) {
    return Status(StatusCode::kRejected, std::move(message));
  }
  static Status cancelled(std::string message) {
    return Status(StatusCode::kCancelled, std::move(message));
  }
  static Status plugin_abi(std::string message) {
    return Status(StatusCode::kPluginAbi, std::move(message));
  }
  static Status locked(std::string message) {
    return Status(StatusCode::kLocked, std::move(message));
  }
  static Status budget_exceeded(std::string message) {
    return Status(StatusCode::kBudgetExceeded, std::move(message));
  }
  static Status internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // True when the same operation may succeed if tried again later.
  bool retryable() const { return retryable_; }

  // Returns a copy whose message reads "<context>: <message>"; OK stays OK.
  Status with_context(std::string_view context) const;

  // "OK", or "<code name>: <message>".
  std::string to_string() const;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  bool retryable_ = false;
  std::string message_;
};

// Holds either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  // REQUIRES: !status.ok()
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok());
  }
  Result(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  // The error, or OK when a value is held.
  Status status() const { return ok() ? Status() : std::get<Status>(state_); }

  // REQUIRES: ok()
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace hades

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define HADES_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::hades::Status hades_status_ = (expr);        \
    if (!hades_status_.ok()) return hades_status_; \
  } while (false)

#endif  // HADES_STATUS_H_
