#include "runner.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "hades/file_checks.h"
#include "hades/staged_file.h"
#include "order_stage.h"
#include "progress.h"
#include "run_files.h"
#include "run_plan.h"
#include "signals.h"

namespace hades {

using nlohmann::json;

std::string utc_now_iso() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

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

// Each plugin use of `step` in step order, with the kind its place in the job file needs.
std::vector<std::pair<const PluginRef*, PluginKind>> places_of(const StepSpec& step) {
  if (step.kind == StepSpec::Kind::kTask) return {{&step.task, PluginKind::kTask}};
  std::vector<std::pair<const PluginRef*, PluginKind>> places = {
      {&step.source, PluginKind::kSource}};
  for (const PluginRef& t : step.transforms) places.emplace_back(&t, PluginKind::kTransform);
  for (const PluginRef& s : step.sinks) places.emplace_back(&s, PluginKind::kSink);
  return places;
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
  BoundPlugin bound{
      label,
      kind,
      *info,
      ref.where,
      bind_settings(ref, (*info)->settings.data(), (*info)->settings.size(), diagnostics),
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
    for (const auto& [ref, kind] : places_of(step)) {
      if (ref->plugin.empty()) continue;  // the YAML phase already reported it
      const int use = ++uses[ref->plugin];
      const std::string label = use == 1 ? ref->plugin : ref->plugin + "#" + std::to_string(use);
      auto plugin = bind_plugin(*ref, kind, label, registry, redactor, diagnostics);
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
      std::string_view key, const std::function<Result<std::string>(Database&)>& make) override {
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
      reject("", position, reason, record);
    }
    void reject(std::string_view kind, std::string_view position, std::string_view reason,
                std::string_view record) override {
      file_.write(plugin_, kind, position, reason, record);
      ++count_;
      if (!kind.empty()) ++by_kind_[std::string(kind)];
    }
    // The records rejected since the last call, added to `counts` (and to the step's total in
    // `cp`); returns how many.
    std::int64_t take_count(PluginCounts& counts, Checkpoint& cp) {
      for (const auto& [kind, n] : by_kind_) counts.rejected_by_kind[kind] += n;
      by_kind_.clear();
      counts.rejected += count_;
      cp.rejected += count_;
      return std::exchange(count_, 0);
    }

   private:
    StepRejects& file_;
    std::string plugin_;
    std::int64_t count_ = 0;
    std::map<std::string, std::int64_t> by_kind_;
  };

  // Reasons are messages and are redacted like log lines; records are evidence and lose only
  // the registered secrets.
  StepRejects(StagedFile file, std::string step, const Redactor& redactor)
      : file_(std::move(file)), step_(std::move(step)), redactor_(redactor) {}

  void write(const std::string& plugin, std::string_view kind, std::string_view position,
             std::string_view reason, std::string_view record) {
    json line = {{"step", step_},
                 {"plugin", plugin},
                 {"position", position},
                 {"reason", redactor_.redact(reason)},
                 {"record", redactor_.redact_known(record)}};
    if (!kind.empty()) line["kind"] = kind;
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

// Whether the plugin object of `bp` implements the interface of the place it fills.
bool implements_role(BoundPlugin& bp) {
  switch (bp.role) {
    case PluginKind::kSource:
      return as_role<Source>(bp) != nullptr;
    case PluginKind::kTransform:
      return as_role<Transform>(bp) != nullptr;
    case PluginKind::kSink:
      return as_role<Sink>(bp) != nullptr;
    case PluginKind::kTask:
      return as_role<Task>(bp) != nullptr;
    case PluginKind::kPage:
      break;  // never a step's plugin: bind_job refuses it
  }
  return false;
}

// Where a run keeps its temporary files (order_by's sorted runs), one folder per step.
std::filesystem::path run_work_dir(const JobSpec& job, std::int64_t run_id) {
  return std::filesystem::path(job.work_dir) / job.name / ("run-" + std::to_string(run_id));
}
std::string step_work_dir(const JobSpec& job, std::int64_t run_id, const std::string& step) {
  return (run_work_dir(job, run_id) / step).string();
}

// The labels of a step's counts: its plugins in step order, with order_by in its place.
std::vector<std::string> count_labels(const BoundStep& step) {
  std::vector<std::string> labels;
  for (const BoundPlugin& bp : step.plugins) labels.push_back(bp.label);
  if (step.spec->order && labels.size() > step.spec->order_after) {
    labels.insert(labels.begin() + static_cast<std::ptrdiff_t>(step.spec->order_after + 1),
                  kOrderStageLabel);
  }
  return labels;
}

}  // namespace

// The opened plugins of one pipeline step, typed by their role, and where their rejects go.
struct Pipeline {
  Source* source = nullptr;
  std::vector<Transform*> transforms;
  std::vector<Sink*> sinks;
  std::vector<std::shared_ptr<const Schema>> schemas;  // source output, then each transform's
  std::unique_ptr<StepRejects> rejects_file;
  std::vector<std::unique_ptr<StepRejects::ForPlugin>> rejects;  // one per count slot
  // The step's order_by, if any: it takes the output of transforms[order_after - 1] (or of the
  // source when order_after is 0) and passes on records of order_schema.
  const OrderSpec* order = nullptr;
  std::size_t order_after = 0;
  std::shared_ptr<const Schema> order_schema;

  // Wall time spent in each count slot's calls in this process, and in commits: the shares a
  // person reads to see where a step's time goes (the summary's `seconds`).
  std::vector<double> seconds;
  double commit_seconds = 0;
  // Reads in a row that returned "more" with no row and no reject (read_source's guard).
  std::int64_t empty_reads = 0;

  // Where plugin `i` (0 the source, then transforms, then sinks) counts in Checkpoint::counts
  // and `rejects`: order_by has a slot of its own.
  std::size_t slot(std::size_t i) const { return i + (order != nullptr && i > order_after); }
  std::size_t order_slot() const { return order_after + 1; }
  std::size_t sink_plugin(std::size_t s) const { return 1 + transforms.size() + s; }
  // What transform `t` (0-based; transforms.size() for the sinks) reads.
  const std::shared_ptr<const Schema>& input_of(std::size_t t) const {
    return order != nullptr && t == order_after ? order_schema : schemas[t];
  }
};

namespace {

// Where order_by goes in an opened pipeline: its output schema, checked against the records a
// resumed step already ordered.
Status place_order(Pipeline& p, const StepSpec& spec, const Checkpoint& checkpoint) {
  const std::vector<std::string>& columns = p.schemas[p.order_after]->columns();
  if (checkpoint.order && checkpoint.order->columns != columns) {
    return Status::invalid_config(
        "step '" + spec.name +
        "': the records reaching order_by now have other columns than "
        "those this run ordered before it was interrupted; resume it with the input and "
        "plugins it started with, or run with --fresh");
  }
  p.order_schema = order_output_schema(*p.order, columns);
  return Status::ok_status();
}

Result<Pipeline> open_pipeline(BoundStep& step, Context& ctx, const Checkpoint& checkpoint,
                               std::unique_ptr<StepRejects> rejects) {
  Pipeline p;
  p.rejects_file = std::move(rejects);
  for (const std::string& label : count_labels(step)) {
    p.rejects.push_back(std::make_unique<StepRejects::ForPlugin>(*p.rejects_file, label));
  }
  p.seconds.assign(p.rejects.size(), 0.0);
  if (step.spec->order) {
    p.order = &*step.spec->order;
    p.order_after = step.spec->order_after;
  }
  auto& plugins = step.plugins;
  p.source = as_role<Source>(plugins[0]);
  for (BoundPlugin& bp : plugins) {
    if (!implements_role(bp)) {
      return Status::plugin_abi("plugin '" + bp.label + "' (" + bp.info->path +
                                ") does not implement the interface of its declared kind");
    }
  }
  HADES_RETURN_IF_ERROR(
      guarded(plugins[0], "open", [&] { return p.source->open(ctx, checkpoint.cursor); }));
  p.schemas.push_back(p.source->schema());
  const std::size_t n_transforms = step.spec->transforms.size();
  for (std::size_t i = 1; i <= n_transforms + 1; ++i) {
    if (p.order != nullptr && i - 1 == p.order_after) {
      HADES_RETURN_IF_ERROR(place_order(p, *step.spec, checkpoint));
    }
    if (i > n_transforms) break;
    auto* t = as_role<Transform>(plugins[i]);
    std::shared_ptr<const Schema> out;
    HADES_RETURN_IF_ERROR(guarded(plugins[i], "open", [&] {
      auto opened = t->open(ctx, p.input_of(i - 1));
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
        guarded(plugins[i], "open", [&] { return s->open(ctx, p.input_of(n_transforms), token); }));
    p.sinks.push_back(s);
  }
  return p;
}

// Adds the wall time from its construction to its end to `*into`.
class Timed {
 public:
  explicit Timed(double* into) : into_(into), start_(std::chrono::steady_clock::now()) {}
  Timed(const Timed&) = delete;
  Timed& operator=(const Timed&) = delete;
  ~Timed() {
    *into_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  double* into_;
  std::chrono::steady_clock::time_point start_;
};

// Reads one chunk from the source into `chunk`. Returns whether the source may have more.
// A source that keeps saying "more" while giving neither rows nor rejects would loop (and
// commit an empty checkpoint) forever: after kMaxEmptyReads such reads in a row it is stopped
// as a broken plugin (kPluginAbi: rerunning it would loop again).
Result<bool> read_source(Pipeline& p, BoundStep& step, std::size_t chunk_size, Checkpoint& cp,
                         Chunk* chunk) {
  const Timed timed(&p.seconds[0]);
  chunk->reserve(chunk_size);
  bool more = false;
  HADES_RETURN_IF_ERROR(guarded(step.plugins[0], "read", [&] {
    auto read = p.source->read(chunk_size, chunk, *p.rejects[0]);
    if (!read.ok()) return read.status();
    more = *read;
    return Status::ok_status();
  }));
  const std::int64_t rejected = p.rejects[0]->take_count(cp.counts[0], cp);
  cp.counts[0].out += static_cast<std::int64_t>(chunk->size());
  cp.counts[0].in += static_cast<std::int64_t>(chunk->size()) + rejected;
  p.empty_reads = more && chunk->size() == 0 && rejected == 0 ? p.empty_reads + 1 : 0;
  if (p.empty_reads >= kMaxEmptyReads) {
    return Status::plugin_abi("plugin '" + step.plugins[0].label + "': read returned more " +
                              std::to_string(kMaxEmptyReads) +
                              " times in a row without a row or a reject; a source must "
                              "return false once it has nothing left (docs/writing-a-plugin.md)");
  }
  return more;
}

// Passes `chunk` through transforms [first, last).
Status apply_transforms(Pipeline& p, BoundStep& step, std::size_t first, std::size_t last,
                        Checkpoint& cp, Chunk* chunk) {
  for (std::size_t t = first; t < last; ++t) {
    const std::size_t slot = p.slot(t + 1);
    const Timed timed(&p.seconds[slot]);
    Chunk next(p.schemas[t + 1]);
    next.reserve(chunk->size());
    cp.counts[slot].in += static_cast<std::int64_t>(chunk->size());
    HADES_RETURN_IF_ERROR(guarded(step.plugins[t + 1], "apply", [&] {
      return p.transforms[t]->apply(std::move(*chunk), &next, *p.rejects[slot]);
    }));
    *chunk = std::move(next);
    (void)p.rejects[slot]->take_count(cp.counts[slot], cp);
    cp.counts[slot].out += static_cast<std::int64_t>(chunk->size());
  }
  return Status::ok_status();
}

// Hands `chunk` to every sink, which adds its database rows to `batch`.
Status write_sinks(Pipeline& p, BoundStep& step, const Chunk& chunk, Checkpoint& cp,
                   WriteBatch& batch) {
  for (std::size_t s = 0; s < p.sinks.size(); ++s) {
    const std::size_t i = p.sink_plugin(s);
    const std::size_t slot = p.slot(i);
    const Timed timed(&p.seconds[slot]);
    HADES_RETURN_IF_ERROR(guarded(step.plugins[i], "write", [&] {
      return p.sinks[s]->write(chunk, batch, *p.rejects[slot]);
    }));
    const std::int64_t r = p.rejects[slot]->take_count(cp.counts[slot], cp);
    cp.counts[slot].in += static_cast<std::int64_t>(chunk.size());
    cp.counts[slot].out += static_cast<std::int64_t>(chunk.size()) - r;
  }
  return Status::ok_status();
}

// Hands `chunk` to order_by; duplicates are its rejects, of kind "duplicate".
Status add_to_order(Pipeline& p, OrderSorter& sorter, const Chunk& chunk, Checkpoint& cp) {
  const Timed timed(&p.seconds[p.order_slot()]);
  HADES_RETURN_IF_ERROR(sorter.add(chunk, *p.rejects[p.order_slot()]));
  PluginCounts& counts = cp.counts[p.order_slot()];
  (void)p.rejects[p.order_slot()]->take_count(counts, cp);
  counts.in += static_cast<std::int64_t>(chunk.size());
  return Status::ok_status();
}

Status check_skip_budget(Pipeline& p, const StepSpec& step, const Checkpoint& cp) {
  if (cp.rejected <= step.skip_budget) return Status::ok_status();
  (void)p.rejects_file->file().flush();  // leave the evidence readable in the .partial file
  return Status::budget_exceeded(
      std::to_string(cp.rejected) + " rejected records exceed skip_budget " +
      std::to_string(step.skip_budget) + "; see " + p.rejects_file->file().partial_path());
}

// Makes the sinks' and the rejects file's output durable and records their tokens in `cp`.
Status flush_outputs(Pipeline& p, BoundStep& step, Checkpoint& cp) {
  HADES_RETURN_IF_ERROR(p.rejects_file->status());
  cp.sink_tokens.assign(p.sinks.size(), "");
  for (std::size_t s = 0; s < p.sinks.size(); ++s) {
    const Timed timed(&p.seconds[p.slot(p.sink_plugin(s))]);
    HADES_RETURN_IF_ERROR(guarded(step.plugins[p.sink_plugin(s)], "flush", [&] {
      auto token = p.sinks[s]->flush();
      if (!token.ok()) return token.status();
      cp.sink_tokens[s] = *token;
      return Status::ok_status();
    }));
  }
  auto token = p.rejects_file->file().flush();
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
  const std::vector<std::string> labels = count_labels(step);
  if (cp.counts.empty()) {
    for (const std::string& label : labels) cp.counts.emplace_back().plugin = label;
  }
  bool same_plugins = cp.counts.size() == labels.size();
  for (std::size_t i = 0; same_plugins && i < cp.counts.size(); ++i) {
    same_plugins = cp.counts[i].plugin == labels[i];
  }
  // Nothing of an ordered step is committed before all its records are ordered.
  same_plugins =
      same_plugins && (text.empty() || cp.order.has_value() == step.spec->order.has_value());
  if (!same_plugins) {
    return Status::corruption("the checkpoint was written by a different version of step '" +
                              step.spec->name + "': run with --fresh, or `hades state --reset " +
                              step.spec->name + "`");
  }
  return cp;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The log line of an order_by that has all its records.
std::string order_summary(const OrderSorter& sorter, const OrderProgress& ordered, double seconds) {
  return "order_by: " + std::to_string(sorter.records_in()) + " records in, " +
         std::to_string(sorter.duplicates()) + " duplicates, " + std::to_string(ordered.records) +
         " to pass on; " + std::to_string(sorter.runs_spilled()) + " sorted run(s) written, " +
         std::to_string(ordered.runs.size()) + " left to merge; held at most " +
         std::to_string(sorter.peak_bytes() >> 10) + " KiB; sorted and merged in " +
         std::to_string(seconds) + " s";
}

// Empties (and creates) a folder: what a dead attempt left there is of no use.
Status fresh_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (!ec) std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io("cannot prepare work directory " + dir + ": " + ec.message());
  return Status::ok_status();
}

}  // namespace

// Checks the skip budget, makes the chunk's outputs durable and commits them with the
// checkpoint.
Status Runner::commit_step_chunk(Pipeline& p, BoundStep& step, StepContext& ctx, Checkpoint& cp,
                                 WriteBatch& batch) {
  HADES_RETURN_IF_ERROR(check_skip_budget(p, *step.spec, cp));
  HADES_RETURN_IF_ERROR(flush_outputs(p, step, cp));
  ++cp.chunks;
  RunState::add_checkpoint(batch, ctx.run().run_id, step.spec->name, encode_checkpoint(cp),
                           utc_now_iso());
  const Timed timed(&p.commit_seconds);
  return commit_chunk(batch).with_context("committing chunk " + std::to_string(cp.chunks));
}

Status Runner::run_chunks(Pipeline& p, BoundStep& step, StepContext& ctx, Checkpoint& cp,
                          ProgressLine& progress) {
  for (bool more = true; more;) {
    if (stop_requested()) return Status::cancelled("stopped by signal at a chunk boundary");
    WriteBatch batch;
    Chunk chunk(p.schemas[0]);
    auto read = read_source(p, step, step.spec->chunk_size, cp, &chunk);
    if (!read.ok()) return read.status();
    more = *read;
    HADES_RETURN_IF_ERROR(apply_transforms(p, step, 0, p.transforms.size(), cp, &chunk));
    HADES_RETURN_IF_ERROR(write_sinks(p, step, chunk, cp, batch));
    cp.cursor = p.source->cursor();
    HADES_RETURN_IF_ERROR(commit_step_chunk(p, step, ctx, cp, batch));
    show_source_progress(p, "reading", cp, progress);
  }
  return Status::ok_status();
}

void Runner::show_source_progress(const Pipeline& p, std::string_view phase, const Checkpoint& cp,
                                  ProgressLine& progress) const {
  if (!show_progress_) return;
  const std::optional<SourceProgress> at = p.source->progress();
  progress.update(phase, cp.counts[0].in, at ? at->done : 0, at ? at->total : 0);
}

// The read phase of an ordered step and its barrier: every record through the transforms
// before order_by into sorted runs, then one checkpoint that records the runs.
Status Runner::read_and_order(Pipeline& p, BoundStep& step, StepContext& ctx,
                              const std::string& dir, Checkpoint& cp, ProgressLine& progress) {
  HADES_RETURN_IF_ERROR(fresh_directory(dir));
  auto sorter = OrderSorter::create(*p.order, *p.schemas[p.order_after], dir, log_);
  if (!sorter.ok()) return sorter.status();
  for (bool more = true; more;) {
    if (stop_requested()) {
      return Status::cancelled(
          "stopped by signal before order_by had every record; the step "
          "reads its input again when resumed");
    }
    Chunk chunk(p.schemas[0]);
    auto read = read_source(p, step, step.spec->chunk_size, cp, &chunk);
    if (!read.ok()) return read.status();
    more = *read;
    HADES_RETURN_IF_ERROR(apply_transforms(p, step, 0, p.order_after, cp, &chunk));
    HADES_RETURN_IF_ERROR(add_to_order(p, **sorter, chunk, cp));
    HADES_RETURN_IF_ERROR(check_skip_budget(p, *step.spec, cp));
    show_source_progress(p, "reading", cp, progress);
  }
  const auto started = std::chrono::steady_clock::now();
  auto ordered = [&] {
    const Timed timed(&p.seconds[p.order_slot()]);
    return (*sorter)->finish([this] { return stop_requested(); });
  }();
  if (!ordered.ok()) return ordered.status();
  log_.info(order_summary(**sorter, *ordered, seconds_since(started)));
  return commit_barrier(p, step, ctx, std::move(ordered).value(), cp);
}

// Commits the checkpoint that holds every record of an ordered step: nothing of the step is
// committed before it, and each chunk after it commits as in any step.
Status Runner::commit_barrier(Pipeline& p, BoundStep& step, StepContext& ctx, OrderProgress ordered,
                              Checkpoint& cp) {
  cp.order = std::move(ordered);
  cp.cursor = p.source->cursor();
  cp.sink_tokens.assign(p.sinks.size(), "");  // they have been handed nothing yet
  HADES_RETURN_IF_ERROR(p.rejects_file->status());
  auto token = p.rejects_file->file().flush();
  if (!token.ok()) return token.status();
  cp.rejects_token = *token;
  ++cp.chunks;
  WriteBatch batch;
  RunState::add_checkpoint(batch, ctx.run().run_id, step.spec->name, encode_checkpoint(cp),
                           utc_now_iso());
  const Timed timed(&p.commit_seconds);
  return commit_chunk(batch).with_context("committing the ordered records");
}

// The write phase of an ordered step: the ordered records, from where the checkpoint left them,
// through the transforms after order_by into the sinks, chunk by chunk.
Status Runner::write_ordered(Pipeline& p, BoundStep& step, StepContext& ctx, const std::string& dir,
                             bool verify, Checkpoint& cp, ProgressLine& progress) {
  auto reader = OrderedReader::open(*p.order, *cp.order, dir, verify);
  if (!reader.ok()) {
    return reader.status().with_context("the ordered records of step '" + step.spec->name +
                                        "' (run with --fresh to start over)");
  }
  for (bool more = true; more;) {
    if (stop_requested()) return Status::cancelled("stopped by signal at a chunk boundary");
    Chunk chunk(p.order_schema);
    auto read = [&] {
      const Timed timed(&p.seconds[p.order_slot()]);
      return (*reader)->read(step.spec->chunk_size, &chunk);
    }();
    if (!read.ok()) return read.status();
    more = *read;
    cp.counts[p.order_slot()].out += static_cast<std::int64_t>(chunk.size());
    WriteBatch batch;
    HADES_RETURN_IF_ERROR(
        apply_transforms(p, step, p.order_after, p.transforms.size(), cp, &chunk));
    HADES_RETURN_IF_ERROR(write_sinks(p, step, chunk, cp, batch));
    cp.order->emitted = (*reader)->emitted();
    HADES_RETURN_IF_ERROR(commit_step_chunk(p, step, ctx, cp, batch));
    progress.update("writing", cp.order->emitted, static_cast<std::uint64_t>(cp.order->emitted),
                    static_cast<std::uint64_t>(cp.order->records));
  }
  return Status::ok_status();
}

Status Runner::run_pipeline(BoundStep& step, StepContext& ctx, const StepStart& how,
                            StepSummary& out) {
  const std::string& checkpoint_text = how.checkpoint;
  auto start = starting_checkpoint(step, checkpoint_text);
  if (!start.ok()) return start.status();
  Checkpoint cp = std::move(start).value();
  if (how.kind == StepStart::Kind::kIncremental) {
    log_.info("step '" + step.spec->name +
              "': incremental source continues from the cursor of run " +
              std::to_string(how.cursor_run));
    cp.cursor = how.cursor;
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
  auto opened = open_pipeline(
      step, ctx, cp,
      std::make_unique<StepRejects>(std::move(file).value(), step.spec->name, log_.redactor()));
  if (!opened.ok()) return opened.status();
  Pipeline& p = *opened;

  const std::string work_dir = step_work_dir(*job_.job, ctx.run().run_id, step.spec->name);
  ProgressLine progress(show_progress_, step.spec->name);
  // The time shares are reported whether the step ends well or not.
  const auto report_seconds = [&] {
    out.seconds = p.seconds;
    out.commit_seconds = p.commit_seconds;
  };
  Status body;
  if (p.order == nullptr) {
    body = run_chunks(p, step, ctx, cp, progress);
  } else {
    // Run files this process wrote need no checking; those of an earlier one do.
    const bool resumed = cp.order.has_value();
    if (!resumed) body = read_and_order(p, step, ctx, work_dir, cp, progress);
    if (body.ok()) body = write_ordered(p, step, ctx, work_dir, resumed, cp, progress);
  }
  progress.finish();
  report_seconds();
  HADES_RETURN_IF_ERROR(body);
  for (std::size_t s = 0; s < p.sinks.size(); ++s) {
    BoundPlugin& bp = step.plugins[p.sink_plugin(s)];
    HADES_RETURN_IF_ERROR(guarded(bp, "finish", [&] { return p.sinks[s]->finish(ctx); }));
  }
  if (cp.rejected > 0) {
    HADES_RETURN_IF_ERROR(p.rejects_file->file().publish());
    out.rejects_file = path;
  } else {
    std::filesystem::remove(p.rejects_file->file().partial_path(), ec);
  }
  if (p.order != nullptr) std::filesystem::remove_all(work_dir, ec);
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

// Removes the work folders of the job's other runs. Only the run about to go on can use its
// files: --fresh has abandoned the one before, and finished runs never resume.
void remove_other_work(const JobSpec& job, std::int64_t run_id) {
  const std::filesystem::path dir = run_work_dir(job, run_id);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path() != dir && name.rfind("run-", 0) == 0) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
}

// Finds or starts the run to execute, as plan_run() decides.
Result<RunRecord> choose_run(RunState& state, const JobSpec& job, bool fresh,
                             const std::string& database_id, HostLogger& log, bool* resumed) {
  auto plan = plan_run(state, job, fresh);
  if (!plan.ok()) return plan.status();
  *resumed = plan->resume.has_value();
  if (plan->resume) {
    log.info("resuming run " + std::to_string(plan->resume->run_id) + " started " +
             plan->resume->started_at);
    return *plan->resume;
  }
  if (plan->abandon) {
    const std::int64_t previous = plan->abandon->run_id;
    HADES_RETURN_IF_ERROR(state.finish_run(previous, "abandoned", utc_now_iso()));
    log.info("abandoned unfinished run " + std::to_string(previous) + " (--fresh)");
    for (const std::string& note : remove_leftovers(state, job, previous, database_id)) {
      log.info("run " + std::to_string(previous) + ": " + note);
    }
  }
  return state.start_run(job.name, params_json(job), job.definition_digest, utc_now_iso(),
                         job_file_identity(job));
}

}  // namespace

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
  remove_other_work(*job_.job, run->run_id);
  log_.set_field("job", job_.job->name);
  log_.set_field("run_id", std::to_string(run->run_id));
  summary.error = run_steps(state, *run, summary);
  summary.status = summary.error.ok() ? "succeeded" : "failed";
  if (summary.error.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(run_work_dir(*job_.job, run->run_id), ec);
  }
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
  for (BoundStep& step : job_.steps) {
    const std::string& name = step.spec->name;
    StepSummary& out = summary.steps.emplace_back();
    out.name = name;
    out.kind = step.spec->kind == StepSpec::Kind::kTask ? "task" : "pipeline";
    auto how = plan_step(state, job_.job->name, *records, *step.spec);
    if (how.ok() && how->kind == StepStart::Kind::kSkip) {
      out.status = "skipped";
      log_.info("step '" + name + "' completed in an earlier attempt: skipped");
      continue;
    }
    log_.set_field("step", name);
    const auto start = std::chrono::steady_clock::now();
    HADES_RETURN_IF_ERROR(state.set_step_status(run.run_id, name, "running", utc_now_iso()));
    RunInfo info{run.run_id, job_.job->name, name, run.started_at, job_.job->params};
    StepContext ctx(db_, state, info, log_, *this);
    Status status = !how.ok()                                  ? how.status()
                    : step.spec->kind == StepSpec::Kind::kTask ? run_task(step, ctx, out)
                                                               : run_pipeline(step, ctx, *how, out);
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
