// runs, state and unlock: the commands that read or repair a job's run state without its
// plugins.
#include <cstdio>
#include <iostream>

#include "checkpoint.h"
#include "cli/commands.h"
#include "cli/session.h"
#include "exit_code.h"

namespace hades::cli {
namespace {

int cmd_runs(Session& s, int limit) {
  StateSession st;
  if (const int code = open_state(s, st); code != kExitOk) return code;
  auto runs = st.state->runs(st.job.job.name, limit);
  if (!runs.ok()) return fail(s, runs.status());
  std::cout << "run_id  status      started_at            ended_at\n";
  for (const RunRecord& r : *runs) {
    std::printf("%-7lld %-11s %-21s %s\n", static_cast<long long>(r.run_id), r.status.c_str(),
                r.started_at.c_str(), r.ended_at.c_str());
  }
  return kExitOk;
}

// OK when `job` has a step called `name`; otherwise kInvalidConfig listing its steps.
Status check_step_name(const JobSpec& job, const std::string& name) {
  std::vector<std::string> names;
  for (const StepSpec& step : job.steps) {
    if (step.name == name) return Status::ok_status();
    names.push_back(step.name);
  }
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
  const auto suggestion = suggest_closest(name, names);
  return Status::invalid_config("job '" + job.name + "' has no step '" + printable(name) + "'" +
                                (suggestion ? "; did you mean '" + *suggestion + "'?" : "") +
                                "; its steps are " + list);
}

int print_steps(Session& s, RunState& state, const RunRecord& run) {
  std::cout << "run " << run.run_id << " (" << run.status << ", started " << run.started_at
            << ", params " << run.params_json << ")\n";
  auto steps = state.steps(run.run_id);
  if (!steps.ok()) return fail(s, steps.status());
  for (const StepRecord& r : *steps) {
    std::cout << "  step " << r.step << ": " << r.status << " (updated " << r.updated_at << ")\n";
    if (r.checkpoint.empty()) continue;
    auto cp = decode_checkpoint(r.checkpoint);
    if (!cp.ok()) return fail(s, cp.status().with_context("step '" + r.step + "'"));
    std::cout << "    chunks " << cp->chunks << ", rejected " << cp->rejected << ", cursor '"
              << cp->cursor << "'\n";
    for (const PluginCounts& c : cp->counts) {
      std::cout << "    " << c.plugin << ": in " << c.in << ", out " << c.out << ", rejected "
                << c.rejected << "\n";
    }
  }
  return kExitOk;
}

int cmd_state(Session& s, const std::string& reset_step, std::int64_t run_id) {
  StateSession st;
  if (const int code = open_state(s, st); code != kExitOk) return code;
  const std::string& name = st.job.job.name;
  auto run = run_id > 0 ? st.state->find_run(name, run_id) : st.state->unfinished_run(name);
  if (!run.ok()) return fail(s, run.status());
  if (!run->has_value() && run_id == 0) {
    auto latest = st.state->runs(name, 1);
    if (!latest.ok()) return fail(s, latest.status());
    if (!latest->empty()) *run = latest->front();
  }
  if (!run->has_value()) {
    std::cout << "job " << name << " has no " << (run_id > 0 ? "such run" : "runs yet") << "\n";
    return run_id > 0 ? kExitInvalid : kExitOk;
  }
  if (!reset_step.empty()) {
    // Deleting nothing and saying "will run from the start" would hide a typo.
    if (Status known = check_step_name(st.job.job, reset_step); !known.ok()) return fail(s, known);
    // Hold the lock so a running process cannot write the checkpoint being forgotten.
    auto lock = st.state->acquire_lock(name, utc_now_iso());
    if (!lock.ok()) return fail(s, lock.status());
    const Status reset = st.state->reset_step((*run)->run_id, reset_step);
    (void)st.state->release_lock(name, lock->token);
    if (!reset.ok()) return fail(s, reset);
    std::cout << "step " << reset_step << " of run " << (*run)->run_id
              << " will run from the start\n";
  }
  if (auto holder = st.state->lock_holder(name); holder.ok() && holder->has_value()) {
    std::cout << "locked by " << (*holder)->describe() << "\n";
  }
  return print_steps(s, *st.state, **run);
}

int cmd_unlock(Session& s, bool force) {
  StateSession st;
  if (const int code = open_state(s, st); code != kExitOk) return code;
  const std::string& name = st.job.job.name;
  auto holder = st.state->lock_holder(name);
  if (!holder.ok()) return fail(s, holder.status());
  if (!holder->has_value()) {
    std::cout << "job " << name << " is not locked\n";
    return kExitOk;
  }
  const LockHolder& h = **holder;
  const bool here = h.process.host == ProcessIdentity::current().host;
  if (here && process_is_alive(h.process) && !force) {
    return fail(s, Status::locked("job '" + name + "' is locked by a live process, " +
                                  h.describe() + "; stop it, or use --force"));
  }
  if (Status u = st.state->force_unlock(name); !u.ok()) return fail(s, u);
  std::cout << "removed the lock of job " << name << " (" << h.describe() << ")\n";
  return kExitOk;
}

}  // namespace

int runs_main(const std::vector<std::string>& args) {
  Session s;
  std::vector<std::string> sets;
  po::options_description d("runs options");
  int limit = 20;
  add_job_options(d, s, sets);
  d.add_options()("limit",
                  po::value(&limit)->default_value(20)->notifier(at_least_one<int>("--limit")),
                  "how many runs, newest first");
  if (!parse("runs", args, d, true, s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  return cmd_runs(s, limit);
}

int state_main(const std::vector<std::string>& args) {
  Session s;
  std::vector<std::string> sets;
  po::options_description d("state options");
  std::string reset;
  std::int64_t run_id = 0;
  add_job_options(d, s, sets);
  d.add_options()("reset", po::value(&reset), "forget this step's progress in the run")(
      "run", po::value(&run_id)->notifier(at_least_one<std::int64_t>("--run")),
      "the run to show (default: the unfinished or latest one)");
  if (!parse("state", args, d, true, s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  return cmd_state(s, reset, run_id);
}

int unlock_main(const std::vector<std::string>& args) {
  Session s;
  std::vector<std::string> sets;
  po::options_description d("unlock options");
  bool force = false;
  add_job_options(d, s, sets);
  d.add_options()("force", po::bool_switch(&force),
                  "also remove a lock whose holder still runs on this host");
  if (!parse("unlock", args, d, true, s)) return kExitOk;
  s.overrides = parse_overrides(sets);
  return cmd_unlock(s, force);
}

}  // namespace hades::cli
