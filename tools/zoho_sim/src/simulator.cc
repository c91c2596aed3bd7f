// The request pipeline: routing, the accounts server, faults, authentication, credits, the
// request log and the /__sim control endpoints. The record APIs are in records_api.cc.

#include "simulator.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim_time.h"
#include "simulator_call.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;

constexpr std::string_view kHtml502 =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>ZGS</center>\r\n</body>\r\n"
    "</html>\r\n";

bool secret_param(std::string_view key) {
  return key == "client_id" || key == "client_secret" || key == "refresh_token" || key == "code" ||
         key == "token" || key == "access_token";
}

json redacted(const Params& params) {
  json out = json::object();
  for (const auto& [key, value] : params) {
    out[key] = secret_param(key) ? "#" + secret_hash(value) : value;
  }
  return out;
}

ApiError invalid_token() { return api_error(401, "INVALID_TOKEN", "invalid oauth token"); }

}  // namespace

SimResponse json_reply(int status, const json& body) {
  SimResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

SimResponse empty_reply(int status) {
  SimResponse response;
  response.status = status;
  return response;
}

const std::string* SimRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(),
                   [](char a, char b) { return (a | 0x20) == (b | 0x20); })) {
      return &value;
    }
  }
  return nullptr;
}

void InFlightSlot::release() {
  if (!counters_) return;
  std::lock_guard lock(counters_->mu);
  --counters_->api;
  if (coql_) --counters_->coql;
  counters_.reset();
}

std::unique_ptr<Simulator> Simulator::from_file(const std::string& path, SimulatorOptions options) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read data file " + path);
  json data;
  try {
    data = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error("data file " + path + " is not JSON: " + e.what());
  }
  return std::make_unique<Simulator>(data, std::move(options));
}

Simulator::Simulator(const json& data, SimulatorOptions options)
    : options_(std::move(options)),
      store_(Store::from_json(data)),
      tokens_(options_.oauth),
      log_(options_.request_log_path) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
  if (data.contains("oauth")) {
    for (const auto& client : data["oauth"].value("clients", json::array())) {
      tokens_.add_client(client.at("client_id"), client.at("client_secret"));
    }
    for (const auto& token : data["oauth"].value("refresh_tokens", json::array())) {
      tokens_.add_refresh_token(token.at("refresh_token"), token.at("client_id"));
    }
  }
  if (!options_.client_id.empty()) tokens_.add_client(options_.client_id, options_.client_secret);
  if (!options_.refresh_token.empty()) {
    tokens_.add_refresh_token(options_.refresh_token, options_.client_id);
  }
  last_stamp_ = store_.latest_modified();
}

Simulator::~Simulator() = default;

void Simulator::set_api_domain(std::string api_domain) {
  std::lock_guard lock(mu_);
  api_domain_ = std::move(api_domain);
}

std::int64_t Simulator::now() const {
  const auto since = options_.clock().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(since).count() + clock_offset_;
}

// Modified_Time for a change made now: never earlier than any Modified_Time already served, so
// a client's (Modified_Time, id) checkpoint stays a valid watermark.
std::int64_t Simulator::next_stamp() {
  last_stamp_ = std::max(last_stamp_, now());
  return last_stamp_;
}

std::string Simulator::stamp_text(std::int64_t epoch) const {
  return format_iso_datetime(epoch, store_.utc_offset_minutes());
}

SimResponse Simulator::handle(const SimRequest& request) {
  Call call(request);
  const std::string_view target = request.target;
  const auto question = target.find('?');
  call.path = percent_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) {
    parse_urlencoded(target.substr(question + 1), call.params);
  }
  std::lock_guard lock(mu_);
  ++seq_;
  const auto started = std::chrono::steady_clock::now();
  SimResponse response;
  try {
    response = route(call);
  } catch (const std::exception& e) {
    // A simulator bug must show up as a reply a test can read, not as a dropped connection.
    response = error(call, api_error(500, "INTERNAL_ERROR", "Internal Server Error",
                                     {{"simulator_error", e.what()}}));
  }
  call.handle_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  log(call, response);
  return response;
}

