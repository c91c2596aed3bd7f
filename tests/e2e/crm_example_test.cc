// The HTTP source example of docs/writing-a-plugin.md (docs/examples/hubspot_source), built out
// of tree against the installed package exactly as a plugin author would, against a fake HubSpot
// served here on a free loopback port: token refresh, paging, one 429 with Retry-After, one 401
// that forces a new token. Its own test (on the installed test kit) passes; a job pipes it into
// turso_sink; a run killed with SIGKILL mid-run resumes to exactly the uninterrupted result.
#define BOOST_TEST_MODULE crm_example_test
#include <signal.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "net/http_server.h"
#include "process.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

using testing::ProcessResult;

constexpr int kContacts = 95;
constexpr const char* kRefreshToken = "test-refresh-token";
constexpr const char* kSecret = "test-secret-value";

net::ServerResponse reply(int status, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::ServerResponse response;
  response.status = status;
  response.headers = std::move(headers);
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = std::move(body);
  return response;
}

// A small HubSpot: POST /oauth/v1/token (refresh-token grant) and GET /crm/v3/objects/contacts
// (limit, after; paging.next.after), contacts 1..kContacts. Each fault happens once per arm().
class FakeHubSpot {
 public:
  FakeHubSpot() {
    net::ServerOptions options;
    options.port = 0;
    server_ = net::HttpServer::start(options, [this](const net::ServerRequest& r) {
                return handle(r);
              }).value();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // Faults for the next run: a 429 (Retry-After: 1) at the page after 30, a 401 at the page
  // after 60 (the token is revoked), and `delay` before every page.
  void arm(std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    const std::lock_guard lock(mu_);
    throttle_pending_ = true;
    revoke_pending_ = true;
    delay_ = delay;
    throttled_ = revoked_ = token_requests_ = pages_ = 0;
  }
  int throttled() const {
    const std::lock_guard lock(mu_);
    return throttled_;
  }
  int revoked() const {
    const std::lock_guard lock(mu_);
    return revoked_;
  }
  int token_requests() const {
    const std::lock_guard lock(mu_);
    return token_requests_;
  }
  int pages() const {
    const std::lock_guard lock(mu_);
    return pages_;
  }

 private:
  static std::string query_value(const std::string& target, const std::string& name) {
    const std::size_t at = target.find(name + "=");
    if (at == std::string::npos) return "";
    const std::size_t start = at + name.size() + 1;
    return target.substr(start, target.find('&', start) - start);
  }

  net::ServerResponse handle(const net::ServerRequest& request) {
    std::chrono::milliseconds delay{0};
    {
      const std::lock_guard lock(mu_);
      delay = delay_;
    }
    if (request.method == "POST" && request.target == "/oauth/v1/token") return token(request);
    if (request.method == "GET" && request.target.starts_with("/crm/v3/objects/contacts?")) {
      std::this_thread::sleep_for(delay);
      return contacts(request);
    }
    return reply(404, R"({"message":"not found"})");
  }

  net::ServerResponse token(const net::ServerRequest& request) {
    const std::lock_guard lock(mu_);
    ++token_requests_;
    if (request.body.find("grant_type=refresh_token") == std::string::npos ||
        request.body.find(std::string("refresh_token=") + kRefreshToken) == std::string::npos ||
        request.body.find(std::string("client_secret=") + kSecret) == std::string::npos) {
      return reply(400, R"({"error":"invalid_grant"})");
    }
    const std::string access = "at-" + std::to_string(++issued_);
    valid_.insert(access);
    return reply(200, nlohmann::json{{"access_token", access}, {"expires_in", 1800}}.dump());
  }

  net::ServerResponse contacts(const net::ServerRequest& request) {
    const std::lock_guard lock(mu_);
    const std::string auth = request.header("Authorization");
    if (!auth.starts_with("Bearer ") || !valid_.contains(auth.substr(7))) {
      return reply(401, R"({"status":"error","category":"EXPIRED_AUTHENTICATION"})");
    }
    const std::string after_text = query_value(request.target, "after");
    const int after = after_text.empty() ? 0 : std::stoi(after_text);
    const int limit = std::stoi(query_value(request.target, "limit"));
    if (after == 30 && throttle_pending_) {
      throttle_pending_ = false;
      ++throttled_;
      return reply(429, R"({"category":"RATE_LIMITS"})", {{"Retry-After", "1"}});
    }
    if (after == 60 && revoke_pending_) {
      revoke_pending_ = false;
      ++revoked_;
      valid_.clear();
      return reply(401, R"({"status":"error","category":"EXPIRED_AUTHENTICATION"})");
    }
    ++pages_;
    nlohmann::json results = nlohmann::json::array();
    const int last = std::min(kContacts, after + limit);
    for (int id = after + 1; id <= last; ++id) {
      results.push_back({{"id", std::to_string(id)},
                         {"properties",
                          {{"email", "c" + std::to_string(id) + "@example.com"},
                           {"firstname", "First" + std::to_string(id)},
                           {"lastname", id % 7 == 0 ? nlohmann::json() : nlohmann::json("Last")},
                           {"lastmodifieddate", "2026-01-01T00:00:00Z"}}}});
    }
    nlohmann::json body = {{"results", results}};
    if (last < kContacts) body["paging"] = {{"next", {{"after", std::to_string(last)}}}};
    return reply(200, body.dump());
  }

  mutable std::mutex mu_;
  std::set<std::string> valid_;
  int issued_ = 0;
  bool throttle_pending_ = false;
  bool revoke_pending_ = false;
  std::chrono::milliseconds delay_{0};
  int throttled_ = 0, revoked_ = 0, token_requests_ = 0, pages_ = 0;
  std::unique_ptr<net::HttpServer> server_;  // last: stopped before the state goes
};

ProcessResult run(const std::vector<std::string>& argv, const std::string& cwd = "") {
  ProcessResult r = testing::run_process(argv, cwd, {}, 600);
  BOOST_TEST_MESSAGE("$ " << argv[0] << " ... -> " << r.exit_code);
  return r;
}

std::string job_text(const std::string& url, const std::string& db) {
  return "name: crm\ndatabase: sqlite://" + db +
         "\nsteps:\n  - name: contacts\n"
         "    source:\n      plugin: hubspot_source\n      with:\n"
         "        api_url: " +
         url + "\n        token_url: " + url +
         "/oauth/v1/token\n"
         "        client_id: test-client\n        client_secret: " +
         kSecret + "\n        refresh_token: " + kRefreshToken +
         "\n        page_size: 10\n"
         "    sinks: [{plugin: turso_sink, with: {table: contacts}}]\n";
}

std::int64_t count_rows(const std::string& db_path) {
  auto db = open_sqlite_database(db_path);
  if (!db.ok()) return -1;
  auto rows = (*db)->query("SELECT count(*) FROM contacts");
  return rows.ok() ? as_int(rows->rows[0][0]).value_or(-1) : -1;
}

BOOST_AUTO_TEST_CASE(the_http_example_builds_out_of_tree_and_resumes_exactly_after_sigkill) {
  testing::TempDir dir;
  const std::string prefix = dir.file("prefix");
  const auto installed =
      run({"/usr/bin/env", "cmake", "--install", testing::build_dir(), "--prefix", prefix});
  BOOST_REQUIRE_MESSAGE(installed.exit_code == 0, installed.out + installed.err);

  const std::string example = testing::source_dir() + "/docs/examples/hubspot_source";
  const std::string build = dir.file("hubspot-build");
  const auto configured = run({"/usr/bin/env", "cmake", "-S", example, "-B", build, "-G", "Ninja",
                               "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_PREFIX_PATH=" + prefix});
  BOOST_REQUIRE_MESSAGE(configured.exit_code == 0, configured.out + configured.err);
  const auto built = run({"/usr/bin/env", "cmake", "--build", build});
  BOOST_REQUIRE_MESSAGE(built.exit_code == 0, built.out + built.err);

  FakeHubSpot hubspot;
  // The example's own test, on the installed test kit.
  hubspot.arm();
  const auto unit = run({build + "/hubspot_source_test", build, hubspot.url()});
  BOOST_TEST(unit.exit_code == 0, unit.out + unit.err);
  BOOST_TEST(unit.out.find(std::to_string(kContacts) + " contacts, 0 rejects, 0 failures") !=
                 std::string::npos,
             unit.out);

  // Uninterrupted, through the installed hades into turso_sink.
  const std::string hades = prefix + "/bin/hades";
  hubspot.arm();
  testing::write_file(dir.file("clean.yaml"), job_text(hubspot.url(), dir.file("clean.db")));
  const auto clean =
      run({hades, "--plugin-path", build, "run", dir.file("clean.yaml")}, dir.path());
  BOOST_REQUIRE_MESSAGE(clean.exit_code == 0, clean.err);
  BOOST_TEST(count_rows(dir.file("clean.db")) == kContacts);
  BOOST_TEST(hubspot.throttled() == 1);
  BOOST_TEST(hubspot.revoked() == 1);
  BOOST_TEST(hubspot.token_requests() == 2);  // the first token and the one after the 401
  BOOST_TEST(clean.err.find(kSecret) == std::string::npos);
  BOOST_TEST(clean.err.find(kRefreshToken) == std::string::npos);
  BOOST_TEST(clean.err.find("at-") == std::string::npos, clean.err);  // access tokens neither

  // Killed with SIGKILL once some pages are committed, then run again: resumed, same rows.
  hubspot.arm(std::chrono::milliseconds(150));
  const std::string victim_db = dir.file("victim.db");
  testing::write_file(dir.file("victim.yaml"), job_text(hubspot.url(), victim_db));
  {
    testing::Process victim({hades, "--plugin-path", build, "run", dir.file("victim.yaml")},
                            dir.path());
    while (victim.running() && count_rows(victim_db) <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_REQUIRE_MESSAGE(victim.running(), "the run ended before it could be killed");
    victim.send(SIGKILL);
    const ProcessResult killed = victim.wait();
    BOOST_TEST(killed.signal == SIGKILL);
  }
  const std::int64_t partial = count_rows(victim_db);
  BOOST_TEST_MESSAGE("killed with " << partial << " of " << kContacts << " rows committed");
  BOOST_TEST(partial > 0);
  BOOST_TEST(partial < kContacts);

  hubspot.arm();
  const auto resumed =
      run({hades, "--plugin-path", build, "run", dir.file("victim.yaml")}, dir.path());
  BOOST_REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.err);
  BOOST_TEST(resumed.err.find("resuming run 1") != std::string::npos, resumed.err);
  auto expected = open_sqlite_database(dir.file("clean.db")).value();
  auto actual = open_sqlite_database(victim_db).value();
  const std::string order = "SELECT * FROM contacts ORDER BY rowid";
  BOOST_TEST(testing::dump(*actual, order) == testing::dump(*expected, order));
}

// Sections 7 and 8 of docs/writing-a-plugin.md quote the example: every line of their code blocks
// must be in the example's files as they are, so the guide cannot drift from what is tested.
BOOST_AUTO_TEST_CASE(the_guide_quotes_the_example_as_it_is) {
  const std::string guide = testing::read_file(testing::source_dir() + "/docs/writing-a-plugin.md");
  const std::string example = testing::source_dir() + "/docs/examples/hubspot_source/";
  const std::string sources = testing::read_file(example + "hubspot_source.cc") +
                              testing::read_file(example + "hubspot_source_test.cc") +
                              testing::read_file(example + "CMakeLists.txt");
  const std::size_t start = guide.find("## 7. Test it");
  const std::size_t end = guide.find("## Checklist");
  BOOST_REQUIRE(start != std::string::npos && end != std::string::npos);
  const std::string sections = guide.substr(start, end - start);
  int quoted = 0;
  bool in_code = false;
  std::size_t at = 0;
  while (at < sections.size()) {
    const std::size_t eol = std::min(sections.find('\n', at), sections.size());
    const std::string line = sections.substr(at, eol - at);
    at = eol + 1;
    if (line.starts_with("```")) {
      in_code = !in_code;
      continue;
    }
    if (!in_code || line.empty()) continue;
    ++quoted;
    BOOST_TEST(sources.find(line) != std::string::npos, "not in the example: " << line);
  }
  BOOST_TEST(quoted >= 10);
}

}  // namespace
}  // namespace hades
