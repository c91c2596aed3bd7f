#include "hrana_database.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hades/redact.h"

namespace hades {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr std::string_view kGuardTable = "hades_commit_guard";
// A resend can come at most a few minutes after the first try; a day is a wide margin.
constexpr std::chrono::hours kGuardRetention{24};
constexpr std::size_t kSqlInMessage = 200;

// ---- values -------------------------------------------------------------------------------

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF. JSON (and so Hrana)
// can only carry such text.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The sequence length, the smallest code point it may encode, and the lead byte's bits.
    std::size_t extra = 0;
    std::uint32_t min = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      min = 0x80;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      min = 0x800;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Result<json> encode_value(const Value& v) {
  if (is_null(v)) return json{{"type", "null"}};
  if (const bool* b = std::get_if<bool>(&v)) {
    return json{{"type", "integer"}, {"value", *b ? "1" : "0"}};
  }
  if (const std::int64_t* n = std::get_if<std::int64_t>(&v)) {
    // A JSON number would fail the whole request (HTTP 400): Hrana integers are strings.
    return json{{"type", "integer"}, {"value", std::to_string(*n)}};
  }
  if (const double* d = std::get_if<double>(&v)) {
    if (std::isnan(*d)) return json{{"type", "null"}};  // what SQLite itself stores for NaN
    if (std::isinf(*d)) {
      return Status::invalid_config("an infinite float cannot be sent over Hrana (JSON has none)");
    }
    return json{{"type", "float"}, {"value", *d}};
  }
  const std::string& text = std::get<std::string>(v);
  if (!valid_utf8(text)) return Status::invalid_config("a text value is not valid UTF-8");
  return json{{"type", "text"}, {"value", text}};
}

Result<json> encode_stmt(std::string_view sql, const std::vector<Value>& args, bool want_rows) {
  json encoded = json::array();
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto value = encode_value(args[i]);
    if (!value.ok()) return value.status().with_context("argument " + std::to_string(i + 1));
    encoded.push_back(std::move(value).value());
  }
  return json{{"sql", sql}, {"args", std::move(encoded)}, {"want_rows", want_rows}};
}

std::optional<std::string> base64_decode(std::string_view in) {
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);  // sqld sends it unpadded
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = sextet(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// `what` may quote the reply (a JSON parse error shows the bytes it stopped at): it is shown only
// through quote_body(), masked and short.
Status malformed(const std::string& what, std::span<const std::string> secrets = {}) {
  return Status::remote("malformed reply from the database: " + quote_body(what, secrets),
                        /*retryable=*/false);
}

// Blobs become strings holding their bytes, as the SQLite backend returns them.
Result<Value> decode_value(const json& j) {
  const std::string type = j.value("type", "");
  if (type == "null") return Value(Null{});
  if (type == "integer") {
    const std::string text = j.at("value").get<std::string>();
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return malformed("integer '" + text.substr(0, 40) + "'");
    }
    return Value(n);
  }
  if (type == "float") {
    const json& value = j.at("value");
    if (value.is_null()) return Value(Null{});  // sqld sends non-finite floats as null
    return Value(value.get<double>());
  }
  if (type == "text") return Value(j.at("value").get<std::string>());
  if (type == "blob") {
    auto bytes = base64_decode(j.value("base64", ""));
    if (!bytes) return malformed("blob base64");
    return Value(std::move(*bytes));
  }
  return malformed("value type '" + type + "'");
}

// ---- errors -------------------------------------------------------------------------------

bool retryable_code(std::string_view code) {
  return code.starts_with("SQLITE_BUSY") || code.starts_with("SQLITE_LOCKED") ||
         code == "TRANSACTION_TIMEOUT" || code == "STREAM_EXPIRED";
}