SimResponse Simulator::route(Call& call) {
  if (call.path.starts_with("/__sim/")) return handle_control(call);
  if (call.path == "/oauth/v2/token") return handle_token(call);
  if (call.path == "/oauth/v2/token/revoke") return handle_token_revoke(call);
  if (call.path.starts_with("/crm/")) return handle_api(call);
  return error(call, api_error(404, "INVALID_URL_PATTERN",
                               "Please check if the URL trying to access is a correct one"));
}

SimResponse Simulator::handle_token(Call& call) {
  call.kind = "token";
  call.token_request = true;
  ++token_requests_;
  SimResponse response;
  if (call.request.method != "POST") {
    call.token_outcome = "invalid_request";
    response = json_reply(405, {{"error", "invalid_request"}});
  } else {
    Params form = call.params;
    parse_form_body(call.request.header("Content-Type"), call.request.body, form);
    const TokenReply reply = tokens_.grant(form, now(), api_domain_);
    call.token_outcome = reply.outcome;
    call.client_hash = reply.client_hash;
    response = json_reply(reply.status, reply.body);
    const FaultSpec& f = options_.faults;
    ++fault_token_request_;
    if (reply.outcome == "granted" &&
        f.token_garbled.fires(f.seed, FaultKind::kTokenGarbled, fault_token_request_)) {
      // Cut short on the way: the token is in it, the JSON does not close.
      call.add_fault("token_garbled");
      response.body.resize(response.body.size() / 2 + 40);
    }
  }
  ++token_outcomes_[call.token_outcome];
  response.delay = options_.latency;
  return response;
}

SimResponse Simulator::handle_token_revoke(Call& call) {
  call.kind = "revoke";
  call.token_request = true;
  Params form = call.params;
  parse_form_body(call.request.header("Content-Type"), call.request.body, form);
  const auto it = form.find("token");
  if (it != form.end()) {
    call.client_hash = secret_hash(it->second);
    tokens_.revoke(it->second);
  }
  SimResponse response = json_reply(200, {{"status", "success"}});
  response.delay = options_.latency;
  return response;
}

// Fills in call.version, kind and module from /crm/v{N}/...; false for a URL Zoho would not
// recognise.
bool Simulator::classify_api(Call& call) {
  std::string_view rest = std::string_view(call.path).substr(5);
  int version = 0;
  const auto slash = rest.find('/');
  if (!rest.starts_with("v") || slash == std::string_view::npos ||
      std::from_chars(rest.data() + 1, rest.data() + slash, version).ptr != rest.data() + slash) {
    return false;
  }
  call.version = version;
  rest = rest.substr(slash + 1);
  if (version < 2 || version > 8 || rest.empty()) return false;
  if (rest == "coql") {
    call.kind = "coql";
  } else if (rest == "users" || rest == "org" || rest == "settings/modules") {
    // Real endpoints outside the scope every grant carries (token_service.cc): Zoho's SDKs call
    // them (the current user, the org, module metadata), so they must not look like modules.
    call.kind = "out_of_scope";
  } else if (rest == "settings/fields") {
    call.kind = "fields";
    if (const auto* m = call.param("module")) call.module = *m;
  } else if (rest.ends_with("/search") && rest.find('/') == rest.size() - 7) {
    call.kind = "search";
    call.module = std::string(rest.substr(0, rest.size() - 7));
  } else if (rest.find('/') == std::string_view::npos) {
    call.kind = "list";
    call.module = std::string(rest);
  } else {
    return false;
  }
  return true;
}

