#include "runner.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "hades/file_checks.h"
#include "hades/staged_file.h"
#include "run_files.h"
#include "signals.h"

namespace hades {

using nlohmann::json;

std::string utc_now_iso() { return format_utc(Clock::now()); }

namespace {

// Every call into plugin code goes through here: an exception that escapes a plugin becomes a
// Status naming the plugin and the operation, and never unwinds through the runner.
template <typename F>
Status guarded(const BoundPlugin& plugin, const char* operation, F&& call) {
  Status status;
  try {
    status = call();
  } catch (const std::exception& e) {
    status = Status::internal(std::string("threw: ") + e.what());
  } catch (...) {
    status = Status::internal("threw a non-standard exception");
  }
  return status.with_context("plugin '" + plugin.label + "': " + operation);
}

PluginKind expected_kind(const StepSpec& step, std::size_t index) {
  if (step.kind == StepSpec::Kind::kTask) return PluginKind::kTask;
  if (index == 0) return PluginKind::kSource;
  return index <= step.transforms.size() ? PluginKind::kTransform : PluginKind::kSink;
}

std::vector<const PluginRef*> refs_of(const StepSpec& step) {
  std::vector<const PluginRef*> refs;
  if (step.kind == StepSpec::Kind::kTask) return {&step.task};
  refs.push_back(&step.source);
  for (const PluginRef& t : step.transforms) refs.push_back(&t);
  for (const PluginRef& s : step.sinks) refs.push_back(&s);
  return refs;
}

void register_secrets(const PluginInfo& info, const Settings& settings, Redactor& redactor) {
  for (const SettingSpec& spec : info.settings) {
    if (!spec.secret) continue;
    if (auto value = settings.get_string(spec.name)) redactor.add_secret(*value);
  }
}

// Binds one plugin use; nullopt when it cannot be used (the reason is in diagnostics).
Result<std::optional<BoundPlugin>> bind_plugin(const PluginRef& ref, PluginKind kind,
                                               const std::string& label, PluginRegistry& registry,
                                               Redactor& redactor,
                                               std::vector<Diagnostic>* diagnostics) {
  auto info = registry.load(ref.plugin);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kPluginAbi) return info.status();
    diagnostics->push_back({ref.where, info.status().message()});
    return std::optional<BoundPlugin>();
  }
  if ((*info)->kind != kind) {
    diagnostics->push_back({ref.where, "plugin '" + ref.plugin + "' is a " +
                                           std::string(plugin_kind_name((*info)->kind)) +
                                           ", but this place needs a " +
                                           std::string(plugin_kind_name(kind))});
    return std::optional<BoundPlugin>();
  }
  const std::size_t before = diagnostics->size();
  BoundPlugin bound{label, *info, ref.where,
                    bind_settings(ref, (*info)->settings.data(), (*info)->settings.size(),
                                  diagnostics),
                    std::nullopt};
  register_secrets(**info, bound.settings, redactor);
  if (diagnostics->size() != before) return std::optional<BoundPlugin>();
  auto instance = registry.create(ref.plugin, bound.settings);
  if (!instance.ok()) {
    diagnostics->push_back({ref.where, redactor.redact(instance.status().message())});
    return std::optional<BoundPlugin>();
  }
  bound.instance.emplace(std::move(instance).value());
  return std::optional<BoundPlugin>(std::move(bound));
}

}  // namespace

Result<BoundJob> bind_job(const JobSpec& job, PluginRegistry& registry, Redactor& redactor,
                          std::vector<Diagnostic>* diagnostics) {
  BoundJob bound{&job, {}};
  for (const StepSpec& step : job.steps) {
    BoundStep bound_step{&step, {}};
    std::map<std::string, int> uses;
    const auto refs = refs_of(step);
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (refs[i]->plugin.empty()) continue;  // the YAML phase already reported it
      const int use = ++uses[refs[i]->plugin];
      const std::string label = use == 1 ? refs[i]->plugin : refs[i]->plugin + "#" + std::to_string(use);
      auto plugin = bind_plugin(*refs[i], expected_kind(step, i), label, registry, redactor,
                                diagnostics);
      if (!plugin.ok()) return plugin.status();
      if (plugin->has_value()) bound_step.plugins.push_back(std::move(**plugin));
    }
    bound.steps.push_back(std::move(bound_step));
  }
  return bound;
}

