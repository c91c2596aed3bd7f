// runner.h: binds a job to its plugins and runs it with checkpoints, resume and a lock.
//
// bind_job() is everything `hades validate` checks beyond the YAML itself: each plugin exists,
// has the kind its place needs, its settings fit its schema, and its factory accepts them.
// Runner::run() executes a bound job; see docs/architecture.md for the chunk protocol.

#ifndef HADES_FRAMEWORK_RUNNER_H_
#define HADES_FRAMEWORK_RUNNER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checkpoint.h"
#include "job.h"
#include "logging.h"
#include "plugin_loader.h"
#include "run_plan.h"
#include "run_state.h"

namespace hades {

class SignalWatcher;
struct Pipeline;  // runner.cc: the opened plugins of a pipeline step
class ProgressLine;

struct BoundPlugin {
  std::string label;                      // the plugin name, "name#2" for a second use in one step
  PluginKind role = PluginKind::kSource;  // the place it fills in its step, from the job file
  const PluginInfo* info = nullptr;
  SourceLocation where;
  Settings settings;
  std::optional<PluginInstance<Plugin>> instance;
};

struct BoundStep {
  const StepSpec* spec = nullptr;
  std::vector<BoundPlugin> plugins;  // pipeline: source, transforms..., sinks...; task: the task
};

struct BoundJob {
  const JobSpec* job = nullptr;
  std::vector<BoundStep> steps;
};

// Loads and checks every plugin `job` names and creates one object per use. Configuration
// problems are appended to `diagnostics` (the result is then not runnable); a plugin library
// that cannot be used is returned as a kPluginAbi status. Secret settings go to `redactor`.
Result<BoundJob> bind_job(const JobSpec& job, PluginRegistry& registry, Redactor& redactor,
                          std::vector<Diagnostic>* diagnostics);

struct StepSummary {
  std::string name;
  std::string kind;    // pipeline | task
  std::string status;  // completed | skipped | failed | interrupted | pending
  bool resumed = false;
  std::int64_t resumed_from_chunk = 0;
  std::vector<PluginCounts> counts;
  std::int64_t rejected = 0;
  std::string rejects_file;
  double duration_seconds = 0;
  // Wall time in each plugin's calls (aligned with `counts`; order_by's sorting and merging
  // included) and in the commits, in this process: where the step's time went.
  std::vector<double> seconds;
  double commit_seconds = 0;
};

struct RunSummary {
  std::string job;
  std::int64_t run_id = 0;
  bool resumed = false;
  std::string status;  // succeeded | failed
  std::string started_at;
  std::string ended_at;
  double duration_seconds = 0;
  Status error;
  std::vector<StepSummary> steps;
};

// How many reads in a row a source may return "more" with no row and no reject before the step
// fails with kPluginAbi (exit 4): such a source would otherwise never end.
inline constexpr std::int64_t kMaxEmptyReads = 1000;

struct RunOptions {
  bool fresh = false;
  bool show_progress = false;
};

class Runner {
 public:
  // All references must outlive the Runner. `signals` may be null (no stop requests).
  Runner(BoundJob& job, Database& db, HostLogger& log, const SignalWatcher* signals);

  // Runs (or resumes) the job. The summary's error says why a run did not succeed.
  RunSummary run(const RunOptions& options);

 private:
  class StepContext;
  Status run_steps(RunState& state, const RunRecord& run, RunSummary& summary);
  Status run_pipeline(BoundStep& step, StepContext& ctx, const StepStart& how, StepSummary& out);
  Status run_chunks(Pipeline& p, BoundStep& step, StepContext& ctx, Checkpoint& cp,
                    ProgressLine& progress);
  Status read_and_order(Pipeline& p, BoundStep& step, StepContext& ctx, const std::string& dir,
                        Checkpoint& cp, ProgressLine& progress);
  Status commit_barrier(Pipeline& p, BoundStep& step, StepContext& ctx, OrderProgress ordered,
                        Checkpoint& cp);
  Status write_ordered(Pipeline& p, BoundStep& step, StepContext& ctx, const std::string& dir,
                       bool verify, Checkpoint& cp, ProgressLine& progress);
  Status commit_step_chunk(Pipeline& p, BoundStep& step, StepContext& ctx, Checkpoint& cp,
                           WriteBatch& batch);
  void show_source_progress(const Pipeline& p, std::string_view phase, const Checkpoint& cp,
                            ProgressLine& progress) const;
  Status run_task(BoundStep& step, StepContext& ctx, StepSummary& out);
  Status commit_chunk(const WriteBatch& batch);
  bool stop_requested() const;

  BoundJob& job_;
  Database& db_;
  HostLogger& log_;
  const SignalWatcher* signals_;
  bool show_progress_ = false;
  std::string database_id_;  // RunState::database_id(), in rejects file names (run_files.h)
};

// The current UTC time as ISO-8601 with seconds, "2026-02-11T06:00:00Z".
std::string utc_now_iso();

}  // namespace hades

#endif  // HADES_FRAMEWORK_RUNNER_H_
