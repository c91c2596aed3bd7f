#include "leads/icp_config.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "hades/file_checks.h"
#include "hades/redact.h"
#include "leads/normalize.h"
#include "yaml_limits.h"

namespace hades::domain {
namespace {

constexpr double kWeightSumTolerance = 1e-6;
constexpr std::int64_t kMaxScore = 100;
constexpr std::int64_t kMaxDays = 1'000'000;

// A node with the key path that leads to it and the place to point at in messages. yaml-cpp's
// Node has no noexcept move, so neither has Field: an allocation failure while reading a config
// is fine to propagate (the plugin factory turns it into a Status).
struct Field {  // NOLINT(bugprone-exception-escape)
  YAML::Node node;
  YAML::Mark mark;
  std::string path;  // "scoring.intent.freshness"; "" for the document
};

// One `key: value` pair of a mapping.
struct Entry {
  std::string key;
  YAML::Mark key_mark;
  Field value;
};

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "'" + node.Scalar() + "'";
}

// An empty value (`key:`) has no token of its own: yaml-cpp marks it at whatever follows, often
// the next line, so such a value is located at its key instead.
YAML::Mark value_mark(const YAML::Node& key, const YAML::Node& value) {
  const YAML::Mark mark = value.Mark();
  if (value.IsNull() && (mark.is_null() || mark.line != key.Mark().line)) return key.Mark();
  return mark;
}

std::string join_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// Reads typed values out of the parsed file. Each accessor returns the first problem as a
// kInvalidConfig Status located in the file; nothing here throws.
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  Status error(const YAML::Mark& mark, const std::string& path, const std::string& what) const {
    const int line = mark.is_null() || mark.line < 0 ? 1 : mark.line + 1;
    const int column = mark.is_null() || mark.column < 0 ? 1 : mark.column + 1;
    return Status::invalid_config(source_ + ":" + std::to_string(line) + ":" +
                                  std::to_string(column) + ": " +
                                  (path.empty() ? std::string() : path + ": ") + what);
  }

  Status expected(const Field& f, std::string_view what) const {
    return error(f.mark, f.path, "expected " + std::string(what) + ", got " + describe(f.node));
  }

  // Every pair of the mapping `map`, in file order; a repeated key is an error.
  Result<std::vector<Entry>> entries(const Field& map) const {
    if (!map.node.IsMap()) return expected(map, "a mapping");
    std::vector<Entry> out;
    for (auto it = map.node.begin(); it != map.node.end(); ++it) {
      if (!it->first.IsScalar()) return error(it->first.Mark(), map.path, "keys must be text");
      const std::string key = it->first.Scalar();
      for (const Entry& seen : out) {
        if (seen.key == key) {
          return error(it->first.Mark(), map.path,
                       "duplicate key '" + key + "' (first at line " +
                           std::to_string(seen.key_mark.line + 1) + ")");
        }
      }
      out.push_back({key,
                     it->first.Mark(),
                     {it->second, value_mark(it->first, it->second), join_path(map.path, key)}});
    }
    return out;
  }

  // The value of `key` in the mapping `map`; a missing key is located at the mapping.
  Result<Field> child(const Field& map, std::string_view key) const {
    Result<std::vector<Entry>> all = entries(map);
    if (!all.ok()) return all.status();
    for (Entry& e : *all) {
      if (e.key == key) return std::move(e.value);
    }
    return error(map.mark, map.path, "missing key '" + std::string(key) + "'");
  }

  // Like child(), but an absent key gives nullopt.
  Result<std::optional<Field>> optional_child(const Field& map, std::string_view key) const {
    Result<std::vector<Entry>> all = entries(map);
    if (!all.ok()) return all.status();
    for (Entry& e : *all) {
      if (e.key == key) return std::optional<Field>(std::move(e.value));
    }
    return std::optional<Field>();
  }

