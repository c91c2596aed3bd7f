// logging.h: the host's Logger: human text on a terminal, or one JSON object per line.
//
// Every line, whatever its level or origin (runner, plugin, error report), passes through a
// Redactor that masks registered secrets, so a token cannot reach a log by any path.
//
// Thread safety: log() may be called from any thread; add_secret() before the run starts.

#ifndef HADES_FRAMEWORK_LOGGING_H_
#define HADES_FRAMEWORK_LOGGING_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/context.h"

namespace hades {

// Masks secrets in what the host writes anywhere: log lines, error messages, the --summary file,
// rejects reasons. Thread safety: redact() may be called from any thread once the secrets are
// registered.
class Redactor {
 public:
  // Registers a secret; values shorter than 4 characters are ignored (they would mask noise).
  void add_secret(std::string_view secret);
  // Every registered secret, and anything shaped like a credential (hades/redact.h), masked.
  std::string redact(std::string_view text) const;
  // Only the registered secrets masked: for data (a rejected record), which must stay evidence.
  std::string redact_known(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;
};

enum class LogFormat { kText, kJson };

std::optional<LogFormat> parse_log_format(std::string_view name);
std::optional<LogLevel> parse_log_level(std::string_view name);

class HostLogger final : public Logger {
 public:
  // Writes to stderr. `redactor` must outlive the logger.
  HostLogger(LogFormat format, LogLevel min_level, const Redactor& redactor);
  ~HostLogger() override;

  void log(LogLevel level, std::string_view message) override;
  // Fields added to every JSON line (job, run_id, step); text lines get a [step] prefix.
  void set_field(const std::string& key, const std::string& value);
  LogFormat format() const { return format_; }
  // What every line passes through; for the host's other outputs (rejects files).
  const Redactor& redactor() const { return redactor_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  LogFormat format_;
  LogLevel min_level_;
  const Redactor& redactor_;
  std::mutex mutex_;
};

}  // namespace hades

#endif  // HADES_FRAMEWORK_LOGGING_H_
