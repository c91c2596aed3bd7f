// job_test: loading job files (keys, types, parameters, interpolation, locations) and binding
// plugin settings against a schema. The bad-job corpus in tests/data/bad_jobs pins the exact
// location and wording `hades validate` prints for each kind of mistake.

#define BOOST_TEST_MODULE job_test
#include "job.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace hades {
namespace {

namespace fs = std::filesystem;

// A fixed environment, so that no test depends on the machine's.
LoadOptions options_with(std::map<std::string, std::string> env,
                         std::map<std::string, std::string> overrides = {}) {
  LoadOptions options;
  options.overrides = std::move(overrides);
  options.env = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

std::string all_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics) text += d.to_string() + "\n";
  return text.empty() ? "(none)\n" : text;
}

bool has_diagnostic(const std::vector<Diagnostic>& diagnostics, int line, int column,
                    const std::string& substring) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
    return d.where.line == line && d.where.column == column &&
           d.message.find(substring) != std::string::npos;
  });
}

#define CHECK_DIAGNOSTIC(diagnostics, line, column, substring)                             \
  BOOST_TEST(has_diagnostic((diagnostics), (line), (column), (substring)),                 \
             "expected " << (line) << ":" << (column) << ": " << (substring) << "\ngot:\n" \
                         << all_diagnostics(diagnostics))

// A one-step job whose task has one setting `v: <value>`; the value starts at line 10, column 12.
std::string job_with_setting(const std::string& value) {
  return "name: j\n"
         "database: sqlite://x.db\n"
         "params:\n"
         "  input: data.csv\n"
         "steps:\n"
         "  - name: s\n"
         "    task:\n"
         "      plugin: p\n"
         "      with:\n"
         "        v: " +
         value + "\n";
}

LoadedJob load_setting(const std::string& value, const LoadOptions& options) {
  return load_job_text(job_with_setting(value), "job.yaml", options);
}

// The expanded value of `v`, requiring a clean load.
std::string expand(const std::string& value, std::map<std::string, std::string> env = {}) {
  const LoadedJob loaded = load_setting(value, options_with(std::move(env)));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST_REQUIRE(loaded.job.steps.size() == 1u);
  BOOST_TEST_REQUIRE(loaded.job.steps[0].task.with.size() == 1u);
  return loaded.job.steps[0].task.with[0].second.scalar;
}

// --- A full valid job --------------------------------------------------------------------------

constexpr const char* kFullJob = R"(# ${env:UNSET_IN_COMMENT} is never expanded
version: 1
name: csv_to_table
description: "Load ${param:input}"
database: ${env:HADES_DB:-sqlite://var/hades.db}
rejects_dir: var/rej
params:
  input:
    default: data/x.csv
    description: The input file
  limit: 100
  region:
steps:
  - name: load
    chunk_size: 250
    skip_budget: 0
    source: {plugin: csv_source, with: {path: "${param:input}", delimiter: ","}}
    transforms:
      - plugin: scorer
        with:
          weights: {a: "1", b: "${param:region}"}
          fields: [x, "${param:limit}"]
          empty:
    sinks:
      - plugin: turso_sink
        with: {table: leads}
      - {plugin: csv_sink}
  - name: calibrate  # ${env:ALSO_UNSET}
    task: {plugin: calibrator}
)";

BOOST_AUTO_TEST_CASE(full_job_lands_in_every_field) {
  const LoadedJob loaded = load_job_text(kFullJob, "jobs/full.yaml",
                                         options_with({}, {{"region", "eu"}, {"limit", "5"}}));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  const JobSpec& job = loaded.job;
  BOOST_TEST(job.file == "jobs/full.yaml");
  BOOST_TEST(job.name == "csv_to_table");
  BOOST_TEST(job.description == "Load data/x.csv");
  BOOST_TEST(job.database == "sqlite://var/hades.db");
  BOOST_TEST(job.database_where.to_string() == "jobs/full.yaml:5:11");
  BOOST_TEST(job.rejects_dir == "var/rej");

  BOOST_TEST_REQUIRE(job.param_specs.size() == 3u);
  BOOST_TEST(job.param_specs[0].name == "input");
  BOOST_TEST(*job.param_specs[0].default_value == "data/x.csv");
  BOOST_TEST(job.param_specs[0].description == "The input file");
  BOOST_TEST(job.param_specs[0].where.line == 8);
  BOOST_TEST(*job.param_specs[1].default_value == "100");
  BOOST_TEST(!job.param_specs[2].default_value.has_value());
  const std::map<std::string, std::string> params = {
      {"input", "data/x.csv"}, {"limit", "5"}, {"region", "eu"}};
  BOOST_TEST(job.params == params);
}

