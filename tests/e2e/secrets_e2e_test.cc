// No secret in any output, whatever a server sends back (issue 13, item 1). Unique secret strings
// are planted (Zoho client id, client secret and refresh token, wrong ones too, a Turso token),
// every failing path is driven through the real binary against the Zoho simulator and a real
// sqld (with a fault proxy in front), and every output is searched for them: stdout and stderr in
// text and JSON at debug level, the --summary and --metrics files, every row of the job's
// database, and every file the runs left (rejects, reports, the SQLite files themselves).
//
// Access tokens are minted by the simulator, so their values are unknown here; every one has the
// shape 1000.<32 hex>.<32 hex>, and no output may hold "1000." followed by 8 hex digits.
#define BOOST_TEST_MODULE secrets_e2e_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "fault_proxy.h"
#include "hades/http.h"
#include "process.h"
#include "sqld.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using testing::FaultProxy;
using testing::ProcessResult;

// Every planted secret starts with this, so a secret cut anywhere still shows.
constexpr const char* kPlanted = "planted-";
const std::string kClientId = "planted-client-id-91c2e7";
const std::string kClientSecret = "planted-client-secret-5d80af";
const std::string kRefreshToken = "planted-refresh-token-3b71c4";
const std::string kWrongSecret = "planted-wrong-secret-77e1d0";
const std::string kWrongRefresh = "planted-wrong-refresh-0c9a55";
const std::string kWrongTurso = "planted-turso-token-e4f2a1";

// What one output may not contain: a planted secret (or part of one), an access token (or its
// start), or one of `tokens` (the sqld JWT).
void check_clean(const std::string& what, const std::string& text,
                 const std::vector<std::string>& tokens = {}) {
  static const std::regex kAccessToken("1000\\.[0-9a-f]{8}");
  BOOST_TEST(text.find(kPlanted) == std::string::npos, what << " holds a planted secret:\n"
                                                            << text);
  BOOST_TEST(!std::regex_search(text, kAccessToken), what << " holds an access token:\n" << text);
  for (const std::string& token : tokens) {
    BOOST_TEST(text.find(token.substr(0, 24)) == std::string::npos,
               what << " holds the database token:\n"
                    << text);
  }
}

// Every file under `dir`, by path; the SQLite files' bytes included.
std::string all_files(const std::string& dir) {
  std::string out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".yaml") continue;
    out += "== " + entry.path().string() + "\n" + testing::read_file(entry.path().string());
  }
  return out;
}

// Every row of every table of `db`.
std::string all_rows(Database& db) {
  std::string out;
  auto tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table'");
  BOOST_REQUIRE(tables.ok());
  for (const auto& row : tables->rows) {
    const std::string table = to_text(row[0]);
    if (table.starts_with("sqlite_") || table.starts_with("_")) continue;
    out += "== " + table + "\n" + testing::dump(db, "SELECT * FROM \"" + table + "\"");
  }
  return out;
}

// One `hades run`, debug level, in `format`, with a summary and metrics; every output checked.
struct Runner {
  testing::TempDir dir;
  std::vector<std::string> tokens;  // database tokens that must not show either

  ProcessResult run(const std::string& job, const std::string& format,
                    const std::map<std::string, std::string>& env) const {
    const ProcessResult r = testing::run_process(
        {testing::hades_binary(), "--log-format", format, "--log-level", "debug", "run", job,
         "--summary", dir.file("summary.json"), "--metrics", dir.file("metrics.prom")},
        dir.path(), env, 120);
    const std::string label = job + " (" + format + ")";
    check_clean(label + " stdout", r.out, tokens);
    check_clean(label + " stderr", r.err, tokens);
    for (const char* file : {"summary.json", "metrics.prom"}) {
      if (!fs::exists(dir.file(file))) continue;
      check_clean(label + " " + file, testing::read_file(dir.file(file)), tokens);
    }
    return r;
  }
  // Both formats; both must exit `code`.
  void run_both(const std::string& job, const std::map<std::string, std::string>& env, int code,
                const std::string& expect) const {
    for (const char* format : {"text", "json"}) {
      const ProcessResult r = run(job, format, env);
      BOOST_TEST(r.exit_code == code, job << " (" << format << "): " << r.err);
      BOOST_TEST(r.err.find(expect) != std::string::npos, job << " (" << format << "): " << r.err);
    }
  }
};