  Result<std::vector<Field>> items(const Field& list, std::size_t min_items) const {
    if (!list.node.IsSequence()) return expected(list, "a list");
    std::vector<Field> out;
    for (std::size_t i = 0; i < list.node.size(); ++i) {
      const YAML::Node item = list.node[i];
      out.push_back({item, item.Mark(), list.path + "[" + std::to_string(i) + "]"});
    }
    if (out.size() < min_items) {
      return error(list.mark, list.path, "needs at least " + std::to_string(min_items) + " item");
    }
    return out;
  }

  Result<double> number(const Field& f, double min, double max) const {
    double value = 0;
    if (!f.node.IsScalar() || !YAML::convert<double>::decode(f.node, value) ||
        !std::isfinite(value)) {
      return expected(f, "a number");
    }
    if (value < min || value > max) return out_of_range(f, min, max);
    return value;
  }

  Result<std::int64_t> integer(const Field& f, std::int64_t min, std::int64_t max) const {
    std::int64_t value = 0;
    if (!f.node.IsScalar() || !YAML::convert<std::int64_t>::decode(f.node, value)) {
      return expected(f, "a whole number");
    }
    if (value < min || value > max) return out_of_range(f, min, max);
    return value;
  }

  Result<std::string> text(const Field& f) const {
    if (!f.node.IsScalar() || f.node.Scalar().empty()) return expected(f, "text");
    return f.node.Scalar();
  }

 private:
  template <typename T>
  Status out_of_range(const Field& f, T min, T max) const {
    std::ostringstream range;
    if (max == std::numeric_limits<T>::max()) {
      range << "must be at least " << min;
    } else {
      range << "must be between " << min << " and " << max;
    }
    range << ", got " << f.node.Scalar();
    return error(f.mark, f.path, range.str());
  }

  const std::string& source_;
};

// Evaluates `expr` (a Result); returns its status from the enclosing function when not OK, else
// moves its value into `lhs`.
#define HADES_ICP_ASSIGN_OR_RETURN(lhs, expr)           \
  do {                                                  \
    auto icp_result_ = (expr);                          \
    if (!icp_result_.ok()) return icp_result_.status(); \
    (lhs) = std::move(icp_result_).value();             \
  } while (false)

Status check_weight_sum(const Reader& r, const Field& section, double sum) {
  if (std::fabs(sum - 1.0) <= kWeightSumTolerance) return Status::ok_status();
  std::ostringstream what;
  what << "weights sum to " << sum << "; they must sum to 1.0";
  return r.error(section.mark, section.path, what.str());
}

Status read_weights(const Reader& r, const Field& root, IcpConfig* config) {
  Field scoring;
  HADES_ICP_ASSIGN_OR_RETURN(scoring, r.child(root, "scoring"));
  Field intent;
  HADES_ICP_ASSIGN_OR_RETURN(intent, r.child(scoring, "intent"));
  IntentWeights& iw = config->intent_weights;
  const std::array<std::pair<const char*, double*>, 3> intent_keys = {
      {{"signal_strength", &iw.signal_strength},
       {"onsite_likelihood", &iw.onsite_likelihood},
       {"freshness", &iw.freshness}}};
  double sum = 0;
  for (const auto& [key, out] : intent_keys) {
    Field f;
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(intent, key));
    HADES_ICP_ASSIGN_OR_RETURN(*out, r.number(f, 0.0, 1.0));
    sum += *out;
  }
  HADES_RETURN_IF_ERROR(check_weight_sum(r, intent, sum));

  Field geography;
  HADES_ICP_ASSIGN_OR_RETURN(geography, r.child(scoring, "geography"));
  GeographyWeights& gw = config->geography_weights;
  const std::array<std::pair<const char*, double*>, 4> geography_keys = {
      {{"proximity", &gw.proximity},
       {"onsite_likelihood", &gw.onsite_likelihood},
       {"authority", &gw.authority},
       {"employee_scale", &gw.employee_scale}}};
  sum = 0;
  for (const auto& [key, out] : geography_keys) {
    Field f;
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(geography, key));
    HADES_ICP_ASSIGN_OR_RETURN(*out, r.number(f, 0.0, 1.0));
    sum += *out;
  }
  return check_weight_sum(r, geography, sum);
}