// The Context a plugin sees during one step.
class Runner::StepContext final : public Context {
 public:
  StepContext(Database& db, RunState& state, RunInfo info, HostLogger& log, const Runner& runner)
      : db_(db), state_(state), info_(std::move(info)), log_(log), runner_(runner) {}

  Database& database() override { return db_; }
  const RunInfo& run() const override { return info_; }
  Logger& log() override { return log_; }
  bool cancelled() const override { return runner_.stop_requested(); }

  Result<std::string> frozen_value(
      std::string_view key,
      const std::function<Result<std::string>(Database&)>& make) override {
    const std::string name(key);
    auto stored = state_.run_value(info_.run_id, name);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) return **stored;
    auto made = make(db_);
    if (!made.ok()) return made.status();
    return state_.freeze_run_value(info_.run_id, name, *made);
  }

 private:
  Database& db_;
  RunState& state_;
  RunInfo info_;
  HostLogger& log_;
  const Runner& runner_;
};

namespace {

// The step's rejects file: one JSON object per rejected record, committed with the checkpoints.
class StepRejects {
 public:
  class ForPlugin final : public Rejects {
   public:
    ForPlugin(StepRejects& file, std::string plugin) : file_(file), plugin_(std::move(plugin)) {}
    void reject(std::string_view position, std::string_view reason,
                std::string_view record) override {
      file_.write(plugin_, position, reason, record);
      ++count_;
    }
    std::int64_t take_count() { return std::exchange(count_, 0); }

   private:
    StepRejects& file_;
    std::string plugin_;
    std::int64_t count_ = 0;
  };

  // Reasons are messages and are redacted like log lines; records are evidence and lose only
  // the registered secrets.
  StepRejects(StagedFile file, std::string step, const Redactor& redactor)
      : file_(std::move(file)), step_(std::move(step)), redactor_(redactor) {}