// The order mirrors a real front end: admission (concurrency, bursts, broken proxies) before
// authentication, authentication before credits, credits before work.
SimResponse Simulator::handle_api(Call& call) {
  call.api_call = true;
  call.call_index = ++api_calls_;
  ++fault_call_;
  if (!classify_api(call)) {
    return error(call, api_error(404, "INVALID_URL_PATTERN",
                                 "Please check if the URL trying to access is a correct one"));
  }
  SimResponse held;
  if (auto refused = inject_faults(call, held)) return std::move(*refused);
  if (auto refused = authenticate(call)) return std::move(*refused);
  const FaultSpec& faults = options_.faults;
  if (credits_used_ >= faults.credits) {
    call.add_fault("credits_exhausted");
    SimResponse response =
        error(call, api_error(429, "LIMIT_EXCEEDED",
                              "the API credits of the 24-hour window are exhausted",
                              {{"limit", faults.credits}, {"credits_remaining", 0}}));
    response.headers.emplace_back("X-API-CREDITS-REMAINING", "0");
    response.delay = options_.latency;
    return response;
  }
  SimResponse response = dispatch_api(call);
  if (response.status < 300 || response.status == 304) {
    credits_used_ += call.credits;
    tokens_.note_use(call.access_token);
  }
  if (faults.slow.fires(faults.seed, FaultKind::kSlow, fault_call_)) {
    call.add_fault("slow");
    response.delay += faults.slow_delay;
  }
  if (credits_used_ * 2 >= faults.credits) {
    const std::int64_t remaining = std::max<std::int64_t>(0, faults.credits - credits_used_);
    response.headers.emplace_back("X-API-CREDITS-REMAINING", std::to_string(remaining));
  }
  response.delay += options_.latency;
  response.slot = std::move(held.slot);
  return response;
}

std::optional<SimResponse> Simulator::inject_faults(Call& call, SimResponse& held) {
  const FaultSpec& f = options_.faults;
  const std::int64_t i = fault_call_;
  bool admitted = false;
  {
    std::lock_guard lock(in_flight_->mu);
    const bool coql = call.kind == "coql";
    admitted = in_flight_->api < f.concurrency && (!coql || in_flight_->coql < f.coql_concurrency);
    if (admitted) {
      ++in_flight_->api;
      in_flight_->coql += coql;
      in_flight_->peak = std::max(in_flight_->peak, in_flight_->api);
      held.slot = InFlightSlot(in_flight_, coql);
    }
  }
  const auto too_many = [&](std::string_view fault) {
    call.add_fault(fault);
    SimResponse r = error(call, api_error(429, "TOO_MANY_REQUESTS",
                                          "You have exceeded the number of concurrent requests"));
    r.delay = options_.latency;
    return r;
  };
  if (!admitted) return too_many("concurrency");
  SimResponse r;
  if (f.reset.fires(f.seed, FaultKind::kReset, i)) {
    call.add_fault("reset");
    r.reset = true;
    r.status = 0;
  } else if (f.http503_empty.fires(f.seed, FaultKind::kHttp503Empty, i)) {
    call.add_fault("http503_empty");
    r = empty_reply(503);
  } else if (f.http502_html.fires(f.seed, FaultKind::kHttp502Html, i)) {
    call.add_fault("http502_html");
    r.status = 502;
    r.headers.emplace_back("Content-Type", "text/html");
    r.body = kHtml502;
  } else if (f.http500.fires(f.seed, FaultKind::kHttp500, i)) {
    call.add_fault("http500");
    r = error(call, api_error(500, "INTERNAL_ERROR", "Internal Server Error"));
  } else if (f.echo_auth.fires(f.seed, FaultKind::kEchoAuth, i)) {
    call.add_fault("echo_auth");
    const std::string* auth = call.request.header("Authorization");
    const std::string echoed = auth == nullptr ? "" : *auth;
    r = error(call, api_error(400, "INVALID_REQUEST",
                              "the request could not be processed: Authorization: " + echoed,
                              {{"request_headers", {{"Authorization", echoed}}}}));
  } else if (f.burst429.fires(f.seed, FaultKind::kBurst429, i)) {
    return too_many("burst429");
  } else {
    return std::nullopt;
  }
  r.delay = options_.latency;
  r.slot = std::move(held.slot);
  return r;
}

