#include "sqlite_database.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "hades/file_checks.h"

namespace hades {
namespace {

// The page cache, which is also the memory a sort (CREATE INDEX, ORDER BY) may use before it
// spills to temporary files: a sort of a big table fills it, a small one does not, so peak memory
// grows with the table by up to this much. 4 MiB already takes most re-reads away (8 and 32 MiB
// measured no faster on the export job) and keeps memory flat within a few MiB.
constexpr int kCacheKib = 4 * 1024;
constexpr int kWalCheckpointPages = 8000;  // 32 MiB of 4 KiB pages

bool is_busy(const SQLite::Exception& e) {
  const int code = e.getErrorCode() & 0xff;
  return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

Status bind_all(SQLite::Statement& stmt, const std::vector<Value>& args) {
  if (static_cast<std::size_t>(stmt.getBindParameterCount()) != args.size()) {
    return Status::invalid_config("statement expects " +
                                  std::to_string(stmt.getBindParameterCount()) +
                                  " arguments, got " + std::to_string(args.size()));
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const Value& v = args[i];
    if (is_null(v)) {
      stmt.bind(index);
    } else if (const bool* b = std::get_if<bool>(&v)) {
      stmt.bind(index, static_cast<int>(*b));
    } else if (const std::int64_t* n = std::get_if<std::int64_t>(&v)) {
      stmt.bind(index, static_cast<int64_t>(*n));
    } else if (const double* d = std::get_if<double>(&v)) {
      stmt.bind(index, *d);
    } else {
      stmt.bindNoCopy(index, std::get<std::string>(v));
    }
  }
  return Status::ok_status();
}

Value column_value(const SQLite::Column& column) {
  switch (column.getType()) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(column.getInt64());
    case SQLITE_FLOAT:
      return column.getDouble();
    case SQLITE_NULL:
      return Null{};
    default:
      return column.getString();  // text, and blobs as their bytes
  }
}

// Sets `out` to the column's value, reusing the string `out` holds (if any) for text: a caller
// streaming millions of rows through one buffer then allocates only for texts longer than any
// before them.
void assign_column(const SQLite::Column& column, Value& out) {
  switch (column.getType()) {
    case SQLITE_INTEGER:
      out = static_cast<std::int64_t>(column.getInt64());
      return;
    case SQLITE_FLOAT:
      out = column.getDouble();
      return;
    case SQLITE_NULL:
      out = Null{};
      return;
    default: {  // text, and blobs as their bytes
      const auto* bytes = static_cast<const char*>(column.getBlob());
      const auto size = static_cast<std::size_t>(column.getBytes());
      const std::string_view text =
          bytes == nullptr ? std::string_view() : std::string_view(bytes, size);
      if (std::string* s = std::get_if<std::string>(&out)) {
        s->assign(text);
      } else {
        out.emplace<std::string>(text);
      }
    }
  }
}

// SQLite's busy handler does not cover every wait. Switching a new file to WAL, and reading or
// writing while another connection switches it or recovers its WAL index, fail with SQLITE_BUSY
// at once: several jobs started together on a new file failed that way ("database is locked",
// exit 1). Such a call is tried again, a few milliseconds later, until the busy timeout has
// passed; whatever failed with SQLITE_BUSY changed nothing.
class BusyRetry {
 public:
  explicit BusyRetry(int timeout_ms)
      : deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)) {}