// A mapping of name -> score; the key `default_key` (when given) is required and returned
// through `default_score` instead of being put in the table.
Status read_score_table(const Reader& r, const Field& map, const char* default_key,
                        ScoreTable* table, std::int64_t* default_score) {
  std::vector<Entry> entries;
  HADES_ICP_ASSIGN_OR_RETURN(entries, r.entries(map));
  for (const Entry& e : entries) {
    std::int64_t score = 0;
    HADES_ICP_ASSIGN_OR_RETURN(score, r.integer(e.value, 0, kMaxScore));
    if (default_key != nullptr && e.key == default_key) {
      *default_score = score;
    } else {
      table->emplace_back(e.key, score);
    }
  }
  if (default_key != nullptr) {
    Field ignored;
    HADES_ICP_ASSIGN_OR_RETURN(ignored, r.child(map, default_key));
  }
  return Status::ok_status();
}

Status read_authority(const Reader& r, const Field& root, IcpConfig* config) {
  Field scores;
  HADES_ICP_ASSIGN_OR_RETURN(scores, r.child(root, "authority_scores"));
  HADES_RETURN_IF_ERROR(read_score_table(r, scores, "default", &config->authority_scores,
                                         &config->authority_default));
  Field keywords;
  HADES_ICP_ASSIGN_OR_RETURN(keywords, r.child(root, "authority_title_keywords"));
  std::vector<Field> items;
  HADES_ICP_ASSIGN_OR_RETURN(items, r.items(keywords, 0));
  for (const Field& item : items) {
    std::string keyword;
    HADES_ICP_ASSIGN_OR_RETURN(keyword, r.text(item));
    config->authority_title_keywords.push_back(ascii_lower(keyword));
  }
  return Status::ok_status();
}

Status read_signal(const Reader& r, const Field& root, IcpConfig* config) {
  Field scores;
  HADES_ICP_ASSIGN_OR_RETURN(scores, r.child(root, "signal_strength_scores"));
  HADES_RETURN_IF_ERROR(
      read_score_table(r, scores, nullptr, &config->signal_strength_scores, nullptr));
  // A missing signal strength counts as Low, so Low must exist.
  Field low;
  HADES_ICP_ASSIGN_OR_RETURN(low, r.child(scores, "Low"));
  return Status::ok_status();
}

Status read_freshness(const Reader& r, const Field& root, IcpConfig* config) {
  Field tiers;
  HADES_ICP_ASSIGN_OR_RETURN(tiers, r.child(root, "freshness"));
  std::vector<Entry> entries;
  HADES_ICP_ASSIGN_OR_RETURN(entries, r.entries(tiers));
  if (entries.empty()) return r.error(tiers.mark, tiers.path, "needs at least 1 tier");
  for (const Entry& e : entries) {
    FreshnessTier tier;
    tier.name = e.key;
    Field f;
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(e.value, "max_days"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.max_days, r.integer(f, 0, kMaxDays));
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(e.value, "multiplier"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.multiplier, r.number(f, 0.0, 1.0));
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(e.value, "label"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.label, r.text(f));
    // The rules take the first tier that fits: out of order, the later ones are never reached.
    if (!config->freshness.empty() && tier.max_days <= config->freshness.back().max_days) {
      return r.error(e.key_mark, e.value.path,
                     "tiers must be in order of max_days, each above the one before: " +
                         std::to_string(tier.max_days) + " after " +
                         std::to_string(config->freshness.back().max_days));
    }
    config->freshness.push_back(std::move(tier));
  }
  return Status::ok_status();
}

