// store.h: the simulated org's records, modules and field metadata, loaded from the JSON file
// tools/generate_crm.py writes (format "zoho-sim-data/1"; see README.md).
//
// Records are kept per module in id order; ids are 19-digit decimal strings compared as numbers.
// A Store is not thread-safe: the Simulator that owns it serialises access.

#ifndef HADES_TOOLS_ZOHO_SIM_STORE_H_
#define HADES_TOOLS_ZOHO_SIM_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hades::zoho_sim {

enum class FieldType { kText, kInteger, kDouble, kBoolean, kDate, kDateTime, kLookup, kId };

struct FieldDef {
  std::string api_name;
  std::string data_type;  // as served by settings/fields ("text", "picklist", "lookup", ...)
  FieldType type = FieldType::kText;
  bool custom = false;
  std::string label;
  std::string lookup_module;  // the module a kLookup points at
};

struct Record {
  std::string id;
  nlohmann::json values = nlohmann::json::object();  // api_name -> value; no "id" key
  std::int64_t created = 0;                          // Created_Time as epoch seconds
  std::int64_t modified = 0;                         // Modified_Time as epoch seconds
};

// True when id `a` is numerically smaller than id `b` (both decimal strings).
bool id_less(std::string_view a, std::string_view b);

class Module {
 public:
  Module(std::string name, std::vector<FieldDef> fields, nlohmann::json insert_template);

  const std::string& name() const { return name_; }
  const std::vector<FieldDef>& fields() const { return fields_; }
  // The field called `api_name` (exact case), "id" included; nullptr when there is none.
  const FieldDef* field(std::string_view api_name) const;
  const std::vector<Record>& records() const { return records_; }
  std::vector<Record>& records() { return records_; }
  Record* find(std::string_view id);
  const Record* find(std::string_view id) const;
  // Appends `record`. REQUIRES: its id is larger than every id in the module.
  void append(Record record);
  // Field values a simulator-inserted record starts from (may be an empty object).
  const nlohmann::json& insert_template() const { return insert_template_; }
  // Restores id order after loading records in any order.
  void sort_by_id();

 private:
  std::string name_;
  std::vector<FieldDef> fields_;
  FieldDef id_field_;
  std::map<std::string, std::size_t, std::less<>> field_index_;
  std::vector<Record> records_;
  nlohmann::json insert_template_;
};

class Store {
 public:
  // Builds a store from the data file's JSON. Throws std::runtime_error naming the module,
  // record or field that is malformed.
  static Store from_json(const nlohmann::json& data);

  Module* module(std::string_view name);
  const Module* module(std::string_view name) const;
  std::vector<std::string> module_names() const;
  // The org's zone, minutes east of UTC: every date-time the simulator writes uses it.
  int utc_offset_minutes() const { return utc_offset_minutes_; }
  // A fresh 19-digit id larger than every id handed out or loaded so far.
  std::string allocate_id();
  // The largest Modified_Time of any record, as epoch seconds.
  std::int64_t latest_modified() const;

 private:
  std::map<std::string, Module, std::less<>> modules_;
  int utc_offset_minutes_ = 0;
  std::uint64_t last_id_ = 4150868000000000000ULL;  // keeps allocated ids 19 digits long
};

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_STORE_H_
