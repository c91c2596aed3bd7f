#include "common/run_files.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "common/normalize.h"
#include "hades/staged_file.h"

namespace hades::plugin_common {

std::string file_stamp(std::string_view iso) {
  std::string digits;
  for (const char c : iso.substr(0, 19)) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() != 14) return digits;
  return digits.substr(0, 8) + "-" + digits.substr(8);
}

Result<std::string> days_before(const std::string& started_at, std::int64_t days) {
  Result<std::optional<std::int64_t>> day = parse_date(started_at.substr(0, 10));
  if (started_at.size() < 10 || !day.ok() || !*day) {
    return Status::invalid_config("the run's start time '" + started_at +
                                  "' does not begin with a YYYY-MM-DD date");
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{**day - days}}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return std::string(buffer) + started_at.substr(10);
}

Result<std::optional<std::string>> parse_split_time(std::string_view key, const std::string& text) {
  if (text.empty()) return std::optional<std::string>();
  const Result<std::optional<std::int64_t>> day = parse_date(text.substr(0, 10));
  const bool date_ok = text.size() >= 10 && day.ok() && day->has_value();
  if (date_ok && text.size() == 10) return std::optional<std::string>(text + "T00:00:00Z");
  if (date_ok && text.size() == 20 && text[10] == 'T' && text[19] == 'Z') {
    return std::optional<std::string>(text);
  }
  return Status::invalid_config("`" + std::string(key) +
                                "` must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got '" + text + "'");
}

Status write_whole_file(const std::string& path, const std::string& text) {
  Result<StagedFile> file = StagedFile::open(path, "");
  if (!file.ok()) return file.status();
  Status written = file->append(text);
  if (written.ok()) written = file->publish();
  if (!written.ok()) {
    // Written whole or not at all: no half file stays behind.
    std::error_code ignored;
    std::filesystem::remove(file->partial_path(), ignored);
  }
  return written;
}

}  // namespace hades::plugin_common