BOOST_AUTO_TEST_CASE(full_job_steps) {
  const LoadedJob loaded = load_job_text(kFullJob, "jobs/full.yaml",
                                         options_with({}, {{"region", "eu"}, {"limit", "5"}}));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST_REQUIRE(loaded.job.steps.size() == 2u);
  const StepSpec& load = loaded.job.steps[0];
  BOOST_TEST(load.name == "load");
  BOOST_TEST((load.kind == StepSpec::Kind::kPipeline));
  BOOST_TEST(load.chunk_size == 250u);
  BOOST_TEST(load.skip_budget == 0);
  BOOST_TEST(load.where.to_string() == "jobs/full.yaml:14:5");
  BOOST_TEST(load.source.plugin == "csv_source");
  BOOST_TEST(load.source.where.to_string() == "jobs/full.yaml:17:22");
  BOOST_TEST_REQUIRE(load.source.with.size() == 2u);
  BOOST_TEST(load.source.with[0].first == "path");
  BOOST_TEST(load.source.with[0].second.scalar == "data/x.csv");
  BOOST_TEST(load.source.with[1].second.scalar == ",");

  BOOST_TEST_REQUIRE(load.transforms.size() == 1u);
  const auto& with = load.transforms[0].with;
  BOOST_TEST_REQUIRE(with.size() == 3u);
  BOOST_TEST((with[0].second.shape == RawSetting::Shape::kMap));
  const StringMap weights = {{"a", "1"}, {"b", "eu"}};
  BOOST_TEST((with[0].second.map == weights));
  BOOST_TEST(with[0].second.key_where.to_string() == "jobs/full.yaml:21:11");
  BOOST_TEST((with[1].second.shape == RawSetting::Shape::kList));
  BOOST_TEST((with[1].second.list == std::vector<std::string>{"x", "5"}));
  BOOST_TEST_REQUIRE(with[1].second.item_where.size() == 2u);
  BOOST_TEST(with[1].second.item_where[1].to_string() == "jobs/full.yaml:22:23");
  BOOST_TEST(with[2].second.is_null);

  BOOST_TEST_REQUIRE(load.sinks.size() == 2u);
  BOOST_TEST(load.sinks[0].plugin == "turso_sink");
  BOOST_TEST(load.sinks[1].plugin == "csv_sink");
  BOOST_TEST(load.sinks[1].with.empty());

  const StepSpec& calibrate = loaded.job.steps[1];
  BOOST_TEST((calibrate.kind == StepSpec::Kind::kTask));
  BOOST_TEST(calibrate.task.plugin == "calibrator");
  BOOST_TEST(calibrate.chunk_size == 500u);  // defaults
  BOOST_TEST(calibrate.skip_budget == 100);
}

BOOST_AUTO_TEST_CASE(defaults_of_optional_keys) {
  const LoadedJob loaded = load_job_text(
      "name: j\ndatabase: sqlite://x.db\nsteps: [{name: s, task: {plugin: p}}]\n", "j.yaml", {});
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.job.rejects_dir == "var/rejects");
  BOOST_TEST(loaded.job.description.empty());
  BOOST_TEST(loaded.job.params.empty());
}

BOOST_AUTO_TEST_CASE(overrides_replace_defaults_and_fill_required) {
  const std::string text =
      "name: j\ndatabase: sqlite://x.db\nparams:\n  a: one\n  b:\n"
      "steps:\n  - name: s\n    chunk_size: ${param:b}\n    task: {plugin: p}\n";
  const LoadedJob loaded =
      load_job_text(text, "j.yaml", options_with({}, {{"a", "1"}, {"b", "7"}}));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.job.params.at("a") == "1");
  BOOST_TEST(loaded.job.steps[0].chunk_size == 7u);  // expanded before the type check
}

BOOST_AUTO_TEST_CASE(override_of_an_undeclared_param) {
  const std::string text =
      "name: j\ndatabase: sqlite://x.db\nparams:\n  input: x\nsteps: [{name: s, task: {plugin: "
      "p}}]\n";
  const LoadedJob loaded = load_job_text(text, "j.yaml", options_with({}, {{"inptu", "secret"}}));
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.diagnostics[0].to_string() ==
             "j.yaml:3:1: --set inptu=...: unknown parameter; did you mean 'input'?");

  const LoadedJob no_params = load_job_text(
      "name: j\ndatabase: sqlite://x.db\nsteps: [{name: s, "
      "task: {plugin: p}}]\n",
      "j.yaml", options_with({}, {{"x", "1"}}));
  CHECK_DIAGNOSTIC(no_params.diagnostics, 1, 1, "--set x=...: unknown parameter");
}

BOOST_AUTO_TEST_CASE(required_param_without_override) {
  const std::string text =
      "name: j\ndatabase: sqlite://x.db\nparams:\n  input:\nsteps: [{name: s, task: {plugin: "
      "p}}]\n";
  const LoadedJob loaded = load_job_text(text, "j.yaml", {});
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.diagnostics[0].to_string() ==
             "j.yaml:4:3: parameter 'input' is required: pass --set input=VALUE");
}

// --- Typed parameters ------------------------------------------------------------------------

// min_score on line 4, as_of on line 5; steps use both, so a typed value must reach them.
constexpr const char* kTypedJob =
    "name: j\ndatabase: sqlite://x.db\nparams:\n"
    "  min_score: {type: integer, min: 0, max: 100, default: 0}\n"
    "  as_of: {type: date, max: today+1, default: \"\"}\n"
    "  workflow: {type: choice, values: [intent, geography], default: intent}\n"
    "  input: {type: path, default: leads.csv}\n"
    "  ratio: {type: number, min: 0, max: 1, default: 0.5}\n"
    "  dry_run: {type: boolean, default: false}\n"
    "steps: [{name: s, task: {plugin: p, with: {v: \"${param:min_score}\"}}}]\n";

// 2026-12-06 as days since 1970-01-01: relative date bounds count from it.
constexpr std::int64_t kToday = 20793;

