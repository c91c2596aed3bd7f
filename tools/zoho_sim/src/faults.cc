#include "faults.h"

#include <charconv>
#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

namespace hades::zoho_sim {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

bool parse_int(std::string_view text, std::int64_t& out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_double(std::string_view text, double& out) {
  // std::from_chars for double is missing from some libstdc++ builds; strtod on a copy is fine.
  if (text.empty()) return false;
  const std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

// "0.02" | "@K" | "N@K" | "@K/P" | "N@K/P"
bool parse_schedule(std::string_view text, Schedule& out) {
  const auto at = text.find('@');
  if (at == std::string_view::npos) {
    double p = 0;
    if (!parse_double(text, p) || p < 0.0 || p > 1.0) return false;
    out = Schedule{};
    out.probability = p;
    return true;
  }
  Schedule s;
  if (at > 0 && (!parse_int(text.substr(0, at), s.count) || s.count < 1)) return false;
  std::string_view rest = text.substr(at + 1);
  const auto slash = rest.find('/');
  if (slash != std::string_view::npos) {
    if (!parse_int(rest.substr(slash + 1), s.period) || s.period < s.count) return false;
    rest = rest.substr(0, slash);
  }
  if (!parse_int(rest, s.start) || s.start < 1) return false;
  out = s;
  return true;
}

// "3000ms" | "3s" | "3000"
bool parse_duration(std::string_view text, std::chrono::milliseconds& out) {
  std::int64_t scale = 1;
  if (text.ends_with("ms")) {
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
    scale = 1000;
  }
  std::int64_t value = 0;
  if (!parse_int(text, value) || value < 0) return false;
  out = std::chrono::milliseconds(value * scale);
  return true;
}

bool parse_positive(std::string_view text, std::int64_t& out, std::int64_t minimum) {
  return parse_int(text, out) && out >= minimum;
}

}  // namespace

std::uint64_t deterministic_bits(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return splitmix64(splitmix64(seed ^ (stream * 0xD1B54A32D192ED03ULL)) ^ index);
}

double deterministic_unit(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return static_cast<double>(deterministic_bits(seed, stream, index) >> 11) * 0x1.0p-53;
}

bool Schedule::fires(std::uint64_t seed, FaultKind kind, std::int64_t call) const {
  if (probability > 0.0) {
    return deterministic_unit(seed, static_cast<std::uint64_t>(kind),
                              static_cast<std::uint64_t>(call)) < probability;
  }
  if (start <= 0 || call < start) return false;
  const std::int64_t since = call - start;
  return period > 0 ? since % period < count : since < count;
}

std::string Schedule::describe() const {
  std::ostringstream out;
  if (probability > 0.0) {
    out << probability;
  } else {
    if (count != 1) out << count;
    out << '@' << start;
    if (period > 0) out << '/' << period;
  }
  return out.str();
}

bool FaultSpec::parse(std::string_view spec, FaultSpec& out, std::string& error) {
  FaultSpec result;
  const std::map<std::string_view, Schedule*> schedules = {{"storm401", &result.storm401},
                                                           {"burst429", &result.burst429},
                                                           {"http500", &result.http500},
                                                           {"http502_html", &result.http502_html},
                                                           {"http503_empty", &result.http503_empty},
                                                           {"reset", &result.reset},
                                                           {"token_garbled", &result.token_garbled},
                                                           {"echo_auth", &result.echo_auth}};
  std::size_t pos = 0;
  while (pos < spec.size()) {
    auto comma = spec.find(',', pos);
    if (comma == std::string_view::npos) comma = spec.size();
    const std::string_view item = spec.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    if (eq == std::string_view::npos) {
      error = "fault item '" + std::string(item) + "' has no '='";
      return false;
    }
    bool ok = false;
    std::int64_t number = 0;
    if (auto it = schedules.find(key); it != schedules.end()) {
      ok = parse_schedule(value, *it->second);
    } else if (key == "slow") {
      const auto colon = value.find(':');
      ok = colon != std::string_view::npos && parse_schedule(value.substr(0, colon), result.slow) &&
           parse_duration(value.substr(colon + 1), result.slow_delay);
    } else if (key == "seed") {
      ok = parse_positive(value, number, 0);
      result.seed = static_cast<std::uint64_t>(number);
    } else if (key == "token_expiry_every") {
      ok = parse_positive(value, result.token_expiry_every, 0);
    } else if (key == "concurrency" || key == "coql_concurrency" || key == "modify_count" ||
               key == "insert_count") {
      ok = parse_positive(value, number, key.ends_with("_count") ? 0 : 1) && number < 1'000'000;
      int& target = key == "concurrency"        ? result.concurrency
                    : key == "coql_concurrency" ? result.coql_concurrency
                    : key == "modify_count"     ? result.modify_count
                                                : result.insert_count;
      target = static_cast<int>(number);
    } else if (key == "modify_between_pages") {
      ok = parse_positive(value, result.modify_between_pages, 0);
    } else if (key == "credits") {
      ok = parse_positive(value, result.credits, 0);
    } else {
      error = "unknown fault '" + std::string(key) + "'";
      return false;
    }
    if (!ok) {
      error = "bad fault item '" + std::string(item) + "'";
      return false;
    }
  }
  out = result;
  return true;
}

std::string FaultSpec::describe() const {
  std::vector<std::string> items;
  const auto add = [&items](std::string_view key, const Schedule& s) {
    if (s.enabled()) items.push_back(std::string(key) + "=" + s.describe());
  };
  if (token_expiry_every > 0)
    items.push_back("token_expiry_every=" + std::to_string(token_expiry_every));
  add("storm401", storm401);
  add("burst429", burst429);
  add("http500", http500);
  add("http502_html", http502_html);
  add("http503_empty", http503_empty);
  add("reset", reset);
  add("token_garbled", token_garbled);
  add("echo_auth", echo_auth);
  if (slow.enabled()) {
    items.push_back("slow=" + slow.describe() + ":" + std::to_string(slow_delay.count()) + "ms");
  }
  items.push_back("concurrency=" + std::to_string(concurrency));
  items.push_back("coql_concurrency=" + std::to_string(coql_concurrency));
  if (modify_between_pages > 0) {
    items.push_back("modify_between_pages=" + std::to_string(modify_between_pages));
    items.push_back("modify_count=" + std::to_string(modify_count));
    items.push_back("insert_count=" + std::to_string(insert_count));
  }
  items.push_back("credits=" + std::to_string(credits));
  items.push_back("seed=" + std::to_string(seed));
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace hades::zoho_sim