std::optional<SimResponse> Simulator::authenticate(Call& call) {
  constexpr std::string_view kScheme = "Zoho-oauthtoken ";
  const std::string* header = call.request.header("Authorization");
  const auto refuse = [&](const ApiError& e) {
    SimResponse r = error(call, e);
    r.delay = options_.latency;
    return r;
  };
  if (header == nullptr || !header->starts_with(kScheme)) {
    // A missing header, or `Bearer`: Zoho wants its own scheme name.
    return refuse(api_error(401, "AUTHENTICATION_FAILURE", "Authentication failed"));
  }
  call.access_token = header->substr(kScheme.size());
  call.auth = secret_hash(call.access_token);
  const AccessCheck check = tokens_.check(call.access_token, now());
  if (check.state != AccessCheck::State::kValid) return refuse(invalid_token());
  const FaultSpec& f = options_.faults;
  if (f.token_expiry_every > 0 && check.uses >= f.token_expiry_every) {
    tokens_.expire(call.access_token);
    call.add_fault("token_expiry");
    return refuse(invalid_token());
  }
  if (f.storm401.fires(f.seed, FaultKind::kStorm401, fault_call_)) {
    call.add_fault("storm401");
    return refuse(invalid_token());
  }
  call.user = check.user;
  return std::nullopt;
}

SimResponse Simulator::error(Call& call, const ApiError& e) {
  call.error_code = e.code;
  return json_reply(e.status, e.body());
}

// ---- /__sim control endpoints ------------------------------------------------------------

SimResponse Simulator::handle_control(Call& call) {
  call.kind = "sim";
  json body = json::object();
  if (!call.request.body.empty()) {
    body = json::parse(call.request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return json_reply(400, {{"error", "the body must be a JSON object"}});
    }
  }
  const std::string what = call.path.substr(7);
  try {
    if (what == "stats") return json_reply(200, stats_locked());
    if (what == "record") return control_record(call);
    if (what == "modify" || what == "insert") return control_write(what, body);
    return control_state(what, body);
  } catch (const json::exception& e) {
    return json_reply(400, {{"error", std::string("bad request body: ") + e.what()}});
  }
}

SimResponse Simulator::control_record(const Call& call) {
  const std::string* name = call.param("module");
  const std::string* id = call.param("id");
  const Module* module = name == nullptr ? nullptr : store_.module(*name);
  const Record* record = module == nullptr || id == nullptr ? nullptr : module->find(*id);
  if (record == nullptr) return json_reply(404, {{"error", "no such record"}});
  json out = record->values;
  out["id"] = record->id;
  return json_reply(200, out);
}

// modify: {"module","id","fields":{...}[,"modified_time"]}; insert: {"module","record":{...}}.
// Either way Modified_Time becomes now (or the time given), as a change in Zoho would.
SimResponse Simulator::control_write(const std::string& what, const json& body) {
  Module* module = store_.module(body.value("module", std::string()));
  if (module == nullptr) return json_reply(400, {{"error", "unknown module"}});
  const json fields = body.value(what == "modify" ? "fields" : "record", json::object());
  for (const auto& [key, value] : fields.items()) {
    if (module->field(key) == nullptr || key == "id") {
      return json_reply(400, {{"error", "unknown field " + key}});
    }
  }
  Record* record = nullptr;
  if (what == "modify") {
    record = module->find(body.value("id", std::string()));
    if (record == nullptr) return json_reply(404, {{"error", "no such record"}});
  } else {
    Record fresh;
    fresh.id = store_.allocate_id();
    fresh.values = module->insert_template();
    module->append(std::move(fresh));
    record = &module->records().back();
    inserted_ids_[module->name()].push_back(record->id);
  }
  for (const auto& [key, value] : fields.items()) record->values[key] = value;
  const auto given = body.contains("modified_time")
                         ? parse_iso_datetime(body["modified_time"].get<std::string>())
                         : std::nullopt;
  const std::int64_t stamp = given ? *given : next_stamp();
  record->modified = stamp;
  record->values["Modified_Time"] = stamp_text(stamp);
  if (what == "insert") {
    record->created = stamp;
    record->values["Created_Time"] = stamp_text(stamp);
  }
  return json_reply(200, {{"id", record->id}, {"Modified_Time", stamp_text(stamp)}});
}

