// The record APIs: list records (page / page_token), search, COQL and field metadata, plus the
// records-modified-between-pages fault.

#include <algorithm>
#include <charconv>
#include <sstream>

#include "coql.h"
#include "criteria.h"
#include "query.h"
#include "sim_time.h"
#include "simulator.h"
#include "simulator_call.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxPerPage = 200;
constexpr std::int64_t kDiscretePageLimit = 2000;
constexpr std::int64_t kPageTokenLimit = 100000;
constexpr std::int64_t kSearchLimit = 2000;
constexpr std::size_t kMaxFields = 50;

ApiError invalid_data(std::string message, json details) {
  return api_error(400, "INVALID_DATA", std::move(message), std::move(details));
}

ApiError missing_param(std::string_view name) {
  return api_error(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing",
                   {{"param", name}});
}

std::optional<std::int64_t> parse_int(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// The comma-separated `fields` parameter, checked against the module.
std::variant<std::vector<std::string>, ApiError> parse_fields(const std::string& text,
                                                              const Module& module) {
  std::vector<std::string> fields;
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty() && std::find(fields.begin(), fields.end(), name) == fields.end()) {
      fields.push_back(name);
    }
  }
  if (fields.empty()) return missing_param("fields");
  if (fields.size() > kMaxFields) {
    return api_error(400, "LIMIT_EXCEEDED", "at most 50 fields can be requested",
                     {{"limit", kMaxFields}, {"param", "fields"}});
  }
  for (const auto& field : fields) {
    if (module.field(field) == nullptr) {
      return invalid_data("invalid field name", {{"api_name", field}, {"param", "fields"}});
    }
  }
  return fields;
}

json record_json(const Record& record, const std::vector<std::string>& fields) {
  json out = {{"id", record.id}};
  for (const auto& name : fields) {
    if (name == "id") continue;
    const auto it = record.values.find(name);
    out[name] = it == record.values.end() ? json(nullptr) : *it;
  }
  return out;
}

// converted=false|true|both against a record (modules without Converted__s ignore it).
bool converted_visible(const Record& record, const std::string& converted) {
  if (converted == "both") return true;
  const bool is_converted = record.values.value("Converted__s", false);
  return converted == "true" ? is_converted : !is_converted;
}

struct PagingParams {
  std::int64_t per_page = kMaxPerPage;
  std::int64_t page = 1;
  std::string converted = "false";
};

// per_page (clamped to 200), page and converted, shared by list and search.
std::optional<ApiError> read_paging(const Params& params, PagingParams& out) {
  if (const auto it = params.find("per_page"); it != params.end()) {
    const auto value = parse_int(it->second);
    if (!value || *value < 1) return invalid_data("invalid per_page", {{"param", "per_page"}});
    out.per_page = std::min(*value, kMaxPerPage);
  }
  if (const auto it = params.find("page"); it != params.end()) {
    const auto value = parse_int(it->second);
    if (!value || *value < 1) return invalid_data("invalid page", {{"param", "page"}});
    out.page = *value;
  }
  if (const auto it = params.find("converted"); it != params.end()) {
    if (it->second != "true" && it->second != "false" && it->second != "both") {
      return invalid_data(
          "invalid value for converted",
          {{"param", "converted"}, {"supported_values", {"true", "false", "both"}}});
    }
    out.converted = it->second;
  }
  return std::nullopt;
}

struct ListParams {
  std::vector<std::string> fields;
  PagingParams paging;
  std::string sort_by = "id";
  std::string sort_order = "desc";
  std::string ims_header;  // as sent, "" when absent
  std::optional<std::int64_t> ims;
};