LoadedJob load_typed(std::map<std::string, std::string> overrides) {
  LoadOptions options = options_with({}, std::move(overrides));
  options.today = kToday;
  return load_job_text(kTypedJob, "j.yaml", options);
}

BOOST_AUTO_TEST_CASE(typed_params_accept_good_values_canonically) {
  const LoadedJob loaded = load_typed({{"min_score", "050"},
                                       {"as_of", "2026-12-07"},
                                       {"workflow", "geography"},
                                       {"ratio", "0.25"},
                                       {"dry_run", "true"}});
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.job.params.at("min_score") == "50");
  BOOST_TEST(loaded.job.params.at("as_of") == "2026-12-07");  // tomorrow: within max today+1
  const LoadedJob defaults = load_typed({});
  BOOST_TEST_REQUIRE(defaults.ok(), all_diagnostics(defaults.diagnostics));
  BOOST_TEST(defaults.job.params.at("as_of") == "");  // empty default: "not set" is allowed
  BOOST_TEST(defaults.job.params.at("min_score") == "0");
}

// Each value used to pass as text and make the export compare strings with numbers.
BOOST_AUTO_TEST_CASE(typed_params_refuse_bad_values_at_the_set) {
  for (const char* bad : {"abc", "50.5", "+50", " 50", "50 ", "", "101", "-1", "1e2", "0x10"}) {
    const LoadedJob loaded = load_typed({{"min_score", bad}});
    BOOST_TEST_CONTEXT("min_score='" << bad << "'") {
      BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
      BOOST_TEST(loaded.diagnostics[0].to_string() ==
                 "j.yaml:3:1: --set min_score=" + std::string(bad) +
                     ": parameter 'min_score' expected an integer from 0 to 100 (digits, an "
                     "optional leading '-')");
    }
  }
  for (const auto& [name, bad, expected] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"as_of", "2026-12-08", "a date (YYYY-MM-DD) not after today+1"},
           {"as_of", "2026-02-30", "a date (YYYY-MM-DD) not after today+1"},
           {"as_of", "12/06/2026", "a date (YYYY-MM-DD) not after today+1"},
           {"workflow", "Intent", "one of intent, geography"},
           {"ratio", "1.5", "a number from 0 to 1 (like 12 or 4.5)"},
           {"dry_run", "yes", "true or false"}}) {
    const LoadedJob loaded = load_typed({{name, bad}});
    BOOST_TEST_CONTEXT(name << "='" << bad << "'") {
      CHECK_DIAGNOSTIC(loaded.diagnostics, 3, 1, "parameter '" + name + "' expected " + expected);
    }
  }
  // A path may be a secret-bearing string: its value is not echoed.
  const LoadedJob path = load_typed({{"input", "a\nb"}});
  CHECK_DIAGNOSTIC(path.diagnostics, 3, 1, "--set input=...: parameter 'input' expected a file");
}

BOOST_AUTO_TEST_CASE(typed_param_defaults_are_checked_at_their_line) {
  const LoadedJob loaded = load_job_text(
      "name: j\ndatabase: sqlite://x.db\nparams:\n  n: {type: integer, min: 1, default: 0}\n"
      "steps: [{name: s, task: {plugin: p}}]\n",
      "j.yaml", options_with({}));
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.diagnostics[0].to_string() ==
             "j.yaml:4:39: parameter 'n': default '0' is not valid: expected an integer of at "
             "least 1 (digits, an optional leading '-')");
}

BOOST_AUTO_TEST_CASE(typed_param_declarations_are_checked) {
  const LoadedJob loaded = load_job_text(
      "name: j\ndatabase: sqlite://x.db\nparams:\n"
      "  a: {type: integr}\n"
      "  b: {type: integer, min: x}\n"
      "  c: {type: date, max: tomorrow}\n"
      "  d: {type: choice}\n"
      "  e: {type: string, values: [x]}\n"
      "  f: {type: boolean, max: 1}\n"
      "steps: [{name: s, task: {plugin: p}}]\n",
      "j.yaml",
      options_with(
          {},
          {{"a", "1"}, {"b", "1"}, {"c", "2026-01-01"}, {"d", "x"}, {"e", "x"}, {"f", "true"}}));
  CHECK_DIAGNOSTIC(loaded.diagnostics, 4, 13, "unknown type 'integr'; did you mean 'integer'?");
  CHECK_DIAGNOSTIC(loaded.diagnostics, 5, 27, "min must be an integer");
  CHECK_DIAGNOSTIC(loaded.diagnostics, 6, 24, "max must be a date (YYYY-MM-DD) or today");
  CHECK_DIAGNOSTIC(loaded.diagnostics, 7, 7, "a choice needs `values`");
  CHECK_DIAGNOSTIC(loaded.diagnostics, 8, 21, "`values` applies to choice parameters only");
  CHECK_DIAGNOSTIC(loaded.diagnostics, 9, 27, "max applies to integer, number and date");
}

// --- Interpolation -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(env_references) {
  BOOST_TEST(expand("${env:A}", {{"A", "alpha"}}) == "alpha");
  BOOST_TEST(expand("${env:A:-fallback}", {}) == "fallback");
  BOOST_TEST(expand("${env:A:-fallback}", {{"A", ""}}) == "fallback");  // empty, like the shell
  BOOST_TEST(expand("${env:A:-fallback}", {{"A", "set"}}) == "set");
  BOOST_TEST(expand("${env:A}", {{"A", ""}}).empty());
  BOOST_TEST(expand("\"${env:A:-}\"", {}).empty());
  BOOST_TEST(expand("\"${env:URL:-sqlite://var/a.db}\"", {}) == "sqlite://var/a.db");
}