  // Sleeps a little and returns true, or returns false once the timeout has passed.
  bool wait() {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline_) return false;
    std::uniform_int_distribution<int> pause_ms(2, 25);  // apart, so racing callers interleave
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(pause_ms(rng_)), deadline_ - now));
    return true;
  }

 private:
  std::chrono::steady_clock::time_point deadline_;
  std::minstd_rand rng_{std::random_device{}()};
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::unique_ptr<SQLite::Database> db, int busy_timeout_ms)
      : db_(std::move(db)), busy_timeout_ms_(busy_timeout_ms) {}

  Result<QueryResult> query(std::string_view sql, const std::vector<Value>& args) override {
    BusyRetry retry(busy_timeout_ms_);
    for (;;) {
      bool busy = false;
      Result<QueryResult> out = query_once(sql, args, &busy);
      if (!busy || !retry.wait()) return out;
    }
  }

  Status query_each(std::string_view sql, const std::vector<Value>& args,
                    const std::function<Status(const std::vector<Value>&)>& row) override {
    BusyRetry retry(busy_timeout_ms_);
    for (;;) {
      bool busy = false;
      std::size_t delivered = 0;
      const Status out = query_each_once(sql, args, row, &busy, &delivered);
      // Rows already handed over cannot be taken back: only a call that delivered none is
      // tried again.
      if (!busy || delivered > 0 || !retry.wait()) return out;
    }
  }

  Status apply(const WriteBatch& batch) override {
    if (batch.empty()) return Status::ok_status();
    BusyRetry retry(busy_timeout_ms_);
    for (;;) {
      bool busy = false;
      const Status out = apply_once(batch, &busy);  // rolled back when busy
      if (!busy || !retry.wait()) return out;
    }
  }

  std::string backend() const override { return "sqlite"; }

 private:
  Result<QueryResult> query_once(std::string_view sql, const std::vector<Value>& args, bool* busy) {
    try {
      SQLite::Statement& stmt = prepared(sql);
      HADES_RETURN_IF_ERROR(bind_all(stmt, args));
      QueryResult result;
      const int columns = stmt.getColumnCount();
      for (int i = 0; i < columns; ++i) result.columns.emplace_back(stmt.getColumnName(i));
      while (stmt.executeStep()) {
        std::vector<Value> row;
        row.reserve(result.columns.size());
        for (int i = 0; i < columns; ++i) row.push_back(column_value(stmt.getColumn(i)));
        result.rows.push_back(std::move(row));
      }
      stmt.reset();
      return result;
    } catch (const SQLite::Exception& e) {
      reset_all();
      *busy = is_busy(e);
      return error_status(e, sql);
    }
  }

  Status query_each_once(std::string_view sql, const std::vector<Value>& args,
                         const std::function<Status(const std::vector<Value>&)>& row, bool* busy,
                         std::size_t* delivered) {
    try {
      SQLite::Statement& stmt = prepared(sql);
      HADES_RETURN_IF_ERROR(bind_all(stmt, args));
      // Reset however this ends (a row's error included), so the cached statement can run again.
      const ResetOnExit reset{stmt};
      std::vector<Value> values(static_cast<std::size_t>(stmt.getColumnCount()));
      while (stmt.executeStep()) {
        for (std::size_t i = 0; i < values.size(); ++i) {
          assign_column(stmt.getColumn(static_cast<int>(i)), values[i]);
        }
        ++*delivered;
        HADES_RETURN_IF_ERROR(row(values));
      }
      return Status::ok_status();
    } catch (const SQLite::Exception& e) {
      reset_all();
      *busy = is_busy(e);
      return error_status(e, sql);
    }
  }

  Status apply_once(const WriteBatch& batch, bool* busy) {
    std::size_t index = 0;
    try {
      // IMMEDIATE takes the write lock up front, so a busy database fails here, before any work.
      db_->exec("BEGIN IMMEDIATE");
      for (const Statement& s : batch.statements()) {
        SQLite::Statement& stmt = prepared(s.sql);
        Status bound = bind_all(stmt, s.args);
        if (!bound.ok()) {
          rollback();
          return bound.with_context("statement " + std::to_string(index));
        }
        while (stmt.executeStep()) {
        }
        stmt.reset();
        ++index;
      }
      db_->exec("COMMIT");
      return Status::ok_status();
    } catch (const SQLite::Exception& e) {
      reset_all();
      rollback();
      *busy = is_busy(e);
      const std::string& sql = index < batch.size() ? batch.statements()[index].sql : "COMMIT";
      return error_status(e, sql).with_context("statement " + std::to_string(index));
    }
  }

  SQLite::Statement& prepared(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      if (cache_.size() > 256) cache_.clear();  // bound the cache for jobs that build SQL freely
      it = cache_
               .emplace(std::string(sql),
                        std::make_unique<SQLite::Statement>(*db_, std::string(sql)))
               .first;
    }
    return *it->second;
  }

  struct ResetOnExit {
    SQLite::Statement& stmt;
    ~ResetOnExit() { stmt.tryReset(); }
  };

  void reset_all() {
    for (auto& [sql, stmt] : cache_) {
      try {
        stmt->reset();
      } catch (const SQLite::Exception&) {
        // reset() reports the statement's last error again; the statement is reset regardless.
      }
    }
  }

  void rollback() {
    if (sqlite3_get_autocommit(db_->getHandle()) != 0) return;
    try {
      db_->exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
      // Nothing more can be done; the connection rolls back on close anyway.
    }
  }

  static Status error_status(const SQLite::Exception& e, std::string_view sql) {
    std::string message = std::string(e.what()) + " in: " + std::string(sql.substr(0, 200));
    if (is_busy(e)) return Status::remote("database is busy: " + message, /*retryable=*/true);
    const int code = e.getErrorCode() & 0xff;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::corruption(message);
    if (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN) {
      return Status::io(message);
    }
    return Status::internal(message);
  }

  std::unique_ptr<SQLite::Database> db_;
  const int busy_timeout_ms_;
  std::map<std::string, std::unique_ptr<SQLite::Statement>, std::less<>> cache_;
};