// ---- Zoho ------------------------------------------------------------------------------------

// zoho_sim as a process that also accepts the planted credentials.
class Sim {
 public:
  explicit Sim(const std::string& faults) {
    const ProcessResult gen = testing::run_process(
        {"/usr/bin/python3", std::getenv("ZOHO_SIM_GENERATOR"), "--scale", "300", "--out",
         dir_.file("org.json"), "--truth", dir_.file("truth.json")},
        dir_.path());
    BOOST_TEST_REQUIRE(gen.exit_code == 0, gen.err);
    process_ = std::make_unique<testing::Process>(
        std::vector<std::string>{std::getenv("ZOHO_SIM_BIN"), "--data", dir_.file("org.json"),
                                 "--port", "0", "--port-file", dir_.file("port"), "--faults",
                                 faults, "--client-id", kClientId, "--client-secret", kClientSecret,
                                 "--refresh-token", kRefreshToken},
        dir_.path());
    std::string port;
    for (int i = 0; i < 400 && port.empty(); ++i) {
      std::ifstream in(dir_.file("port"));
      std::getline(in, port);
      if (port.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    BOOST_TEST_REQUIRE(!port.empty(), "zoho_sim wrote no port file");
    url_ = "http://127.0.0.1:" + port;
  }
  ~Sim() { process_->send(SIGTERM); }
  const std::string& url() const { return url_; }

 private:
  testing::TempDir dir_;
  std::unique_ptr<testing::Process> process_;
  std::string url_;
};

// A Zoho read into a SQLite database, retried at most twice and quickly.
std::string zoho_job(const Runner& r) {
  const std::string path = r.dir.file("zoho.yaml");
  testing::write_file(path,
                      "name: zoho_secrets\n"
                      "database: sqlite://" +
                          r.dir.file("hades.db") +
                          "\n"
                          "rejects_dir: " +
                          r.dir.file("rejects") +
                          "\n"
                          "steps:\n"
                          "  - name: leads\n"
                          "    source:\n"
                          "      plugin: zoho_source\n"
                          "      with:\n"
                          "        accounts_url: ${env:ZOHO_ACCOUNTS_URL}\n"
                          "        client_id: ${env:ZOHO_CLIENT_ID}\n"
                          "        client_secret: ${env:ZOHO_CLIENT_SECRET}\n"
                          "        refresh_token: ${env:ZOHO_REFRESH_TOKEN}\n"
                          "        module: Leads\n"
                          "        fields: [Company]\n"
                          "        max_attempts: 2\n"
                          "        backoff_base_ms: 1\n"
                          "        backoff_max_ms: 5\n"
                          "    sinks: [{plugin: turso_sink, with: {table: leads, key: [id]}}]\n");
  return path;
}

std::map<std::string, std::string> zoho_env(const Sim& sim,
                                            const std::string& secret = kClientSecret,
                                            const std::string& refresh = kRefreshToken) {
  return {{"ZOHO_ACCOUNTS_URL", sim.url()},
          {"ZOHO_CLIENT_ID", kClientId},
          {"ZOHO_CLIENT_SECRET", secret},
          {"ZOHO_REFRESH_TOKEN", refresh}};
}

void check_database_and_files(const Runner& r) {
  auto db = open_sqlite_database(r.dir.file("hades.db"));
  BOOST_REQUIRE(db.ok());
  check_clean("the job database's rows", all_rows(**db));
  check_clean("the files the runs left", all_files(r.dir.path()));
}

BOOST_AUTO_TEST_CASE(a_token_reply_that_is_not_json_never_shows_the_token) {
  const Sim sim("token_garbled=1");
  const Runner r;
  r.run_both(zoho_job(r), zoho_env(sim), 1, "with a body that is not a JSON object");
  check_database_and_files(r);
}

BOOST_AUTO_TEST_CASE(an_api_error_echoing_the_authorization_header_never_shows_the_token) {
  const Sim sim("echo_auth=1");
  const Runner r;
  r.run_both(zoho_job(r), zoho_env(sim), 1, "HTTP 400 INVALID_REQUEST");
  check_database_and_files(r);
}

BOOST_AUTO_TEST_CASE(a_refused_client_or_refresh_token_exits_2_without_showing_them) {
  const Sim sim("");
  const Runner r;
  r.run_both(zoho_job(r), zoho_env(sim, kWrongSecret), 2, "invalid_client");
  r.run_both(zoho_job(r), zoho_env(sim, kClientSecret, kWrongRefresh), 2, "invalid_code");
  check_database_and_files(r);
}

// A run that gets its token and its rows: the token is cached, sealed; then the refresh token
// is revoked, and the cached token with it.
BOOST_AUTO_TEST_CASE(a_good_run_and_a_revoked_refresh_token_leave_no_token_anywhere) {
  const Sim sim("");
  const Runner r;
  const ProcessResult good = r.run(zoho_job(r), "text", zoho_env(sim));
  BOOST_TEST(good.exit_code == 0, good.err);
  std::unique_ptr<HttpClient> http = make_http_client();
  HttpRequest request;
  request.method = "POST";
  request.url = sim.url() + "/__sim/revoke";
  request.body = "{\"refresh_token\":\"" + kRefreshToken + "\"}";
  BOOST_TEST_REQUIRE(http->send(request)->status == 200);
  // The same job file, edited (a second file declaring the job's name would be refused).
  const std::string job = zoho_job(r);
  testing::write_file(job, testing::read_file(job) + "# again\n");
  r.run_both(job, zoho_env(sim), 2, "invalid_code");
  check_database_and_files(r);
}

// ---- Turso / sqld ----------------------------------------------------------------------------

// A csv -> turso_sink job on the database at `url`.
std::string turso_job(const Runner& r, const std::string& url) {
  testing::write_file(r.dir.file("in.csv"), "id\n1\n");
  const std::string path = r.dir.file("turso.yaml");
  testing::write_file(
      path, "name: turso_secrets\ndatabase: " + url + "\nrejects_dir: " + r.dir.file("rejects") +
                "\nsteps:\n  - name: load\n"
                "    source: {plugin: csv_source, with: {path: " +
                r.dir.file("in.csv") + "}}\n    sinks: [{plugin: turso_sink, with: {table: t}}]\n");
  return path;
}

BOOST_AUTO_TEST_CASE(whatever_the_database_server_answers_its_token_never_shows) {
  testing::SqldServer sqld;
  FaultProxy proxy(sqld.port());
  Runner r;
  const std::string token = sqld.rw_token();
  r.tokens = {token, kWrongTurso};
  const std::map<std::string, std::string> env = {{"TURSO_AUTH_TOKEN", token}};
  const std::string echo = "Authorization: Bearer " + token;
  // A wrong token, refused by sqld itself.
  r.run_both(turso_job(r, sqld.url()), {{"TURSO_AUTH_TOKEN", kWrongTurso}}, 2,
             "the auth token was refused (HTTP 401)");
  // Replies that echo the request: refused, an error page, a reply cut short, a SQL error.
  const std::vector<std::pair<FaultProxy::Action, int>> replies = {
      {FaultProxy::respond(401, "{\"error\":\"Unauthorized: " + echo + "\"}"), 2},
      {FaultProxy::respond(400, "<html><pre>" + echo + "\r\nHost: x</pre></html>"), 1},
      // The token cut by the length a message quotes: what is left no longer matches the whole
      // token, which is all that masking known secrets finds.
      {FaultProxy::respond(400, std::string(438, ' ') + echo), 1},
      {FaultProxy::respond(200,
                           "{\"results\":[{\"type\":\"ok\",\"response\":{\"result\":"
                           "{\"rows\":[[{\"type\":\"text\",\"value\":\"" +
                               token),
       1},
      {FaultProxy::respond(200,
                           "{\"baton\":null,\"results\":[{\"type\":\"error\",\"error\":"
                           "{\"message\":\"cannot run: " +
                               echo + "\",\"code\":\"SQLITE_ERROR\"}}]}"),
       1},
  };
  for (const auto& [action, code] : replies) {
    for (const char* format : {"text", "json"}) {
      proxy.push(action);
      const ProcessResult run = r.run(turso_job(r, proxy.url()), format, env);
      BOOST_TEST(run.exit_code == code, action.body << ": " << run.err);
    }
  }
  auto db = sqld.open();
  check_clean("the sqld database's rows", all_rows(*db), r.tokens);
  check_clean("the files the runs left", all_files(r.dir.path()), r.tokens);
}

}  // namespace
}  // namespace hades
