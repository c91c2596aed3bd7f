// test_database.h: the job database of an end-to-end test, on either backend.
//
// Every database-touching test runs twice under CTest: as <test> on a SQLite file, and as
// <test>_sqld (registered by hades_add_sqld_variant) with HADES_TEST_DATABASE=sqld, where each
// TestDatabase starts a real sqld of its own. A test written against TestDatabase therefore
// checks the same promise on both backends without knowing which one it has.
//
// Thread safety: construct and destroy on one thread; the accessors are const.

#ifndef HADES_TESTS_SUPPORT_TEST_DATABASE_H_
#define HADES_TESTS_SUPPORT_TEST_DATABASE_H_

#include <map>
#include <memory>
#include <string>

#include "hades/database.h"
#include "sqld.h"

namespace hades::testing {

// True when this test process was asked to use sqld (HADES_TEST_DATABASE=sqld).
bool on_sqld();

class TestDatabase {
 public:
  // A SQLite file `<dir>/hades.db`, or a freshly started sqld under on_sqld().
  explicit TestDatabase(std::string dir);

  // The URL a job's `database:` (or HADES_DB) names.
  std::string url() const;
  // What the hades process needs in its environment to open url(): the sqld token, if any.
  std::map<std::string, std::string> env() const;
  // A connection of the test's own, to seed or inspect the database.
  std::unique_ptr<Database> open() const;
  bool is_sqld() const { return sqld_ != nullptr; }

 private:
  std::string dir_;
  std::unique_ptr<SqldServer> sqld_;
};

// A private, empty database for one test that owns where it lives: a SQLite file in a temporary
// directory, or (under on_sqld()) a sqld of its own, both gone with it. The drop-in replacement
// for open_sqlite_database(":memory:") in tests whose promise must hold on both backends.
std::unique_ptr<Database> scratch_database();

}  // namespace hades::testing

#endif  // HADES_TESTS_SUPPORT_TEST_DATABASE_H_
