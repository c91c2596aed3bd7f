// The Turso backend and the hades binary through a fault-injecting proxy in front of a real
// sqld: a reply lost after the commit is retried without a duplicate, 429/5xx and an expired
// stream are retried, a slow reply past the timeout is retried without a duplicate, and a wrong
// token stops at once with a clear message that does not show the token.
#define BOOST_TEST_MODULE hrana_fault_test
#include <boost/test/unit_test.hpp>
#include <fstream>

#include "fault_proxy.h"
#include "hrana_database.h"
#include "process.h"
#include "sqld.h"
#include "test_support.h"

namespace hades {
namespace {

using std::chrono::milliseconds;
using testing::FaultProxy;

// sqld, a proxy in front of it, a table `t`, and the backend talking through the proxy.
struct Faulty {
  testing::SqldServer sqld;
  FaultProxy proxy{sqld.port()};
  std::unique_ptr<Database> direct = sqld.open();
  std::unique_ptr<Database> db;

  explicit Faulty(int attempts = 5, milliseconds timeout = milliseconds(5000)) {
    WriteBatch ddl;
    ddl.add("CREATE TABLE t (id INTEGER, v TEXT)");  // no key: a resent INSERT would duplicate
    BOOST_REQUIRE(direct->apply(ddl).ok());
    db = open(sqld.rw_token(), attempts, timeout);
  }
  std::unique_ptr<Database> open(const std::string& token, int attempts = 5,
                                 milliseconds timeout = milliseconds(5000)) {
    HranaOptions options;
    options.url = proxy.url();
    options.auth_token = token;
    options.max_attempts = attempts;
    options.timeout = timeout;
    options.initial_backoff = milliseconds(20);
    return open_hrana_database(options).value();
  }
  std::int64_t rows() {
    auto r = direct->query("SELECT count(*) FROM t");
    BOOST_REQUIRE_MESSAGE(r.ok(), r.status().to_string());
    return as_int(r->rows.at(0).at(0)).value_or(-1);
  }
};

WriteBatch two_rows() {
  WriteBatch batch;
  batch.add("INSERT INTO t VALUES (?, ?)", {Value(std::int64_t{1}), Value(std::string("one"))});
  batch.add("INSERT INTO t VALUES (?, ?)", {Value(std::int64_t{2}), Value(std::string("two"))});
  return batch;
}

BOOST_AUTO_TEST_CASE(a_reply_lost_after_the_commit_is_resent_without_a_duplicate) {
  Faulty fx;
  fx.proxy.push(FaultProxy::lose_reply());
  const Status s = fx.db->apply(two_rows());
  BOOST_TEST(s.ok(), s.to_string());
  BOOST_TEST(fx.proxy.forwarded() == 2);  // it did reach sqld twice
  BOOST_TEST(fx.rows() == 2);
}

BOOST_AUTO_TEST_CASE(a_batch_given_up_on_and_applied_again_still_commits_once) {
  Faulty fx(/*attempts=*/2);
  fx.proxy.push(FaultProxy::lose_reply());
  fx.proxy.push(FaultProxy::lose_reply());
  const Status failed = fx.db->apply(two_rows());
  BOOST_TEST(!failed.ok());
  BOOST_TEST(failed.retryable(), failed.to_string());
  BOOST_TEST(fx.rows() == 2);  // committed by the first send, whose reply was lost
  // What the runner does with a retryable failure: apply the same batch again.
  BOOST_TEST(fx.db->apply(two_rows()).ok());
  BOOST_TEST(fx.rows() == 2);
  // A different batch is new work, not a resend.
  BOOST_TEST(fx.db->apply(two_rows()).ok());
  BOOST_TEST(fx.rows() == 4);
}

BOOST_AUTO_TEST_CASE(busy_and_gateway_errors_before_forwarding_are_retried) {
  Faulty fx;
  for (int status : {429, 503, 502, 504}) fx.proxy.push(FaultProxy::respond(status, "busy"));
  const Status s = fx.db->apply(two_rows());
  BOOST_TEST(s.ok(), s.to_string());
  BOOST_TEST(fx.proxy.requests() == 5);
  BOOST_TEST(fx.proxy.forwarded() == 1);
  BOOST_TEST(fx.rows() == 2);
  fx.proxy.push(FaultProxy::respond(429));
  auto read = fx.db->query("SELECT count(*) FROM t");
  BOOST_TEST(read.ok(), read.status().to_string());
}

BOOST_AUTO_TEST_CASE(past_the_attempts_a_busy_database_is_a_retryable_error) {
  Faulty fx(/*attempts=*/3);
  for (int i = 0; i < 3; ++i) fx.proxy.push(FaultProxy::respond(503, "down"));
  const Status s = fx.db->apply(two_rows());
  BOOST_TEST(s.code() == StatusCode::kRemote);
  BOOST_TEST(s.retryable());
  BOOST_TEST(s.message().find("HTTP 503") != std::string::npos, s.message());
  BOOST_TEST(fx.proxy.requests() == 3);
  BOOST_TEST(fx.rows() == 0);
}

BOOST_AUTO_TEST_CASE(a_reply_slower_than_the_timeout_is_resent_without_a_duplicate) {
  Faulty fx(/*attempts=*/5, /*timeout=*/milliseconds(400));
  fx.proxy.push(FaultProxy::delay_reply(milliseconds(2000)));
  const auto start = std::chrono::steady_clock::now();
  const Status s = fx.db->apply(two_rows());
  const auto took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(s.ok(), s.to_string());
  BOOST_TEST(took < std::chrono::milliseconds(1900));  // it did not wait for the slow reply
  BOOST_TEST(fx.proxy.forwarded() == 2);
  BOOST_TEST(fx.rows() == 2);
  fx.proxy.push(FaultProxy::delay_reply(milliseconds(2000)));
  BOOST_TEST(fx.db->query("SELECT 1").ok());
}

BOOST_AUTO_TEST_CASE(an_expired_stream_is_retried) {
  Faulty fx;
  fx.proxy.push(FaultProxy::stream_expired());
  BOOST_TEST(fx.db->apply(two_rows()).ok());
  BOOST_TEST(fx.rows() == 2);
  BOOST_TEST(fx.proxy.requests() == 2);
}

BOOST_AUTO_TEST_CASE(protocol_errors_and_refused_tokens_are_not_retried) {
  Faulty fx;
  fx.proxy.push(FaultProxy::respond(400, "Received an invalid baton"));
  const Status s = fx.db->apply(two_rows());
  BOOST_TEST(!s.retryable());
  BOOST_TEST(s.message().find("Received an invalid baton") != std::string::npos, s.message());
  BOOST_TEST(fx.proxy.requests() == 1);

  auto wrong = fx.open("wrong-token");
  const Status refused = wrong->apply(two_rows());
  BOOST_TEST(refused.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(fx.proxy.requests() == 2);
  auto ro = fx.open(fx.sqld.ro_token());
  BOOST_TEST(ro->apply(two_rows()).code() == StatusCode::kInvalidConfig);
  BOOST_TEST(fx.proxy.requests() == 3);
  BOOST_TEST(fx.rows() == 0);
}

// ---- the hades binary --------------------------------------------------------------------

std::string job_yaml(const std::string& dir, const std::string& url, int rows) {
  std::ofstream csv(dir + "/in.csv");
  csv << "id,name\n";
  for (int i = 1; i <= rows; ++i) csv << i << ",name " << i << "\n";
  return "name: faulty\ndatabase: " + url + "\nrejects_dir: " + dir +
         "/rejects\nsteps:\n  - name: load\n    chunk_size: 100\n"
         "    source: {plugin: csv_source, with: {path: " +
         dir +
         "/in.csv}}\n"
         "    sinks: [{plugin: turso_sink, with: {table: people}}]\n";
}

testing::ProcessResult run_hades(const testing::TempDir& dir, const std::string& token) {
  return testing::run_process({testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(),
                               "run", dir.file("job.yaml")},
                              dir.path(), {{"TURSO_AUTH_TOKEN", token}}, 300);
}

BOOST_AUTO_TEST_CASE(hades_run_with_a_wrong_token_exits_2_without_showing_it) {
  testing::SqldServer sqld;
  testing::TempDir dir;
  testing::write_file(dir.file("job.yaml"), job_yaml(dir.path(), sqld.url(), 10));
  const std::string wrong = sqld.mint_token(R"({"a":"rw","exp":1000})");  // expired
  const testing::ProcessResult r = run_hades(dir, wrong);
  BOOST_TEST(r.exit_code == 2, r.err);
  BOOST_TEST(r.err.find("the auth token was refused (HTTP 401)") != std::string::npos, r.err);
  BOOST_TEST(r.err.find(wrong) == std::string::npos, r.err);
  const testing::ProcessResult ro = run_hades(dir, sqld.ro_token());
  BOOST_TEST(ro.exit_code == 2, ro.err);
  BOOST_TEST(ro.err.find("a read-only token cannot write") != std::string::npos, ro.err);
}

BOOST_AUTO_TEST_CASE(hades_run_through_lost_replies_and_busy_errors_loads_every_row_once) {
  testing::SqldServer sqld;
  FaultProxy proxy(sqld.port());
  // Every kind of fault, spread over migrations, the lock, the chunks and the checkpoints.
  for (int i = 0; i < 60; ++i) {
    if (i % 7 == 3) proxy.push(FaultProxy::lose_reply());
    if (i % 11 == 5) proxy.push(FaultProxy::respond(503, "gateway"));
    if (i % 13 == 8) proxy.push(FaultProxy::stream_expired());
    proxy.push({});
  }
  testing::TempDir dir;
  testing::write_file(dir.file("job.yaml"), job_yaml(dir.path(), proxy.url(), 3000));
  const testing::ProcessResult r = run_hades(dir, sqld.rw_token());
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.err);
  auto db = sqld.open();
  auto counts = db->query("SELECT count(*), count(DISTINCT id), sum(id) FROM people").value();
  BOOST_TEST(as_int(counts.rows[0][0]).value_or(0) == 3000);
  BOOST_TEST(as_int(counts.rows[0][1]).value_or(0) == 3000);
  BOOST_TEST(as_int(counts.rows[0][2]).value_or(0) == 3000 * 3001 / 2);
  BOOST_TEST(proxy.requests() > proxy.forwarded());
  BOOST_TEST(r.err.find(sqld.rw_token()) == std::string::npos);
}

}  // namespace
}  // namespace hades
