// hades/database.h: the job's database, whatever its backend.
//
// One interface for the embedded SQLite file and for Turso/sqld over HTTP. Its shape follows what
// the remote backend can do safely: reads are single statements, and writes are collected into a
// WriteBatch that commits all-or-nothing in one round trip. There is deliberately no
// BEGIN/COMMIT across calls: a transaction held open across network round trips is rolled back
// by Turso after 5 s.
//
// SQL is SQLite's dialect on both backends. Arguments are positional (`?`).
//
// Thread safety: a Database is used from one thread at a time.

#ifndef HADES_DATABASE_H_
#define HADES_DATABASE_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/api.h"
#include "hades/status.h"
#include "hades/value.h"

namespace hades {

struct Statement {
  std::string sql;
  std::vector<Value> args;
};

// An ordered list of write statements that commit together or not at all.
class WriteBatch {
 public:
  void add(std::string sql, std::vector<Value> args = {}) {
    statements_.push_back(Statement{std::move(sql), std::move(args)});
  }
  const std::vector<Statement>& statements() const { return statements_; }
  bool empty() const { return statements_.empty(); }
  std::size_t size() const { return statements_.size(); }
  void clear() { statements_.clear(); }

 private:
  std::vector<Statement> statements_;
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
};

class HADES_API Database {
 public:
  virtual ~Database() = default;

  // Runs one read statement and returns every row.
  virtual Result<QueryResult> query(std::string_view sql, const std::vector<Value>& args = {}) = 0;

  // Runs every statement of `batch` in order inside one transaction. On success all of them
  // are durable; on failure none is, and the Status names the failing statement's index.
  // Errors that may pass (a busy database, a lost reply) are retryable(); statements must then
  // be safe to apply again (upserts), because a lost reply may hide a commit.
  virtual Status apply(const WriteBatch& batch) = 0;

  // "sqlite" or "libsql": for messages and `hades plan`.
  virtual std::string backend() const = 0;

  // Runs one read statement and hands its rows to `row` one at a time, in order; stops at the
  // first row for which `row` returns an error and returns that error. (Plugin API 1.1; last in
  // the class so that the slots of plugins built for 1.0 stay where they were.)
  //
  // Why it exists: query() holds every row at once, which is fine for a few thousand rows but not
  // for aggregating ten million of them in the plugin (a calibrator summing per bucket needs
  // memory for its groups, not for the rows). The SQLite backend steps its statement and reuses
  // one row buffer, so memory stays O(1) in the rows; the default, used by Turso, calls query()
  // (Turso answers a statement in one response anyway: aggregate with GROUP BY there instead).
  //
  // The vector and its strings are valid only during the call: copy what must outlive it.
  // REQUIRES: `row` does not use this Database (the statement is still running).
  virtual Status query_each(std::string_view sql, const std::vector<Value>& args,
                            const std::function<Status(const std::vector<Value>&)>& row) {
    Result<QueryResult> result = query(sql, args);
    if (!result.ok()) return result.status();
    for (const std::vector<Value>& r : result->rows) {
      Status status = row(r);
      if (!status.ok()) return status;
    }
    return Status::ok_status();
  }
};

}  // namespace hades

#endif  // HADES_DATABASE_H_
