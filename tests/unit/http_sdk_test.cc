// The SDK's helpers for HTTP sources (hades/retry.h, oauth2.h, paging.h, json.h) and the test
// kit (hades/testkit.h), against a scripted HttpClient: no network, no sleeping.
#define BOOST_TEST_MODULE http_sdk_test
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <deque>
#include <set>

#include "hades/json.h"
#include "hades/oauth2.h"
#include "hades/paging.h"
#include "hades/retry.h"
#include "hades/testkit.h"
#include "test_support.h"

namespace hades {
namespace {

using std::chrono::milliseconds;

// Answers from a script, in order, and keeps every request.
class ScriptedClient : public HttpClient {
 public:
  void reply(int status, std::string body, HttpHeaders headers = {}) {
    script_.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void fail(Status status) { script_.push_back(std::move(status)); }

  Result<HttpResponse> send(const HttpRequest& request) override {
    sent.push_back(request);
    if (script_.empty()) return Status::internal("the script has no reply left");
    Result<HttpResponse> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  std::vector<HttpRequest> sent;

 private:
  std::deque<Result<HttpResponse>> script_;
};

struct RecordedSleeps {
  std::vector<milliseconds> waits;
  Sleeper sleeper() {
    return [this](milliseconds wait) {
      waits.push_back(wait);
      return Status::ok_status();
    };
  }
};

RetryPolicy policy(int attempts) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.base = milliseconds(100);
  p.cap = milliseconds(1000);
  p.max_retry_after = milliseconds(60'000);
  return p;
}

std::optional<std::string> header_of(const HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

BOOST_AUTO_TEST_SUITE(retry)

BOOST_AUTO_TEST_CASE(retries_429_5xx_and_resets_and_returns_the_first_other_reply) {
  ScriptedClient http;
  http.reply(429, "slow down");
  http.reply(503, "busy");
  http.fail(Status::remote("connection reset", true));
  http.reply(200, "ok");
  Backoff backoff(policy(8), 1);
  RecordedSleeps sleeps;
  auto reply = send_with_retry(http, HttpRequest{}, backoff, sleeps.sleeper());
  BOOST_REQUIRE(reply.ok());
  BOOST_TEST(reply->body == "ok");
  BOOST_TEST(http.sent.size() == 4u);
  BOOST_TEST(sleeps.waits.size() == 3u);
}

BOOST_AUTO_TEST_CASE(does_not_retry_other_4xx_or_a_bad_certificate) {
  ScriptedClient http;
  http.reply(404, "no such thing");
  Backoff backoff(policy(8), 1);
  RecordedSleeps sleeps;
  auto reply = send_with_retry(http, HttpRequest{}, backoff, sleeps.sleeper());
  BOOST_REQUIRE(reply.ok());
  BOOST_TEST(reply->status == 404);
  BOOST_TEST(http.sent.size() == 1u);

  ScriptedClient tls;
  tls.fail(Status::remote("certificate verify failed", false));
  auto failed = send_with_retry(tls, HttpRequest{}, backoff, sleeps.sleeper());
  BOOST_TEST(!failed.ok());
  BOOST_TEST(tls.sent.size() == 1u);
  BOOST_TEST(sleeps.waits.empty());
}

BOOST_AUTO_TEST_CASE(gives_up_after_max_attempts_returning_the_last_reply_or_error) {
  ScriptedClient http;
  for (int i = 0; i < 3; ++i) http.reply(500, "down");
  Backoff backoff(policy(3), 1);
  RecordedSleeps sleeps;
  auto reply = send_with_retry(http, HttpRequest{}, backoff, sleeps.sleeper());
  BOOST_REQUIRE(reply.ok());
  BOOST_TEST(reply->status == 500);
  BOOST_TEST(http.sent.size() == 3u);
  BOOST_TEST(sleeps.waits.size() == 2u);

  ScriptedClient resets;
  for (int i = 0; i < 3; ++i) resets.fail(Status::remote("reset", true));
  auto failed = send_with_retry(resets, HttpRequest{}, backoff, sleeps.sleeper());
  BOOST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.status().retryable());
  BOOST_TEST(failed.status().message().find("3 attempts") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(backoff_grows_exponentially_with_jitter_under_the_cap) {
  Backoff backoff(policy(20), 42);
  for (int retry = 1; retry <= 12; ++retry) {
    const std::int64_t ceiling = std::min<std::int64_t>(1000, 100LL << (retry - 1));
    for (int i = 0; i < 50; ++i) {
      const std::int64_t wait = backoff.delay(retry).count();
      BOOST_TEST(wait >= ceiling / 2);
      BOOST_TEST(wait <= ceiling);
    }
  }
  // Jitter: not every wait the same.
  std::set<std::int64_t> seen;
  for (int i = 0; i < 20; ++i) seen.insert(backoff.delay(5).count());
  BOOST_TEST(seen.size() > 1u);
}

BOOST_AUTO_TEST_CASE(honours_retry_after_and_stops_when_it_asks_too_much) {
  ScriptedClient http;
  http.reply(429, "", {{"Retry-After", "7"}});
  http.reply(200, "ok");
  Backoff backoff(policy(8), 1);
  RecordedSleeps sleeps;
  auto reply = send_with_retry(http, HttpRequest{}, backoff, sleeps.sleeper());
  BOOST_REQUIRE(reply.ok());
  BOOST_TEST(reply->status == 200);
  BOOST_REQUIRE(sleeps.waits.size() == 1u);
  BOOST_TEST(sleeps.waits[0].count() == 7000);

  ScriptedClient quota;
  quota.reply(429, "daily quota", {{"retry-after", "86400"}});
  auto refused = send_with_retry(quota, HttpRequest{}, backoff, sleeps.sleeper());
  BOOST_REQUIRE(refused.ok());
  BOOST_TEST(refused->status == 429);
  BOOST_TEST(quota.sent.size() == 1u);
}

BOOST_AUTO_TEST_CASE(parses_both_retry_after_forms) {
  const auto now = std::chrono::system_clock::from_time_t(1'445'412'470);  // 07:27:50 GMT
  BOOST_TEST(retry_after(HttpResponse{429, {{"Retry-After", " 120 "}}, ""}, now)->count() ==
             120'000);
  BOOST_TEST(
      retry_after(HttpResponse{429, {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}, ""}, now)
          ->count() == 10'000);
  BOOST_TEST(
      retry_after(HttpResponse{429, {{"Retry-After", "Wed, 21 Oct 2015 07:00:00 GMT"}}, ""}, now)
          ->count() == 0);
  BOOST_TEST(!retry_after(HttpResponse{429, {{"Retry-After", "soon"}}, ""}, now));
  BOOST_TEST(!retry_after(HttpResponse{429, {}, ""}, now));
}

BOOST_AUTO_TEST_CASE(a_cancelled_sleep_ends_the_retries) {
  ScriptedClient http;
  http.reply(503, "");
  http.reply(200, "never sent");
  Backoff backoff(policy(8), 1);
  auto db = testkit::memory_database().value();
  testkit::FakeContext ctx(*db);
  ctx.cancelled_flag = true;
  auto reply = send_with_retry(http, HttpRequest{}, backoff, cancellable_sleeper(ctx));
  BOOST_REQUIRE(!reply.ok());
  BOOST_TEST(reply.status().code() == StatusCode::kCancelled);
  BOOST_TEST(http.sent.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(oauth2)

constexpr const char* kSecret = "s3cr3t-client-secret";
constexpr const char* kRefresh = "r3fr3sh-token-value";

OAuth2Config config() {
  OAuth2Config c;
  c.token_url = "https://auth.example/oauth/token";
  c.client_id = "client-id-123";
  c.client_secret = kSecret;
  c.refresh_token = kRefresh;
  c.retry = policy(4);
  return c;
}

std::string grant(const std::string& token) {
  return R"({"access_token":")" + token + R"(","token_type":"bearer","expires_in":1800})";
}

struct Fixture {
  std::unique_ptr<Database> db = testkit::memory_database().value();
  testkit::FakeContext ctx{*db};
  ScriptedClient http;
  RecordedSleeps sleeps;
};

BOOST_FIXTURE_TEST_CASE(gets_caches_and_sends_the_bearer_token, Fixture) {
  http.reply(200, grant("tok-1"));
  http.reply(200, R"({"results":[]})");
  OAuth2Session session(config(), http, ctx, sleeps.sleeper());
  BOOST_REQUIRE(session.prepare().ok());
  HttpRequest request;
  request.url = "https://api.example/crm/v3/objects/contacts";
  auto reply = session.send(request);
  BOOST_REQUIRE(reply.ok());
  BOOST_TEST(reply->status == 200);
  BOOST_REQUIRE(http.sent.size() == 2u);
  BOOST_TEST(http.sent[0].method == "POST");
  BOOST_TEST(http.sent[0].body.find("grant_type=refresh_token") != std::string::npos);
  BOOST_TEST(header_of(http.sent[1], "Authorization").value_or("") == "Bearer tok-1");

  // Cached in the job's database, sealed: a second session (another run) asks for no token,
  // and the table holds neither the access token nor the refresh token in clear.
  ScriptedClient later;
  later.reply(200, "{}");
  OAuth2Session again(config(), later, ctx, sleeps.sleeper());
  BOOST_REQUIRE(again.prepare().ok());
  BOOST_TEST(again.send(request).ok());
  BOOST_TEST(later.sent.size() == 1u);
  BOOST_TEST(again.token_requests() == 0);
  const std::string table = testing::dump(*db, "SELECT * FROM hades_oauth_tokens");
  BOOST_TEST(table.find("tok-1") == std::string::npos);
  BOOST_TEST(table.find(kRefresh) == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(a_401_refreshes_once_and_resends_once, Fixture) {
  http.reply(200, grant("old"));
  http.reply(401, R"({"message":"expired"})");
  http.reply(200, grant("new"));
  http.reply(200, "{}");
  OAuth2Session session(config(), http, ctx, sleeps.sleeper());
  BOOST_REQUIRE(session.prepare().ok());
  auto reply = session.send(HttpRequest{});
  BOOST_REQUIRE(reply.ok());
  BOOST_TEST(reply->status == 200);
  BOOST_TEST(session.token_requests() == 2);
  BOOST_TEST(header_of(http.sent.back(), "Authorization").value_or("") == "Bearer new");

  // Refused twice: the second 401 is the caller's, no third token request.
  ScriptedClient stubborn;
  stubborn.reply(401, "{}");
  stubborn.reply(200, grant("newer"));
  stubborn.reply(401, "{}");
  OAuth2Session other(config(), stubborn, ctx, sleeps.sleeper());
  BOOST_REQUIRE(other.prepare().ok());
  auto refused = other.send(HttpRequest{});
  BOOST_REQUIRE(refused.ok());
  BOOST_TEST(refused->status == 401);
  BOOST_TEST(stubborn.sent.size() == 3u);
}

BOOST_FIXTURE_TEST_CASE(refreshes_a_refused_token_only_once_for_many_callers, Fixture) {
  http.reply(200, grant("first"));
  http.reply(200, grant("second"));
  OAuth2Session session(config(), http, ctx, sleeps.sleeper());
  BOOST_REQUIRE(session.prepare().ok());
  const std::string refused = session.access_token().value();
  // Three callers saw "first" refused; only the first of them asks for a new token.
  for (int i = 0; i < 3; ++i) BOOST_TEST(session.refresh_after(refused).ok());
  BOOST_TEST(session.token_requests() == 2);
  BOOST_TEST(session.access_token().value() == "second");
}

BOOST_FIXTURE_TEST_CASE(refused_credentials_are_a_config_error_that_names_no_secret, Fixture) {
  http.reply(400, R"({"error":"invalid_grant","error_description":"refresh r3fr3sh-token-value"})");
  OAuth2Session session(config(), http, ctx, sleeps.sleeper());
  BOOST_REQUIRE(session.prepare().ok());
  auto token = session.access_token();
  BOOST_REQUIRE(!token.ok());
  BOOST_TEST(token.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(token.status().message().find(kRefresh) == std::string::npos);

  ScriptedClient odd;
  odd.reply(418, std::string("teapot echoing ") + kSecret + " and " + kRefresh);
  OAuth2Session other(config(), odd, ctx, sleeps.sleeper());
  BOOST_REQUIRE(other.prepare().ok());
  auto failed = other.access_token();
  BOOST_REQUIRE(!failed.ok());
  BOOST_TEST(failed.status().message().find(kSecret) == std::string::npos);
  BOOST_TEST(failed.status().message().find(kRefresh) == std::string::npos);
  for (const std::string& line : ctx.lines()) {
    BOOST_TEST(line.find(kSecret) == std::string::npos);
    BOOST_TEST(line.find(kRefresh) == std::string::npos);
  }
}

BOOST_FIXTURE_TEST_CASE(token_requests_are_retried_like_calls, Fixture) {
  http.reply(503, "");
  http.reply(200, grant("tok"));
  OAuth2Session session(config(), http, ctx, sleeps.sleeper());
  BOOST_REQUIRE(session.prepare().ok());
  BOOST_TEST(session.access_token().value() == "tok");
  BOOST_TEST(sleeps.waits.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_cache_table_that_is_not_a_plain_name_is_refused, Fixture) {
  OAuth2Config c = config();
  c.cache_table = "t; DROP TABLE x";
  OAuth2Session session(c, http, ctx, sleeps.sleeper());
  BOOST_TEST(session.prepare().code() == StatusCode::kInvalidConfig);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(paging)

BOOST_AUTO_TEST_CASE(a_walk_resumes_mid_page_from_its_cursor) {
  PageWalk walk;
  BOOST_TEST(walk.page() == "");
  walk.took(3);
  walk.finish_page(std::string("tok:2/x"));  // any text is a page name
  walk.took(2);
  const std::string cursor = walk.cursor();
  auto resumed = PageWalk::resume(cursor, "test_source");
  BOOST_REQUIRE(resumed.ok());
  BOOST_TEST(resumed->page() == "tok:2/x");
  BOOST_TEST(resumed->skip() == 2u);
  BOOST_TEST(!resumed->done());
  resumed->finish_page(std::nullopt);
  BOOST_TEST(resumed->done());
  BOOST_TEST(PageWalk::resume(resumed->cursor(), "t")->done());
  BOOST_TEST(PageWalk::resume("", "t")->page() == "");
}

BOOST_AUTO_TEST_CASE(a_cursor_it_cannot_have_written_is_corruption) {
  for (const char* bad : {"page1:", "page1:x:abc", "page1:01:a", "offset=3", "page2:1:a"}) {
    auto walk = PageWalk::resume(bad, "test_source");
    BOOST_TEST(walk.status().code() == StatusCode::kCorruption, bad);
    BOOST_TEST(walk.status().message().find("test_source") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(offset_pages_end_at_a_short_page) {
  BOOST_TEST(page_offset("").value() == 0u);
  BOOST_TEST(next_offset_page("", 100, 100).value() == "100");
  BOOST_TEST(next_offset_page("100", 100, 100).value() == "200");
  BOOST_TEST(!next_offset_page("200", 40, 100));
  BOOST_TEST(!next_offset_page("200", 0, 100));
  BOOST_TEST(!page_offset("-5"));
}

BOOST_AUTO_TEST_CASE(keysets_round_trip_any_text) {
  const std::vector<std::string> key = {"2026-01-02T03:04:05Z", "", "a:b|c\n", "42"};
  BOOST_TEST(decode_keyset(encode_keyset(key)).value() == key);
  BOOST_TEST(decode_keyset("").value().empty());
  BOOST_TEST(!decode_keyset("5:abc"));
  BOOST_TEST(!decode_keyset("x:abc"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(converts_every_json_type_to_a_value) {
  const auto doc = nlohmann::json::parse(
      R"({"n":null,"b":true,"i":-12,"u":18446744073709551615,"d":2.5,"s":"x",)"
      R"("a":[1,"two"],"o":{"email":"a@b.c"}})");
  BOOST_TEST(is_null(json_to_value(doc["n"])));
  BOOST_TEST(std::get<bool>(json_to_value(doc["b"])) == true);
  BOOST_TEST(std::get<std::int64_t>(json_to_value(doc["i"])) == -12);
  BOOST_TEST(std::get<std::string>(json_to_value(doc["u"])) == "18446744073709551615");
  BOOST_TEST(std::get<double>(json_to_value(doc["d"])) == 2.5);
  BOOST_TEST(std::get<std::string>(json_to_value(doc["s"])) == "x");
  BOOST_TEST(std::get<std::string>(json_to_value(doc["a"])) == R"([1,"two"])");
  BOOST_TEST(std::get<std::string>(json_field(doc, "o.email")) == "a@b.c");
  BOOST_TEST(is_null(json_field(doc, "o.missing")));
  BOOST_TEST(is_null(json_field(doc, "s.deeper")));
}

BOOST_AUTO_TEST_CASE(a_reply_that_is_not_an_object_is_a_retryable_remote_error) {
  BOOST_TEST(parse_json_object(R"({"ok":1})", "GET /x").ok());
  for (const char* body : {"", "[1]", "{\"cut\":", "<html>"}) {
    auto parsed = parse_json_object(body, "GET /x");
    BOOST_TEST(parsed.status().code() == StatusCode::kRemote);
    BOOST_TEST(parsed.status().retryable());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(testkit_plugins)

BOOST_AUTO_TEST_CASE(makes_a_plugin_by_name_with_its_defaults_and_reads_it) {
  testing::TempDir dir;
  testing::write_file(dir.file("in.csv"), "id,name\n1,Ann\n2,Bob\n");
  Settings settings;
  settings.set("path", dir.file("in.csv"));  // `delimiter` comes from the plugin's defaults
  auto plugin = testkit::make_plugin("csv_source", settings, {std::getenv("HADES_PLUGIN_DIR")});
  BOOST_REQUIRE_MESSAGE(plugin.ok(), plugin.status().to_string());
  auto db = testkit::memory_database().value();
  testkit::FakeContext ctx(*db);
  testkit::CollectingRejects rejects;
  auto rows = testkit::read_all(plugin->as<Source>(), ctx, "", rejects);
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  BOOST_REQUIRE(rows->size() == 2u);
  BOOST_TEST(rows->at(1).find("Bob") != std::string::npos);
  BOOST_TEST(rejects.size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_missing_plugin_or_refused_settings_say_why) {
  auto missing = testkit::make_plugin("no_such_source", Settings{}, {"/nonexistent"});
  BOOST_TEST(missing.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.status().message().find("hades_no_such_source.so") != std::string::npos);
  auto refused = testkit::make_plugin("csv_source", Settings{}, {std::getenv("HADES_PLUGIN_DIR")});
  BOOST_TEST(!refused.ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
