// job.h: a job file, parsed, interpolated and checked against the plugins' setting schemas.
//
// Loading runs in two phases so that `hades validate` can report every error at once:
//   1. LoadJob: YAML syntax, the job's own keys and types, parameters (--set overrides applied)
//      and ${env:..}/${param:..} interpolation of every scalar value, after parsing (comments
//      are never expanded). Plugin `with:` blocks are kept raw, with their locations.
//   2. bind_settings(): one `with:` block against the schema of the plugin it names.
// Every problem becomes a Diagnostic "file:line:col: message" (1-based line and column).

#ifndef HADES_FRAMEWORK_JOB_H_
#define HADES_FRAMEWORK_JOB_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/settings.h"
#include "job_params.h"

namespace hades {

struct SourceLocation {
  std::string file;
  int line = 0;                   // 1-based; 0 when unknown
  int column = 0;                 // 1-based
  std::string to_string() const;  // "file:line:col", or "file" when line is 0
};

struct Diagnostic {
  SourceLocation where;
  std::string message;
  std::string to_string() const;  // "file:line:col: message"
};

// One value of a `with:` block as written, after interpolation.
struct RawSetting {
  enum class Shape { kScalar, kList, kMap };
  Shape shape = Shape::kScalar;
  std::string scalar;
  bool is_null = false;                    // `key:` or `key: ~`
  std::vector<std::string> list;           // kList of scalars
  StringMap map;                           // kMap of scalars
  SourceLocation key_where;                // where the key is
  SourceLocation value_where;              // where the value starts
  std::vector<SourceLocation> item_where;  // kList/kMap: where each item's value is
};

struct PluginRef {
  std::string plugin;
  SourceLocation where;  // of the plugin name
  // A step's source only: a fresh start opens it at the cursor the step's last successful run
  // ended at, instead of the empty cursor (see docs/job-file.md, "Incremental sources").
  bool incremental = false;
  std::vector<std::pair<std::string, RawSetting>> with;  // in file order
};

// One key of an `order_by` stage. Nulls go first ascending and last descending by default
// (null is the smallest value, as in SQLite's ORDER BY); `nulls: first|last` overrides it.
struct OrderKey {
  std::string column;
  bool descending = false;
  bool nulls_first = true;
  SourceLocation where;  // of the column name
};

// What `order_by` ranks with, when nothing says otherwise (docs/job-file.md, "Ordering").
inline constexpr std::uint64_t kDefaultOrderMemory = std::uint64_t{32} << 20;
inline constexpr std::uint64_t kMinOrderMemory = std::uint64_t{64} << 10;

// An `order_by` entry of a pipeline's transforms: the step's records are ranked by `keys` before
// the transforms after it (see docs/job-file.md, "Ordering", and order_stage.h).
struct OrderSpec {
  SourceLocation where;                        // of the `order_by` key
  std::vector<OrderKey> keys;                  // at least one, most significant first
  std::optional<std::int64_t> limit;           // only the first `limit` records of the order go on
  std::uint64_t memory = kDefaultOrderMemory;  // bytes: sort buffer and unique index together
  std::vector<std::string> unique;  // a record equal to an earlier one on these is rejected
  std::vector<SourceLocation> unique_where;
  std::string row_number;  // when set, a column of each record's 1-based rank
  SourceLocation row_number_where;
};

struct StepSpec {
  enum class Kind { kPipeline, kTask };
  std::string name;
  SourceLocation where;
  Kind kind = Kind::kPipeline;
  PluginRef source;                   // kPipeline
  std::vector<PluginRef> transforms;  // kPipeline, may be empty
  std::optional<OrderSpec> order;     // kPipeline: an order_by among the transforms
  std::size_t order_after = 0;        // with `order`: how many of `transforms` come before it
  std::vector<PluginRef> sinks;       // kPipeline, at least one
  PluginRef task;                     // kTask
  std::size_t chunk_size = 500;
  std::int64_t skip_budget = 100;  // rejected records tolerated per step, per run
};

struct ParamSpec {
  std::string name;
  std::optional<std::string> default_value;  // interpolated (env only)
  std::string description;
  SourceLocation where;
  SourceLocation default_where;  // of the default value, when there is one
  ParamType type;                // `type:` and its bounds; a string when absent
};

struct JobSpec {
  std::string file;  // the path it was loaded from
  std::string name;
  std::string description;
  std::string database;  // URL, interpolated
  SourceLocation database_where;
  std::string rejects_dir = "var/rejects";
  std::string work_dir = "var/work";  // a run's temporary files (order_by's sorted runs)
  SourceLocation rejects_dir_where;   // of the value; line 0 when the default applies
  std::vector<ParamSpec> param_specs;
  std::map<std::string, std::string> params;  // resolved: default, then --set
  std::vector<StepSpec> steps;
  // A digest of the job file's text. A run resumes only under the definition it started with:
  // resuming after an edit could mix the work of two jobs in one run (and one batch).
  std::string definition_digest;
  // Environment variables the file uses that are not set: with allow_missing_env only (else
  // each is a diagnostic), their uses expanded to a stand-in.
  std::vector<std::string> unset_env;
};

struct LoadOptions {
  std::map<std::string, std::string> overrides;  // --set key=value
  // Days since 1970-01-01 that relative date bounds (`max: today+1`) count from; nullopt: the
  // current UTC date.
  std::optional<std::int64_t> today;
  // Looks up an environment variable; defaults to getenv.
  std::function<std::optional<std::string>(const std::string&)> env;
  // `validate --allow-missing-env`: an unset variable is not an error; its uses read as
  // "<NAME-unset>" so that everything else can be checked. Never for `run`.
  bool allow_missing_env = false;
};

struct LoadedJob {
  JobSpec job;
  std::vector<Diagnostic> diagnostics;  // empty when the job is valid so far
  bool ok() const { return diagnostics.empty(); }
};

LoadedJob load_job_file(const std::string& path, const LoadOptions& options);
// The `name:` the job file at `path` declares, read without interpolation; nullopt when the
// file cannot be read or parsed or declares no name as a plain scalar.
std::optional<std::string> job_name_in_file(const std::string& path);
// `file` is only used in locations.
LoadedJob load_job_text(std::string_view text, const std::string& file, const LoadOptions& options);

// Checks `with` against `schema` and returns the bound settings: unknown keys (with "did you
// mean"), missing required keys, values of the wrong type. Defaults are applied. Problems are
// appended to `diagnostics`, located at the offending key or value (or at `ref.where`).
Settings bind_settings(const PluginRef& ref, const SettingSpec* schema, std::size_t schema_size,
                       std::vector<Diagnostic>* diagnostics);

// The candidate closest to `word` by edit distance, when close enough to be a likely typo (none
// for a word longer than 256 characters).
std::optional<std::string> suggest_closest(std::string_view word,
                                           const std::vector<std::string>& candidates);

}  // namespace hades

#endif  // HADES_FRAMEWORK_JOB_H_
