// job_detail.h: what the job loader (job.cc) and bind_settings (job_bind.cc) share: scalar
// parsing, YAML diagnostics located as file:line:col (job_yaml.cc), suggestions
// (job_suggest.cc) and interpolation of ${env:..} and ${param:..} (job_interpolate.cc).
// Internal to the framework; job.h is the interface.

#ifndef HADES_FRAMEWORK_JOB_DETAIL_H_
#define HADES_FRAMEWORK_JOB_DETAIL_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "job.h"

namespace hades::job_detail {

// Scalars, as the loader and bind_settings read them (job.h states the rules).
std::string_view without_plus(std::string_view text);
std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);
// A byte count: digits, optionally followed by a unit (B, KiB, MiB, GiB; a blank before it is
// allowed). Decimal units (MB) are not accepted: which one was meant would be a guess.
std::optional<std::uint64_t> parse_size(std::string_view text);
// Job, step and parameter names end up in file names, table rows and log fields.
bool is_valid_name(std::string_view name);
bool is_env_name(std::string_view name);

// Messages quote at most this much of what a user wrote: enough to recognise it, and a long
// value is more likely to hold something that should not be printed whole.
inline constexpr std::size_t kMaxQuoted = 40;
std::string excerpt(std::string_view text);
std::string in_quotes(std::string_view text);
// What a user wrote, for "got ..." in a message.
std::string describe(const YAML::Node& node);
// "; did you mean 'x'?" when a candidate is close enough (suggest_closest), else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// ---------------------------------------------------------------------------------------------
// Diagnostics of one file

// Converts yaml-cpp's 0-based marks to 1-based locations; nothing else sees a YAML::Mark.
class Reporter {
 public:
  Reporter(std::string file, std::vector<Diagnostic>* out) : file_(std::move(file)), out_(out) {}

  SourceLocation locate(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.line < 0) return {file_, 1, 1};
    return {file_, mark.line + 1, mark.column + 1};
  }
  void error(const YAML::Mark& mark, std::string message) {
    error(locate(mark), std::move(message));
  }
  void error(SourceLocation where, std::string message) {
    out_->push_back({std::move(where), std::move(message)});
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic>* out_;
};

// One key/value pair of a mapping, with the key's node kept for its location.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};
using Entries = std::vector<Entry>;

// yaml-cpp keeps every pair of a mapping, duplicates included, so iterating is how duplicates
// are found. The first occurrence is kept; each later one is an error.
Entries read_mapping(Reporter& reporter, const YAML::Node& map);
// Reports each key of `entries` not in `allowed`, with a suggestion, as "in `context`".
void reject_unknown(Reporter& reporter, const Entries& entries,
                    const std::vector<std::string>& allowed, const std::string& context);
const Entry* find_entry(const Entries& entries, std::string_view key);
// An empty value (`key:`) has no token of its own: yaml-cpp marks it at whatever follows, often
// the next line, so such a value is located at its key instead.
YAML::Mark value_mark(const Entry& e);

// ---------------------------------------------------------------------------------------------
// Interpolation

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

enum class ParamRefs { kAllowed, kForbidden };

// Expands ${env:..} and ${param:..} in scalar values. Works on parsed values, so comments and
// keys are never expanded.
class Interpolator {
 public:
  Interpolator(Reporter* reporter, EnvLookup env, const std::map<std::string, std::string>* params,
               bool allow_missing_env)
      : reporter_(reporter),
        env_(std::move(env)),
        params_(params),
        allow_missing_env_(allow_missing_env) {}

  // One error per unset environment variable, at its first use, listing every use; or, when
  // they are allowed, their names (sorted) for the caller to mention.
  std::vector<std::string> report_missing_env() {
    std::vector<std::string> names;
    for (const auto& [name, marks] : missing_env_) {
      names.push_back(name);
      if (allow_missing_env_) continue;
      std::string uses;
      for (const YAML::Mark& m : marks) {
        uses += (uses.empty() ? "" : ", ") + std::to_string(m.line + 1) + ":" +
                std::to_string(m.column + 1);
      }
      reporter_->error(marks.front(), "environment variable " + name + " is not set (used at " +
                                          uses + "); set it, use ${env:" + name +
                                          ":-default} for a default, or check the rest with "
                                          "`hades validate --allow-missing-env`");
    }
    return names;
  }

