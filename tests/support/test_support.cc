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

std::string plugin_source_dir(const std::string& plugin) {
  for (const char* kind : {"connectors", "domain"}) {
    const std::string dir = source_dir() + "/plugins/" + kind + "/" + plugin;
    if (std::filesystem::is_directory(dir)) return dir;
  }
  throw std::runtime_error("no plugins/connectors/" + plugin + " or plugins/domain/" + plugin);
}

std::vector<std::string> missing_readme_setting_rows(const std::string& plugin,
                                                     std::span<const SettingSpec> specs) {
  const std::string text = read_file(plugin_source_dir(plugin) + "/README.md");
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