Status read_onsite(const Reader& r, const Field& root, IcpConfig* config) {
  Field onsite;
  HADES_ICP_ASSIGN_OR_RETURN(onsite, r.child(root, "onsite_likelihood"));
  Field scores;
  HADES_ICP_ASSIGN_OR_RETURN(scores, r.child(onsite, "sic_scores"));
  std::vector<Entry> entries;
  HADES_ICP_ASSIGN_OR_RETURN(entries, r.entries(scores));
  for (const Entry& e : entries) {
    if (normalize_sic(e.key) != e.key) {
      return r.error(e.key_mark, e.value.path, "a SIC code must be 4 digits");
    }
  }
  HADES_RETURN_IF_ERROR(read_score_table(r, scores, nullptr, &config->sic_scores, nullptr));
  Field fallback;
  HADES_ICP_ASSIGN_OR_RETURN(fallback, r.child(onsite, "default"));
  HADES_ICP_ASSIGN_OR_RETURN(config->sic_default, r.integer(fallback, 0, kMaxScore));
  return Status::ok_status();
}

Status read_employee_scale(const Reader& r, const Field& root, IcpConfig* config) {
  Field list;
  HADES_ICP_ASSIGN_OR_RETURN(list, r.child(root, "employee_scale"));
  std::vector<Field> items;
  HADES_ICP_ASSIGN_OR_RETURN(items, r.items(list, 1));
  constexpr std::int64_t kMaxCount = std::numeric_limits<std::int64_t>::max();
  for (const Field& item : items) {
    EmployeeTier tier;
    Field f;
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(item, "min"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.min, r.integer(f, 0, kMaxCount));
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(item, "max"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.max, r.integer(f, tier.min, kMaxCount));
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(item, "score"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.score, r.integer(f, 0, kMaxScore));
    // The first tier that fits wins: tiers must go up and not overlap.
    if (!config->employee_scale.empty() && tier.min <= config->employee_scale.back().max) {
      return r.error(item.mark, item.path,
                     "tiers must be in order and must not overlap: min " +
                         std::to_string(tier.min) + " is not above the previous tier's max " +
                         std::to_string(config->employee_scale.back().max));
    }
    config->employee_scale.push_back(tier);
  }
  return Status::ok_status();
}

Status read_proximity(const Reader& r, const Field& root, IcpConfig* config) {
  Field list;
  HADES_ICP_ASSIGN_OR_RETURN(list, r.child(root, "proximity"));
  std::vector<Field> items;
  HADES_ICP_ASSIGN_OR_RETURN(items, r.items(list, 1));
  for (const Field& item : items) {
    ProximityTier tier;
    Field f;
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(item, "max_miles"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.max_miles,
                               r.number(f, 0.0, std::numeric_limits<double>::max()));
    HADES_ICP_ASSIGN_OR_RETURN(f, r.child(item, "score"));
    HADES_ICP_ASSIGN_OR_RETURN(tier.score, r.integer(f, 0, kMaxScore));
    // The first tier that fits wins: out of order, the later ones are never reached.
    if (!config->proximity.empty() && tier.max_miles <= config->proximity.back().max_miles) {
      std::ostringstream what;
      what << "tiers must be in order of max_miles, each above the one before: " << tier.max_miles
           << " after " << config->proximity.back().max_miles;
      return r.error(item.mark, item.path, what.str());
    }
    config->proximity.push_back(tier);
  }
  return Status::ok_status();
}

Status read_agents(const Reader& r, const Field& root, IcpConfig* config) {
  std::optional<Field> list;
  HADES_ICP_ASSIGN_OR_RETURN(list, r.optional_child(root, "call_center_agents"));
  if (!list) return Status::ok_status();
  std::vector<Field> items;
  HADES_ICP_ASSIGN_OR_RETURN(items, r.items(*list, 0));
  for (const Field& item : items) {
    std::string agent;
    HADES_ICP_ASSIGN_OR_RETURN(agent, r.text(item));
    // Each becomes a Contact Owner in VanillaSoft, which matches it to a user's e-mail.
    if (!is_email_address(agent)) {
      return r.error(item.mark, item.path, "'" + printable(agent) + "' is not an e-mail address");
    }
    config->call_center_agents.push_back(std::move(agent));
  }
  return Status::ok_status();
}