BOOST_AUTO_TEST_CASE(env_defaults_to_getenv) {
  BOOST_REQUIRE(setenv("HADES_JOB_TEST_VARIABLE", "from-process", 1) == 0);
  const LoadedJob loaded = load_setting("${env:HADES_JOB_TEST_VARIABLE}", LoadOptions{});
  unsetenv("HADES_JOB_TEST_VARIABLE");
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.job.steps[0].task.with[0].second.scalar == "from-process");
}

BOOST_AUTO_TEST_CASE(param_references_escapes_and_mixtures) {
  BOOST_TEST(expand("${param:input}") == "data.csv");
  BOOST_TEST(expand("$${env:NOT_A_REFERENCE}") == "${env:NOT_A_REFERENCE}");
  BOOST_TEST(expand("\"cost: $5 and $$\"") == "cost: $5 and $$");
  BOOST_TEST(expand("\"in/${param:input}.${env:EXT}?x=$${y}&z=${env:Z:-1}\"", {{"EXT", "gz"}}) ==
             "in/data.csv.gz?x=${y}&z=1");
}

BOOST_AUTO_TEST_CASE(unset_env_is_located_at_the_scalar) {
  const LoadedJob loaded = load_setting("\"x-${env:ZOHO_CLIENT_ID}\"", options_with({}));
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.diagnostics[0].to_string() ==
             "job.yaml:10:12: environment variable ZOHO_CLIENT_ID is not set (used at 10:12); "
             "set it, use ${env:ZOHO_CLIENT_ID:-default} for a default, or check the rest with "
             "`hades validate --allow-missing-env`");
}

// A job reading one secret in three steps used to print three errors; a linting CI without the
// secrets could not check the job at all.
BOOST_AUTO_TEST_CASE(unset_env_is_reported_once_per_variable_or_allowed) {
  const std::string text =
      "name: j\ndatabase: sqlite://x.db\nsteps:\n"
      "  - {name: a, task: {plugin: p, with: {id: \"${env:ZOHO_ID}\", s: "
      "\"${env:ZOHO_SECRET}\"}}}\n"
      "  - {name: b, task: {plugin: p, with: {id: \"${env:ZOHO_ID}\"}}}\n"
      "  - {name: c, task: {plugin: p, with: {id: \"${env:ZOHO_ID}\"}}}\n";
  const LoadedJob strict = load_job_text(text, "j.yaml", options_with({}));
  BOOST_TEST_REQUIRE(strict.diagnostics.size() == 2u, all_diagnostics(strict.diagnostics));
  CHECK_DIAGNOSTIC(strict.diagnostics, 4, 44,
                   "environment variable ZOHO_ID is not set (used at 4:44, 5:44, 6:44)");
  CHECK_DIAGNOSTIC(strict.diagnostics, 4, 65,
                   "environment variable ZOHO_SECRET is not set (used at 4:65)");

  LoadOptions lenient = options_with({});
  lenient.allow_missing_env = true;
  const LoadedJob allowed = load_job_text(text, "j.yaml", lenient);
  BOOST_TEST_REQUIRE(allowed.ok(), all_diagnostics(allowed.diagnostics));
  BOOST_TEST(allowed.job.unset_env == (std::vector<std::string>{"ZOHO_ID", "ZOHO_SECRET"}));
  BOOST_TEST(allowed.job.steps[1].task.with.at(0).second.scalar == "<ZOHO_ID-unset>");
}

BOOST_AUTO_TEST_CASE(unknown_param_suggests_the_closest) {
  const LoadedJob loaded = load_setting("${param:inptu}", options_with({}));
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.diagnostics[0].to_string() ==
             "job.yaml:10:12: unknown parameter 'inptu'; did you mean 'input'?");
  const LoadedJob far = load_setting("${param:zzzzzz}", options_with({}));
  BOOST_TEST_REQUIRE(far.diagnostics.size() == 1u);
  BOOST_TEST(far.diagnostics[0].message == "unknown parameter 'zzzzzz'");
}

BOOST_AUTO_TEST_CASE(malformed_references) {
  for (const std::string bad : {"${foo}", "${env:X", "${env:}", "${env:1X}", "${}", "${param:a"}) {
    const LoadedJob loaded = load_setting("\"" + bad + "\"", options_with({{"X", "x"}}));
    BOOST_TEST(loaded.diagnostics.size() == 1u, bad << ":\n"
                                                    << all_diagnostics(loaded.diagnostics));
    CHECK_DIAGNOSTIC(loaded.diagnostics, 10, 12, "reference");
  }
}

BOOST_AUTO_TEST_CASE(param_default_may_use_env_but_not_params) {
  const std::string text =
      "name: j\ndatabase: sqlite://x.db\nparams:\n  home: ${env:HOME_DIR:-/tmp}\n"
      "  out: ${param:home}/out\nsteps: [{name: s, task: {plugin: p}}]\n";
  const LoadedJob loaded = load_job_text(text, "j.yaml", options_with({{"HOME_DIR", "/h"}}));
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.job.params.at("home") == "/h");
  CHECK_DIAGNOSTIC(loaded.diagnostics, 5, 8, "a parameter default cannot use ${param:home}");
}