// Validates everything of a list request but the page token.
std::variant<ListParams, ApiError> read_list_params(const Params& params, const SimRequest& request,
                                                    const Module& module) {
  ListParams p;
  const auto fields = params.find("fields");
  if (fields == params.end()) return missing_param("fields");
  auto parsed = parse_fields(fields->second, module);
  if (auto* e = std::get_if<ApiError>(&parsed)) return *e;
  p.fields = std::get<0>(std::move(parsed));
  if (params.count("page_token") && params.count("page")) {
    return api_error(400, "AMBIGUITY_DURING_PROCESSING",
                     "page and page_token cannot be used together",
                     {{"ambiguity_due_to", {"page", "page_token"}}});
  }
  if (auto e = read_paging(params, p.paging)) return *e;
  if (const auto it = params.find("sort_by"); it != params.end()) p.sort_by = it->second;
  if (const auto it = params.find("sort_order"); it != params.end()) p.sort_order = it->second;
  if (p.sort_by != "id" && p.sort_by != "Created_Time" && p.sort_by != "Modified_Time") {
    return invalid_data(
        "invalid sort_by",
        {{"param", "sort_by"}, {"supported_values", {"id", "Created_Time", "Modified_Time"}}});
  }
  if (p.sort_order != "asc" && p.sort_order != "desc") {
    return invalid_data("invalid sort_order",
                        {{"param", "sort_order"}, {"supported_values", {"asc", "desc"}}});
  }
  if (const std::string* header = request.header("If-Modified-Since")) {
    p.ims_header = *header;
    p.ims = parse_any_datetime(*header);
    if (!p.ims) return invalid_data("invalid If-Modified-Since", {{"header", "If-Modified-Since"}});
  }
  return p;
}

// The records a list request walks through, in its order: converted and If-Modified-Since
// filters applied (modified strictly after the header's time).
std::vector<const Record*> visible_rows(const Module& module, const ListParams& p) {
  std::vector<const Record*> rows;
  for (const Record& record : module.records()) {
    if (!converted_visible(record, p.paging.converted)) continue;
    if (p.ims && record.modified <= *p.ims) continue;
    rows.push_back(&record);
  }
  if (p.sort_by != "id") {
    const bool by_created = p.sort_by == "Created_Time";
    std::stable_sort(rows.begin(), rows.end(), [by_created](const Record* a, const Record* b) {
      return by_created ? a->created < b->created : a->modified < b->modified;
    });
  }
  if (p.sort_order == "desc") std::reverse(rows.begin(), rows.end());
  return rows;
}

}  // namespace