// `scoring_method: {use: weights|model, model: <id or path>}`, optional; `model` is required
// with `use: model`. Other keys are refused, so a typo cannot silently keep the weights.
Status read_scoring_method(const Reader& r, const Field& root, IcpConfig* config) {
  std::optional<Field> section;
  HADES_ICP_ASSIGN_OR_RETURN(section, r.optional_child(root, "scoring_method"));
  if (!section) return Status::ok_status();
  std::vector<Entry> entries;
  HADES_ICP_ASSIGN_OR_RETURN(entries, r.entries(*section));
  for (const Entry& e : entries) {
    if (e.key != "use" && e.key != "model") {
      return r.error(e.key_mark, section->path,
                     "unknown key '" + e.key + "' (scoring_method takes use and model)");
    }
  }
  Field use;
  HADES_ICP_ASSIGN_OR_RETURN(use, r.child(*section, "use"));
  std::string method;
  HADES_ICP_ASSIGN_OR_RETURN(method, r.text(use));
  if (method != "weights" && method != "model") return r.expected(use, "weights or model");
  config->scoring_method.use_model = method == "model";
  std::optional<Field> model;
  HADES_ICP_ASSIGN_OR_RETURN(model, r.optional_child(*section, "model"));
  if (model) {
    HADES_ICP_ASSIGN_OR_RETURN(config->scoring_method.model, r.text(*model));
  } else if (config->scoring_method.use_model) {
    return r.error(section->mark, section->path,
                   "missing key 'model' (use: model needs a lead_models id or a model file)");
  }
  return Status::ok_status();
}

#undef HADES_ICP_ASSIGN_OR_RETURN

}  // namespace

Result<IcpConfig> parse_icp_config(std::string_view text, const std::string& source_name) {
  const Reader reader(source_name);
  YAML::Node document;
  try {
    document = load_yaml(text);
  } catch (const YAML::Exception& e) {
    return reader.error(e.mark, "", e.msg);
  }
  const Field root{document, document.Mark(), ""};
  if (!document.IsMap()) return reader.expected(root, "a mapping of sections");

  IcpConfig config;
  for (const auto read : {read_weights, read_authority, read_signal, read_freshness, read_onsite,
                          read_employee_scale, read_proximity, read_agents, read_scoring_method}) {
    HADES_RETURN_IF_ERROR(read(reader, root, &config));
  }
  config.source = source_name;
  config.sha256 = sha256_hex(text);
  return config;
}

Result<IcpConfig> load_icp_config(const std::string& path) {
  Result<std::string> text = read_icp_file(path);
  if (!text.ok()) return text.status();
  return parse_icp_config(*text, path);
}

Result<std::string> read_icp_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error("", "open icp.yaml", path, errno);
  // Read no further than the limit: a wrong path (/dev/zero, a log) must not exhaust memory.
  const std::size_t limit = YamlLimits{}.max_bytes;
  std::string text(limit + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Status::io(path + ": cannot read icp.yaml: " + std::strerror(errno));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > limit) {
    return Status::invalid_config(path + ": icp.yaml is larger than " + std::to_string(limit) +
                                  " bytes");
  }
  return text;
}

bool is_email_address(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  const bool local_ok = std::all_of(local.begin(), local.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    constexpr std::string_view kSpecials = "\"(),:;<>[]\\";
    return b > 0x20 && b < 0x7f && kSpecials.find(c) == std::string_view::npos;
  });
  if (!local_ok || domain.empty() || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(domain.begin(), domain.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed: OpenSSL could not allocate its context");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return hex;
}

}  // namespace hades::domain
