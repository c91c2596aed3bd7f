// job.cc: loading a job file (see job.h for the two phases; job_bind.cc binds the settings).
//
// yaml-cpp is used for syntax only: every key, type and value is checked here by walking the
// node tree, because yaml-cpp silently accepts what a job must reject (duplicate keys, unknown
// keys) and its conversion errors carry no useful location.

#include "job.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

#include "hades/time.h"
#include "job_detail.h"
#include "yaml_limits.h"

namespace hades {

std::string SourceLocation::to_string() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const { return where.to_string() + ": " + message; }

namespace {

using namespace job_detail;  // NOLINT(google-build-using-namespace): the loader's own toolbox

const std::vector<std::string>& top_keys() {
  static const std::vector<std::string> kKeys = {
      "version", "name", "description", "database", "rejects_dir", "work_dir", "params", "steps"};
  return kKeys;
}
const std::vector<std::string>& param_keys() {
  static const std::vector<std::string> kKeys = {"default", "description", "type",
                                                 "min",     "max",         "values"};
  return kKeys;
}

std::int64_t current_day() {
  return std::chrono::floor<std::chrono::days>(Clock::now()).time_since_epoch().count();
}
const std::vector<std::string>& step_keys() {
  static const std::vector<std::string> kKeys = {
      "name", "chunk_size", "skip_budget", "source", "transforms", "sinks", "task"};
  return kKeys;
}
const std::vector<std::string>& ref_keys() {
  static const std::vector<std::string> kKeys = {"plugin", "with", "incremental"};
  return kKeys;
}
// An item of `transforms:` is a plugin reference or an order_by stage.
const std::vector<std::string>& transform_item_keys() {
  static const std::vector<std::string> kKeys = {"plugin", "with", "incremental", "order_by"};
  return kKeys;
}
const std::vector<std::string>& order_keys() {
  static const std::vector<std::string> kKeys = {"keys", "limit", "memory", "unique", "row_number"};
  return kKeys;
}
const std::vector<std::string>& order_key_keys() {
  static const std::vector<std::string> kKeys = {"column", "desc", "nulls"};
  return kKeys;
}

// ---------------------------------------------------------------------------------------------
// The loader

class JobLoader {
 public:
  JobLoader(const std::string& file, const LoadOptions& options, LoadedJob* out)
      : out_(out),
        job_(out->job),
        reporter_(file, &out->diagnostics),
        interpolator_(&reporter_, options.env ? options.env : default_env(), &out->job.params,
                      options.allow_missing_env),
        overrides_(options.overrides),
        today_(options.today ? *options.today : current_day()) {
    job_.file = file;
  }

  void load(std::string_view text);

 private:
  void load_root(const YAML::Node& root);
  void load_version(const Entry& e);
  void load_header(const Entries& top, const YAML::Node& root);
  void load_params(const Entry* e);
  ParamSpec load_param(const Entry& e);
  void load_param_type(const Entries& fields, const std::string& what, ParamSpec* spec);
  void check_param(const ParamSpec& spec, const std::string& value, bool from_override,
                   const SourceLocation& override_where);
  void resolve_params(const Entry* params_entry);
  void load_steps(const Entry* e, const YAML::Node& root);
  void load_step(const YAML::Node& node, std::size_t number);
  std::string load_step_name(const Entries& keys, const YAML::Node& node,
                             const std::string& numbered);
  void load_step_int(const Entry* e, std::int64_t low, std::int64_t high,
                     const std::string& expected, std::int64_t* out);
  void load_step_body(const Entries& keys, const YAML::Node& node, const std::string& label,
                      StepSpec* step);
  void load_pipeline(const Entries& keys, const YAML::Node& node, const std::string& label,
                     StepSpec* step);
  std::vector<PluginRef> load_ref_list(const Entry* e, const std::string& noun,
                                       const std::string& label);
  PluginRef load_ref(const YAML::Node& node, const YAML::Mark& mark, const std::string& what,
                     const std::vector<std::string>& keys = ref_keys());
  void load_transforms(const Entry* e, const std::string& label, StepSpec* step);
  OrderSpec load_order(const Entry& e, const std::string& what);
  void load_order_keys(const Entry& e, const std::string& what, OrderSpec* order);
  std::optional<OrderKey> load_order_key(const YAML::Node& node, const std::string& what);
  void load_order_unique(const Entry& e, const std::string& what, OrderSpec* order);
  bool read_column(const YAML::Node& node, const YAML::Mark& mark, const std::string& what,
                   std::string* out);
  void load_with(const Entry& with, const std::string& what, PluginRef* ref);
  void load_incremental(const Entry& e, const std::string& what, PluginRef* ref);
  RawSetting load_raw_setting(const Entry& e, const std::string& label);
  std::string load_item(const YAML::Node& node, const std::string& label);
  bool read_scalar(const Entry& e, const std::string& expected, ParamRefs refs, std::string* out);
  void read_name(const Entry& e, const std::string& what, std::string* out);