  void write(const std::string& plugin, std::string_view position, std::string_view reason,
             std::string_view record) {
    const json line = {{"step", step_},
                       {"plugin", plugin},
                       {"position", position},
                       {"reason", redactor_.redact(reason)},
                       {"record", redactor_.redact_known(record)}};
    if (status_.ok()) {
      status_ = file_.append(line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
    }
  }
  Status status() const { return status_; }
  StagedFile& file() { return file_; }

 private:
  StagedFile file_;
  std::string step_;
  const Redactor& redactor_;
  Status status_;
};


}  // namespace

Runner::Runner(BoundJob& job, Database& db, HostLogger& log, const SignalWatcher* signals)
    : job_(job), db_(db), log_(log), signals_(signals) {}

bool Runner::stop_requested() const { return signals_ != nullptr && signals_->stop_requested(); }

Status Runner::commit_chunk(const WriteBatch& batch) {
  Status status;
  for (int attempt = 0; attempt < 6; ++attempt) {
    status = db_.apply(batch);
    if (status.ok() || !status.retryable()) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
  }
  return status;
}

namespace {

// The plugin object of `bp` as the interface of its kind; null only if the plugin lied about
// its kind in the descriptor, which open_pipeline reports.
template <typename T>
T* as_role(BoundPlugin& bp) {
  return dynamic_cast<T*>(bp.instance->get());
}

// The opened plugins of one pipeline step, typed by their role.
struct Pipeline {
  Source* source = nullptr;
  std::vector<Transform*> transforms;
  std::vector<Sink*> sinks;
  std::vector<std::shared_ptr<const Schema>> schemas;  // source output, then each transform's
  std::vector<std::unique_ptr<StepRejects::ForPlugin>> rejects;  // one per plugin, step order
};

Result<Pipeline> open_pipeline(BoundStep& step, Context& ctx, const Checkpoint& checkpoint,
                               StepRejects& rejects) {
  Pipeline p;
  auto& plugins = step.plugins;
  for (BoundPlugin& bp : plugins) {
    p.rejects.push_back(std::make_unique<StepRejects::ForPlugin>(rejects, bp.label));
  }
  p.source = as_role<Source>(plugins[0]);
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    const bool fits = i == 0 ? p.source != nullptr
                      : i <= step.spec->transforms.size() ? as_role<Transform>(plugins[i]) != nullptr
                                                          : as_role<Sink>(plugins[i]) != nullptr;
    if (!fits) {
      return Status::plugin_abi("plugin '" + plugins[i].label + "' (" + plugins[i].info->path +
                                ") does not implement the interface of its declared kind");
    }
  }
  HADES_RETURN_IF_ERROR(guarded(plugins[0], "open", [&] { return p.source->open(ctx, checkpoint.cursor); }));
  p.schemas.push_back(p.source->schema());
  const std::size_t n_transforms = step.spec->transforms.size();
  for (std::size_t i = 1; i <= n_transforms; ++i) {
    auto* t = as_role<Transform>(plugins[i]);
    std::shared_ptr<const Schema> out;
    HADES_RETURN_IF_ERROR(guarded(plugins[i], "open", [&] {
      auto opened = t->open(ctx, p.schemas.back());
      if (!opened.ok()) return opened.status();
      out = *opened;
      return Status::ok_status();
    }));
    p.transforms.push_back(t);
    p.schemas.push_back(std::move(out));
  }
  for (std::size_t i = n_transforms + 1; i < plugins.size(); ++i) {
    auto* s = as_role<Sink>(plugins[i]);
    const std::size_t sink_index = i - n_transforms - 1;
    const std::string token =
        sink_index < checkpoint.sink_tokens.size() ? checkpoint.sink_tokens[sink_index] : "";
    HADES_RETURN_IF_ERROR(
        guarded(plugins[i], "open", [&] { return s->open(ctx, p.schemas.back(), token); }));
    p.sinks.push_back(s);
  }
  return p;
}

}  // namespace

