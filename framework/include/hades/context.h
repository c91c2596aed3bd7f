// hades/context.h: what the runner lends a plugin while a step runs.
//
// A Context is owned by the runner and outlives every call it is passed to; plugins must not keep
// it past finish()/run(). Everything with a side effect outside the plugin's own output (the
// database, the run's frozen values, the log, the clock) goes through it, so tests can replace
// each one.
//
// Thread safety: use from the thread that called the plugin.

#ifndef HADES_CONTEXT_H_
#define HADES_CONTEXT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "hades/api.h"
#include "hades/database.h"
#include "hades/status.h"
#include "hades/time.h"

namespace hades {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Secrets registered with the runner are masked before a line is written.
class HADES_API Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;

  void debug(std::string_view m) { log(LogLevel::kDebug, m); }
  void info(std::string_view m) { log(LogLevel::kInfo, m); }
  void warn(std::string_view m) { log(LogLevel::kWarn, m); }
  void error(std::string_view m) { log(LogLevel::kError, m); }
};

// Where bad records go. Each reject lands in the step's rejects file with the step and plugin
// names stamped by the runner, and counts against the step's skip budget.
class HADES_API Rejects {
 public:
  virtual ~Rejects() = default;
  // `position` names where the record is ("leads.csv:42"); `reason` says what is wrong with
  // it; `record` is the record as the source had it (raw text or JSON), possibly empty.
  virtual void reject(std::string_view position, std::string_view reason,
                      std::string_view record) = 0;

  // The same, with a `kind`: a short snake_case name for the class of problem
  // ("control_character", "future_intent_date", "duplicate") that the run summary counts
  // separately, so a person sees what was left out without reading the rejects file. (Plugin
  // API 1.2; the default, for a Rejects a plugin implements itself, forgets the kind.)
  virtual void reject(std::string_view kind, std::string_view position, std::string_view reason,
                      std::string_view record) {
    (void)kind;
    reject(position, reason, record);
  }
};

// Facts about the run that are fixed when it starts and stay fixed when it is resumed.
struct RunInfo {
  std::int64_t run_id = 0;
  std::string job_name;
  std::string step_name;
  std::string started_at;  // ISO-8601 UTC, "2026-02-11T06:00:00Z": the run's "now"
  std::map<std::string, std::string> params;  // resolved job parameters
};

class HADES_API Context {
 public:
  virtual ~Context() = default;

  virtual Database& database() = 0;
  virtual const RunInfo& run() const = 0;
  virtual Logger& log() = 0;
  // True once SIGTERM/SIGINT arrived: long tasks should return Status::cancelled() soon.
  virtual bool cancelled() const = 0;

  // Returns the run-level value `key`. The first call in a run computes it with `make` and stores
  // it with the run, atomically with nothing else; later calls and resumed runs get the stored
  // value. Use it for anything a resumed run must reuse (a batch id, an output file name). A
  // key ending in "_file" names the final path of a file written through StagedFile: when the
  // run is abandoned (`--fresh`), the runner removes that file's .partial, which no resume will
  // ever publish.
  virtual Result<std::string> frozen_value(
      std::string_view key, const std::function<Result<std::string>(Database&)>& make) = 0;

  // The current time. Plugins read the clock only through here, so that tests can fix it; the
  // run's own "now" is RunInfo::started_at. (Plugin API 1.2; last in the class so that the
  // slots of plugins built for 1.1 stay where they were, and with a body so that their own
  // Context implementations, test fakes among them, still compile.)
  virtual Timestamp now() const { return Clock::now(); }
};

}  // namespace hades

#endif  // HADES_CONTEXT_H_
