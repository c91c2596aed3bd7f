#include "run_state.h"

#include <boost/test/unit_test.hpp>

#include "hades/migrations.h"
#include "test_database.h"
#include "test_support.h"

namespace hades {
namespace {

// Locks, runs, checkpoints and migrations on the job's database: a SQLite file, or a real sqld
// under framework_test_sqld.
struct Db {
  testing::TempDir dir;
  testing::TestDatabase server{dir.path()};
  std::unique_ptr<Database> db = server.open();
};

ProcessIdentity process(std::int64_t pid, const std::string& host = "host-a") {
  return ProcessIdentity{pid, host, 1000 + pid};
}

BOOST_AUTO_TEST_SUITE(run_state)

BOOST_AUTO_TEST_CASE(a_live_holder_keeps_the_lock) {
  Db fx;
  RunState first(*fx.db, process(100), [](const ProcessIdentity&) { return true; });
  RunState second(*fx.db, process(200), [](const ProcessIdentity&) { return true; });
  BOOST_REQUIRE(first.migrate().ok());
  auto held = first.acquire_lock("job", "t0");
  BOOST_REQUIRE(held.ok());
  auto refused = second.acquire_lock("job", "t1");
  BOOST_TEST(!refused.ok());
  BOOST_TEST(refused.status().code() == StatusCode::kLocked);
  BOOST_TEST(refused.status().message().find("pid 100 on host host-a") != std::string::npos);
  // Another job's lock is independent.
  BOOST_TEST(second.acquire_lock("other-job", "t1").ok());
}

BOOST_AUTO_TEST_CASE(a_dead_holder_on_this_host_is_taken_over_at_once) {
  Db fx;
  RunState crashed(*fx.db, process(100), [](const ProcessIdentity&) { return true; });
  BOOST_REQUIRE(crashed.migrate().ok());
  BOOST_REQUIRE(crashed.acquire_lock("job", "t0").ok());
  std::vector<std::int64_t> probed;
  RunState next(*fx.db, process(200), [&](const ProcessIdentity& p) {
    probed.push_back(p.pid);
    return false;
  });
  auto taken = next.acquire_lock("job", "t1");
  BOOST_REQUIRE(taken.ok());
  BOOST_TEST(probed == std::vector<std::int64_t>{100});
  auto holder = next.lock_holder("job");
  BOOST_REQUIRE(holder.ok());
  BOOST_TEST((*holder)->process.pid == 200);
  BOOST_TEST((*holder)->token == taken->token);
}

BOOST_AUTO_TEST_CASE(a_holder_on_another_host_is_never_presumed_dead) {
  Db fx;
  RunState elsewhere(*fx.db, process(100, "host-b"));
  BOOST_REQUIRE(elsewhere.migrate().ok());
  BOOST_REQUIRE(elsewhere.acquire_lock("job", "t0").ok());
  RunState here(*fx.db, process(200, "host-a"), [](const ProcessIdentity&) { return false; });
  auto refused = here.acquire_lock("job", "t1");
  BOOST_TEST(refused.status().code() == StatusCode::kLocked);
  BOOST_TEST(refused.status().message().find("hades unlock") != std::string::npos);
  BOOST_TEST(here.force_unlock("job").ok());
  BOOST_TEST(here.acquire_lock("job", "t2").ok());
}

BOOST_AUTO_TEST_CASE(release_needs_the_holders_token) {
  Db fx;
  RunState state(*fx.db, process(100), [](const ProcessIdentity&) { return true; });
  BOOST_REQUIRE(state.migrate().ok());
  auto held = state.acquire_lock("job", "t0");
  BOOST_REQUIRE(held.ok());
  BOOST_TEST(state.release_lock("job", "not-the-token").ok());
  BOOST_TEST(state.lock_holder("job")->has_value());
  BOOST_TEST(state.release_lock("job", held->token).ok());
  BOOST_TEST(!state.lock_holder("job")->has_value());
}

BOOST_AUTO_TEST_CASE(the_real_probe_knows_this_process_and_a_dead_pid) {
  const ProcessIdentity self = ProcessIdentity::current();
  BOOST_TEST(self.pid > 0);
  BOOST_TEST(self.pid_start > 0);
  BOOST_TEST(process_is_alive(self));
  ProcessIdentity recycled = self;
  recycled.pid_start = self.pid_start + 1;  // same pid, another process start: not the holder
  BOOST_TEST(!process_is_alive(recycled));
  BOOST_TEST(!process_is_alive(ProcessIdentity{4'000'000, self.host, 1}));  // above pid_max
}

BOOST_AUTO_TEST_CASE(runs_resume_until_finished_and_frozen_values_stick) {
  Db fx;
  RunState state(*fx.db, process(100));
  BOOST_REQUIRE(state.migrate().ok());
  BOOST_REQUIRE(state.migrate().ok());  // idempotent
  auto run =
      state.start_run("job", R"({"a":"1"})", "fnv1a64:0123456789abcdef", "2026-02-11T06:00:00Z");
  BOOST_REQUIRE(run.ok());
  BOOST_TEST((*state.unfinished_run("job"))->run_id == run->run_id);
  BOOST_TEST((*state.unfinished_run("job"))->definition_digest == "fnv1a64:0123456789abcdef");
  BOOST_TEST(*state.freeze_run_value(run->run_id, "batch_id", "HADES-20260211-001") ==
             "HADES-20260211-001");
  BOOST_TEST(*state.freeze_run_value(run->run_id, "batch_id", "HADES-20260211-002") ==
             "HADES-20260211-001");
  WriteBatch batch;
  RunState::add_checkpoint(batch, run->run_id, "load", "{}", "t");
  BOOST_REQUIRE(fx.db->apply(batch).ok());
  BOOST_TEST(state.steps(run->run_id)->at(0).checkpoint == "{}");
  BOOST_REQUIRE(state.finish_run(run->run_id, "succeeded", "t2").ok());
  BOOST_TEST(!state.unfinished_run("job")->has_value());
}

BOOST_AUTO_TEST_CASE(migrations_refuse_a_newer_schema) {
  Db fx;
  const std::vector<Migration> two = {{1, "a", {"CREATE TABLE t1 (x)"}},
                                      {2, "b", {"CREATE TABLE t2 (x)"}}};
  BOOST_REQUIRE(apply_migrations(*fx.db, "component", two).ok());
  BOOST_REQUIRE(apply_migrations(*fx.db, "component", two).ok());
  const std::vector<Migration> one = {two[0]};
  const Status older_build = apply_migrations(*fx.db, "component", one);
  BOOST_TEST(older_build.code() == StatusCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(a_failed_batch_leaves_nothing_behind) {
  Db fx;
  WriteBatch create;
  create.add("CREATE TABLE t (k PRIMARY KEY, v)");
  BOOST_REQUIRE(fx.db->apply(create).ok());
  WriteBatch batch;
  batch.add("INSERT INTO t VALUES (?, ?)", {std::int64_t{1}, std::string("a")});
  batch.add("INSERT INTO t VALUES (?, ?)", {std::int64_t{1}, std::string("dup")});
  const Status failed = fx.db->apply(batch);
  BOOST_TEST(!failed.ok());
  BOOST_TEST(failed.message().find("statement 1") != std::string::npos);
  BOOST_TEST(as_int(fx.db->query("SELECT count(*) FROM t")->rows.at(0).at(0)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
