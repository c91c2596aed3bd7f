// job_params.h: the types a job parameter may declare, and checking a value against one.
//
// A parameter without a `type` is a string and takes any value. A typed parameter
//   min_score: {type: integer, min: 0, max: 100, default: 0}
// is checked wherever its value comes from (its default in the file, or `--set`) before
// anything runs, so `min_score=abc`, `50.5`, `+50` or ` 50` fail `validate` and `run` with exit 2
// instead of reaching a plugin as text that compares wrongly. A valid value is passed on in its
// canonical spelling (an integer without leading zeros). The empty value is accepted only when
// the parameter's default is empty: "not set", for the plugin to fill in (as_of: the run's date).
//
// Thread safety: value types and pure functions.

#ifndef HADES_FRAMEWORK_JOB_PARAMS_H_
#define HADES_FRAMEWORK_JOB_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"

namespace hades {

enum class ParamKind {
  kString,   // any text (the default)
  kInteger,  // -?[0-9]+, within int64
  kNumber,   // a plain decimal number, no exponent, no infinity
  kBoolean,  // true or false
  kDate,     // YYYY-MM-DD, a real calendar date
  kPath,     // a non-empty file path without control characters
  kChoice,   // one of `values`
};

// "string", "integer", ...; the names a job file writes after `type:`.
std::string_view param_kind_name(ParamKind kind);
std::optional<ParamKind> parse_param_kind(std::string_view name);

// A date bound: a fixed day, or a number of days from the day the job is loaded ("today+1").
struct DateBound {
  std::optional<std::int64_t> day;  // days since 1970-01-01; nullopt: relative to today
  std::int64_t offset_days = 0;     // with `day` nullopt: today + offset_days
  std::string text;                 // as written, for messages
  std::int64_t resolve(std::int64_t today) const { return day ? *day : today + offset_days; }
};

struct ParamType {
  ParamKind kind = ParamKind::kString;
  // kInteger and kNumber: inclusive bounds.
  std::optional<double> min;
  std::optional<double> max;
  // kDate: inclusive bounds.
  std::optional<DateBound> min_date;
  std::optional<DateBound> max_date;
  std::vector<std::string> values;  // kChoice

  // "an integer from 0 to 100", "a date (YYYY-MM-DD) not after today+1", ...
  std::string describe() const;
};

// Parses a bound written after `min:` / `max:` for `kind`: a number for integer and number, a
// date or today[+-N] for date. Fails with kInvalidConfig saying what is expected.
Status parse_param_bound(ParamKind kind, std::string_view text, bool is_max, ParamType* type);

// Checks `value` against `type` (`today` in days since 1970-01-01 resolves relative dates) and
// returns its canonical spelling, or kInvalidConfig with a message that says what is expected
// (it does not repeat the value: the caller decides whether it may be shown).
Result<std::string> check_param_value(const ParamType& type, std::string_view value,
                                      std::int64_t today);

}  // namespace hades

#endif  // HADES_FRAMEWORK_JOB_PARAMS_H_