BOOST_AUTO_TEST_CASE(comments_and_keys_are_never_expanded) {
  const std::string text =
      "# ${env:UNSET_ONE}\n"
      "name: j  # ${env:UNSET_TWO}\n"
      "database: sqlite://x.db\n"
      "steps:\n"
      "  # ${param:nope} ${broken\n"
      "  - name: s\n"
      "    task: {plugin: p, with: {\"${env:UNSET_KEY}\": 1}}\n";
  const LoadedJob loaded = load_job_text(text, "j.yaml", options_with({}));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.job.steps[0].task.with[0].first == "${env:UNSET_KEY}");
}

BOOST_AUTO_TEST_CASE(every_error_is_collected) {
  const std::string text =
      "name: j\ndatabase: ${env:A}\nrejects_dir: ${env:B}\n"
      "steps: [{name: s, task: {plugin: '${env:C}', with: {x: '${env:D}'}}}]\n";
  const LoadedJob loaded = load_job_text(text, "j.yaml", options_with({}));
  BOOST_TEST(loaded.diagnostics.size() == 4u, all_diagnostics(loaded.diagnostics));
}

BOOST_AUTO_TEST_CASE(duplicate_keys_at_every_level) {
  const std::string text =
      "name: j\ndatabase: sqlite://x.db\nsteps:\n  - name: s\n"
      "    task: {plugin: p, with: {a: 1, m: {k: 1, k: 2}, a: 2}}\n";
  const LoadedJob loaded = load_job_text(text, "j.yaml", options_with({}));
  BOOST_TEST(loaded.diagnostics.size() == 2u, all_diagnostics(loaded.diagnostics));
  CHECK_DIAGNOSTIC(loaded.diagnostics, 5, 46, "duplicate key 'k' (first at line 5)");
  CHECK_DIAGNOSTIC(loaded.diagnostics, 5, 53, "duplicate key 'a' (first at line 5)");
}

BOOST_AUTO_TEST_CASE(empty_value_is_located_at_its_key) {
  const LoadedJob loaded =
      load_job_text("name: j\nsteps: [{name: s, task: {plugin: p}}]\ndatabase:\n", "j.yaml", {});
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u, all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.diagnostics[0].to_string() ==
             "j.yaml:3:1: database must be a URL string, got nothing");
}

// --- order_by ------------------------------------------------------------------------------------

// A pipeline with order_by between two transforms; `order_by` is at 10:9.
std::string job_with_order(const std::string& order) {
  return "name: j\n"
         "database: sqlite://x.db\n"
         "params:\n"
         "  top: 5000\n"
         "steps:\n"
         "  - name: export\n"
         "    source: {plugin: csv_source}\n"
         "    transforms:\n"
         "      - plugin: scorer\n"
         "      - order_by: " +
         order +
         "\n"
         "      - plugin: export_batch\n"
         "    sinks: [{plugin: turso_sink}]\n";
}

BOOST_AUTO_TEST_CASE(order_by_takes_its_place_among_the_transforms) {
  const LoadedJob loaded = load_job_text(
      job_with_order("{keys: [{column: hades_score, desc: true}, {column: zip, nulls: last}, "
                     "person_id], limit: \"${param:top}\", memory: 48MiB, unique: [person_id], "
                     "row_number: export_rank}"),
      "j.yaml", options_with({}));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  const StepSpec& step = loaded.job.steps[0];
  BOOST_TEST(step.transforms.size() == 2u);
  BOOST_TEST(step.transforms[0].plugin == "scorer");
  BOOST_TEST(step.transforms[1].plugin == "export_batch");
  BOOST_TEST_REQUIRE(step.order.has_value());
  BOOST_TEST(step.order_after == 1u);
  const OrderSpec& order = *step.order;
  BOOST_TEST(order.where.to_string() == "j.yaml:10:9");
  BOOST_TEST_REQUIRE(order.keys.size() == 3u);
  BOOST_TEST(order.keys[0].column == "hades_score");
  BOOST_TEST(order.keys[0].descending);
  BOOST_TEST(!order.keys[0].nulls_first);  // descending: nulls last unless told
  BOOST_TEST(!order.keys[1].descending);
  BOOST_TEST(!order.keys[1].nulls_first);
  BOOST_TEST(order.keys[2].column == "person_id");
  BOOST_TEST(order.keys[2].nulls_first);
  BOOST_TEST(order.keys[2].where.line == 10);
  BOOST_TEST(order.limit.value_or(-1) == 5000);
  BOOST_TEST(order.memory == 48u << 20);
  BOOST_TEST(order.unique == std::vector<std::string>{"person_id"});
  BOOST_TEST(order.row_number == "export_rank");
  BOOST_TEST(loaded.job.work_dir == "var/work");
}

BOOST_AUTO_TEST_CASE(order_by_defaults_and_position) {
  const LoadedJob first = load_job_text(
      "name: j\ndatabase: sqlite://x.db\nsteps:\n  - name: s\n    source: {plugin: a}\n"
      "    transforms: [{order_by: {keys: [x]}}, {plugin: t}]\n    sinks: [{plugin: b}]\n",
      "j.yaml", options_with({}));
  BOOST_TEST_REQUIRE(first.ok(), all_diagnostics(first.diagnostics));
  BOOST_TEST(first.job.steps[0].order_after == 0u);
  BOOST_TEST(!first.job.steps[0].order->limit.has_value());
  BOOST_TEST(first.job.steps[0].order->memory == kDefaultOrderMemory);
  BOOST_TEST(first.job.steps[0].order->unique.empty());
  BOOST_TEST(first.job.steps[0].transforms.size() == 1u);
  BOOST_TEST(!load_setting("x", options_with({})).job.steps[0].order.has_value());
}

