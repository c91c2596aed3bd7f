// zoho_source against the simulator (tools/zoho_sim) over real HTTP, on the org that
// tools/generate_crm.py plants: both read paths, paging, converted leads, 204, every fault and all
// at once, the token cache, OAuth and query errors, credits running out, cursors, and secrets.
#include "zoho_source.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "hades/redact.h"
#include "process.h"
#include "sim_client.h"
#include "sqlite_database.h"
#include "test_support.h"
#include "zoho_query.h"

namespace hades::zoho_source {
namespace {

using nlohmann::json;
using zoho_sim::testing::RunningSim;

// The default org of tools/generate_crm.py and its truth file, made once per test process.
struct GeneratedOrg {
  json data;
  json truth;
};

const GeneratedOrg& generated_org() {
  static const GeneratedOrg org = [] {
    testing::TempDir dir;
    const char* generator = std::getenv("ZOHO_SIM_GENERATOR");
    const std::string script =
        generator != nullptr ? generator : testing::source_dir() + "/tools/generate_crm.py";
    const auto r = testing::run_process({"/usr/bin/python3", script, "--out", dir.file("org.json"),
                                         "--truth", dir.file("truth.json")},
                                        dir.path());
    if (r.exit_code != 0) throw std::runtime_error("generate_crm.py failed: " + r.err);
    return GeneratedOrg{json::parse(testing::read_file(dir.file("org.json"))),
                        json::parse(testing::read_file(dir.file("truth.json")))};
  }();
  return org;
}

const std::vector<std::string> kLeadFields = {
    "Company",      "Lead_Source",    "SIC_Code",           "No_of_Employees",
    "Zip_Code",     "State",          "Lead_Status",        "HADES_Batch_ID",
    "Converted__s", "Converted_Deal", "Converted_Deal.name"};

struct ReadResult {
  Status status;
  std::vector<Row> rows;
  std::vector<std::string> positions;
  std::string cursor;
  std::size_t rejects = 0;
};

// A simulator on a free port with a request log, a job database and a context over it.
struct Harness {
  testing::TempDir dir;
  std::unique_ptr<RunningSim> sim;
  std::unique_ptr<Database> db;
  std::unique_ptr<testing::FakeContext> ctx;
  json credentials;

  explicit Harness(const json& data, const std::string& faults = "",
                   const json& creds = generated_org().truth["credentials"]) {
    zoho_sim::SimulatorOptions options;
    std::string error;
    if (!zoho_sim::FaultSpec::parse(faults, options.faults, error)) {
      throw std::runtime_error("bad fault spec: " + error);
    }
    options.request_log_path = dir.file("requests.jsonl");
    sim = std::make_unique<RunningSim>(data, std::move(options));
    db = std::move(open_sqlite_database(dir.file("job.db"))).value();
    ctx = std::make_unique<testing::FakeContext>(*db);
    credentials = creds;
  }

  Settings settings(const std::map<std::string, SettingValue>& overrides = {}) const {
    Settings s;
    for (const SettingSpec& spec : kSettings) {
      if (spec.default_value == nullptr) continue;
      if (spec.type == SettingType::kInt) {
        s.set(spec.name, static_cast<std::int64_t>(std::stoll(spec.default_value)));
      } else {
        s.set(spec.name, std::string(spec.default_value));
      }
    }
    s.set("accounts_url", sim->url(""));
    s.set("client_id", credentials["client_id"].get<std::string>());
    s.set("client_secret", credentials["client_secret"].get<std::string>());
    s.set("refresh_token", credentials["refresh_token"].get<std::string>());
    s.set("module", std::string("Leads"));
    s.set("fields", kLeadFields);
    s.set("criteria", std::string("Lead_Source = 'VanillaSoft'"));
    s.set("converted", std::string("both"));
    s.set("backoff_base_ms", std::int64_t{5});
    s.set("backoff_max_ms", std::int64_t{40});
    s.set("max_attempts", std::int64_t{10});
    s.set("request_timeout_ms", std::int64_t{5000});
    for (const auto& [key, value] : overrides) s.set(key, value);
    return s;
  }

