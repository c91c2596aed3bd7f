#include "store.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>

#include "sim_time.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;

FieldType type_of(const std::string& data_type, const std::string& module) {
  static const std::map<std::string, FieldType, std::less<>> kTypes = {
      {"text", FieldType::kText},         {"picklist", FieldType::kText},
      {"email", FieldType::kText},        {"phone", FieldType::kText},
      {"textarea", FieldType::kText},     {"website", FieldType::kText},
      {"integer", FieldType::kInteger},   {"bigint", FieldType::kInteger},
      {"double", FieldType::kDouble},     {"currency", FieldType::kDouble},
      {"decimal", FieldType::kDouble},    {"percent", FieldType::kDouble},
      {"boolean", FieldType::kBoolean},   {"date", FieldType::kDate},
      {"datetime", FieldType::kDateTime}, {"lookup", FieldType::kLookup},
      {"ownerlookup", FieldType::kLookup}};
  const auto it = kTypes.find(data_type);
  if (it == kTypes.end()) {
    throw std::runtime_error("module " + module + ": unknown data_type '" + data_type + "'");
  }
  return it->second;
}

std::uint64_t id_value(const std::string& id) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (ec != std::errc() || end != id.data() + id.size() || id.empty()) {
    throw std::runtime_error("record id '" + id + "' is not a decimal number");
  }
  return value;
}

std::int64_t time_field(const json& values, const char* name, const std::string& where) {
  const auto it = values.find(name);
  if (it == values.end() || it->is_null()) return 0;
  const auto epoch = it->is_string() ? parse_iso_datetime(it->get<std::string>()) : std::nullopt;
  if (!epoch) throw std::runtime_error(where + ": " + name + " is not an ISO-8601 date-time");
  return *epoch;
}

std::vector<FieldDef> load_fields(const json& spec, const std::string& module) {
  std::vector<FieldDef> fields;
  for (const auto& f : spec.at("fields")) {
    FieldDef def;
    def.api_name = f.at("api_name").get<std::string>();
    def.data_type = f.at("data_type").get<std::string>();
    def.type = type_of(def.data_type, module);
    def.custom = f.value("custom_field", false);
    def.label = f.value("field_label", def.api_name);
    def.lookup_module = f.value("lookup_module", std::string());
    if (def.type == FieldType::kLookup && def.lookup_module.empty()) {
      throw std::runtime_error("module " + module + ": lookup " + def.api_name +
                               " has no lookup_module");
    }
    fields.push_back(std::move(def));
  }
  return fields;
}

}  // namespace

bool id_less(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

Module::Module(std::string name, std::vector<FieldDef> fields, json insert_template)
    : name_(std::move(name)),
      fields_(std::move(fields)),
      insert_template_(std::move(insert_template)) {
  id_field_.api_name = "id";
  id_field_.data_type = "bigint";
  id_field_.type = FieldType::kId;
  id_field_.label = "Record Id";
  for (std::size_t i = 0; i < fields_.size(); ++i) field_index_[fields_[i].api_name] = i;
}

const FieldDef* Module::field(std::string_view api_name) const {
  if (api_name == "id") return &id_field_;
  const auto it = field_index_.find(api_name);
  return it == field_index_.end() ? nullptr : &fields_[it->second];
}

Record* Module::find(std::string_view id) {
  const auto it =
      std::lower_bound(records_.begin(), records_.end(), id,
                       [](const Record& r, std::string_view v) { return id_less(r.id, v); });
  return it != records_.end() && it->id == id ? &*it : nullptr;
}

const Record* Module::find(std::string_view id) const {
  return const_cast<Module*>(this)->find(id);
}

void Module::append(Record record) { records_.push_back(std::move(record)); }

void Module::sort_by_id() {
  std::sort(records_.begin(), records_.end(),
            [](const Record& a, const Record& b) { return id_less(a.id, b.id); });
}

Store Store::from_json(const json& data) {
  Store store;
  const auto offset = parse_utc_offset(data.value("time_zone", std::string("+00:00")));
  if (!offset) throw std::runtime_error("time_zone must look like -05:00");
  store.utc_offset_minutes_ = *offset;
  if (!data.contains("modules") || !data.at("modules").is_object()) {
    throw std::runtime_error("the data file has no \"modules\" object");
  }
  for (const auto& [name, spec] : data.at("modules").items()) {
    Module module(name, load_fields(spec, name), spec.value("insert_template", json::object()));
    for (const auto& raw : spec.at("records")) {
      Record record;
      record.id = raw.at("id").get<std::string>();
      store.last_id_ = std::max(store.last_id_, id_value(record.id));
      record.values = raw;
      record.values.erase("id");
      const std::string where = "module " + name + " record " + record.id;
      record.created = time_field(record.values, "Created_Time", where);
      record.modified = time_field(record.values, "Modified_Time", where);
      module.append(std::move(record));
    }
    module.sort_by_id();
    store.modules_.emplace(name, std::move(module));
  }
  return store;
}

Module* Store::module(std::string_view name) {
  const auto it = modules_.find(name);
  return it == modules_.end() ? nullptr : &it->second;
}

const Module* Store::module(std::string_view name) const {
  const auto it = modules_.find(name);
  return it == modules_.end() ? nullptr : &it->second;
}

std::vector<std::string> Store::module_names() const {
  std::vector<std::string> names;
  for (const auto& [name, module] : modules_) names.push_back(name);
  return names;
}

std::string Store::allocate_id() {
  // Real ids grow with gaps; a fixed gap keeps runs reproducible.
  last_id_ += 17;
  return std::to_string(last_id_);
}

std::int64_t Store::latest_modified() const {
  std::int64_t latest = 0;
  for (const auto& [name, module] : modules_) {
    for (const auto& record : module.records()) latest = std::max(latest, record.modified);
  }
  return latest;
}

}  // namespace hades::zoho_sim