// A Hrana error object {"message", "code"} as a Status.
Status sql_error(const json& error, std::string_view sql) {
  const std::string code = error.value("code", "");
  // The server's words, masked and cut short like any reply quoted in a message.
  std::string message = (code.empty() ? "" : quote_body(code, {}, 60) + ": ") +
                        quote_body(error.value("message", "unknown error"));
  if (!sql.empty()) message += " in: " + std::string(sql.substr(0, kSqlInMessage));
  if (retryable_code(code)) return Status::remote("database is busy: " + message, true);
  if (code.starts_with("SQLITE_CORRUPT") || code.starts_with("SQLITE_NOTADB")) {
    return Status::corruption(message);
  }
  return Status::remote(message, /*retryable=*/false);
}

// What a message shows of an error reply: its `error` or `message`, else the body, masked (a
// proxy's error page may echo the request's Authorization header) and cut short.
std::string error_text(const HttpResponse& reply, std::span<const std::string> secrets) {
  const json body = json::parse(reply.body, nullptr, false);
  if (body.is_object()) {
    for (const char* key : {"error", "message"}) {
      if (body.contains(key) && body[key].is_string()) {
        return quote_body(body[key].get<std::string>(), secrets);
      }
    }
  }
  return quote_body(reply.body, secrets);
}

// Non-200 replies. Only 200 carries results.
Status http_error(const HttpResponse& reply, std::span<const std::string> secrets) {
  const std::string text = error_text(reply, secrets);
  const std::string status = "HTTP " + std::to_string(reply.status);
  if (reply.status == 401 || reply.status == 403) {
    return Status::invalid_config("the auth token was refused (" + status + "): " + text +
                                  (reply.status == 403 ? "; a read-only token cannot write" : "") +
                                  "; check TURSO_AUTH_TOKEN or HADES_DB_TOKEN_FILE");
  }
  if (reply.status == 429 || (reply.status >= 502 && reply.status <= 504)) {
    return Status::remote("database unavailable (" + status + "): " + text, /*retryable=*/true);
  }
  if (reply.status == 400 && reply.body.find("STREAM_EXPIRED") != std::string::npos) {
    return Status::remote("stream expired (" + status + "): " + text, /*retryable=*/true);
  }
  return Status::remote("the database refused the request (" + status + "): " + text, false);
}

// ---- the backend --------------------------------------------------------------------------

std::string random_hex(std::mt19937_64& rng) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

// Ids sort by time (13-digit milliseconds first), so old ones go with one range delete.
std::string time_key(Clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  char buf[24];
  std::snprintf(buf, sizeof buf, "%013lld", static_cast<long long>(ms.count()));
  return buf;
}

bool same_statements(const std::vector<Statement>& a, const std::vector<Statement>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.sql == y.sql && x.args == y.args;
  });
}

json step(json stmt, std::optional<std::size_t> after) {
  json s{{"stmt", std::move(stmt)}};
  if (after) s["condition"] = {{"type", "ok"}, {"step", *after}};
  return s;
}

json plain_stmt(std::string_view sql) { return json{{"sql", sql}, {"want_rows", false}}; }

// Where the parts of a batch request sit among its steps.
struct BatchLayout {
  std::size_t guard = 0;  // the step inserting the guard id
  std::size_t first = 0;  // the first of the caller's statements
  std::size_t commit = 0;
};

class HranaDatabase final : public Database {
 public:
  HranaDatabase(HranaOptions options, std::unique_ptr<HttpClient> client)
      : options_(std::move(options)), client_(std::move(client)), rng_(std::random_device{}()) {}

