#include "zoho_source.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "hades/plugin_export.h"
#include "hades/redact.h"

namespace hades::zoho_source {

using nlohmann::json;

const SettingSpec kSettings[18] = {
    {"accounts_url", SettingType::kString, true, nullptr, false,
     "The Zoho accounts server of the org's data centre, e.g. `https://accounts.zoho.eu`; jobs "
     "pass `${env:ZOHO_ACCOUNTS_URL:-https://accounts.zoho.com}`."},
    {"api_url", SettingType::kString, false, nullptr, false,
     "The CRM API host, e.g. `https://www.zohoapis.eu`. Default: the `api_domain` of the token "
     "reply."},
    {"api_version", SettingType::kString, false, "v8", false,
     "The API version in every path: `v2` ... `v8`."},
    {"client_id", SettingType::kString, true, nullptr, true,
     "OAuth client id (`${env:ZOHO_CLIENT_ID}`)."},
    {"client_secret", SettingType::kString, true, nullptr, true,
     "OAuth client secret (`${env:ZOHO_CLIENT_SECRET}`)."},
    {"refresh_token", SettingType::kString, true, nullptr, true,
     "OAuth refresh token (`${env:ZOHO_REFRESH_TOKEN}`)."},
    {"module", SettingType::kString, true, nullptr, false,
     "The module's API name: `Leads`, `Deals`, `Deliveries`, ..."},
    {"fields", SettingType::kStringList, true, nullptr, false,
     "Field API names to read, at most 50; `X.name` gives lookup X's name (X alone gives its "
     "id). The output is `id`, these fields in order, then the cursor field if not listed."},
    {"criteria", SettingType::kString, false, nullptr, false,
     "coql only: a COQL WHERE fragment, e.g. `Lead_Source = 'VanillaSoft'`; one and/or per "
     "bracket level."},
    {"read_path", SettingType::kString, false, "coql", false,
     "`coql` (2,000 rows a call, keyset paging) or `records` (the list API with page tokens)."},
    {"converted", SettingType::kString, false, "false", false,
     "Converted leads: `false` (hidden, Zoho's default), `true` (only them) or `both`. On the "
     "coql path `true`/`both` add a `Converted__s` condition."},
    {"per_page", SettingType::kInt, false, "0", false,
     "Rows per call; 0 = the most the path allows: 2000 for coql, 200 for records."},
    {"cursor_field", SettingType::kString, false, "Modified_Time", false,
     "The date-time field rows are read in order of (then id) and the checkpoint holds; records "
     "path: `Modified_Time` or `Created_Time`."},
    {"max_attempts", SettingType::kInt, false, "8", false,
     "Tries per call on 429, 5xx, resets and timeouts, before the step fails."},
    {"backoff_base_ms", SettingType::kInt, false, "500", false,
     "The first retry waits up to this long; each later one up to twice as long (with jitter)."},
    {"backoff_max_ms", SettingType::kInt, false, "30000", false, "The cap on one retry wait."},
    {"request_timeout_ms", SettingType::kInt, false, "60000", false,
     "One request (connect, send, whole reply) must end by then, else it is retried."},
    {"token_table", SettingType::kString, false, "zoho_oauth_tokens", false,
     "The table in the job's database that caches access tokens across runs."},
};

namespace {

Status invalid(const std::string& message) {
  return Status::invalid_config("zoho_source: " + message);
}

bool is_identifier(std::string_view name) {
  const auto start = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  return !name.empty() && start(name.front()) && std::all_of(name.begin(), name.end(), [&](char c) {
    return start(c) || (c >= '0' && c <= '9');
  });
}

bool is_http_url(std::string_view url) {
  return (url.starts_with("http://") || url.starts_with("https://")) && !url.ends_with("/") &&
         is_printable_token(url);
}

std::string trim_slash(std::string url) {
  while (url.ends_with("/")) url.pop_back();
  return url;
}

Status check_range(const Settings& settings, const char* name, std::int64_t low, std::int64_t high,
                   std::int64_t* out) {
  *out = settings.get_int(name).value_or(0);
  if (*out < low || *out > high) {
    return invalid("`" + std::string(name) + "` must be from " + std::to_string(low) + " to " +
                   std::to_string(high) + ", got " + std::to_string(*out));
  }
  return Status::ok_status();
}

Status bind_client(const Settings& settings, ZohoClientConfig* client) {
  client->accounts_url = trim_slash(settings.get_string_or("accounts_url", ""));
  client->api_url = trim_slash(settings.get_string_or("api_url", ""));
  client->api_version = settings.get_string_or("api_version", "v8");
  client->client_id = settings.get_string_or("client_id", "");
  client->client_secret = settings.get_string_or("client_secret", "");
  client->refresh_token = settings.get_string_or("refresh_token", "");
  client->token_table = settings.get_string_or("token_table", "zoho_oauth_tokens");
  if (!is_http_url(client->accounts_url)) {
    return invalid("`accounts_url` must be an http(s) URL, got '" +
                   printable(client->accounts_url) + "'");
  }
  if (!client->api_url.empty() && !is_http_url(client->api_url)) {
    return invalid("`api_url` must be an http(s) URL, got '" + printable(client->api_url) + "'");
  }
  const std::string& v = client->api_version;
  if (v.size() != 2 || v[0] != 'v' || v[1] < '2' || v[1] > '8') {
    return invalid("`api_version` must be v2 ... v8, got '" + v + "'");
  }
  if (client->client_id.empty() || client->client_secret.empty() || client->refresh_token.empty()) {
    return invalid("`client_id`, `client_secret` and `refresh_token` must not be empty");
  }
  // A line break pasted with a credential (an env file with CRLF endings) would travel into the
  // token request; the value is never quoted, it is a secret.
  for (const auto& [name, value] : {std::pair{"client_id", &client->client_id},
                                    std::pair{"client_secret", &client->client_secret},
                                    std::pair{"refresh_token", &client->refresh_token}}) {
    if (!is_printable_token(*value)) {
      return invalid("`" + std::string(name) +
                     "` contains a space, a line break or another control character");
    }
  }
  if (!is_identifier(client->token_table)) {
    return invalid("`token_table` must be an identifier, got '" + client->token_table + "'");
  }
  std::int64_t value = 0;
  HADES_RETURN_IF_ERROR(check_range(settings, "max_attempts", 1, 100, &value));
  client->max_attempts = static_cast<int>(value);
  HADES_RETURN_IF_ERROR(check_range(settings, "backoff_base_ms", 1, 600'000, &value));
  client->backoff_base = std::chrono::milliseconds(value);
  HADES_RETURN_IF_ERROR(check_range(settings, "backoff_max_ms", 1, 3'600'000, &value));
  client->backoff_max = std::chrono::milliseconds(value);
  HADES_RETURN_IF_ERROR(check_range(settings, "request_timeout_ms", 100, 3'600'000, &value));
  client->request_timeout = std::chrono::milliseconds(value);
  return Status::ok_status();
}

// The hash a re-read record is compared by: every value but the cursor field.
std::size_t content_hash(const json& row, const std::string& cursor_field) {
  std::string text;
  for (const auto& [key, value] : row.items()) {
    if (key == cursor_field) continue;
    text += key;
    text += '=';
    text += value.is_string() ? value.get_ref<const std::string&>() : value.dump();
    text += '\n';
  }
  return std::hash<std::string>{}(text);
}

// The body of the POST /coql request for `page`. A cursor scanned from a raw reply by the read
// ahead may hold bytes that are not UTF-8 (the reply is parsed, and refused, only later):
// replaced, never thrown, since the read ahead runs on its own thread (found by
// fuzz_zoho_replies).
std::string coql_body(const CoqlPage& page) {
  return json{{"select_query", build_coql(page)}}.dump(-1, ' ', false,
                                                       json::error_handler_t::replace);
}

// The next COQL page's request body from a page's raw reply, by its hint (zoho_query.h): what
// fetch_coql() asks next when the parsed page agrees, so the read ahead is used.
ZohoClient::NextPageBody next_coql_page(CoqlPage page, std::string cursor_field) {
  return [page = std::move(page), cursor_field = std::move(cursor_field)](
             std::string_view reply) mutable -> std::optional<std::string> {
    const std::optional<PageHint> hint = scan_page_hint(reply, cursor_field);
    if (!hint) return std::nullopt;
    if (page.by_id) {
      page.after_id = hint->last_id;
    } else {
      if (hint->last_cursor.empty()) return std::nullopt;
      page.after = ZohoCursor{hint->last_cursor, hint->last_id};
    }
    return coql_body(page);
  };
}

std::string id_text(const json& row) {
  if (!row.is_object() || !row.contains("id")) return "";
  const json& id = row["id"];
  if (id.is_string()) return id.get<std::string>();
  if (id.is_number_unsigned() || id.is_number_integer()) return id.dump();
  return "";
}

}  // namespace

Result<ZohoSourceConfig> bind_config(const Settings& settings) {
  ZohoSourceConfig config;
  HADES_RETURN_IF_ERROR(bind_client(settings, &config.client));
  config.module = settings.get_string_or("module", "");
  if (!is_identifier(config.module)) {
    return invalid("`module` must be a module API name, got '" + config.module + "'");
  }
  config.cursor_field = settings.get_string_or("cursor_field", "Modified_Time");
  if (!is_identifier(config.cursor_field)) {
    return invalid("`cursor_field` must be a field API name, got '" + config.cursor_field + "'");
  }
  const std::vector<std::string> fields = settings.get_string_list("fields");
  if (fields.empty() || fields.size() > 50) {
    return invalid("`fields` must list 1 to 50 field API names, got " +
                   std::to_string(fields.size()));
  }
  auto plan = plan_fields(fields, config.cursor_field);
  if (!plan.ok()) return plan.status();
  config.fields = std::move(plan).value();
  if (config.fields.request.size() > 50) {
    return invalid("`fields` and the cursor field ask Zoho for " +
                   std::to_string(config.fields.request.size()) + " fields; at most 50");
  }
  config.criteria = settings.get_string_or("criteria", "");
  const std::string path = settings.get_string_or("read_path", "coql");
  if (path != "coql" && path != "records") {
    return invalid("`read_path` must be coql or records, got '" + path + "'");
  }
  config.read_path = path == "coql" ? ReadPath::kCoql : ReadPath::kRecords;
  config.converted = settings.get_string_or("converted", "false");
  if (config.converted != "false" && config.converted != "true" && config.converted != "both") {
    return invalid("`converted` must be false, true or both, got '" + config.converted + "'");
  }
  const bool coql = config.read_path == ReadPath::kCoql;
  if (!coql && !config.criteria.empty()) {
    return invalid("`criteria` needs read_path coql: the records API cannot filter");
  }
  if (!coql && config.cursor_field != "Modified_Time" && config.cursor_field != "Created_Time") {
    return invalid("read_path records sorts only by Modified_Time or Created_Time, not '" +
                   config.cursor_field + "'");
  }
  std::int64_t per_page = 0;
  HADES_RETURN_IF_ERROR(check_range(settings, "per_page", 0, coql ? 2000 : 200, &per_page));
  config.per_page = per_page != 0 ? static_cast<int>(per_page) : (coql ? 2000 : 200);
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  auto config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<ZohoSource>(std::move(config).value()));
}

ZohoSource::ZohoSource(ZohoSourceConfig config, std::unique_ptr<HttpClient> http)
    : config_(std::move(config)), http_(std::move(http)) {
  std::vector<std::string> columns = {"id"};
  for (const FieldColumn& c : config_.fields.columns) columns.push_back(c.column);
  schema_ = std::make_shared<const Schema>(std::move(columns));
}

Status ZohoSource::open(Context& ctx, std::string_view cursor) {
  auto decoded = decode_position(cursor);
  if (!decoded.ok()) return decoded.status();
  start_ = decoded->after;
  cursor_ = start_;
  walk_ = decoded->walk;
  if (!walk_ && !start_ && config_.read_path == ReadPath::kCoql) {
    walk_ = IdWalk{"",
                   std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count(),
                   std::nullopt};
  }
  fetched_.reset();
  fetched_id_.clear();
  pending_.clear();
  seen_.clear();
  done_ = false;
  next_page_ = 1;
  next_page_token_.clear();
  HttpClientOptions options;
  options.user_agent = "hades-zoho_source";
  client_ = std::make_unique<ZohoClient>(config_.client,
                                         http_ ? std::move(http_) : make_http_client(options), ctx);
  HADES_RETURN_IF_ERROR(client_->prepare());
  ctx.log().info("zoho_source: reading " + config_.module + " by " +
                 (config_.read_path == ReadPath::kCoql ? "COQL" : "the records API") +
                 (start_ ? " after " + start_->modified + " id " + start_->id
                  : walk_ && !walk_->after_id.empty() ? " in id order after id " + walk_->after_id
                  : walk_                             ? " in id order from the start"
                                                      : " from the start"));
  return Status::ok_status();
}

std::string ZohoSource::cursor() const {
  if (!walk_) return encode_cursor(cursor_);
  // A finished walk hands on its watermark; an unfinished one continues after its last id.
  if (done_ && pending_.empty()) return encode_cursor(walk_watermark(*walk_));
  return encode_position(Position{std::nullopt, walk_});
}

Result<bool> ZohoSource::read(std::size_t max_rows, Chunk* out, Rejects& rejects) {
  while (out->size() < max_rows) {
    if (pending_.empty()) {
      if (done_) return false;
      HADES_RETURN_IF_ERROR(fetch_page());
      continue;
    }
    take(pending_.front(), out, rejects);
    pending_.pop_front();
  }
  return !(done_ && pending_.empty());
}

void ZohoSource::take(const json& row, Chunk* out, Rejects& rejects) {
  const std::string id = id_text(row);
  const std::string position = config_.module + " id=" + (id.empty() ? "?" : id);
  const json* modified =
      row.is_object() && row.contains(config_.cursor_field) ? &row[config_.cursor_field] : nullptr;
  if (walk_ && !id.empty()) walk_->after_id = id;  // passed, even if rejected below
  if (id.empty() || modified == nullptr || !modified->is_string() ||
      !parse_instant(modified->get<std::string>())) {
    rejects.reject(position, "the record has no id or no date-time in " + config_.cursor_field,
                   row.dump());
    return;
  }
  const ZohoCursor key{modified->get<std::string>(), id};
  if (walk_) {
    if (!walk_->high || compare_cursors(key, *walk_->high) > 0) walk_->high = key;
  } else {
    if (!cursor_ || compare_cursors(key, *cursor_) > 0) cursor_ = key;
    // A resumed records walk starts a second early (If-Modified-Since is exclusive).
    if (start_ && compare_cursors(key, *start_) <= 0) return;
  }
  // Ids only grow in an id walk; in cursor-field order a changed record comes round again.
  if (!walk_) {
    const std::size_t hash = content_hash(row, config_.cursor_field);
    if (const auto [it, inserted] = seen_.emplace(id, hash); !inserted) {
      if (it->second == hash) return;  // only moved in the order: already handed out
      it->second = hash;
    }
  }
  Row values;
  values.reserve(schema_->size());
  values.emplace_back(id);
  for (const FieldColumn& c : config_.fields.columns) {
    const auto field = row.find(c.api_name);
    values.push_back(field != row.end() ? to_value(*field, c.lookup_name) : Value(Null{}));
  }
  out->append(std::move(values), position);
}

Status ZohoSource::fetch_page() {
  if (client_ == nullptr) return Status::internal("zoho_source: read() before open()");
  ++data_calls_;
  return config_.read_path == ReadPath::kCoql ? fetch_coql() : fetch_records();
}

Status ZohoSource::fetch_coql() {
  CoqlPage page{config_.module,
                config_.fields.request,
                config_.criteria,
                config_.converted,
                config_.cursor_field,
                fetched_ ? fetched_ : start_,
                config_.per_page,
                walk_.has_value(),
                fetched_id_.empty() && walk_ ? walk_->after_id : fetched_id_};
  const std::string body = coql_body(page);
  auto reply = client_->call("POST", "coql", body);
  if (!reply.ok()) return reply.status();
  if (reply->body.is_null()) {
    done_ = true;
    return Status::ok_status();
  }
  const std::optional<ZohoCursor> before = page.after;
  HADES_RETURN_IF_ERROR(accept_page(std::move(reply->body)));
  const bool stuck = walk_ ? !page.after_id.empty() && compare_ids(fetched_id_, page.after_id) <= 0
                           : before && fetched_ && compare_cursors(*fetched_, *before) <= 0;
  if (!done_ && stuck) {
    return Status::remote("zoho_source: COQL returned a page that does not move past " +
                          (walk_ ? "id " + page.after_id : before->modified + " id " + before->id));
  }
  if (!done_) {
    // The next pages' round trips overlap with parsing and handing out this one.
    page.after = fetched_;
    page.after_id = fetched_id_;
    const std::string next = coql_body(page);
    client_->read_ahead("POST", "coql", next,
                        next_coql_page(std::move(page), config_.cursor_field));
  }
  return Status::ok_status();
}

Status ZohoSource::fetch_records() {
  std::string fields;
  for (const std::string& f : config_.fields.request) fields += (fields.empty() ? "" : ",") + f;
  std::string query = config_.module + "?fields=" + url_encode(fields) +
                      "&per_page=" + std::to_string(config_.per_page) +
                      "&sort_by=" + config_.cursor_field +
                      "&sort_order=asc&converted=" + config_.converted;
  // `page` reaches the first 2,000 records; past them only `page_token` (never both) does.
  if (next_page_ * config_.per_page <= 2000) {
    query += "&page=" + std::to_string(next_page_);
  } else if (!next_page_token_.empty()) {
    query += "&page_token=" + url_encode(next_page_token_);
  } else {
    return Status::remote("zoho_source: " + config_.module +
                          ": more records past 2,000 but no next_page_token to reach them");
  }
  HttpHeaders headers;
  if (start_) headers.emplace_back("If-Modified-Since", shift_instant(start_->modified, -1));
  auto reply = client_->call("GET", query, "", headers);
  if (!reply.ok()) return reply.status();
  if (reply->body.is_null()) {
    done_ = true;
    return Status::ok_status();
  }
  ++next_page_;
  const json& info = reply->body.contains("info") ? reply->body["info"] : json();
  next_page_token_ =
      info.is_object() && info.contains("next_page_token") && info["next_page_token"].is_string()
          ? info["next_page_token"].get<std::string>()
          : "";
  return accept_page(std::move(reply->body));
}

Status ZohoSource::accept_page(json body) {
  if (!body.contains("data") || !body["data"].is_array()) {
    return Status::remote("zoho_source: " + config_.module + ": a reply without a data array");
  }
  const json& info = body.contains("info") ? body["info"] : json();
  // Typed: json::value() throws when Zoho (or a proxy) sends another type (found by
  // fuzz_zoho_replies); anything but `true` means no more records.
  const bool more = info.is_object() && info.contains("more_records") &&
                    info["more_records"].is_boolean() && info["more_records"].get<bool>();
  json& data = body["data"];
  if (data.empty() || !more) done_ = true;
  for (json& row : data) pending_.push_back(std::move(row));
  if (done_) return Status::ok_status();
  const json& last = pending_.back();
  const std::string id = id_text(last);
  if (walk_) {
    if (id.empty()) {
      return Status::remote("zoho_source: " + config_.module +
                            ": the last record of a page has no id to continue after");
    }
    fetched_id_ = id;
    return Status::ok_status();
  }
  const json& modified =
      last.is_object() && last.contains(config_.cursor_field) ? last[config_.cursor_field] : json();
  if (id.empty() || !modified.is_string() || !parse_instant(modified.get<std::string>())) {
    return Status::remote("zoho_source: " + config_.module + ": the last record of a page has no " +
                          config_.cursor_field + " to continue after");
  }
  fetched_ = ZohoCursor{modified.get<std::string>(), id};
  return Status::ok_status();
}

}  // namespace hades::zoho_source

HADES_PLUGIN(zoho_source, "1.0.0", hades::PluginKind::kSource,
             "reads one module of a Zoho CRM org (COQL or the records API), resumable by "
             "Modified_Time and id",
             hades::zoho_source::kSettings, hades::zoho_source::create)