SimResponse Simulator::dispatch_api(Call& call) {
  if (call.kind == "coql") return coql(call);
  if (call.kind == "fields") return field_metadata(call);
  if (call.kind == "out_of_scope") {
    return error(call,
                 api_error(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL"));
  }
  const Module* module = store_.module(call.module);
  if (module == nullptr) {
    return error(call,
                 api_error(400, "INVALID_MODULE", "the module name given seems to be invalid"));
  }
  if (call.request.method != "GET") {
    return error(call, api_error(405, "INVALID_REQUEST_METHOD",
                                 "The http request method type is not a valid one"));
  }
  call.credits = 1;
  return call.kind == "search" ? search_records(call, *module) : list_records(call, *module);
}

std::string Simulator::new_page_token(const std::string& signature, const std::string& module,
                                      std::int64_t offset) {
  if (page_tokens_.size() > 200000) {
    std::erase_if(page_tokens_,
                  [this](const auto& item) { return item.second.expires_at <= now(); });
  }
  ++page_token_seq_;
  std::ostringstream token;
  token << std::hex
        << deterministic_bits(options_.faults.seed, 404,
                              static_cast<std::uint64_t>(page_token_seq_))
        << std::dec << page_token_seq_;
  page_tokens_[token.str()] =
      PageCursor{signature, module, offset, now() + options_.page_token_ttl.count()};
  return token.str();
}

SimResponse Simulator::list_records(Call& call, const Module& module) {
  auto parsed = read_list_params(call.params, call.request, module);
  if (auto* e = std::get_if<ApiError>(&parsed)) return error(call, *e);
  ListParams& p = std::get<ListParams>(parsed);
  // A page token is bound to the user and to every other parameter of the request (`page`
  // aside: the token from page 10 is how a client gets past record 2,000).
  std::string signature = "v" + std::to_string(call.version) + "|" + module.name() + "|" +
                          call.user + "|ims=" + p.ims_header;
  for (const auto& [key, value] : call.params) {
    if (key != "page_token" && key != "page") {
      signature.append("|").append(key).append("=").append(value);
    }
  }
  std::int64_t offset = (p.paging.page - 1) * p.paging.per_page;
  if (const std::string* token = call.param("page_token")) {
    auto resolved = token_offset(*token, signature);
    if (auto* e = std::get_if<ApiError>(&resolved)) return error(call, *e);
    offset = std::get<std::int64_t>(resolved);
  } else if (p.paging.page * p.paging.per_page > kDiscretePageLimit) {
    return error(call, api_error(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                                 "You can only get the first 2000 records without using "
                                 "page_token param",
                                 {{"limit", kDiscretePageLimit}}));
  }
  if (offset >= kPageTokenLimit) {
    return error(call, api_error(400, "PAGINATION_LIMIT_EXCEEDED",
                                 "records beyond 100000 cannot be fetched with page_token",
                                 {{"limit", kPageTokenLimit}}));
  }
  const std::vector<const Record*> rows = visible_rows(module, p);
  if (rows.empty()) return empty_reply(p.ims ? 304 : 204);
  const auto size = static_cast<std::int64_t>(rows.size());
  if (offset >= size) return empty_reply(204);
  const std::int64_t end = std::min({offset + p.paging.per_page, size, kPageTokenLimit});
  json data = json::array();
  for (std::int64_t i = offset; i < end; ++i) {
    data.push_back(record_json(*rows[static_cast<std::size_t>(i)], p.fields));
  }
  const bool more = end < size;
  const std::int64_t previous = std::max<std::int64_t>(0, offset - p.paging.per_page);
  const auto or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  json info = {
      {"per_page", p.paging.per_page},
      {"count", end - offset},
      {"page", offset / p.paging.per_page + 1},
      {"more_records", more},
      {"next_page_token", or_null(more ? new_page_token(signature, module.name(), end) : "")},
      {"previous_page_token",
       or_null(offset > 0 ? new_page_token(signature, module.name(), previous) : "")},
      {"page_token_expiry",
       more ? json(stamp_text(now() + options_.page_token_ttl.count())) : json(nullptr)},
      {"sort_by", p.sort_by},
      {"sort_order", p.sort_order}};
  call.rows = end - offset;
  SimResponse response = json_reply(200, {{"data", std::move(data)}, {"info", std::move(info)}});
  after_page(call, module.name());
  return response;
}

std::variant<std::int64_t, ApiError> Simulator::token_offset(const std::string& token,
                                                             const std::string& signature) const {
  const auto it = page_tokens_.find(token);
  if (it == page_tokens_.end()) {
    return invalid_data("invalid page_token", {{"param", "page_token"}});
  }
  if (it->second.expires_at <= now()) {
    return api_error(400, "EXPIRED_VALUE", "the given page_token has expired",
                     {{"param", "page_token"}});
  }
  if (it->second.signature != signature) {
    return api_error(400, "TOKEN_BOUND_DATA_MISMATCH",
                     "the page_token is bound to other request parameters",
                     {{"param", "page_token"}});
  }
  return it->second.offset;
}

SimResponse Simulator::search_records(Call& call, const Module& module) {
  const std::string* criteria = call.param("criteria");
  if (criteria == nullptr || criteria->empty()) return error(call, missing_param("criteria"));
  if (call.param("page_token") != nullptr) {
    return error(call, invalid_data("page_token is not supported by the search API",
                                    {{"param", "page_token"}}));
  }
  std::vector<std::string> fields;
  if (const std::string* text = call.param("fields")) {
    auto parsed = parse_fields(*text, module);
    if (auto* e = std::get_if<ApiError>(&parsed)) return error(call, *e);
    fields = std::get<0>(std::move(parsed));
  } else {
    for (const auto& def : module.fields()) fields.push_back(def.api_name);
  }
  PagingParams paging;
  if (auto e = read_paging(call.params, paging)) return error(call, *e);
  if (paging.page * paging.per_page > kSearchLimit) {
    return error(call, api_error(400, "LIMIT_REACHED", "search results are limited to 2000 records",
                                 {{"limit", kSearchLimit}}));
  }
  const Evaluator eval(store_, module);
  auto expr = parse_criteria(*criteria, call.version, eval);
  if (auto* e = std::get_if<ApiError>(&expr)) return error(call, *e);
  const Expr& where = *std::get<0>(expr);
  std::vector<const Record*> rows;
  for (const Record& record : module.records()) {
    if (converted_visible(record, paging.converted) && eval.matches(record, where)) {
      rows.push_back(&record);
    }
  }
  const auto size = static_cast<std::int64_t>(rows.size());
  const std::int64_t offset = (paging.page - 1) * paging.per_page;
  if (offset >= size) return empty_reply(204);
  const std::int64_t end = std::min(offset + paging.per_page, size);
  json data = json::array();
  for (std::int64_t i = offset; i < end; ++i) {
    data.push_back(record_json(*rows[static_cast<std::size_t>(i)], fields));
  }
  call.rows = end - offset;
  json info = {{"per_page", paging.per_page},
               {"count", end - offset},
               {"page", paging.page},
               {"more_records", end < size}};
  return json_reply(200, {{"data", std::move(data)}, {"info", std::move(info)}});
}

SimResponse Simulator::coql(Call& call) {
  if (call.request.method != "POST") {
    return error(call, api_error(405, "INVALID_REQUEST_METHOD",
                                 "The http request method type is not a valid one"));
  }
  const json body = json::parse(call.request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return error(call, invalid_data("the body must be a JSON object", json::object()));
  }
  const auto query = body.find("select_query");
  if (query == body.end() || !query->is_string()) return error(call, missing_param("select_query"));
  call.select_query = query->get<std::string>();
  auto result = run_coql(call.select_query, store_, CoqlOptions{options_.coql_hides_converted});
  if (auto* e = std::get_if<ApiError>(&result)) return error(call, *e);
  CoqlResult& r = std::get<CoqlResult>(result);
  call.module = r.module;
  // Documented COQL pricing: LIMIT 1-200 costs 1 credit, 201-1000 costs 2, 1001-2000 costs 3.
  call.credits = r.limit <= 200 ? 1 : (r.limit <= 1000 ? 2 : 3);
  call.rows = static_cast<std::int64_t>(r.rows.size());
  if (r.rows.empty()) return empty_reply(204);
  json info = {{"count", r.rows.size()}, {"more_records", r.more_records}};
  SimResponse response = json_reply(200, {{"data", std::move(r.rows)}, {"info", std::move(info)}});
  after_page(call, r.module);
  return response;
}

SimResponse Simulator::field_metadata(Call& call) {
  if (call.module.empty()) return error(call, missing_param("module"));
  const Module* module = store_.module(call.module);
  if (module == nullptr) {
    return error(call,
                 api_error(400, "INVALID_MODULE", "the module name given seems to be invalid"));
  }
  call.credits = 1;
  json fields = json::array();
  std::uint64_t field_id = 4150868000000002000ULL;
  for (const auto& def : module->fields()) {
    json f = {{"api_name", def.api_name},
              {"data_type", def.data_type},
              {"custom_field", def.custom},
              {"field_label", def.label},
              {"id", std::to_string(++field_id)}};
    if (def.type == FieldType::kLookup)
      f["lookup"] = {{"module", {{"api_name", def.lookup_module}}}};
    fields.push_back(std::move(f));
  }
  call.rows = static_cast<std::int64_t>(fields.size());
  return json_reply(200, {{"fields", std::move(fields)}});
}

// Counts data pages; every Nth one changes the org before the next page is asked for.
void Simulator::after_page(Call& call, const std::string& module) {
  ++pages_served_;
  const std::int64_t every = options_.faults.modify_between_pages;
  if (every <= 0 || pages_served_ % every != 0) return;
  Module* target = store_.module(module);
  if (target == nullptr || target->records().empty()) return;
  call.add_fault("modify");
  mutate(*target, static_cast<std::uint64_t>(++mutations_));
}

// Bumps Modified_Time on some records (no other field changes) and inserts records built from
// the module's insert_template, so a correct client's result set is unchanged while its paging
// sees records move and appear.
void Simulator::mutate(Module& module, std::uint64_t event) {
  const FaultSpec& f = options_.faults;
  auto& records = module.records();
  const std::int64_t stamp = next_stamp();
  for (int i = 0; i < f.modify_count; ++i) {
    const auto bits = deterministic_bits(f.seed, static_cast<std::uint64_t>(FaultKind::kModify),
                                         event * 1000 + static_cast<std::uint64_t>(i));
    Record& record = records[bits % records.size()];
    record.modified = stamp;
    record.values["Modified_Time"] = stamp_text(stamp);
    ++records_modified_;
  }
  for (int i = 0; i < f.insert_count; ++i) {
    Record fresh;
    fresh.id = store_.allocate_id();
    fresh.values = module.insert_template();
    fresh.created = stamp;
    fresh.modified = stamp;
    fresh.values["Created_Time"] = stamp_text(stamp);
    fresh.values["Modified_Time"] = stamp_text(stamp);
    inserted_ids_[module.name()].push_back(fresh.id);
    module.append(std::move(fresh));
  }
}

}  // namespace hades::zoho_sim
