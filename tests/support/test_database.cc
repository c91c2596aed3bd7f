#include "test_database.h"

#include <cstdlib>
#include <stdexcept>

#include "sqlite_database.h"

namespace hades::testing {

bool on_sqld() {
  const char* db = std::getenv("HADES_TEST_DATABASE");
  return db != nullptr && std::string(db) == "sqld";
}

TestDatabase::TestDatabase(std::string dir)
    : dir_(std::move(dir)), sqld_(on_sqld() ? std::make_unique<SqldServer>() : nullptr) {}

std::string TestDatabase::url() const {
  return sqld_ ? sqld_->url() : "sqlite://" + dir_ + "/hades.db";
}

std::map<std::string, std::string> TestDatabase::env() const {
  if (!sqld_) return {};
  return {{"TURSO_AUTH_TOKEN", sqld_->rw_token()}};
}

std::unique_ptr<Database> TestDatabase::open() const {
  if (sqld_) return sqld_->open();
  Result<std::unique_ptr<Database>> db = open_sqlite_database(dir_ + "/hades.db");
  if (!db.ok()) throw std::runtime_error(db.status().to_string());
  return std::move(db).value();
}

namespace {

// Forwards to a connection and keeps its server (or file) alive as long as it is.
class ScratchDatabase final : public Database {
 public:
  ScratchDatabase() : database_(dir_.path()), connection_(database_.open()) {}
  Result<QueryResult> query(std::string_view sql, const std::vector<Value>& args) override {
    return connection_->query(sql, args);
  }
  Status query_each(std::string_view sql, const std::vector<Value>& args,
                    const std::function<Status(const std::vector<Value>&)>& row) override {
    return connection_->query_each(sql, args, row);
  }
  Status apply(const WriteBatch& batch) override { return connection_->apply(batch); }
  std::string backend() const override { return connection_->backend(); }

 private:
  TempDir dir_;
  TestDatabase database_;
  std::unique_ptr<Database> connection_;
};

}  // namespace

std::unique_ptr<Database> scratch_database() { return std::make_unique<ScratchDatabase>(); }

}  // namespace hades::testing