  LoadedJob* out_;
  JobSpec& job_;
  Reporter reporter_;
  Interpolator interpolator_;
  const std::map<std::string, std::string>& overrides_;
  const std::int64_t today_;               // for relative date bounds
  std::map<std::string, int> step_lines_;  // step name -> line of its first definition
};

void JobLoader::load(std::string_view text) {
  YAML::Node root;
  try {
    root = load_yaml(text);
  } catch (const YamlLimitError& e) {
    reporter_.error(e.mark, e.msg + ": refused");
    return;
  } catch (const YAML::Exception& e) {
    reporter_.error(e.mark, "YAML syntax error: " + e.msg);
    return;
  }
  load_root(root);
  job_.unset_env = interpolator_.report_missing_env();
  // `hades validate` prints them in file order, whatever order the checks ran in.
  std::stable_sort(out_->diagnostics.begin(), out_->diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::pair(a.where.line, a.where.column) <
                            std::pair(b.where.line, b.where.column);
                   });
}

void JobLoader::load_root(const YAML::Node& root) {
  if (!root.IsMap()) {
    reporter_.error(SourceLocation{reporter_.file(), 1, 1},
                    root.IsNull() ? "job file is empty"
                                  : "a job file must be a mapping (name:, database:, steps:, "
                                    "...), got " +
                                        describe(root));
    return;
  }
  const Entries top = read_mapping(reporter_, root);
  reject_unknown(reporter_, top, top_keys(), "the job");
  if (const Entry* version = find_entry(top, "version")) load_version(*version);
  // Parameters first: every other value may refer to them.
  const Entry* params = find_entry(top, "params");
  load_params(params);
  resolve_params(params);
  load_header(top, root);
  load_steps(find_entry(top, "steps"), root);
}

void JobLoader::load_version(const Entry& e) {
  if (e.value.IsScalar() && e.value.Scalar() == "1") return;
  reporter_.error(value_mark(e), "unsupported version " + describe(e.value) +
                                     ": this hades reads version 1 job files");
}

// Reads a scalar value and expands it; false (reported) when it is not a scalar or a reference
// is bad. `expected` completes "<key> must be ...".
bool JobLoader::read_scalar(const Entry& e, const std::string& expected, ParamRefs refs,
                            std::string* out) {
  if (!e.value.IsScalar()) {
    reporter_.error(value_mark(e), e.key + " must be " + expected + ", got " + describe(e.value));
    return false;
  }
  out->clear();
  return interpolator_.expand(e.value.Scalar(), e.value.Mark(), refs, out);
}

// A job or step name: a scalar of [A-Za-z0-9_.-]+ after expansion.
void JobLoader::read_name(const Entry& e, const std::string& what, std::string* out) {
  if (!read_scalar(e, "a name", ParamRefs::kAllowed, out)) return;
  if (is_valid_name(*out)) return;
  reporter_.error(value_mark(e), what + " " + in_quotes(excerpt(*out)) +
                                     " may only use letters, digits, '_', '.' and '-'");
}

void JobLoader::load_header(const Entries& top, const YAML::Node& root) {
  if (const Entry* name = find_entry(top, "name")) {
    read_name(*name, "name", &job_.name);
  } else {
    reporter_.error(root.Mark(), "missing required key 'name'");
  }
  if (const Entry* description = find_entry(top, "description")) {
    read_scalar(*description, "a string", ParamRefs::kAllowed, &job_.description);
  }
  if (const Entry* database = find_entry(top, "database")) {
    job_.database_where = reporter_.locate(value_mark(*database));
    // The URL itself is parsed where the database is opened; it may hold a password, so it
    // is never quoted here.
    if (read_scalar(*database, "a URL string", ParamRefs::kAllowed, &job_.database) &&
        job_.database.empty()) {
      reporter_.error(value_mark(*database), "database must not be empty");
    }
  } else {
    reporter_.error(root.Mark(), "missing required key 'database'");
  }
  if (const Entry* rejects = find_entry(top, "rejects_dir")) {
    job_.rejects_dir_where = reporter_.locate(value_mark(*rejects));
  }
  for (auto [key, dir] :
       {std::pair{"rejects_dir", &job_.rejects_dir}, std::pair{"work_dir", &job_.work_dir}}) {
    const Entry* e = find_entry(top, key);
    if (e == nullptr) continue;
    if (read_scalar(*e, "a directory path", ParamRefs::kAllowed, dir) && dir->empty()) {
      reporter_.error(value_mark(*e), std::string(key) + " must not be empty");
    }
  }
}

void JobLoader::load_params(const Entry* e) {
  if (e == nullptr || e->value.IsNull()) return;
  if (!e->value.IsMap()) {
    reporter_.error(value_mark(*e),
                    "params must be a mapping of parameter names, got " + describe(e->value));
    return;
  }
  std::vector<std::string> names;
  for (const Entry& param : read_mapping(reporter_, e->value)) {
    job_.param_specs.push_back(load_param(param));
    names.push_back(param.key);
  }
  interpolator_.set_declared_params(std::move(names));
}

// `name: VALUE` (a default), `name:` (required) or `name: {default: .., description: ..}`.
ParamSpec JobLoader::load_param(const Entry& e) {
  ParamSpec spec;
  spec.name = e.key;
  spec.where = reporter_.locate(e.key_node.Mark());
  if (!is_valid_name(e.key)) {
    reporter_.error(e.key_node.Mark(), "parameter name " + in_quotes(excerpt(e.key)) +
                                           " may only use letters, digits, '_', '.' and '-'");
  }
  if (e.value.IsNull()) return spec;
  const std::string what = "parameter " + in_quotes(e.key);
  std::string text;
  if (e.value.IsScalar()) {
    read_scalar(e, "a default value", ParamRefs::kForbidden, &text);
    spec.default_value = text;  // even when bad: reported once, not again as "required"
    return spec;
  }
  if (!e.value.IsMap()) {
    reporter_.error(value_mark(e), what +
                                       " must be a default value or a mapping with 'default' "
                                       "and 'description', got " +
                                       describe(e.value));
    spec.default_value = "";
    return spec;
  }
  const Entries fields = read_mapping(reporter_, e.value);
  reject_unknown(reporter_, fields, param_keys(), what);
  const Entry* fallback = find_entry(fields, "default");
  if (fallback != nullptr && !fallback->value.IsNull()) {
    read_scalar(*fallback, "a string", ParamRefs::kForbidden, &text);
    spec.default_value = text;
    spec.default_where = reporter_.locate(value_mark(*fallback));
  }
  if (const Entry* description = find_entry(fields, "description")) {
    read_scalar(*description, "a string", ParamRefs::kForbidden, &spec.description);
  }
  load_param_type(fields, what, &spec);
  return spec;
}

// `type`, and the `min`/`max` or `values` it allows.
void JobLoader::load_param_type(const Entries& fields, const std::string& what, ParamSpec* spec) {
  const Entry* type = find_entry(fields, "type");
  std::string name;
  if (type != nullptr && read_scalar(*type, "a type name", ParamRefs::kForbidden, &name)) {
    if (const std::optional<ParamKind> kind = parse_param_kind(name)) {
      spec->type.kind = *kind;
    } else {
      std::vector<std::string> kinds;
      for (const char* k : {"string", "integer", "number", "boolean", "date", "path", "choice"}) {
        kinds.emplace_back(k);
      }
      reporter_.error(value_mark(*type), what + ": unknown type " + in_quotes(excerpt(name)) +
                                             did_you_mean(name, kinds) +
                                             " (string, integer, number, boolean, date, path "
                                             "or choice)");
    }
  }
  for (const bool is_max : {false, true}) {
    const Entry* bound = find_entry(fields, is_max ? "max" : "min");
    std::string text;
    if (bound == nullptr || !read_scalar(*bound, "a bound", ParamRefs::kForbidden, &text)) continue;
    const Status parsed = parse_param_bound(spec->type.kind, text, is_max, &spec->type);
    if (!parsed.ok()) reporter_.error(value_mark(*bound), what + ": " + parsed.message());
  }
  const Entry* values = find_entry(fields, "values");
  if (spec->type.kind == ParamKind::kChoice) {
    if (values == nullptr || !values->value.IsSequence() || values->value.size() == 0) {
      reporter_.error(values != nullptr ? value_mark(*values) : type->key_node.Mark(),
                      what + ": a choice needs `values`, a list of the allowed values");
      return;
    }
    for (const YAML::Node& item : values->value) {
      spec->type.values.push_back(load_item(item, what + " values"));
    }
  } else if (values != nullptr) {
    reporter_.error(values->key_node.Mark(), what + ": `values` applies to choice parameters only");
  }
}

// A typed parameter's value, from its default (located there) or from --set.
void JobLoader::check_param(const ParamSpec& spec, const std::string& value, bool from_override,
                            const SourceLocation& override_where) {
  if (value.empty() && spec.default_value && spec.default_value->empty()) return;  // "not set"
  Result<std::string> canonical = check_param_value(spec.type, value, today_);
  if (canonical.ok()) {
    job_.params[spec.name] = *canonical;
    return;
  }
  // A typed value is not a secret: showing it says what was wrong with it. Strings and paths
  // may be, and their check does not echo them.
  const bool show = spec.type.kind != ParamKind::kString && spec.type.kind != ParamKind::kPath;
  const std::string shown = show ? in_quotes(excerpt(value)) : std::string("the value");
  if (from_override) {
    out_->diagnostics.push_back({override_where, "--set " + spec.name + "=" +
                                                     (show ? excerpt(value) : "...") +
                                                     ": parameter " + in_quotes(spec.name) + " " +
                                                     canonical.status().message()});
  } else {
    out_->diagnostics.push_back({spec.default_where.line != 0 ? spec.default_where : spec.where,
                                 "parameter " + in_quotes(spec.name) + ": default " + shown +
                                     " is not valid: " + canonical.status().message()});
  }
}

// Defaults, then --set overrides (taken verbatim: the shell has already expanded them).
void JobLoader::resolve_params(const Entry* params_entry) {
  std::vector<std::string> declared;
  for (const ParamSpec& spec : job_.param_specs) {
    declared.push_back(spec.name);
    if (spec.default_value) job_.params[spec.name] = *spec.default_value;
  }
  const SourceLocation overrides_where = params_entry != nullptr
                                             ? reporter_.locate(params_entry->key_node.Mark())
                                             : SourceLocation{reporter_.file(), 1, 1};
  for (const auto& [name, value] : overrides_) {
    if (std::find(declared.begin(), declared.end(), name) != declared.end()) {
      job_.params[name] = value;
    } else {  // the value is not echoed: it may be a secret
      reporter_.error(overrides_where,
                      "--set " + name + "=...: unknown parameter" + did_you_mean(name, declared));
    }
  }
  for (const ParamSpec& spec : job_.param_specs) {
    const auto value = job_.params.find(spec.name);
    if (value == job_.params.end()) {
      reporter_.error(spec.where, "parameter " + in_quotes(spec.name) +
                                      " is required: pass --set " + spec.name + "=VALUE");
      continue;
    }
    check_param(spec, std::string(value->second), overrides_.count(spec.name) != 0,
                overrides_where);
  }
}

void JobLoader::load_steps(const Entry* e, const YAML::Node& root) {
  if (e == nullptr) {
    reporter_.error(root.Mark(), "missing required key 'steps'");
    return;
  }
  if (!e->value.IsSequence()) {
    reporter_.error(value_mark(*e), "steps must be a list of steps, got " + describe(e->value));
    return;
  }
  if (e->value.size() == 0) {
    reporter_.error(value_mark(*e), "steps must list at least one step");
    return;
  }
  std::size_t number = 0;
  for (const YAML::Node& step : e->value) load_step(step, ++number);
}

void JobLoader::load_step(const YAML::Node& node, std::size_t number) {
  const std::string numbered = "step #" + std::to_string(number);
  if (!node.IsMap()) {
    reporter_.error(node.Mark(), numbered +
                                     " must be a mapping with 'name' and either 'task', "
                                     "or 'source' and 'sinks', got " +
                                     describe(node));
    return;
  }
  StepSpec step;
  step.where = reporter_.locate(node.Mark());
  const Entries keys = read_mapping(reporter_, node);
  // The name comes first so that every later message can name the step.
  step.name = load_step_name(keys, node, numbered);
  const std::string label = step.name.empty() ? numbered : "step " + in_quotes(step.name);
  reject_unknown(reporter_, keys, step_keys(), label);
  std::int64_t chunk_size = static_cast<std::int64_t>(step.chunk_size);
  load_step_int(find_entry(keys, "chunk_size"), 1, 1000000, "an integer from 1 to 1000000",
                &chunk_size);
  step.chunk_size = static_cast<std::size_t>(chunk_size);
  load_step_int(find_entry(keys, "skip_budget"), 0, std::numeric_limits<std::int64_t>::max(),
                "an integer >= 0", &step.skip_budget);
  load_step_body(keys, node, label, &step);
  job_.steps.push_back(std::move(step));
}

// Returns the step's name, or "" when it is missing or bad (reported).
std::string JobLoader::load_step_name(const Entries& keys, const YAML::Node& node,
                                      const std::string& numbered) {
  const Entry* e = find_entry(keys, "name");
  if (e == nullptr) {
    reporter_.error(node.Mark(), numbered + " has no 'name'");
    return "";
  }
  std::string name;
  read_name(*e, "step name", &name);
  if (!is_valid_name(name)) return "";
  const int line = reporter_.locate(value_mark(*e)).line;
  if (const auto [first, inserted] = step_lines_.emplace(name, line); !inserted) {
    reporter_.error(value_mark(*e), "duplicate step name " + in_quotes(name) + " (first at line " +
                                        std::to_string(first->second) + ")");
  }
  return name;
}

// Expanded before the check, so `chunk_size: ${param:batch}` works.
void JobLoader::load_step_int(const Entry* e, std::int64_t low, std::int64_t high,
                              const std::string& expected, std::int64_t* out) {
  if (e == nullptr) return;
  std::string text;
  if (!read_scalar(*e, expected, ParamRefs::kAllowed, &text)) return;
  const std::optional<std::int64_t> value = parse_int(text);
  if (value && *value >= low && *value <= high) {
    *out = *value;
    return;
  }
  reporter_.error(value_mark(*e),
                  e->key + " must be " + expected + ", got " + in_quotes(excerpt(text)));
}

void JobLoader::load_step_body(const Entries& keys, const YAML::Node& node,
                               const std::string& label, StepSpec* step) {
  const Entry* task = find_entry(keys, "task");
  const auto is_pipeline_key = [](const Entry& e) {
    return e.key == "source" || e.key == "transforms" || e.key == "sinks";
  };
  const auto pipeline_key = std::find_if(keys.begin(), keys.end(), is_pipeline_key);
  const bool has_pipeline = pipeline_key != keys.end();
  if (task != nullptr && has_pipeline) {
    reporter_.error(task->key_node.Mark(), label + " has both 'task' and " +
                                               in_quotes(pipeline_key->key) +
                                               ": a step is either a task or a pipeline");
    return;
  }
  if (task != nullptr) {
    step->kind = StepSpec::Kind::kTask;
    step->task = load_ref(task->value, value_mark(*task), "task of " + label);
    return;
  }
  if (!has_pipeline) {
    reporter_.error(node.Mark(), label + " needs either 'task', or 'source' and 'sinks'");
    return;
  }
  load_pipeline(keys, node, label, step);
}

void JobLoader::load_pipeline(const Entries& keys, const YAML::Node& node, const std::string& label,
                              StepSpec* step) {
  step->kind = StepSpec::Kind::kPipeline;
  if (const Entry* source = find_entry(keys, "source")) {
    step->source = load_ref(source->value, value_mark(*source), "source of " + label);
  } else {
    reporter_.error(node.Mark(), "pipeline " + label + " needs a 'source'");
  }
  load_transforms(find_entry(keys, "transforms"), label, step);
  const Entry* sinks = find_entry(keys, "sinks");
  step->sinks = load_ref_list(sinks, "sink", label);
  // A `sinks:` that is not a list was reported by load_ref_list.
  const bool no_sinks = sinks == nullptr || sinks->value.IsNull() ||
                        (sinks->value.IsSequence() && sinks->value.size() == 0);
  if (no_sinks) {
    reporter_.error(sinks != nullptr ? value_mark(*sinks) : node.Mark(),
                    "pipeline " + label + " needs at least one sink");
  }
}

std::vector<PluginRef> JobLoader::load_ref_list(const Entry* e, const std::string& noun,
                                                const std::string& label) {
  std::vector<PluginRef> refs;
  if (e == nullptr || e->value.IsNull()) return refs;
  if (!e->value.IsSequence()) {
    reporter_.error(value_mark(*e), e->key + " of " + label +
                                        " must be a list of {plugin: NAME, with: {...}}, got " +
                                        describe(e->value));
    return refs;
  }
  std::size_t number = 0;
  for (const YAML::Node& item : e->value) {
    std::string what = noun;
    what.append(" #").append(std::to_string(++number)).append(" of ").append(label);
    refs.push_back(load_ref(item, item.Mark(), what));
  }
  return refs;
}

// `{plugin: NAME, with: {...}}`. `mark` locates the reference when it is empty; `keys` are the
// keys the item may have (a transform's may also be an order_by, see load_transforms).
PluginRef JobLoader::load_ref(const YAML::Node& node, const YAML::Mark& mark,
                              const std::string& what, const std::vector<std::string>& keys) {
  PluginRef ref;
  ref.where = reporter_.locate(mark);
  if (!node.IsMap()) {
    reporter_.error(
        mark, what + " must be a mapping like {plugin: NAME, with: {...}}, got " + describe(node));
    return ref;
  }
  const Entries entries = read_mapping(reporter_, node);
  reject_unknown(reporter_, entries, keys, what);
  if (const Entry* plugin = find_entry(entries, "plugin")) {
    ref.where = reporter_.locate(value_mark(*plugin));
    if (read_scalar(*plugin, "a plugin name", ParamRefs::kAllowed, &ref.plugin) &&
        ref.plugin.empty()) {
      reporter_.error(value_mark(*plugin), "plugin name of " + what + " must not be empty");
    }
  } else {
    reporter_.error(mark, what + " has no 'plugin'");
  }
  if (const Entry* with = find_entry(entries, "with")) load_with(*with, what, &ref);
  if (const Entry* incremental = find_entry(entries, "incremental")) {
    load_incremental(*incremental, what, &ref);
  }
  return ref;
}

// ---------------------------------------------------------------------------------------------
// order_by: an item of `transforms:` that ranks the step's records (docs/job-file.md, "Ordering")

// Plugin references and at most one `{order_by: {...}}`, which keeps its place in the list.
void JobLoader::load_transforms(const Entry* e, const std::string& label, StepSpec* step) {
  if (e == nullptr || e->value.IsNull()) return;
  if (!e->value.IsSequence()) {
    reporter_.error(value_mark(*e), "transforms of " + label +
                                        " must be a list of {plugin: NAME, with: {...}} or "
                                        "{order_by: {...}}, got " +
                                        describe(e->value));
    return;
  }
  std::size_t number = 0;
  int order_line = 0;
  for (const YAML::Node& item : e->value) {
    const std::string what = "transform #" + std::to_string(++number) + " of " + label;
    const bool is_order = item.IsMap() && item["order_by"];
    if (!is_order) {
      step->transforms.push_back(load_ref(item, item.Mark(), what, transform_item_keys()));
      continue;
    }
    const Entries keys = read_mapping(reporter_, item);
    for (const Entry& k : keys) {
      if (k.key == "order_by") continue;
      reporter_.error(k.key_node.Mark(), "unknown key " + in_quotes(k.key) + " in " + what +
                                             ": an order_by item has no other keys");
    }
    const Entry* order = find_entry(keys, "order_by");
    if (order == nullptr) continue;  // a duplicate-key error was reported
    if (step->order) {
      reporter_.error(order->key_node.Mark(), label + " already has an order_by (line " +
                                                  std::to_string(order_line) +
                                                  "): a step orders its records once");
      continue;
    }
    order_line = reporter_.locate(order->key_node.Mark()).line;
    step->order = load_order(*order, "order_by of " + label);
    step->order_after = step->transforms.size();
  }
}

OrderSpec JobLoader::load_order(const Entry& e, const std::string& what) {
  OrderSpec order;
  order.where = reporter_.locate(e.key_node.Mark());
  if (!e.value.IsMap()) {
    reporter_.error(value_mark(e), what +
                                       " must be a mapping like {keys: [COLUMN, ...], limit: N}"
                                       ", got " +
                                       describe(e.value));
    return order;
  }
  const Entries fields = read_mapping(reporter_, e.value);
  reject_unknown(reporter_, fields, order_keys(), what);
  if (const Entry* keys = find_entry(fields, "keys")) {
    load_order_keys(*keys, what, &order);
  } else {
    reporter_.error(e.key_node.Mark(), what + " needs 'keys': the columns to order by");
  }
  if (const Entry* limit = find_entry(fields, "limit")) {
    std::int64_t value = 0;
    load_step_int(limit, 0, std::numeric_limits<std::int64_t>::max(), "an integer >= 0", &value);
    order.limit = value;
  }
  if (const Entry* memory = find_entry(fields, "memory")) {
    std::string text;
    if (read_scalar(*memory, "a size like 32MiB", ParamRefs::kAllowed, &text)) {
      const std::optional<std::uint64_t> bytes = parse_size(text);
      if (bytes && *bytes >= kMinOrderMemory) {
        order.memory = *bytes;
      } else {
        reporter_.error(value_mark(*memory),
                        "memory must be a size of at least 64KiB, in bytes or with a unit "
                        "(KiB, MiB, GiB: 32MiB), got " +
                            in_quotes(excerpt(text)));
      }
    }
  }
  if (const Entry* unique = find_entry(fields, "unique")) load_order_unique(*unique, what, &order);
  if (const Entry* row_number = find_entry(fields, "row_number")) {
    order.row_number_where = reporter_.locate(value_mark(*row_number));
    if (read_scalar(*row_number, "a column name", ParamRefs::kAllowed, &order.row_number) &&
        order.row_number.empty()) {
      reporter_.error(value_mark(*row_number), "row_number of " + what + " must not be empty");
    }
  }
  return order;
}

void JobLoader::load_order_keys(const Entry& e, const std::string& what, OrderSpec* order) {
  if (!e.value.IsSequence() || e.value.size() == 0) {
    reporter_.error(value_mark(e), "keys of " + what +
                                       " must be a non-empty list of columns, each a name or "
                                       "{column: NAME, desc: true}, got " +
                                       describe(e.value));
    return;
  }
  std::map<std::string, int> lines;
  for (const YAML::Node& item : e.value) {
    std::optional<OrderKey> key = load_order_key(item, "key of " + what);
    if (!key) continue;
    if (const auto [first, inserted] = lines.emplace(key->column, key->where.line); !inserted) {
      reporter_.error(key->where, "column " + in_quotes(key->column) + " is already a key of " +
                                      what + " (line " + std::to_string(first->second) + ")");
      continue;
    }
    order->keys.push_back(std::move(*key));
  }
}

// `COLUMN` or `{column: COLUMN, desc: BOOL, nulls: first|last}`.
std::optional<OrderKey> JobLoader::load_order_key(const YAML::Node& node, const std::string& what) {
  OrderKey key;
  if (!node.IsMap()) {
    key.where = reporter_.locate(node.Mark());
    if (!read_column(node, node.Mark(), what, &key.column)) return std::nullopt;
    return key;
  }
  const Entries fields = read_mapping(reporter_, node);
  reject_unknown(reporter_, fields, order_key_keys(), what);
  const Entry* column = find_entry(fields, "column");
  if (column == nullptr) {
    reporter_.error(node.Mark(), what + " has no 'column'");
    return std::nullopt;
  }
  key.where = reporter_.locate(value_mark(*column));
  if (!read_column(column->value, value_mark(*column), what, &key.column)) return std::nullopt;
  if (const Entry* desc = find_entry(fields, "desc")) {
    std::string text;
    if (!read_scalar(*desc, "true or false", ParamRefs::kAllowed, &text)) return std::nullopt;
    const std::optional<bool> value = parse_bool(text);
    if (!value) {
      reporter_.error(value_mark(*desc),
                      "desc must be true or false, got " + in_quotes(excerpt(text)));
      return std::nullopt;
    }
    key.descending = *value;
  }
  key.nulls_first = !key.descending;
  if (const Entry* nulls = find_entry(fields, "nulls")) {
    std::string text;
    if (!read_scalar(*nulls, "first or last", ParamRefs::kAllowed, &text)) return std::nullopt;
    if (text != "first" && text != "last") {
      reporter_.error(value_mark(*nulls), "nulls must be first or last, got " +
                                              in_quotes(excerpt(text)) +
                                              did_you_mean(text, {"first", "last"}));
      return std::nullopt;
    }
    key.nulls_first = text == "first";
  }
  return key;
}

void JobLoader::load_order_unique(const Entry& e, const std::string& what, OrderSpec* order) {
  if (!e.value.IsSequence() || e.value.size() == 0) {
    reporter_.error(value_mark(e), "unique of " + what +
                                       " must be a non-empty list of columns, like [person_id], "
                                       "got " +
                                       describe(e.value));
    return;
  }
  for (const YAML::Node& item : e.value) {
    std::string column;
    if (!read_column(item, item.Mark(), "unique column of " + what, &column)) continue;
    if (std::find(order->unique.begin(), order->unique.end(), column) != order->unique.end()) {
      reporter_.error(item.Mark(), "column " + in_quotes(column) + " is listed twice in unique");
      continue;
    }
    order->unique.push_back(std::move(column));
    order->unique_where.push_back(reporter_.locate(item.Mark()));
  }
}

// A column name: a non-empty scalar, expanded. `mark` locates it (see value_mark).
bool JobLoader::read_column(const YAML::Node& node, const YAML::Mark& mark, const std::string& what,
                            std::string* out) {
  if (!node.IsScalar()) {
    reporter_.error(mark, what + " must be a column name, got " + describe(node));
    return false;
  }
  out->clear();
  if (!interpolator_.expand(node.Scalar(), mark, ParamRefs::kAllowed, out)) return false;
  if (out->empty()) {
    reporter_.error(mark, what + " must be a column name, got an empty value");
    return false;
  }
  return true;
}

// Only a source has a cursor to carry from one run to the next.
void JobLoader::load_incremental(const Entry& e, const std::string& what, PluginRef* ref) {
  std::string text;
  if (!read_scalar(e, "a boolean", ParamRefs::kAllowed, &text)) return;
  const std::optional<bool> value = parse_bool(text);
  if (!value) {
    reporter_.error(value_mark(e), "incremental of " + what + " must be true or false, got " +
                                       in_quotes(excerpt(text)));
    return;
  }
  if (*value && what.rfind("source of ", 0) != 0) {
    reporter_.error(e.key_node.Mark(),
                    "incremental is only allowed on a step's source, not on " + what);
    return;
  }
  ref->incremental = *value;
}

void JobLoader::load_with(const Entry& with, const std::string& what, PluginRef* ref) {
  if (with.value.IsNull()) return;
  if (!with.value.IsMap()) {
    reporter_.error(value_mark(with), "with of " + what + " must be a mapping of settings, got " +
                                          describe(with.value));
    return;
  }
  const std::string plugin = ref->plugin.empty() ? what : "plugin " + in_quotes(ref->plugin);
  for (const Entry& setting : read_mapping(reporter_, with.value)) {
    const std::string label = "setting " + in_quotes(setting.key) + " of " + plugin;
    ref->with.emplace_back(setting.key, load_raw_setting(setting, label));
  }
}

RawSetting JobLoader::load_raw_setting(const Entry& e, const std::string& label) {
  RawSetting raw;
  raw.key_where = reporter_.locate(e.key_node.Mark());
  raw.value_where = reporter_.locate(value_mark(e));
  if (e.value.IsNull()) {
    raw.is_null = true;
  } else if (e.value.IsScalar()) {
    interpolator_.expand(e.value.Scalar(), e.value.Mark(), ParamRefs::kAllowed, &raw.scalar);
  } else if (e.value.IsSequence()) {
    raw.shape = RawSetting::Shape::kList;
    for (const YAML::Node& item : e.value) {
      raw.list.push_back(load_item(item, label));
      raw.item_where.push_back(reporter_.locate(item.Mark()));
    }
  } else {
    raw.shape = RawSetting::Shape::kMap;
    for (const Entry& item : read_mapping(reporter_, e.value)) {
      raw.map.emplace_back(item.key, load_item(item.value, label));
      raw.item_where.push_back(reporter_.locate(value_mark(item)));
    }
  }
  return raw;
}

// One list item or map value of a setting: a plain value (an empty one reads as "").
std::string JobLoader::load_item(const YAML::Node& node, const std::string& label) {
  std::string text;
  if (node.IsScalar()) {
    interpolator_.expand(node.Scalar(), node.Mark(), ParamRefs::kAllowed, &text);
  } else if (!node.IsNull()) {
    reporter_.error(node.Mark(), label +
                                     " is nested too deeply: list items and map values "
                                     "must be plain values, got " +
                                     describe(node));
  }
  return text;
}

// Reads the whole file; on failure returns false with the reason in `*error`.
bool read_whole_file(const std::string& path, std::string* text, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *error = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return false;
  }
  // Read no further than the limit: /dev/zero named by mistake must not exhaust memory.
  const std::size_t limit = YamlLimits{}.max_bytes;
  text->assign(limit + 1, '\0');
  in.read(text->data(), static_cast<std::streamsize>(text->size()));
  if (in.bad()) {
    *error = "read failed";
    return false;
  }
  text->resize(static_cast<std::size_t>(in.gcount()));
  if (text->size() > limit) {
    *error = "it is larger than " + std::to_string(limit) + " bytes";
    return false;
  }
  return true;
}

