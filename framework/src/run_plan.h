// run_plan.h: what `hades run` does now, decided in one place for `run` and `plan`.
//
// plan_run() decides between resuming the job's unfinished run, abandoning it (--fresh) and
// starting a new one, and refuses what `run` must refuse (another job file of the same name,
// a run started with other parameters or another job file). plan_step() decides how each step
// of that run starts: skipped, resumed from its checkpoint, from the beginning, or from the
// cursor of the job's last successful run (an incremental source). The runner acts on these
// decisions; `hades plan` prints them. Neither function changes the database.
//
// Thread safety: as the RunState they read.

#ifndef HADES_FRAMEWORK_RUN_PLAN_H_
#define HADES_FRAMEWORK_RUN_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "job.h"
#include "run_state.h"

namespace hades {

struct RunPlan {
  // The run to resume; nullopt: a new run starts.
  std::optional<RunRecord> resume;
  // With --fresh: the unfinished run the new one abandons.
  std::optional<RunRecord> abandon;
};

// REQUIRES: state.migrate() succeeded. Errors: kInvalidConfig when another job file declares
// the same name (check_job_identity) or the unfinished run may not be resumed
// (check_resumable); a database error as it comes.
Result<RunPlan> plan_run(RunState& state, const JobSpec& job, bool fresh);

struct StepStart {
  enum class Kind {
    kSkip,         // completed in the run being resumed
    kResume,       // continues after the committed `checkpoint`
    kFromStart,    // reads its input from the beginning
    kIncremental,  // an incremental source: from `cursor`, where run `cursor_run` ended
  };
  Kind kind = Kind::kFromStart;
  std::string checkpoint;  // kResume: the step's checkpoint (checkpoint.h's JSON)
  std::int64_t cursor_run = 0;
  std::string cursor;
  bool incremental = false;  // the step's source is incremental (whatever `kind` says)
};

// How `step` of `job` starts in the run whose step records are `records` (empty for a new
// run). Errors: a database error; kCorruption when the last successful run's checkpoint, which
// an incremental source continues from, cannot be decoded.
Result<StepStart> plan_step(RunState& state, const std::string& job,
                            const std::vector<StepRecord>& records, const StepSpec& step);

// The job's parameters as runs record them (RunRecord::params_json).
std::string params_json(const JobSpec& job);

// The job file's path as runs record it (RunRecord::job_file): absolute, symlinks resolved.
std::string job_file_identity(const JobSpec& job);

// OK unless the job's newest run was started from another job file that still exists and
// declares the same name: then kInvalidConfig naming both files.
Status check_job_identity(RunState& state, const JobSpec& job);

// OK when `job` may resume the unfinished run `previous`: same parameters and the same job
// file. Otherwise kInvalidConfig saying what differs and how to go on.
Status check_resumable(const RunRecord& previous, const JobSpec& job);

}  // namespace hades

#endif  // HADES_FRAMEWORK_RUN_PLAN_H_