  void set_declared_params(std::vector<std::string> names) { declared_ = std::move(names); }

  // Appends `text` with every reference expanded to `*out`. Returns false after reporting bad
  // references at `mark`; those are then left as written in `*out`.
  bool expand(const std::string& text, const YAML::Mark& mark, ParamRefs refs, std::string* out) {
    bool ok = true;
    std::size_t i = 0;
    while (i < text.size()) {
      if (text.compare(i, 3, "$${") == 0) {  // the escape for a literal "${"
        out->append("${");
        i += 3;
      } else if (text.compare(i, 2, "${") != 0) {
        out->push_back(text[i++]);
      } else {
        const std::size_t close = text.find('}', i + 2);
        if (close == std::string::npos) return unterminated(text.substr(i), mark, out);
        const std::string body = text.substr(i + 2, close - i - 2);
        const std::optional<std::string> value = expand_reference(body, mark, refs);
        ok = ok && value.has_value();
        out->append(value ? *value : text.substr(i, close + 1 - i));
        i = close + 1;
      }
    }
    return ok;
  }

 private:
  bool unterminated(const std::string& rest, const YAML::Mark& mark, std::string* out) {
    reporter_->error(mark, "unterminated reference '" + excerpt(rest) + "': missing '}'");
    out->append(rest);
    return false;
  }

  std::optional<std::string> expand_reference(const std::string& body, const YAML::Mark& mark,
                                              ParamRefs refs) {
    if (body.find("${") == std::string::npos) {
      if (body.rfind("env:", 0) == 0) return expand_env(body.substr(4), mark);
      if (body.rfind("param:", 0) == 0) return expand_param(body.substr(6), mark, refs);
    }
    reporter_->error(mark, "malformed reference '${" + excerpt(body) +
                               "}': use ${env:NAME}, ${env:NAME:-default} or ${param:NAME}"
                               " (write $${ for a literal ${)");
    return std::nullopt;
  }

  // Like the shell's ${NAME:-default}: the default also replaces an empty value.
  std::optional<std::string> expand_env(const std::string& spec, const YAML::Mark& mark) {
    const std::size_t sep = spec.find(":-");
    const std::string name = spec.substr(0, sep);
    if (!is_env_name(name)) {
      reporter_->error(mark, "malformed reference '${env:" + excerpt(spec) +
                                 "}': expected an environment variable name");
      return std::nullopt;
    }
    std::optional<std::string> value = env_(name);
    if (sep != std::string::npos && (!value || value->empty())) return spec.substr(sep + 2);
    if (value) return value;
    missing_env_[name].push_back(mark);
    // A stand-in that passes "not empty" checks, so validate checks everything else.
    if (allow_missing_env_)
      return "<" + name + "-unset>";  // no space: credential checks refuse spaces
    return std::nullopt;
  }

  std::optional<std::string> expand_param(const std::string& name, const YAML::Mark& mark,
                                          ParamRefs refs) {
    if (refs == ParamRefs::kForbidden) {
      reporter_->error(mark, "a parameter default cannot use ${param:" + excerpt(name) +
                                 "}: only ${env:..} is expanded here");
      return std::nullopt;
    }
    if (std::find(declared_.begin(), declared_.end(), name) == declared_.end()) {
      reporter_->error(
          mark, "unknown parameter " + in_quotes(excerpt(name)) + did_you_mean(name, declared_));
      return std::nullopt;
    }
    // A declared parameter without a value was already reported as required.
    const auto it = params_->find(name);
    return it == params_->end() ? std::string() : it->second;
  }

  Reporter* reporter_;
  EnvLookup env_;
  const std::map<std::string, std::string>* params_;
  const bool allow_missing_env_;
  std::map<std::string, std::vector<YAML::Mark>> missing_env_;  // name -> every use
  std::vector<std::string> declared_;
};

// Looks variables up with getenv.
EnvLookup default_env();

}  // namespace hades::job_detail

#endif  // HADES_FRAMEWORK_JOB_DETAIL_H_
