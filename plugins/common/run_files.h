// run_files.h: what tasks that write dated outputs from a run share (the calibrator's reports,
// the model_trainer's models): file names stamped with the run's start, the maturity cut-off
// before it, a split date given as a setting, and writing a file whole.
//
// Thread safety: pure functions, except write_whole_file(), which writes the file it names.

#ifndef HADES_PLUGINS_COMMON_RUN_FILES_H_
#define HADES_PLUGINS_COMMON_RUN_FILES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hades/status.h"

namespace hades::plugin_common {

// "2026-02-11T06:00:00Z" -> "20260211-060000", for file names.
std::string file_stamp(std::string_view iso);

// `started_at` (ISO-8601 UTC) moved back by `days`, same time of day. Fails with kInvalidConfig
// when it does not begin with a YYYY-MM-DD date.
Result<std::string> days_before(const std::string& started_at, std::int64_t days);

// A date setting that splits outcomes in time (a holdout): "" gives nullopt, YYYY-MM-DD midnight
// UTC, YYYY-MM-DDTHH:MM:SSZ itself; anything else kInvalidConfig naming `key`
// ("`holdout_date` must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got 'June'").
Result<std::optional<std::string>> parse_split_time(std::string_view key, const std::string& text);

// Writes `text` to `path` so that the file appears whole or not at all (hades/staged_file.h:
// written aside, then renamed). kIo naming the step that failed.
Status write_whole_file(const std::string& path, const std::string& text);

}  // namespace hades::plugin_common

#endif  // HADES_PLUGINS_COMMON_RUN_FILES_H_