// 64-bit FNV-1a of `text` in hex: it detects edits to a job file, which is all it is for (it is
// no defence against a file crafted to collide).
std::string text_digest(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  std::ostringstream hex;
  hex << "fnv1a64:" << std::hex << std::setw(16) << std::setfill('0') << hash;
  return hex.str();
}

}  // namespace

LoadedJob load_job_text(std::string_view text, const std::string& file,
                        const LoadOptions& options) {
  LoadedJob loaded;
  JobLoader(file, options, &loaded).load(text);
  loaded.job.definition_digest = text_digest(text);
  return loaded;
}

LoadedJob load_job_file(const std::string& path, const LoadOptions& options) {
  std::string text;
  std::string error;
  if (read_whole_file(path, &text, &error)) return load_job_text(text, path, options);
  LoadedJob loaded;
  loaded.job.file = path;
  loaded.diagnostics.push_back({SourceLocation{path, 0, 0}, "cannot read job file: " + error});
  return loaded;
}

std::optional<std::string> job_name_in_file(const std::string& path) {
  std::string text;
  std::string error;
  if (!read_whole_file(path, &text, &error)) return std::nullopt;
  try {
    const YAML::Node root = load_yaml(text);
    if (!root.IsMap() || !root["name"] || !root["name"].IsScalar()) return std::nullopt;
    return root["name"].Scalar();
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

}  // namespace hades