SimResponse Simulator::control_state(const std::string& what, const json& body) {
  if (what == "revoke") {
    const bool known = tokens_.revoke(body.value("refresh_token", std::string()));
    return json_reply(known ? 200 : 404, {{"revoked", known}});
  }
  if (what == "expire_tokens") {
    tokens_.expire_all_access_tokens();
    return json_reply(200, {{"expired", true}});
  }
  if (what == "expire_page_tokens") {
    for (auto& [token, cursor] : page_tokens_) cursor.expires_at = 0;
    return json_reply(200, {{"expired", page_tokens_.size()}});
  }
  if (what == "advance_clock") {
    clock_offset_ += body.value("seconds", std::int64_t{0});
    return json_reply(200, {{"now", stamp_text(now())}});
  }
  if (what == "faults") {
    FaultSpec spec;
    std::string why;
    if (!FaultSpec::parse(body.value("spec", std::string()), spec, why)) {
      return json_reply(400, {{"error", why}});
    }
    options_.faults = spec;
    fault_call_ = 0;
    fault_token_request_ = 0;
    return json_reply(200, {{"faults", spec.describe()}});
  }
  if (what == "reset_limits") {
    tokens_.reset_throttle();
    credits_used_ = 0;
    return json_reply(200, {{"reset", true}});
  }
  return json_reply(404, {{"error", "unknown control endpoint /__sim/" + what}});
}

// ---- log and stats -------------------------------------------------------------------------

void Simulator::log(const Call& call, const SimResponse& response) {
  ++status_counts_[std::to_string(response.status)];
  ++kind_counts_[call.kind];
  std::string_view faults = call.fault;
  while (!faults.empty()) {
    const auto plus = faults.find('+');
    ++fault_counts_[std::string(faults.substr(0, plus))];
    faults = plus == std::string_view::npos ? std::string_view() : faults.substr(plus + 1);
  }
  const auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json entry = {
      {"seq", seq_},
      {"ts", format_iso_datetime(now(), 0)},
      {"method", call.request.method},
      {"path", call.path},
      {"query", redacted(call.params)},
      {"kind", call.kind},
      {"module", or_null(call.module)},
      {"status", response.status},
      {"token_request", call.token_request},
      {"api_call", call.api_call},
      {"call", call.api_call ? json(call.call_index) : json(nullptr)},
      {"fault", or_null(call.fault)},
      {"auth", or_null(call.auth)},
      {"error", or_null(call.error_code)},
      {"rows", call.rows >= 0 ? json(call.rows) : json(nullptr)},
      {"credits", call.credits},
      {"delay_ms", response.delay.count()},
      {"handle_us", call.handle_us},
  };
  if (call.version > 0) entry["version"] = call.version;
  if (!call.select_query.empty()) entry["select_query"] = call.select_query;
  if (call.token_request) {
    entry["token_outcome"] = or_null(call.token_outcome);
    entry["client"] = or_null(call.client_hash);
  }
  log_.write(entry);
}

json Simulator::stats() const {
  std::lock_guard lock(mu_);
  return stats_locked();
}

json Simulator::stats_locked() const {
  json modules = json::object();
  for (const auto& name : store_.module_names())
    modules[name] = store_.module(name)->records().size();
  int in_flight = 0;
  int peak = 0;
  {
    std::lock_guard lock(in_flight_->mu);
    in_flight = in_flight_->api;
    peak = in_flight_->peak;
  }
  return {{"requests", seq_},
          {"api_calls", api_calls_},
          {"token_requests", token_requests_},
          {"tokens_issued", tokens_.issued()},
          {"live_access_tokens", tokens_.live_tokens(now())},
          {"token_outcomes", token_outcomes_},
          {"status_counts", status_counts_},
          {"kinds", kind_counts_},
          {"faults", fault_counts_},
          {"fault_spec", options_.faults.describe()},
          {"credits_used", credits_used_},
          {"credits_total", options_.faults.credits},
          {"in_flight", in_flight},
          {"in_flight_peak", peak},
          {"pages_served", pages_served_},
          {"mutations", mutations_},
          {"records_modified", records_modified_},
          {"inserted_ids", inserted_ids_},
          {"page_tokens", page_tokens_.size()},
          {"modules", modules},
          {"now", stamp_text(now())}};
}

}  // namespace hades::zoho_sim