  std::unique_ptr<ZohoSource> source(const Settings& s) const {
    auto config = bind_config(s);
    BOOST_TEST_REQUIRE(config.ok(), config.status().message());
    return std::make_unique<ZohoSource>(std::move(config).value());
  }

  // Opens a new source at `cursor` and reads until it is exhausted, fails, or `max_chunks`.
  ReadResult read(const Settings& s, const std::string& cursor = "", int max_chunks = -1,
                  std::size_t chunk_size = 500) const {
    ReadResult result;
    auto src = source(s);
    result.status = src->open(*ctx, cursor);
    testing::CollectingRejects rejects;
    for (int chunks = 0; result.status.ok() && chunks != max_chunks; ++chunks) {
      Chunk chunk(src->schema());
      auto more = src->read(chunk_size, &chunk, rejects);
      if (!more.ok()) {
        result.status = more.status();
        break;
      }
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        result.rows.push_back(chunk.row(i));
        result.positions.push_back(chunk.position(i));
      }
      if (!*more) break;
    }
    result.cursor = src->cursor();
    result.rejects = rejects.size();
    return result;
  }

  std::vector<json> log() const {
    std::vector<json> lines;
    std::ifstream in(dir.file("requests.jsonl"));
    for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
    return lines;
  }
  int api_calls() const {
    int n = 0;
    for (const json& l : log()) n += l.value("api_call", false) ? 1 : 0;
    return n;
  }
  int token_grants() const {
    int n = 0;
    for (const json& l : log()) {
      n += l.value("kind", "") == "token" && l.value("token_outcome", "") == "granted" ? 1 : 0;
    }
    return n;
  }
  int token_requests() const {
    int n = 0;
    for (const json& l : log()) n += l.value("kind", "") == "token" ? 1 : 0;
    return n;
  }
};

// The columns `fields` gives for a record as the data file has it, the cursor field left out
// (faults may move it), keyed by id.
std::map<std::string, std::vector<Value>> expected_rows(
    const std::string& module, const std::vector<std::string>& fields,
    const std::function<bool(const json&)>& keep) {
  std::map<std::string, std::vector<Value>> out;
  for (const json& record : generated_org().data["modules"][module]["records"]) {
    if (!keep(record)) continue;
    std::vector<Value> values;
    for (const std::string& f : fields) {
      const bool name = f.ends_with(".name");
      const std::string api = name ? f.substr(0, f.size() - 5) : f;
      values.push_back(record.contains(api) ? to_value(record[api], name) : Value(Null{}));
    }
    out[record["id"].get<std::string>()] = std::move(values);
  }
  return out;
}

bool is_vanillasoft(const json& record) { return record["Lead_Source"] == "VanillaSoft"; }

// The rows read, as expected_rows() keys them; duplicates fail the test.
std::map<std::string, std::vector<Value>> keyed(const std::vector<Row>& rows, std::size_t columns) {
  std::map<std::string, std::vector<Value>> out;
  for (const Row& row : rows) {
    const std::string id = std::get<std::string>(row[0]);
    const bool fresh =
        out.emplace(id, std::vector<Value>(row.begin() + 1, row.begin() + 1 + columns)).second;
    BOOST_TEST(fresh, "duplicate id " << id);
  }
  return out;
}

void check_vanillasoft_leads(const ReadResult& r) {
  BOOST_TEST_REQUIRE(r.status.ok(), r.status.message());
  const auto expected = expected_rows("Leads", kLeadFields, is_vanillasoft);
  BOOST_TEST(r.rows.size() ==
             generated_org().truth["historical"]["vanillasoft_leads"].get<std::size_t>());
  BOOST_TEST((keyed(r.rows, kLeadFields.size()) == expected));
  BOOST_TEST(r.rejects == 0u);
}

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

BOOST_AUTO_TEST_SUITE(zoho_source_sim)

BOOST_AUTO_TEST_CASE(coql_reads_the_planted_vanillasoft_leads_in_the_fewest_calls) {
  Harness h(generated_org().data);
  const ReadResult r = h.read(h.settings());
  check_vanillasoft_leads(r);
  const json& truth = generated_org().truth["historical"];
  std::size_t converted = 0;
  for (const Row& row : r.rows) converted += std::get<bool>(row[9]) ? 1 : 0;
  BOOST_TEST(converted == truth["converted"].get<std::size_t>());
  BOOST_TEST(r.positions[0].starts_with("Leads id="));
  // Past 2,000 rows: one token request and ceil(3135 / 2000) = 2 COQL calls, each a keyset page
  // in id order (a read from the start).
  BOOST_TEST(h.token_grants() == 1);
  BOOST_TEST(h.api_calls() == static_cast<int>(ceil_div(r.rows.size(), 2000)));
  for (const json& l : h.log()) {
    if (l.value("kind", "") == "coql") {
      BOOST_TEST(l["status"] == 200);
      BOOST_TEST(l["select_query"].get<std::string>().find("order by id asc limit 2000") !=
                 std::string::npos);
    }
  }
  // Schema: id, the fields in order, then the cursor field.
  auto src = h.source(h.settings());
  BOOST_TEST(src->schema()->columns().front() == "id");
  BOOST_TEST(src->schema()->columns().back() == "Modified_Time");
  BOOST_TEST(src->schema()->columns()[11] == "Converted_Deal.name");
}

BOOST_AUTO_TEST_CASE(pages_read_ahead_cost_no_extra_call_in_either_walk) {
  // 250-row pages, so that most are read ahead by the hint of the one before: in the id walk
  // (from the start) and in the cursor-field walk (from a cursor), the calls stay the minimum.
  Harness h(generated_org().data);
  const Settings s = h.settings({{"per_page", std::int64_t{250}}});
  const ReadResult by_id = h.read(s);
  check_vanillasoft_leads(by_id);
  const int id_calls = h.api_calls();
  BOOST_TEST(id_calls == static_cast<int>(ceil_div(by_id.rows.size(), 250)));
  const ReadResult by_cursor =
      h.read(s, encode_cursor(ZohoCursor{"2000-01-01T00:00:00+00:00", "0"}));
  check_vanillasoft_leads(by_cursor);
  BOOST_TEST(h.api_calls() - id_calls == static_cast<int>(ceil_div(by_cursor.rows.size(), 250)));
  for (const json& l : h.log()) {
    if (l.value("kind", "") == "coql") BOOST_TEST(l["status"] == 200);
  }
}

BOOST_AUTO_TEST_CASE(a_wrong_read_ahead_costs_one_call_and_never_runs_far_ahead) {
  Harness h(generated_org().data);
  auto config = bind_config(h.settings());
  BOOST_TEST_REQUIRE(config.ok(), config.status().message());
  ZohoClient client(config->client, make_http_client(), *h.ctx);
  BOOST_TEST_REQUIRE(client.prepare().ok());
  const auto page = [](const std::string& after) {
    return json{{"select_query",
                 "select Company from Leads where id > '" + after + "' order by id asc limit 5"}}
        .dump();
  };
  // Its guess of the next page is always the same, and call() does not come: it stops
  // kReadAhead replies ahead.
  client.read_ahead("POST", "coql", page("0"),
                    [&](std::string_view) { return std::optional<std::string>(page("1")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  BOOST_TEST(h.api_calls() == static_cast<int>(kReadAhead));
  // The first page is the one read ahead: no new call for it.
  auto first = client.call("POST", "coql", page("0"));
  BOOST_TEST_REQUIRE(first.ok(), first.status().message());
  BOOST_TEST(first->body["data"].size() == 5u);
  // Taking a reply frees a place: one more is read ahead.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  BOOST_TEST(h.api_calls() == static_cast<int>(kReadAhead) + 1);
  // A page it did not guess: reading ahead stops, and the page is asked for.
  const std::string last_id = first->body["data"].back()["id"].get<std::string>();
  auto second = client.call("POST", "coql", page(last_id));
  BOOST_TEST_REQUIRE(second.ok(), second.status().message());
  BOOST_TEST(second->body["data"].size() == 5u);
  BOOST_TEST(second->body["data"][0]["id"].get<std::string>() != last_id);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // 2 read ahead, 1 more when the first was taken, 1 for the page not guessed; none since.
  BOOST_TEST(h.api_calls() == static_cast<int>(kReadAhead) + 2);
}

BOOST_AUTO_TEST_CASE(records_path_pages_then_follows_page_tokens_with_converted_both) {
  Harness h(generated_org().data);
  const std::vector<std::string> fields = {"Company", "Lead_Source", "Converted__s",
                                           "Converted_Deal"};
  const ReadResult r = h.read(h.settings(
      {{"read_path", std::string("records")}, {"criteria", std::string()}, {"fields", fields}}));
  BOOST_TEST_REQUIRE(r.status.ok(), r.status.message());
  const auto expected = expected_rows("Leads", fields, [](const json&) { return true; });
  BOOST_TEST(r.rows.size() == generated_org().truth["modules"]["Leads"].get<std::size_t>());
  BOOST_TEST((keyed(r.rows, fields.size()) == expected));
  int pages = 0;
  int tokens = 0;
  for (const json& l : h.log()) {
    if (l.value("kind", "") != "list") continue;
    ++pages;
    const json& q = l["query"];
    BOOST_TEST(!(q.contains("page") && q.contains("page_token")), "both page and page_token");
    tokens += q.contains("page_token") ? 1 : 0;
    BOOST_TEST(l["status"] == 200);
  }
  BOOST_TEST(pages == static_cast<int>(ceil_div(r.rows.size(), 200)));
  BOOST_TEST(tokens == pages - 10);
}

BOOST_AUTO_TEST_CASE(records_path_hides_converted_leads_unless_asked) {
  Harness h(generated_org().data);
  const ReadResult r = h.read(h.settings({{"read_path", std::string("records")},
                                          {"criteria", std::string()},
                                          {"converted", std::string("false")},
                                          {"fields", std::vector<std::string>{"Company"}}}));
  BOOST_TEST_REQUIRE(r.status.ok(), r.status.message());
  const auto expected = expected_rows(
      "Leads", {"Company"}, [](const json& record) { return !record["Converted__s"].get<bool>(); });
  BOOST_TEST((keyed(r.rows, 1) == expected));
}

BOOST_AUTO_TEST_CASE(no_rows_is_a_204_or_304_and_never_parsed) {
  Harness h(generated_org().data);
  const ReadResult coql = h.read(h.settings({{"criteria", std::string("Company = 'No Such Co'")}}));
  BOOST_TEST(coql.status.ok(), coql.status.message());
  BOOST_TEST(coql.rows.empty());
  BOOST_TEST(coql.cursor.empty());
  // Records API from a cursor later than every record: If-Modified-Since gives 304.
  const std::string late = encode_cursor(ZohoCursor{"2031-01-01T00:00:00-05:00", "1"});
  const ReadResult records = h.read(
      h.settings({{"read_path", std::string("records")}, {"criteria", std::string()}}), late);
  BOOST_TEST(records.status.ok(), records.status.message());
  BOOST_TEST(records.rows.empty());
  BOOST_TEST(records.cursor == late);
  std::vector<int> statuses;
  for (const json& l : h.log()) {
    if (l.value("api_call", false)) statuses.push_back(l["status"].get<int>());
  }
  BOOST_TEST((statuses == std::vector<int>{204, 304}));
}

// Each fault alone, then all at once: the same rows, a bounded number of calls, and token
// requests within Zoho's 10 per 10 minutes.
BOOST_AUTO_TEST_CASE(every_fault_and_all_at_once_give_identical_rows) {
  const std::vector<std::string> faults = {
      "token_expiry_every=5",
      "storm401=1@3/6",
      "burst429=3@2/5",
      "concurrency=1,coql_concurrency=1",
      "http500=0.25,seed=3",
      "http502_html=0.25,seed=4",
      "http503_empty=0.25,seed=5",
      "reset=0.2,seed=6",
      "slow=1@4/6:3000ms",
      "modify_between_pages=2",
      "token_expiry_every=6,storm401=1@4/9,burst429=2@2/7,concurrency=1,http500=0.08,"
      "http502_html=0.08,http503_empty=0.08,reset=0.05,slow=1@5/11:2000ms,"
      "modify_between_pages=3,seed=7",
  };
  const std::size_t pages = ceil_div(3135, 200);
  for (const std::string& spec : faults) {
    BOOST_TEST_CONTEXT("faults " << spec) {
      Harness h(generated_org().data, spec);
      // A slow reply holds the simulator's only concurrency slot for 2 s after the client gave
      // up on it at 1 s: the retries' backoff (at least half of each capped step) must outlast
      // that on a loaded machine too, so the steps go up to 2 s.
      const ReadResult r = h.read(h.settings({{"per_page", std::int64_t{200}},
                                              {"backoff_base_ms", std::int64_t{10}},
                                              {"backoff_max_ms", std::int64_t{2000}},
                                              {"request_timeout_ms", std::int64_t{1000}}}));
      check_vanillasoft_leads(r);
      // Every call beyond one per page is a retry of an injected fault, and retries are bounded
      // by max_attempts (10) per page.
      int answered = 0;  // 200s the client waited for (slow ones time out first)
      for (const json& l : h.log()) {
        const bool slow = l["fault"].is_string() &&
                          l["fault"].get<std::string>().find("slow") != std::string::npos;
        answered += l.value("api_call", false) && l["status"] == 200 && !slow;
      }
      BOOST_TEST(answered >= static_cast<int>(pages));
      BOOST_TEST(answered <= static_cast<int>(pages) + 2);  // moved records can add a page
      BOOST_TEST(h.api_calls() <= static_cast<int>(pages * 10));
      BOOST_TEST(h.token_grants() >= 1);
      BOOST_TEST(h.token_requests() <= 10);
    }
  }
}

// Every fault but modify_between_pages: the records API pages by offset, so a record that moves
// behind the walk shifts an unread one across a page boundary (README.md, Limits); the COQL path
// is the one that survives it (every_fault_and_all_at_once_give_identical_rows).
BOOST_AUTO_TEST_CASE(records_path_survives_faults) {
  Harness h(generated_org().data,
            "token_expiry_every=6,storm401=1@4/9,burst429=2@2/7,http500=0.08,http502_html=0.08,"
            "http503_empty=0.08,reset=0.05,slow=1@5/11:3000ms,seed=9");
  const std::vector<std::string> fields = {"Company", "Converted_Deal.name"};
  const ReadResult r = h.read(h.settings({{"read_path", std::string("records")},
                                          {"criteria", std::string()},
                                          {"request_timeout_ms", std::int64_t{1000}},
                                          {"fields", fields}}));
  BOOST_TEST_REQUIRE(r.status.ok(), r.status.message());
  BOOST_TEST((keyed(r.rows, fields.size()) ==
              expected_rows("Leads", fields, [](const json&) { return true; })));
  BOOST_TEST(h.token_requests() <= 10);
}

BOOST_AUTO_TEST_CASE(the_token_is_cached_in_the_job_database_across_instances) {
  Harness h(generated_org().data);
  BOOST_TEST_REQUIRE(h.read(h.settings()).status.ok());
  BOOST_TEST(h.token_requests() == 1);
  const int calls = h.api_calls();
  // A second instance (a later run) finds the cached token: no token request at all.
  check_vanillasoft_leads(h.read(h.settings()));
  BOOST_TEST(h.token_requests() == 1);
  BOOST_TEST(h.api_calls() == 2 * calls);
  // The cache is keyed by a hash: the refresh token is not stored.
  auto rows = h.db->query("SELECT cache_key, access_token FROM zoho_oauth_tokens");
  BOOST_TEST_REQUIRE(rows.ok());
  BOOST_TEST(rows->rows.size() == 1u);
  const std::string key = to_text(rows->rows[0][0]);
  BOOST_TEST(key.size() == 64u);
  BOOST_TEST(key.find(h.credentials["refresh_token"].get<std::string>()) == std::string::npos);
  // Less than five minutes left: replaced before use.
  WriteBatch soon;
  soon.add("UPDATE zoho_oauth_tokens SET refresh_at = expires_at - 3600");
  BOOST_TEST_REQUIRE(h.db->apply(soon).ok());
  BOOST_TEST(h.read(h.settings()).status.ok());
  BOOST_TEST(h.token_requests() == 2);
}

BOOST_AUTO_TEST_CASE(token_failures_in_a_200_reply_fail_at_once_and_name_the_error) {
  Harness h(generated_org().data);
  const ReadResult bad_secret =
      h.read(h.settings({{"client_secret", std::string("not-the-secret-4711")}}));
  // Retrying cannot fix a refused client: kInvalidConfig, exit 2, never retried by a scheduler.
  BOOST_TEST(bad_secret.status.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(!bad_secret.status.retryable());
  BOOST_TEST(bad_secret.status.message().find("invalid_client") != std::string::npos,
             bad_secret.status.message());
  BOOST_TEST(bad_secret.status.message().find("not-the-secret-4711") == std::string::npos);
  BOOST_TEST(h.token_requests() == 1);
  const ReadResult bad_token =
      h.read(h.settings({{"refresh_token", std::string("1000.revoked.4711")}}));
  BOOST_TEST(bad_token.status.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(bad_token.status.message().find("invalid_code") != std::string::npos,
             bad_token.status.message());
  BOOST_TEST(h.token_requests() == 2);
  BOOST_TEST(h.api_calls() == 0);
}

BOOST_AUTO_TEST_CASE(a_400_is_not_retried_and_names_zohos_code) {
  Harness h(generated_org().data);
  const ReadResult r = h.read(h.settings({{"criteria", std::string("No_Such_Field = 'x'")}}));
  BOOST_TEST(r.status.code() == StatusCode::kRemote);
  BOOST_TEST(!r.status.retryable());
  BOOST_TEST(r.status.message().find("HTTP 400 INVALID_QUERY") != std::string::npos,
             r.status.message());
  BOOST_TEST(h.api_calls() == 1);
}

BOOST_AUTO_TEST_CASE(credits_running_out_stop_cleanly_and_the_cursor_resumes_later) {
  Harness h(generated_org().data, "credits=5");
  const Settings s = h.settings({{"per_page", std::int64_t{200}}});
  const ReadResult first = h.read(s, "", -1, 200);
  BOOST_TEST(first.status.code() == StatusCode::kRemote);
  BOOST_TEST(first.status.retryable());
  BOOST_TEST(first.status.message().find("credits are exhausted") != std::string::npos,
             first.status.message());
  BOOST_TEST(first.rows.size() == 1000u);  // five pages of 200
  BOOST_TEST(h.api_calls() == 6);          // the sixth was refused, and not retried
  // The next day (new credits): the rest, from the checkpoint.
  BOOST_TEST_REQUIRE(h.sim->request("POST", "/__sim/faults", {}, R"({"spec":""})").status == 200);
  const ReadResult rest = h.read(s, first.cursor);
  BOOST_TEST_REQUIRE(rest.status.ok(), rest.status.message());
  ReadResult all;
  all.rows = first.rows;
  all.rows.insert(all.rows.end(), rest.rows.begin(), rest.rows.end());
  check_vanillasoft_leads(all);
}

BOOST_AUTO_TEST_CASE(a_cursor_resumes_exactly_and_then_reads_only_what_changed) {
  for (const char* path : {"coql", "records"}) {
    BOOST_TEST_CONTEXT(path) {
      Harness h(generated_org().data);
      const std::vector<std::string> fields = {"Company", "Lead_Source"};
      const Settings s = h.settings({{"read_path", std::string(path)},
                                     {"criteria", std::string()},
                                     {"fields", fields},
                                     {"per_page", std::int64_t{200}}});
      const ReadResult whole = h.read(s);
      BOOST_TEST_REQUIRE(whole.status.ok(), whole.status.message());
      // Stop after three chunks of 300 (mid-page), resume in a new object.
      const ReadResult part = h.read(s, "", 3, 300);
      BOOST_TEST_REQUIRE(part.rows.size() == 900u);
      const ReadResult rest = h.read(s, part.cursor);
      BOOST_TEST_REQUIRE(rest.status.ok(), rest.status.message());
      std::vector<Row> joined = part.rows;
      joined.insert(joined.end(), rest.rows.begin(), rest.rows.end());
      BOOST_TEST((joined == whole.rows));
      // Nothing changed: the final cursor reads nothing, and stays where it was.
      const ReadResult none = h.read(s, whole.cursor);
      BOOST_TEST(none.status.ok());
      BOOST_TEST(none.rows.empty());
      BOOST_TEST(none.cursor == whole.cursor);
      // One record changes: exactly it comes back.
      const std::string id = std::get<std::string>(whole.rows[17][0]);
      const json change = {
          {"module", "Leads"}, {"id", id}, {"fields", {{"Company", "Renamed Co"}}}};
      BOOST_TEST_REQUIRE(h.sim->request("POST", "/__sim/modify", {}, change.dump()).status == 200);
      const ReadResult changed = h.read(s, whole.cursor);
      BOOST_TEST_REQUIRE(changed.status.ok(), changed.status.message());
      BOOST_TEST_REQUIRE(changed.rows.size() == 1u);
      BOOST_TEST(std::get<std::string>(changed.rows[0][0]) == id);
      BOOST_TEST(std::get<std::string>(changed.rows[0][1]) == "Renamed Co");
    }
  }
  Harness h(generated_org().data);
  BOOST_TEST(h.read(h.settings(), "{\"v\":1}").status.code() == StatusCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(secrets_and_access_tokens_never_reach_the_log) {
  Harness h(generated_org().data, "token_expiry_every=3,http500=0.2,seed=2");
  const ReadResult r = h.read(h.settings({{"per_page", std::int64_t{500}}}));
  BOOST_TEST_REQUIRE(r.status.ok(), r.status.message());
  std::string lines;
  int debug_lines = 0;
  for (const std::string& line : h.ctx->lines()) {
    lines += line + "\n";
    debug_lines += line.starts_with("debug:") ? 1 : 0;
  }
  BOOST_TEST(debug_lines >= 7);  // every call is logged
  BOOST_TEST(lines.find("POST /crm/v8/coql -> 200") != std::string::npos, lines);
  // The simulator's access tokens are 1000.<32 hex>.<32 hex>: none may show, in the log or in
  // the cache, which holds them sealed (token_seal.h).
  const auto holds_access_token = [](const std::string& text) {
    return mask_credential_shapes(text) != text;
  };
  auto tokens = h.db->query("SELECT access_token FROM zoho_oauth_tokens");
  BOOST_TEST_REQUIRE(tokens.ok());
  const std::string cached = to_text(tokens->rows.at(0).at(0));
  BOOST_TEST(cached.starts_with("v1:"), cached);
  BOOST_TEST(!holds_access_token(cached), cached);
  BOOST_TEST(!holds_access_token(lines), lines);
  for (const char* key : {"client_id", "client_secret", "refresh_token"}) {
    const std::string secret = h.credentials[key].get<std::string>();
    BOOST_TEST(lines.find(secret) == std::string::npos, "a secret is in the log");
    BOOST_TEST(cached.find(secret) == std::string::npos, "a secret is in the cache");
  }
}

BOOST_AUTO_TEST_CASE(a_cached_token_in_clear_from_an_older_hades_is_replaced) {
  Harness h(generated_org().data);
  BOOST_TEST_REQUIRE(h.read(h.settings()).status.ok());
  WriteBatch clear;
  clear.add("UPDATE zoho_oauth_tokens SET access_token = '1000.0123456789abcdef.0123456789abcdef'");
  BOOST_TEST_REQUIRE(h.db->apply(clear).ok());
  check_vanillasoft_leads(h.read(h.settings()));
  BOOST_TEST(h.token_requests() == 2);  // the clear row was not used, and is sealed now
  auto tokens = h.db->query("SELECT access_token FROM zoho_oauth_tokens");
  BOOST_TEST(to_text(tokens->rows.at(0).at(0)).starts_with("v1:"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::zoho_source