  Result<QueryResult> query(std::string_view sql, const std::vector<Value>& args) override {
    auto stmt = encode_stmt(sql, args, /*want_rows=*/true);
    if (!stmt.ok()) return stmt.status();
    const json requests = json::array(
        {{{"type", "execute"}, {"stmt", std::move(stmt).value()}}, {{"type", "close"}}});
    Result<QueryResult> out = Status::internal("no attempt made");
    for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
      if (attempt > 0) backoff(attempt);
      out = query_once(requests, sql);
      if (out.ok() || !out.status().retryable()) return out;
    }
    return out;
  }

  Status apply(const WriteBatch& batch) override {
    if (batch.empty()) return Status::ok_status();
    // The same batch again after a retryable failure may have committed then: same guard id.
    const bool resend = pending_ && same_statements(pending_->statements, batch.statements());
    const std::string id = resend ? pending_->id : time_key(Clock::now()) + "-" + random_hex(rng_);
    BatchLayout layout;
    auto body = batch_body(batch, id, layout);
    if (!body.ok()) return body.status();
    Status status;
    for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
      if (attempt > 0) backoff(attempt);
      status = apply_once(*body, batch, layout);
      if (status.ok() || !status.retryable()) break;
    }
    if (status.ok()) guard_ready_ = true;
    if (status.retryable()) {
      pending_ = Pending{batch.statements(), id};
    } else {
      pending_.reset();
    }
    return status;
  }

  std::string backend() const override { return "libsql"; }

 private:
  struct Pending {
    std::vector<Statement> statements;
    std::string id;
  };

  void backoff(int attempt) {
    const double base = std::min<double>(
        static_cast<double>(options_.max_backoff.count()),
        static_cast<double>(options_.initial_backoff.count()) * std::pow(2.0, attempt - 1));
    // Jitter: two clients that failed together do not retry together.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(base * jitter(rng_)));
  }

  // One round trip; the parsed reply of a 200, or why there is none.
  Result<json> round_trip(const std::string& body) {
    HttpRequest request;
    request.method = "POST";
    request.url = options_.url + "/v2/pipeline";
    // No Accept-Encoding: sqld would answer gzip.
    request.headers.emplace_back("Content-Type", "application/json");
    if (!options_.auth_token.empty()) {
      request.headers.emplace_back("Authorization", "Bearer " + options_.auth_token);
    }
    request.body = body;
    request.timeout = options_.timeout;
    auto reply = client_->send(request);
    if (!reply.ok()) return reply.status();
    const std::vector<std::string> secrets = {options_.auth_token};
    if (reply->status != 200) return http_error(*reply, secrets);
    try {
      json parsed = json::parse(reply->body);
      if (!parsed.is_object() || !parsed.contains("results") || !parsed["results"].is_array() ||
          parsed["results"].empty()) {
        return malformed("no results");
      }
      return parsed;
    } catch (const json::exception& e) {
      return malformed(e.what(), secrets);
    }
  }

  Result<QueryResult> query_once(const json& requests, std::string_view sql) {
    auto reply = round_trip(json{{"baton", nullptr}, {"requests", requests}}.dump());
    if (!reply.ok()) return reply.status();
    try {
      const json& first = (*reply)["results"][0];
      if (first.value("type", "") != "ok") return sql_error(first.at("error"), sql);
      const json& result = first.at("response").at("result");
      QueryResult out;
      for (const json& col : result.at("cols")) {
        out.columns.push_back(col.value("name", ""));
      }
      for (const json& row : result.at("rows")) {
        std::vector<Value> values;
        values.reserve(row.size());
        for (const json& cell : row) {
          auto v = decode_value(cell);
          if (!v.ok()) return v.status();
          values.push_back(std::move(v).value());
        }
        out.rows.push_back(std::move(values));
      }
      return out;
    } catch (const json::exception& e) {
      return malformed(e.what());
    }
  }

  Result<std::string> batch_body(const WriteBatch& batch, const std::string& id,
                                 BatchLayout& layout) {
    json steps = json::array();
    steps.push_back(step(plain_stmt("BEGIN IMMEDIATE"), std::nullopt));
    if (!guard_ready_) {
      steps.push_back(step(plain_stmt("CREATE TABLE IF NOT EXISTS " + std::string(kGuardTable) +
                                      " (id TEXT PRIMARY KEY) WITHOUT ROWID"),
                           steps.size() - 1));
    }
    layout.guard = steps.size();
    auto guard = encode_stmt("INSERT INTO " + std::string(kGuardTable) + " (id) VALUES (?)",
                             {Value(id)}, false);
    steps.push_back(step(std::move(guard).value(), steps.size() - 1));
    layout.first = steps.size();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const Statement& s = batch.statements()[i];
      auto stmt = encode_stmt(s.sql, s.args, /*want_rows=*/false);
      if (!stmt.ok()) return stmt.status().with_context("statement " + std::to_string(i));
      steps.push_back(step(std::move(stmt).value(), steps.size() - 1));
    }
    auto prune = encode_stmt("DELETE FROM " + std::string(kGuardTable) + " WHERE id < ?",
                             {Value(time_key(Clock::now() - kGuardRetention))}, false);
    steps.push_back(step(std::move(prune).value(), steps.size() - 1));
    layout.commit = steps.size();
    steps.push_back(step(plain_stmt("COMMIT"), steps.size() - 1));
    steps.push_back(json{
        {"stmt", plain_stmt("ROLLBACK")},
        {"condition", {{"type", "not"}, {"cond", {{"type", "ok"}, {"step", layout.commit}}}}}});
    const json requests = json::array(
        {{{"type", "batch"}, {"batch", {{"steps", std::move(steps)}}}}, {{"type", "close"}}});
    return json{{"baton", nullptr}, {"requests", requests}}.dump();
  }

  Status apply_once(const std::string& body, const WriteBatch& batch, const BatchLayout& layout) {
    auto reply = round_trip(body);
    if (!reply.ok()) return reply.status();
    try {
      const json& first = (*reply)["results"][0];
      if (first.value("type", "") != "ok") {
        return sql_error(first.at("error"), "").with_context("the batch was refused");
      }
      const json& result = first.at("response").at("result");
      const json& errors = result.at("step_errors");
      const json& results = result.at("step_results");
      for (std::size_t i = 0; i < errors.size(); ++i) {
        if (errors[i].is_null()) continue;
        return step_failure(i, errors[i], batch, layout);
      }
      if (results.size() <= layout.commit || results[layout.commit].is_null()) {
        return Status::remote("the batch did not commit and the database gave no reason", false);
      }
      return Status::ok_status();
    } catch (const json::exception& e) {
      return malformed(e.what());
    }
  }

  Status step_failure(std::size_t i, const json& error, const WriteBatch& batch,
                      const BatchLayout& layout) {
    const std::string code = error.value("code", "");
    if (i == layout.guard && code.starts_with("SQLITE_CONSTRAINT")) {
      // This batch's id is already stored: an earlier send committed and its reply was lost.
      return Status::ok_status();
    }
    if (i >= layout.first && i < layout.first + batch.size()) {
      const std::size_t index = i - layout.first;
      return sql_error(error, batch.statements()[index].sql)
          .with_context("statement " + std::to_string(index));
    }
    if (i == 0) return sql_error(error, "BEGIN IMMEDIATE");
    if (i == layout.commit) return sql_error(error, "COMMIT");
    return sql_error(error, "").with_context("HADES' commit guard (" + std::string(kGuardTable) +
                                             ")");
  }

  HranaOptions options_;
  std::unique_ptr<HttpClient> client_;
  std::mt19937_64 rng_;
  bool guard_ready_ = false;
  std::optional<Pending> pending_;
};

}  // namespace

Result<std::unique_ptr<Database>> open_hrana_database(HranaOptions options,
                                                      std::unique_ptr<HttpClient> client) {
  std::string& url = options.url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status::invalid_config("database URL must be http:// or https://");
  }
  while (url.ends_with("/")) url.pop_back();
  const auto host_start = url.find("://") + 3;
  if (url.find('/', host_start) != std::string::npos || url.size() == host_start) {
    return Status::invalid_config("database URL must be scheme://host[:port] with no path");
  }
  if (options.max_attempts < 1) options.max_attempts = 1;
  if (!client) client = make_http_client(options.http);
  return std::unique_ptr<Database>(
      std::make_unique<HranaDatabase>(std::move(options), std::move(client)));
}

}  // namespace hades