BOOST_AUTO_TEST_CASE(order_by_memory_sizes) {
  const std::vector<std::pair<std::string, std::uint64_t>> good = {
      {"65536", 65536},     {"64KiB", 64 << 10}, {"64 KiB", 64 << 10},
      {"1GiB", 1ULL << 30}, {"32MiB", 32 << 20}, {"100000B", 100000}};
  for (const auto& [text, bytes] : good) {
    const LoadedJob loaded =
        load_job_text(job_with_order("{keys: [a], memory: " + text + "}"), "j.yaml", {});
    BOOST_TEST_CONTEXT(text) {
      BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
      BOOST_TEST(loaded.job.steps[0].order->memory == bytes);
    }
  }
  for (const std::string text :
       {"32MB", "1.5MiB", "0", "1KiB", "MiB", "-64KiB", "64kib", "99999999999999999999GiB"}) {
    const LoadedJob loaded =
        load_job_text(job_with_order("{keys: [a], memory: '" + text + "'}"), "j.yaml", {});
    BOOST_TEST_CONTEXT(text) {
      CHECK_DIAGNOSTIC(loaded.diagnostics, 10, 39, "memory must be a size of at least 64KiB");
    }
  }
}

// Each snippet of docs/job-file.md that is a whole job loads without a problem, and every
// order_by example in it is one of them.
BOOST_AUTO_TEST_CASE(job_file_docs_examples_load) {
  const fs::path docs =
      fs::path(std::getenv("HADES_SOURCE_DIR") ? std::getenv("HADES_SOURCE_DIR") : ".") /
      "docs/job-file.md";
  std::ifstream in(docs);
  BOOST_TEST_REQUIRE(in.good(), docs << " is missing: set HADES_SOURCE_DIR");
  std::vector<std::string> blocks;
  std::string line;
  std::string block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      blocks.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  int jobs = 0;
  int orders = 0;
  for (const std::string& text : blocks) {
    const bool whole_job = text.find("\nsteps:") != std::string::npos;
    const bool orders_records = text.find("order_by:") != std::string::npos;
    BOOST_TEST(whole_job >= orders_records, "an order_by example that is not a whole job:\n"
                                                << text);
    if (!whole_job) continue;
    ++jobs;
    orders += orders_records;
    std::map<std::string, std::string> sets;  // the required parameters of the first example
    if (text.find("  as_of:") != std::string::npos) sets["as_of"] = "2024-06-01";
    const LoadedJob loaded =
        load_job_text(text, "docs/job-file.md", options_with({{"TURSO_TOKEN", "t"}}, sets));
    BOOST_TEST(loaded.ok(), text << all_diagnostics(loaded.diagnostics));
  }
  BOOST_TEST(jobs >= 3);
  BOOST_TEST(orders >= 2);
}

// --- Files ---------------------------------------------------------------------------------------

fs::path source_dir() {
  if (const char* dir = std::getenv("HADES_SOURCE_DIR")) return dir;
  return fs::path(__FILE__).parent_path().parent_path().parent_path();  // tests/unit/ -> root
}

BOOST_AUTO_TEST_CASE(load_job_file_reads_a_file) {
  const fs::path path = source_dir() / "tests/data/good_jobs/full.yaml";
  BOOST_REQUIRE_MESSAGE(fs::exists(path), path << " is missing: set HADES_SOURCE_DIR");
  const LoadedJob loaded = load_job_file(path.string(), options_with({}));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  BOOST_TEST(loaded.job.file == path.string());
  BOOST_TEST(loaded.job.steps.size() == 2u);
}

