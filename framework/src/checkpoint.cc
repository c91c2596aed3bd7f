#include "checkpoint.h"

#include <nlohmann/json.hpp>

namespace hades {

using nlohmann::json;

std::string encode_checkpoint(const Checkpoint& c) {
  json counts = json::array();
  for (const PluginCounts& p : c.counts) {
    json count = {{"plugin", p.plugin}, {"in", p.in}, {"out", p.out}, {"rejected", p.rejected}};
    if (!p.rejected_by_kind.empty()) count["rejected_by_kind"] = p.rejected_by_kind;
    counts.push_back(std::move(count));
  }
  const json doc = {{"version", Checkpoint::kVersion},   {"cursor", c.cursor},
                    {"chunks", c.chunks},                {"rejected", c.rejected},
                    {"counts", counts},                  {"sink_tokens", c.sink_tokens},
                    {"rejects_token", c.rejects_token}};
  return doc.dump();
}

namespace {

// Throws json::exception on any missing key or wrong type; the caller maps that to corruption.
Checkpoint from_json(const json& doc) {
  if (!doc.is_object()) throw std::invalid_argument("not a JSON object");
  const int version = doc.at("version").get<int>();
  if (version != Checkpoint::kVersion) {
    throw std::invalid_argument("unknown checkpoint version " + std::to_string(version));
  }
  Checkpoint c;
  c.cursor = doc.at("cursor").get<std::string>();
  c.chunks = doc.at("chunks").get<std::int64_t>();
  c.rejected = doc.at("rejected").get<std::int64_t>();
  for (const json& p : doc.at("counts")) {
    PluginCounts& count = c.counts.emplace_back();
    count.plugin = p.at("plugin").get<std::string>();
    count.in = p.at("in").get<std::int64_t>();
    count.out = p.at("out").get<std::int64_t>();
    count.rejected = p.at("rejected").get<std::int64_t>();
    // Absent in checkpoints written before kinds existed.
    if (p.contains("rejected_by_kind")) {
      count.rejected_by_kind = p.at("rejected_by_kind").get<std::map<std::string, std::int64_t>>();
    }
  }
  c.sink_tokens = doc.at("sink_tokens").get<std::vector<std::string>>();
  c.rejects_token = doc.at("rejects_token").get<std::string>();
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