namespace {

// Reads one chunk and pushes it through transforms into the sinks' batch. Counts land in `cp`.
// Returns whether the source may have more.
Result<bool> process_chunk(Pipeline& p, BoundStep& step, std::size_t chunk_size, Checkpoint& cp,
                           WriteBatch& batch) {
  auto& plugins = step.plugins;
  Chunk chunk(p.schemas[0]);
  chunk.reserve(chunk_size);
  bool more = false;
  HADES_RETURN_IF_ERROR(guarded(plugins[0], "read", [&] {
    auto read = p.source->read(chunk_size, &chunk, *p.rejects[0]);
    if (!read.ok()) return read.status();
    more = *read;
    return Status::ok_status();
  }));
  std::int64_t rejected = p.rejects[0]->take_count();
  cp.counts[0].out += static_cast<std::int64_t>(chunk.size());
  cp.counts[0].in += static_cast<std::int64_t>(chunk.size()) + rejected;
  cp.counts[0].rejected += rejected;
  for (std::size_t t = 0; t < p.transforms.size(); ++t) {
    const std::size_t i = t + 1;
    Chunk next(p.schemas[i]);
    next.reserve(chunk.size());
    cp.counts[i].in += static_cast<std::int64_t>(chunk.size());
    HADES_RETURN_IF_ERROR(guarded(plugins[i], "apply", [&] {
      return p.transforms[t]->apply(std::move(chunk), &next, *p.rejects[i]);
    }));
    chunk = std::move(next);
    const std::int64_t r = p.rejects[i]->take_count();
    cp.counts[i].out += static_cast<std::int64_t>(chunk.size());
    cp.counts[i].rejected += r;
    rejected += r;
  }
  for (std::size_t s = 0; s < p.sinks.size(); ++s) {
    const std::size_t i = s + 1 + p.transforms.size();
    HADES_RETURN_IF_ERROR(
        guarded(plugins[i], "write", [&] { return p.sinks[s]->write(chunk, batch, *p.rejects[i]); }));
    const std::int64_t r = p.rejects[i]->take_count();
    cp.counts[i].in += static_cast<std::int64_t>(chunk.size());
    cp.counts[i].out += static_cast<std::int64_t>(chunk.size()) - r;
    cp.counts[i].rejected += r;
    rejected += r;
  }
  cp.rejected += rejected;
  return more;
}

// Makes the sinks' and the rejects file's output durable and records their tokens in `cp`.
Status flush_outputs(Pipeline& p, BoundStep& step, StepRejects& rejects, Checkpoint& cp) {
  HADES_RETURN_IF_ERROR(rejects.status());
  cp.sink_tokens.assign(p.sinks.size(), "");
  for (std::size_t s = 0; s < p.sinks.size(); ++s) {
    BoundPlugin& bp = step.plugins[s + 1 + p.transforms.size()];
    HADES_RETURN_IF_ERROR(guarded(bp, "flush", [&] {
      auto token = p.sinks[s]->flush();
      if (!token.ok()) return token.status();
      cp.sink_tokens[s] = *token;
      return Status::ok_status();
    }));
  }
  auto token = rejects.file().flush();
  if (!token.ok()) return token.status();
  cp.rejects_token = *token;
  return Status::ok_status();
}

Result<Checkpoint> starting_checkpoint(const BoundStep& step, const std::string& text) {
  Checkpoint cp;
  if (!text.empty()) {
    auto decoded = decode_checkpoint(text);
    if (!decoded.ok()) return decoded.status();
    cp = *decoded;
  }
  if (cp.counts.empty()) {
    for (const BoundPlugin& bp : step.plugins) cp.counts.push_back({bp.label, 0, 0, 0});
  }
  bool same_plugins = cp.counts.size() == step.plugins.size();
  for (std::size_t i = 0; same_plugins && i < cp.counts.size(); ++i) {
    same_plugins = cp.counts[i].plugin == step.plugins[i].label;
  }
  if (!same_plugins) {
    return Status::corruption("the checkpoint was written by a different version of step '" +
                              step.spec->name + "': run with --fresh, or `hades state --reset " +
                              step.spec->name + "`");
  }
  return cp;
}

// An incremental source that starts afresh continues from where the step's last successful
// run left it; a failed run's progress is never used (it may not have reached its end).
Result<std::string> incremental_start(const BoundStep& step, RunState& state,
                                      const std::string& job, HostLogger& log) {
  auto last = state.last_success_checkpoint(job, step.spec->name);
  if (!last.ok()) return last.status();
  if (!last->has_value() || (*last)->second.empty()) return std::string();
  auto decoded = decode_checkpoint((*last)->second);
  if (!decoded.ok()) {
    return decoded.status().with_context("the checkpoint of step '" + step.spec->name +
                                         "' in run " + std::to_string((*last)->first));
  }
  log.info("step '" + step.spec->name + "': incremental source continues from the cursor of run " +
           std::to_string((*last)->first));
  return decoded->cursor;
}

}  // namespace

