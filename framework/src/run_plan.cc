#include "run_plan.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "checkpoint.h"

namespace hades {

std::string params_json(const JobSpec& job) { return nlohmann::json(job.params).dump(); }

std::string job_file_identity(const JobSpec& job) {
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(job.file, ec);
  if (ec) return job.file;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(absolute, ec);
  return (ec ? absolute : canonical).string();
}

Status check_job_identity(RunState& state, const JobSpec& job) {
  auto latest = state.runs(job.name, 1);
  if (!latest.ok()) return latest.status();
  if (latest->empty()) return Status::ok_status();
  const RunRecord& run = latest->front();
  const std::string here = job_file_identity(job);
  if (run.job_file.empty() || run.job_file == here) return Status::ok_status();
  // A file that was moved or renamed since, or now declares another name, is no collision.
  if (job_name_in_file(run.job_file) != job.name) return Status::ok_status();
  return Status::invalid_config(
      "job files " + run.job_file + " and " + here + " both declare name: " + job.name + "; run " +
      std::to_string(run.run_id) +
      " was started from the first. A job's runs, checkpoints and lock go by its name, so two "
      "files with one name would resume and lock each other's runs: give one of them another "
      "name");
}

Status check_resumable(const RunRecord& previous, const JobSpec& job) {
  const std::string run = "run " + std::to_string(previous.run_id) + " of job '" + job.name + "'";
  if (previous.params_json != params_json(job)) {
    return Status::invalid_config(
        run + " did not finish and was started with other parameters (" + previous.params_json +
        "); re-run with the same parameters to resume it, or with --fresh to abandon it");
  }
  if (previous.definition_digest != job.definition_digest) {
    return Status::invalid_config(
        run + " did not finish and was started with another version of " + job.file +
        " (it has been edited since, or the run was started by an older hades); resume it "
        "with the file it started with, or re-run with --fresh to abandon it");
  }
  return Status::ok_status();
}

Result<RunPlan> plan_run(RunState& state, const JobSpec& job, bool fresh) {
  HADES_RETURN_IF_ERROR(check_job_identity(state, job));
  auto unfinished = state.unfinished_run(job.name);
  if (!unfinished.ok()) return unfinished.status();
  RunPlan plan;
  if (!unfinished->has_value()) return plan;
  if (fresh) {
    plan.abandon = std::move(*unfinished);
    return plan;
  }
  HADES_RETURN_IF_ERROR(check_resumable(**unfinished, job));
  plan.resume = std::move(*unfinished);
  return plan;
}

Result<StepStart> plan_step(RunState& state, const std::string& job,
                            const std::vector<StepRecord>& records, const StepSpec& step) {
  StepStart start;
  for (const StepRecord& r : records) {
    if (r.step != step.name) continue;
    if (r.status == "completed") {
      start.kind = StepStart::Kind::kSkip;
      return start;
    }
    if (!r.checkpoint.empty()) {
      start.kind = StepStart::Kind::kResume;
      start.checkpoint = r.checkpoint;
      return start;
    }
    break;
  }
  // A step without a checkpoint starts at the beginning; an incremental source continues from
  // where the step's last successful run left it. A failed run's progress is never used (it
  // may not have reached its end).
  start.incremental = step.kind == StepSpec::Kind::kPipeline && step.source.incremental;
  if (!start.incremental) return start;
  auto last = state.last_success_checkpoint(job, step.name);
  if (!last.ok()) return last.status();
  if (!last->has_value()) return start;
  start.cursor_run = (*last)->first;
  if ((*last)->second.empty()) return start;
  auto decoded = decode_checkpoint((*last)->second);
  if (!decoded.ok()) {
    return decoded.status().with_context("the checkpoint of step '" + step.name + "' in run " +
                                         std::to_string(start.cursor_run));
  }
  start.kind = StepStart::Kind::kIncremental;
  start.cursor = decoded->cursor;
  return start;
}

}  // namespace hades
