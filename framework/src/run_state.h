// run_state.h: runs, steps, checkpoints, frozen run values and the job lock, in the job's
// database (tables hades_runs, hades_steps, hades_run_values, hades_locks).
//
// Keeping run state in the job's own database is what lets a chunk's rows and the checkpoint
// that records them commit in one transaction.
//
// Thread safety: as the Database it wraps.

#ifndef HADES_FRAMEWORK_RUN_STATE_H_
#define HADES_FRAMEWORK_RUN_STATE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"

namespace hades {

struct RunRecord {
  std::int64_t run_id = 0;
  std::string job;
  std::string status;  // running | succeeded | failed | abandoned
  std::string started_at;
  std::string ended_at;
  std::string params_json;
  std::string definition_digest;  // JobSpec::definition_digest; "" for runs before it was kept
  std::string job_file;  // absolute path of the job file that started it; "" before it was kept
};

struct StepRecord {
  std::string step;
  std::string status;      // running | completed | failed
  std::string checkpoint;  // JSON, "" before the first chunk
  std::string updated_at;
};

// Who holds (or wants) a job's lock. `pid_start` is the process start time in clock ticks
// since boot (/proc/<pid>/stat field 22): with it a recycled pid is not mistaken for the holder.
struct ProcessIdentity {
  std::int64_t pid = 0;
  std::string host;
  std::int64_t pid_start = 0;
  static ProcessIdentity current();
};

struct LockHolder {
  std::string token;
  ProcessIdentity process;
  std::string acquired_at;
  std::string describe() const;  // "pid 123 on host h since 2026-..."
};

// Answers whether a process on this host still runs. Injectable for tests.
using LivenessProbe = std::function<bool(const ProcessIdentity&)>;
bool process_is_alive(const ProcessIdentity& process);

class RunState {
 public:
  RunState(Database& db, ProcessIdentity self, LivenessProbe probe = process_is_alive);

  // Creates or upgrades the run-state tables.
  Status migrate();

  // The newest run of `job` that neither succeeded nor was abandoned.
  Result<std::optional<RunRecord>> unfinished_run(const std::string& job);
  Result<RunRecord> start_run(const std::string& job, const std::string& params_json,
                              const std::string& definition_digest, const std::string& started_at,
                              const std::string& job_file = "");
  Status finish_run(std::int64_t run_id, const std::string& status, const std::string& ended_at);
  Result<std::vector<RunRecord>> runs(const std::string& job, int limit);
  Result<std::optional<RunRecord>> find_run(const std::string& job, std::int64_t run_id);

  Result<std::vector<StepRecord>> steps(std::int64_t run_id);
  Status set_step_status(std::int64_t run_id, const std::string& step, const std::string& status,
                         const std::string& now);
  // Adds the statement that records `checkpoint_json` for the step to `batch`.
  static void add_checkpoint(WriteBatch& batch, std::int64_t run_id, const std::string& step,
                             const std::string& checkpoint_json, const std::string& now);
  // The checkpoint `step` of `job` ended with in the newest run that succeeded, and that run's id;
  // nullopt when no run of the job has succeeded with that step completed.
  Result<std::optional<std::pair<std::int64_t, std::string>>> last_success_checkpoint(
      const std::string& job, const std::string& step);
  // Forgets the step's progress in `run_id`, so the next resume runs it from the start.
  Status reset_step(std::int64_t run_id, const std::string& step);

  Result<std::optional<std::string>> run_value(std::int64_t run_id, const std::string& key);
  // Every frozen value of `run_id`, by key.
  Result<std::vector<std::pair<std::string, std::string>>> run_values(std::int64_t run_id);
  // A random id that tells this database from any other: made on first use and kept as run 0's
  // value `database_id` (no run has id 0). Rejects files carry it in their names, so that two
  // databases' runs, numbered alike, never share one.
  Result<std::string> database_id();
  // Stores `value` unless the key already has one; returns the stored value either way.
  Result<std::string> freeze_run_value(std::int64_t run_id, const std::string& key,
                                       const std::string& value);

  // Takes the job's lock, taking it over at once from a holder that died on this host.
  // Fails with kLocked, naming the holder, while a live process (or one on another host) has it.
  Result<LockHolder> acquire_lock(const std::string& job, const std::string& now);
  Status release_lock(const std::string& job, const std::string& token);
  Result<std::optional<LockHolder>> lock_holder(const std::string& job);
  // Removes the lock whoever holds it (`hades unlock --force`).
  Status force_unlock(const std::string& job);

 private:
  Result<LockHolder> read_lock_row(const std::string& job);

  Database& db_;
  ProcessIdentity self_;
  LivenessProbe probe_;
};

}  // namespace hades

#endif  // HADES_FRAMEWORK_RUN_STATE_H_