BOOST_AUTO_TEST_CASE(unreadable_file_has_line_zero) {
  const LoadedJob loaded = load_job_file("/nonexistent/hades/job.yaml", {});
  BOOST_TEST_REQUIRE(loaded.diagnostics.size() == 1u);
  BOOST_TEST(loaded.diagnostics[0].where.line == 0);
  BOOST_TEST(loaded.diagnostics[0].to_string().rfind(
                 "/nonexistent/hades/job.yaml: cannot read job file: ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(location_formats) {
  BOOST_TEST((SourceLocation{"a.yaml", 3, 7}.to_string()) == "a.yaml:3:7");
  BOOST_TEST((SourceLocation{"a.yaml", 0, 0}.to_string()) == "a.yaml");
  BOOST_TEST((Diagnostic{{"a.yaml", 1, 2}, "bad"}.to_string()) == "a.yaml:1:2: bad");
}

struct Expectation {
  int line;
  int column;
  std::string substring;
};

// The leading "# expect: LINE:COL: text" lines of a corpus file.
std::vector<Expectation> read_expectations(const fs::path& path) {
  static const std::regex kExpect(R"(^# expect: (\d+):(\d+): (.+)$)");
  std::vector<Expectation> expectations;
  std::ifstream in(path);
  std::string line;
  std::smatch match;
  while (std::getline(in, line) && std::regex_match(line, match, kExpect)) {
    expectations.push_back({std::stoi(match[1]), std::stoi(match[2]), match[3]});
  }
  return expectations;
}

std::vector<fs::path> corpus_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

BOOST_AUTO_TEST_CASE(bad_job_corpus) {
  const fs::path dir = source_dir() / "tests/data/bad_jobs";
  BOOST_REQUIRE_MESSAGE(fs::is_directory(dir), dir << " is missing: set HADES_SOURCE_DIR");
  const std::vector<fs::path> files = corpus_files(dir);
  BOOST_REQUIRE_MESSAGE(files.size() >= 15u, "only " << files.size() << " files in " << dir);
  for (const fs::path& file : files) {
    BOOST_TEST_CONTEXT(file.filename().string()) {
      const std::vector<Expectation> expectations = read_expectations(file);
      BOOST_TEST_REQUIRE(!expectations.empty(), "the first line must be '# expect: L:C: text'");
      // The environment is empty: every ${env:X} without a default is unset.
      const LoadedJob loaded = load_job_file(file.string(), options_with({}));
      for (const Expectation& e : expectations) {
        CHECK_DIAGNOSTIC(loaded.diagnostics, e.line, e.column, e.substring);
      }
      BOOST_TEST(loaded.diagnostics.size() == expectations.size(), "diagnostics:\n"
                                                                       << all_diagnostics(
                                                                              loaded.diagnostics));
    }
  }
}

// --- suggest_closest -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(suggest_closest_finds_typos) {
  const std::vector<std::string> keys = {"name", "source", "sinks", "steps", "description"};
  BOOST_TEST(suggest_closest("sorce", keys).value_or("-") == "source");
  BOOST_TEST(suggest_closest("stpes", keys).value_or("-") == "steps");  // transposition
  BOOST_TEST(suggest_closest("NAME", keys).value_or("-") == "name");    // case-insensitive
  BOOST_TEST(suggest_closest("descrpitoin", keys).value_or("-") == "description");
  BOOST_TEST(!suggest_closest("xyz", keys).has_value());
  BOOST_TEST(!suggest_closest("sources_all", keys).has_value());  // 5 edits > 11/3
  BOOST_TEST(!suggest_closest("anything", {}).has_value());
}

BOOST_AUTO_TEST_CASE(suggest_closest_prefers_best_then_first) {
  BOOST_TEST(suggest_closest("abcdef", {"abcxyz", "abcdeg", "abcdef"}).value_or("-") == "abcdef");
  BOOST_TEST(suggest_closest("ab", {"ax", "ay"}).value_or("-") == "ax");
  BOOST_TEST(suggest_closest("a", {"b"}).value_or("-") == "b");  // short words allow one edit
}

// --- bind_settings -------------------------------------------------------------------------------

const SettingSpec kSchema[] = {
    {"path", SettingType::kString, true, nullptr, false, "file to read"},
    {"delimiter", SettingType::kString, false, ",", false, ""},
    {"limit", SettingType::kInt, false, "10", false, ""},
    {"ratio", SettingType::kDouble, false, "0.5", false, ""},
    {"header", SettingType::kBool, false, "true", false, ""},
    {"columns", SettingType::kStringList, false, nullptr, false, ""},
    {"rename", SettingType::kStringMap, false, nullptr, false, ""},
    {"token", SettingType::kString, false, nullptr, true, ""},
    {"pin", SettingType::kInt, false, nullptr, true, ""},
};

struct Bound {
  Settings settings;
  std::vector<Diagnostic> diagnostics;
};

// Binds `with` (YAML flow mapping text) of a task `p`; the `with:` mapping is on line 5 and the
// plugin name at 5:20.
Bound bind_with(const std::string& with) {
  const std::string text =
      "name: j\ndatabase: sqlite://x.db\nsteps:\n  - name: s\n"
      "    task: {plugin: p, with: " +
      with + "}\n";
  const LoadedJob loaded = load_job_text(text, "j.yaml", options_with({}));
  BOOST_TEST_REQUIRE(loaded.ok(), all_diagnostics(loaded.diagnostics));
  Bound bound;
  bound.settings =
      bind_settings(loaded.job.steps[0].task, kSchema, std::size(kSchema), &bound.diagnostics);
  return bound;
}

BOOST_AUTO_TEST_CASE(bind_applies_values_and_defaults) {
  const Bound b = bind_with("{path: in.csv, limit: '42', columns: [a, b], rename: {a: x}}");
  BOOST_TEST_REQUIRE(b.diagnostics.empty(), all_diagnostics(b.diagnostics));
  BOOST_TEST(b.settings.get_string("path").value_or("-") == "in.csv");
  BOOST_TEST(b.settings.get_int("limit").value_or(0) == 42);
  BOOST_TEST(b.settings.get_string("delimiter").value_or("-") == ",");  // defaults
  BOOST_TEST(b.settings.get_double("ratio").value_or(0) == 0.5);
  BOOST_TEST(b.settings.get_bool("header").value_or(false) == true);
  BOOST_TEST((b.settings.get_string_list("columns") == std::vector<std::string>{"a", "b"}));
  BOOST_TEST((b.settings.get_string_map("rename") == StringMap{{"a", "x"}}));
  BOOST_TEST(!b.settings.has("token"));  // no value, no default
}

BOOST_AUTO_TEST_CASE(bind_null_optional_means_absent) {
  const Bound b = bind_with("{path: in.csv, limit: ~, delimiter: }");
  BOOST_TEST_REQUIRE(b.diagnostics.empty(), all_diagnostics(b.diagnostics));
  BOOST_TEST(b.settings.get_int("limit").value_or(0) == 10);
  BOOST_TEST(b.settings.get_string("delimiter").value_or("-") == ",");
}

BOOST_AUTO_TEST_CASE(bind_unknown_key_with_suggestion) {
  const Bound b = bind_with("{path: in.csv, delimter: ';', zzzzzzz: 1}");
  BOOST_TEST_REQUIRE(b.diagnostics.size() == 2u, all_diagnostics(b.diagnostics));
  BOOST_TEST(b.diagnostics[0].to_string() ==
             "j.yaml:5:44: plugin 'p': unknown key 'delimter'; did you mean 'delimiter'?");
  BOOST_TEST(b.diagnostics[1].message == "plugin 'p': unknown key 'zzzzzzz'");
}

BOOST_AUTO_TEST_CASE(bind_missing_required) {
  const Bound b = bind_with("{}");
  BOOST_TEST_REQUIRE(b.diagnostics.size() == 1u, all_diagnostics(b.diagnostics));
  BOOST_TEST(b.diagnostics[0].to_string() ==
             "j.yaml:5:20: plugin 'p': missing required setting 'path'");
  const Bound null_path = bind_with("{path: ~}");
  BOOST_TEST_REQUIRE(null_path.diagnostics.size() == 1u, all_diagnostics(null_path.diagnostics));
  CHECK_DIAGNOSTIC(null_path.diagnostics, 5, 36, "required setting 'path' has no value");
}

BOOST_AUTO_TEST_CASE(bind_wrong_types) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"limit: abc", "setting 'limit' must be an integer, got 'abc'"},
      {"limit: 1.5", "setting 'limit' must be an integer, got '1.5'"},
      {"limit: 99999999999999999999", "must be an integer"},
      {"ratio: fast", "setting 'ratio' must be a number, got 'fast'"},
      {"ratio: .nan", "must be a number"},
      {"header: maybe", "setting 'header' must be a boolean, got 'maybe'"},
      {"columns: a", "setting 'columns' must be a list of strings, got 'a'"},
      {"columns: {a: b}", "setting 'columns' must be a list of strings, got a mapping"},
      {"rename: [a]", "setting 'rename' must be a map of strings, got a list"},
      {"delimiter: [a]", "setting 'delimiter' must be a string, got a list"},
  };
  for (const auto& [setting, message] : cases) {
    const Bound b = bind_with("{path: p, " + setting + "}");
    BOOST_TEST_REQUIRE(b.diagnostics.size() == 1u, setting << ":\n"
                                                           << all_diagnostics(b.diagnostics));
    BOOST_TEST(b.diagnostics[0].message.find(message) != std::string::npos,
               setting << ": " << b.diagnostics[0].message);
    BOOST_TEST(b.diagnostics[0].where.line == 5);
  }
}