Status Runner::run_pipeline(BoundStep& step, StepContext& ctx, RunState& state,
                            const std::string& checkpoint_text, StepSummary& out) {
  auto start = starting_checkpoint(step, checkpoint_text);
  if (!start.ok()) return start.status();
  Checkpoint cp = std::move(start).value();
  if (checkpoint_text.empty() && step.spec->source.incremental) {
    auto cursor = incremental_start(step, state, job_.job->name, log_);
    if (!cursor.ok()) return cursor.status();
    cp.cursor = std::move(cursor).value();
  }
  out.resumed = !checkpoint_text.empty();
  out.resumed_from_chunk = cp.chunks;
  const std::string path = rejects_path(*job_.job, step.spec->name, ctx.run().run_id, database_id_);
  std::error_code ec;
  const std::string dir = std::filesystem::path(path).parent_path().string();
  std::filesystem::create_directories(dir, ec);
  if (ec) return file_error("rejects_dir", "create", dir, ec.value());
  auto file = StagedFile::open(path, cp.rejects_token);
  if (!file.ok()) return file.status();
  StepRejects rejects(std::move(file).value(), step.spec->name, log_.redactor());
  auto opened = open_pipeline(step, ctx, cp, rejects);
  if (!opened.ok()) return opened.status();
  Pipeline& p = *opened;

  for (bool more = true; more;) {
    if (stop_requested()) return Status::cancelled("stopped by signal at a chunk boundary");
    WriteBatch batch;
    auto chunk = process_chunk(p, step, step.spec->chunk_size, cp, batch);
    if (!chunk.ok()) return chunk.status();
    more = *chunk;
    if (cp.rejected > step.spec->skip_budget) {
      (void)rejects.file().flush();  // leave the evidence readable in the .partial file
      return Status::budget_exceeded(
          std::to_string(cp.rejected) + " rejected records exceed skip_budget " +
          std::to_string(step.spec->skip_budget) + "; see " + rejects.file().partial_path());
    }
    HADES_RETURN_IF_ERROR(flush_outputs(p, step, rejects, cp));
    cp.cursor = p.source->cursor();
    ++cp.chunks;
    RunState::add_checkpoint(batch, ctx.run().run_id, step.spec->name, encode_checkpoint(cp),
                             utc_now_iso());
    HADES_RETURN_IF_ERROR(commit_chunk(batch).with_context("committing chunk " +
                                                           std::to_string(cp.chunks)));
    if (show_progress_) {
      std::fprintf(stderr, "\r[%s] %lld records read, %lld rejected", step.spec->name.c_str(),
                   static_cast<long long>(cp.counts[0].in), static_cast<long long>(cp.rejected));
    }
  }
  if (show_progress_) std::fputc('\n', stderr);
  for (std::size_t s = 0; s < p.sinks.size(); ++s) {
    BoundPlugin& bp = step.plugins[s + 1 + p.transforms.size()];
    HADES_RETURN_IF_ERROR(guarded(bp, "finish", [&] { return p.sinks[s]->finish(ctx); }));
  }
  if (cp.rejected > 0) {
    HADES_RETURN_IF_ERROR(rejects.file().publish());
    out.rejects_file = path;
  } else {
    std::filesystem::remove(rejects.file().partial_path(), ec);
  }
  out.counts = cp.counts;
  out.rejected = cp.rejected;
  return Status::ok_status();
}

Status Runner::run_task(BoundStep& step, StepContext& ctx, StepSummary& /*out*/) {
  auto* task = as_role<Task>(step.plugins[0]);
  if (task == nullptr) {
    return Status::plugin_abi("plugin '" + step.plugins[0].label +
                              "' does not implement the task interface");
  }
  return guarded(step.plugins[0], "run", [&] { return task->run(ctx); });
}

