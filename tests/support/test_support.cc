#include "test_support.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "process.h"

namespace hades {

std::ostream& operator<<(std::ostream& os, StatusCode code) { return os << status_code_name(code); }

std::ostream& operator<<(std::ostream& os, const Status& status) {
  return os << status.to_string();
}

}  // namespace hades

namespace hades::testing {

namespace {

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

}  // namespace

TempDir::TempDir() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = (tmpdir != nullptr && *tmpdir != '\0') ? tmpdir : "/tmp";
  pattern += "/hades-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp(" + pattern + "): " + std::strerror(errno));
  }
  path_ = std::move(pattern);
}

TempDir::~TempDir() {
  // A destructor must not throw: a directory left behind is better than a terminated test run.
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::file(std::string_view name) const { return path_ + "/" + std::string(name); }

void RecordingLogger::log(LogLevel level, std::string_view message) {
  std::string line(level_name(level));
  line += ": ";
  line += message;
  lines_.push_back(std::move(line));
}

FakeContext::FakeContext(Database& database) : database_(database) {
  run_info.run_id = 1;
  run_info.job_name = "test_job";
  run_info.step_name = "test_step";
  run_info.started_at = "2026-02-11T06:00:00Z";
}

Result<std::string> FakeContext::frozen_value(
    std::string_view key, const std::function<Result<std::string>(Database&)>& make) {
  const auto it = frozen_.find(key);
  if (it != frozen_.end()) return it->second;
  ++make_calls_;
  Result<std::string> made = make(database_);
  // Like the real runner, a failed `make` stores nothing, so the next call tries again.
  if (made.ok()) frozen_.emplace(std::string(key), made.value());
  return made;
}

void CollectingRejects::reject(std::string_view position, std::string_view reason,
                               std::string_view record) {
  reject("", position, reason, record);
}

void CollectingRejects::reject(std::string_view kind, std::string_view position,
                               std::string_view reason, std::string_view record) {
  entries_.push_back(
      Entry{std::string(position), std::string(reason), std::string(record), std::string(kind)});
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + " for reading");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> missing_readme_setting_rows(const std::string& plugin,
                                                     std::span<const SettingSpec> specs) {
  const std::string text = read_file(source_dir() + "/plugins/" + plugin + "/README.md");
  std::vector<std::string> missing;
  for (const SettingSpec& spec : specs) {
    std::string row = "| `" + std::string(spec.name) + "` | " +
                      std::string(setting_type_name(spec.type)) + " | " +
                      (spec.required ? "yes" : "no") + " | ";
    row += spec.default_value ? "`" + std::string(spec.default_value) + "`" : "-";
    row += " | " + std::string(spec.description) + " |";
    if (text.find(row) == std::string::npos) missing.push_back(row);
  }
  return missing;
}

void execute(Database& db, const std::string& sql, std::vector<Value> args) {
  WriteBatch batch;
  batch.add(sql, std::move(args));
  const Status status = db.apply(batch);
  if (!status.ok()) throw std::runtime_error(status.to_string() + " in " + sql);
}

std::string dump(Database& db, const std::string& sql) {
  const Result<QueryResult> rows = db.query(sql);
  if (!rows.ok()) throw std::runtime_error(rows.status().to_string() + " in " + sql);
  std::string out;
  for (const auto& row : rows->rows) {
    for (const Value& v : row) out += (is_null(v) ? "<null>" : to_text(v)) + "|";
    out += "\n";
  }
  return out;
}

}  // namespace hades::testing
