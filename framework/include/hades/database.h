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
};

}  // namespace hades

#endif  // HADES_DATABASE_H_