namespace {

std::string params_json(const JobSpec& job) { return json(job.params).dump(); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Finds or starts the run to execute: the unfinished one unless `fresh`.
Result<RunRecord> choose_run(RunState& state, const JobSpec& job, bool fresh,
                             const std::string& database_id, HostLogger& log, bool* resumed) {
  auto unfinished = state.unfinished_run(job.name);
  if (!unfinished.ok()) return unfinished.status();
  *resumed = false;
  if (unfinished->has_value()) {
    const RunRecord& previous = **unfinished;
    if (fresh) {
      HADES_RETURN_IF_ERROR(state.finish_run(previous.run_id, "abandoned", utc_now_iso()));
      log.info("abandoned unfinished run " + std::to_string(previous.run_id) + " (--fresh)");
      for (const std::string& note : remove_leftovers(state, job, previous.run_id, database_id)) {
        log.info("run " + std::to_string(previous.run_id) + ": " + note);
      }
    } else if (Status resumable = check_resumable(previous, job); !resumable.ok()) {
      return resumable;
    } else {
      *resumed = true;
      log.info("resuming run " + std::to_string(previous.run_id) + " started " +
               previous.started_at);
      return previous;
    }
  }
  return state.start_run(job.name, params_json(job), job.definition_digest, utc_now_iso());
}

}  // namespace

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

RunSummary Runner::run(const RunOptions& options) {
  const auto clock_start = std::chrono::steady_clock::now();
  show_progress_ = options.show_progress;
  RunSummary summary;
  summary.job = job_.job->name;
  summary.status = "failed";
  RunState state(db_, ProcessIdentity::current());
  summary.error = state.migrate();
  if (!summary.error.ok()) return summary;
  auto database_id = state.database_id();
  if (!database_id.ok()) {
    summary.error = database_id.status();
    return summary;
  }
  database_id_ = std::move(database_id).value();
  auto lock = state.acquire_lock(job_.job->name, utc_now_iso());
  if (!lock.ok()) {
    summary.error = lock.status();
    return summary;
  }
  auto run = choose_run(state, *job_.job, options.fresh, database_id_, log_, &summary.resumed);
  if (!run.ok()) {
    summary.error = run.status();
    (void)state.release_lock(job_.job->name, lock->token);
    return summary;
  }
  summary.run_id = run->run_id;
  summary.started_at = run->started_at;
  log_.set_field("job", job_.job->name);
  log_.set_field("run_id", std::to_string(run->run_id));
  summary.error = run_steps(state, *run, summary);
  summary.status = summary.error.ok() ? "succeeded" : "failed";
  summary.ended_at = utc_now_iso();
  const Status finished = state.finish_run(run->run_id, summary.status, summary.ended_at);
  if (summary.error.ok()) summary.error = finished;
  (void)state.release_lock(job_.job->name, lock->token);
  summary.duration_seconds = seconds_since(clock_start);
  return summary;
}

Status Runner::run_steps(RunState& state, const RunRecord& run, RunSummary& summary) {
  auto records = state.steps(run.run_id);
  if (!records.ok()) return records.status();
  std::map<std::string, StepRecord> by_name;
  for (const StepRecord& r : *records) by_name[r.step] = r;
  for (BoundStep& step : job_.steps) {
    const std::string& name = step.spec->name;
    StepSummary& out = summary.steps.emplace_back();
    out.name = name;
    out.kind = step.spec->kind == StepSpec::Kind::kTask ? "task" : "pipeline";
    const auto record = by_name.find(name);
    if (record != by_name.end() && record->second.status == "completed") {
      out.status = "skipped";
      log_.info("step '" + name + "' completed in an earlier attempt: skipped");
      continue;
    }
    log_.set_field("step", name);
    const auto start = std::chrono::steady_clock::now();
    HADES_RETURN_IF_ERROR(state.set_step_status(run.run_id, name, "running", utc_now_iso()));
    RunInfo info{run.run_id, job_.job->name, name, run.started_at, job_.job->params};
    StepContext ctx(db_, state, info, log_, *this);
    const std::string checkpoint = record == by_name.end() ? "" : record->second.checkpoint;
    Status status = step.spec->kind == StepSpec::Kind::kTask
                        ? run_task(step, ctx, out)
                        : run_pipeline(step, ctx, state, checkpoint, out);
    out.duration_seconds = seconds_since(start);
    log_.set_field("step", "");
    if (!status.ok()) {
      out.status = status.code() == StatusCode::kCancelled ? "interrupted" : "failed";
      (void)state.set_step_status(run.run_id, name, "failed", utc_now_iso());
      return status.with_context("step '" + name + "'");
    }
    HADES_RETURN_IF_ERROR(state.set_step_status(run.run_id, name, "completed", utc_now_iso()));
    out.status = "completed";
    log_.info("step '" + name + "' completed in " + std::to_string(out.duration_seconds) + " s");
  }
  return Status::ok_status();
}

}  // namespace hades
