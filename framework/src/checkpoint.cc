#include "checkpoint.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace hades {

using nlohmann::json;

namespace {

std::string hex(std::uint64_t value) {
  char buf[17];
  const auto end = std::to_chars(buf, buf + sizeof buf, value, 16).ptr;
  return std::string(buf, end);
}

std::uint64_t from_hex(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument("checksum '" + text + "' is not hexadecimal");
  }
  return value;
}

json order_to_json(const OrderProgress& order) {
  json runs = json::array();
  for (const SortedRunFile& r : order.runs) {
    runs.push_back({{"name", r.name},
                    {"bytes", r.bytes},
                    {"records", r.records},
                    {"checksum", hex(r.checksum)}});
  }
  return {{"columns", order.columns},
          {"runs", runs},
          {"records", order.records},
          {"emitted", order.emitted}};
}

OrderProgress order_from_json(const json& doc) {
  OrderProgress order;
  order.columns = doc.at("columns").get<std::vector<std::string>>();
  for (const json& r : doc.at("runs")) {
    order.runs.push_back({r.at("name").get<std::string>(), r.at("bytes").get<std::uint64_t>(),
                          r.at("records").get<std::uint64_t>(),
                          from_hex(r.at("checksum").get<std::string>())});
  }
  order.records = doc.at("records").get<std::int64_t>();
  order.emitted = doc.at("emitted").get<std::int64_t>();
  if (order.emitted < 0 || order.emitted > order.records) {
    throw std::invalid_argument("order_by's emitted count is out of range");
  }
  return order;
}

}  // namespace

std::string encode_checkpoint(const Checkpoint& c) {
  json counts = json::array();
  for (const PluginCounts& p : c.counts) {
    json entry = {{"plugin", p.plugin}, {"in", p.in}, {"out", p.out}, {"rejected", p.rejected}};
    if (!p.rejected_by_kind.empty()) entry["rejected_by_kind"] = p.rejected_by_kind;
    counts.push_back(std::move(entry));
  }
  json doc = {{"version", c.order ? Checkpoint::kVersion : 1},
              {"cursor", c.cursor},
              {"chunks", c.chunks},
              {"rejected", c.rejected},
              {"counts", counts},
              {"sink_tokens", c.sink_tokens},
              {"rejects_token", c.rejects_token}};
  if (c.order) doc["order"] = order_to_json(*c.order);
  return doc.dump();
}

namespace {

// Throws json::exception on any missing key or wrong type; the caller maps that to corruption.
Checkpoint from_json(const json& doc) {
  if (!doc.is_object()) throw std::invalid_argument("not a JSON object");
  const int version = doc.at("version").get<int>();
  if (version < 1 || version > Checkpoint::kVersion) {
    throw std::invalid_argument("unknown checkpoint version " + std::to_string(version));
  }
  Checkpoint c;
  c.cursor = doc.at("cursor").get<std::string>();
  c.chunks = doc.at("chunks").get<std::int64_t>();
  c.rejected = doc.at("rejected").get<std::int64_t>();
  for (const json& p : doc.at("counts")) {
    PluginCounts& counts = c.counts.emplace_back();
    counts.plugin = p.at("plugin").get<std::string>();
    counts.in = p.at("in").get<std::int64_t>();
    counts.out = p.at("out").get<std::int64_t>();
    counts.rejected = p.at("rejected").get<std::int64_t>();
    // Absent in checkpoints written before kinds existed.
    if (p.contains("rejected_by_kind")) {
      counts.rejected_by_kind = p.at("rejected_by_kind").get<std::map<std::string, std::int64_t>>();
    }
  }
  c.sink_tokens = doc.at("sink_tokens").get<std::vector<std::string>>();
  c.rejects_token = doc.at("rejects_token").get<std::string>();
  if (version >= 2) c.order = order_from_json(doc.at("order"));
  if (c.chunks < 0 || c.rejected < 0) throw std::invalid_argument("negative counter");
  return c;
}

}  // namespace

Result<Checkpoint> decode_checkpoint(std::string_view text) {
  try {
    return from_json(json::parse(text));
  } catch (const std::exception& e) {
    return Status::corruption(std::string("checkpoint is unreadable (") + e.what() + ")");
  }
}

}  // namespace hades