// The connection's settings. Switching to WAL fails with SQLITE_BUSY, without waiting, while
// another process switches the same new file, or may leave the mode unchanged: tried again
// until the mode is WAL or the busy timeout has passed.
void configure(SQLite::Database& db, bool file, int busy_timeout_ms) {
  BusyRetry retry(busy_timeout_ms);
  for (;;) {
    try {
      if (file) {
        SQLite::Statement mode(db, "PRAGMA journal_mode=WAL");
        const std::string now = mode.executeStep() ? mode.getColumn(0).getString() : "";
        if (now != "wal") {
          if (retry.wait()) continue;
          throw SQLite::Exception("cannot switch to WAL mode (journal_mode stays '" + now + "')",
                                  SQLITE_BUSY);
        }
      }
      db.exec("PRAGMA synchronous=NORMAL");
      db.exec("PRAGMA foreign_keys=ON");
      // With SQLite's default 2 MiB cache, a job writing a table and its indexes reads the same
      // pages from the OS again and again (pread and its copy were a large share of the export
      // job's CPU time).
      db.exec("PRAGMA cache_size=-" + std::to_string(kCacheKib));
      // Checkpoint the WAL every kWalCheckpointPages pages instead of 1000: each checkpoint
      // syncs the WAL and the database file, and a big export writes hundreds of megabytes.
      db.exec("PRAGMA wal_autocheckpoint=" + std::to_string(kWalCheckpointPages));
      // Reading the schema fails fast on a file that is not a database.
      db.exec("SELECT count(*) FROM sqlite_master");
      return;
    } catch (const SQLite::Exception& e) {
      if (!is_busy(e) || !retry.wait()) throw;
    }
  }
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

// Makes the file's directory once check_sqlite_path() found nothing in the way.
Status prepare_file(const std::string& path) {
  HADES_RETURN_IF_ERROR(check_sqlite_path(path));
  std::error_code ec;
  std::filesystem::create_directories(directory_of(path), ec);
  if (ec) {
    return file_error("the SQLite database", "create the directory", directory_of(path),
                      ec.value());
  }
  return Status::ok_status();
}

}  // namespace

Status check_sqlite_path(const std::string& path) {
  if (path == ":memory:") return Status::ok_status();
  HADES_RETURN_IF_ERROR(check_writable_dir(directory_of(path), "the SQLite database " + path));
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return Status::ok_status();  // SQLite creates it
  if (S_ISDIR(info.st_mode)) {
    return Status::invalid_config("the SQLite database " + path + " is a directory");
  }
  if (::faccessat(AT_FDCWD, path.c_str(), R_OK | W_OK, AT_EACCESS) != 0) {
    return Status::invalid_config("the SQLite database " + path +
                                  " cannot be read and written: " + std::strerror(errno));
  }
  return Status::ok_status();
}

Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       int busy_timeout_ms) {
  try {
    if (path != ":memory:") HADES_RETURN_IF_ERROR(prepare_file(path));
    // NOMUTEX: a Database is used from one thread at a time (database.h), so SQLite's
    // per-connection mutex only costs a lock and an unlock on every call.
    auto db = std::make_unique<SQLite::Database>(
        path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
    db->setBusyTimeout(busy_timeout_ms);
    configure(*db, path != ":memory:", busy_timeout_ms);
    return std::unique_ptr<Database>(
        std::make_unique<SqliteDatabase>(std::move(db), busy_timeout_ms));
  } catch (const SQLite::Exception& e) {
    const int code = e.getErrorCode() & 0xff;
    if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT) {
      return Status::corruption(path + " is not a SQLite database: " + e.what());
    }
    if (is_busy(e)) {
      return Status::remote("cannot open SQLite database " + path + ": " + e.what(),
                            /*retryable=*/true);
    }
    return Status::io("cannot open SQLite database " + path + ": " + e.what());
  }
}

}  // namespace hades
