#include "hades/migrations.h"

#include <chrono>
#include <ctime>
#include <string>

namespace hades {
namespace {

Result<int> current_version(Database& db, std::string_view component) {
  auto rows = db.query("SELECT COALESCE(MAX(version), 0) FROM hades_migrations WHERE component = ?",
                       {std::string(component)});
  if (!rows.ok()) return rows.status();
  return static_cast<int>(as_int(rows->rows.at(0).at(0)).value_or(0));
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Status apply_migrations(Database& db, std::string_view component,
                        const std::vector<Migration>& migrations) {
  WriteBatch create;
  create.add(
      "CREATE TABLE IF NOT EXISTS hades_migrations (component TEXT NOT NULL, version INTEGER NOT "
      "NULL, description TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (component, "
      "version))");
  HADES_RETURN_IF_ERROR(db.apply(create));
  auto version = current_version(db, component);
  if (!version.ok()) return version.status();
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (*version > known) {
    return Status::corruption("database schema of '" + std::string(component) + "' is at version " +
                              std::to_string(*version) + " but this build knows only up to " +
                              std::to_string(known) + ": upgrade hades");
  }
  for (const Migration& m : migrations) {
    if (m.version <= *version) continue;
    WriteBatch batch;
    for (const std::string& sql : m.statements) batch.add(sql);
    batch.add(
        "INSERT INTO hades_migrations (component, version, description, applied_at) "
        "VALUES (?, ?, ?, ?)",
        {std::string(component), static_cast<std::int64_t>(m.version), m.description, utc_now()});
    Status applied = db.apply(batch);
    if (!applied.ok()) {
      // Another process may have applied it first: then its record is there and all is well.
      auto now = current_version(db, component);
      if (!now.ok() || *now < m.version) {
        return applied.with_context("migration " + std::string(component) + " v" +
                                    std::to_string(m.version));
      }
    }
  }
  return Status::ok_status();
}

}  // namespace hades