BOOST_AUTO_TEST_CASE(bind_bool_spellings) {
  for (const std::string yes : {"true", "True", "YES", "on", "On"}) {
    const Bound b = bind_with("{path: p, header: " + yes + "}");
    BOOST_TEST(b.settings.get_bool("header").value_or(false) == true, yes);
  }
  for (const std::string no : {"false", "FALSE", "no", "No", "off", "OFF"}) {
    const Bound b = bind_with("{path: p, header: " + no + "}");
    BOOST_TEST(b.settings.get_bool("header").value_or(true) == false, no);
  }
}

BOOST_AUTO_TEST_CASE(bind_numbers) {
  const Bound b = bind_with("{path: p, limit: -7, ratio: 2e3}");
  BOOST_TEST_REQUIRE(b.diagnostics.empty(), all_diagnostics(b.diagnostics));
  BOOST_TEST(b.settings.get_int("limit").value_or(0) == -7);
  BOOST_TEST(b.settings.get_double("ratio").value_or(0) == 2000.0);
}

BOOST_AUTO_TEST_CASE(bind_never_shows_a_secret) {
  const Bound b = bind_with("{path: p, pin: hunter2, token: [hunter3]}");
  BOOST_TEST_REQUIRE(b.diagnostics.size() == 2u, all_diagnostics(b.diagnostics));
  for (const Diagnostic& d : b.diagnostics) {
    BOOST_TEST(d.message.find("hunter") == std::string::npos, d.message);
  }
  BOOST_TEST(b.diagnostics[0].message ==
             "plugin 'p': setting 'pin' must be an integer, got <redacted>");
}

BOOST_AUTO_TEST_CASE(bind_with_an_empty_schema) {
  const Bound b = [] {
    const LoadedJob loaded = load_job_text(
        "name: j\ndatabase: d://x\nsteps: [{name: s, task: {plugin: p, with: {a: 1}}}]\n", "j.yaml",
        {});
    Bound bound;
    bound.settings = bind_settings(loaded.job.steps[0].task, nullptr, 0, &bound.diagnostics);
    return bound;
  }();
  BOOST_TEST_REQUIRE(b.diagnostics.size() == 1u);
  BOOST_TEST(b.diagnostics[0].message == "plugin 'p': unknown key 'a'");
}

}  // namespace
}  // namespace hades
