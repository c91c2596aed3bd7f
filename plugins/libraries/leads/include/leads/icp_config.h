// icp_config.h: icp.yaml, the scoring configuration, read once into typed values.
//
// load_icp_config() parses the file and checks every key the scoring rules use (domain.md,
// "icp.yaml"): present, of the right type, in range. An error names the place in the file as
// `<path>:<line>:<column>: <key path>: <what is wrong>`, so `hades validate` can point at it.
// Sections the scorer does not use (hard_filters, budget, cache, ...) are not checked. Tier
// lists and lookup tables keep the file's order, since the rules take the first tier that fits.
//
// Thread safety: an IcpConfig is a value; share it read-only.

#ifndef HADES_LEADS_ICP_CONFIG_H_
#define HADES_LEADS_ICP_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hades/status.h"

namespace hades::domain {

// `scoring.intent`: the weights of the intent workflow's three components.
struct IntentWeights {
  double signal_strength = 0;
  double onsite_likelihood = 0;
  double freshness = 0;
};

// `scoring.geography`: the weights of the geography workflow's four components.
struct GeographyWeights {
  double proximity = 0;
  double onsite_likelihood = 0;
  double authority = 0;
  double employee_scale = 0;
};

// One `freshness` tier: intent younger than or `max_days` old gets `multiplier`.
struct FreshnessTier {
  std::string name;  // the tier's key: hot, warm, cooling, stale
  std::int64_t max_days = 0;
  double multiplier = 0;
  std::string label;  // "Hot"
};

// One `employee_scale` tier: `min <= employees <= max` scores `score`.
struct EmployeeTier {
  std::int64_t min = 0;
  std::int64_t max = 0;
  std::int64_t score = 0;
};

// One `proximity` tier: a distance up to `max_miles` scores `score`.
struct ProximityTier {
  double max_miles = 0;
  std::int64_t score = 0;
};

// `scoring_method`: how the scorer scores (docs/model.md). Absent means the weights. Changed only
// through the weight_writer (`action: set_method`), so that switching is an approved, audited
// change that can be rolled back.
struct ScoringMethod {
  bool use_model = false;  // `use: model`; else `use: weights`
  std::string model;       // `model:` a lead_models id or a model file path; "" when absent
};

// A name -> score table, in file order. Small (under 30 entries): looked up by a linear scan.
using ScoreTable = std::vector<std::pair<std::string, std::int64_t>>;

struct IcpConfig {
  IntentWeights intent_weights;
  GeographyWeights geography_weights;
  ScoreTable authority_scores;  // management level -> score, `default` not included
  std::int64_t authority_default = 0;
  std::vector<std::string> authority_title_keywords;  // lower case
  ScoreTable signal_strength_scores;                  // High/Medium/Low; `Low` is required
  std::vector<FreshnessTier> freshness;               // at least one tier
  ScoreTable sic_scores;                              // 4-digit SIC -> on-site likelihood
  std::int64_t sic_default = 0;
  std::vector<EmployeeTier> employee_scale;  // at least one tier
  std::vector<ProximityTier> proximity;      // at least one tier
  // Contact Owner emails for the writer's round robin; empty when the file has none. The scorer
  // does not use them.
  std::vector<std::string> call_center_agents;
  ScoringMethod scoring_method;

  std::string source;  // the path it was read from, as given
  std::string sha256;  // lower-case hex SHA-256 of the file's bytes
};

// Reads and checks the icp.yaml at `path`. Fails with kInvalidConfig (with `path:line:col`) when
// it is not valid YAML or a key is missing or wrong, and as read_icp_file() does.
Result<IcpConfig> load_icp_config(const std::string& path);

// The bytes of the icp.yaml at `path`. Fails with kInvalidConfig when it is missing or not
// readable for good (file_checks.h) or larger than 1 MiB (hades::YamlLimits), kIo otherwise.
Result<std::string> read_icp_file(const std::string& path);

// The same from the file's bytes; `source_name` stands for the path in messages and `source`.
// YAML beyond hades::YamlLimits (too large, too deep, an alias bomb) is refused quickly.
Result<IcpConfig> parse_icp_config(std::string_view text, const std::string& source_name);

// True for `local@domain`: one @, a local part of printable ASCII other than blanks, quotes,
// commas, semicolons and angle brackets, and a domain of letters, digits and hyphens in
// dot-separated labels. Not the whole of RFC 5322: what a dialer's user e-mail looks like.
bool is_email_address(std::string_view text);

// Lower-case hex SHA-256 of `bytes`. Throws std::runtime_error only when OpenSSL cannot allocate.
std::string sha256_hex(std::string_view bytes);

}  // namespace hades::domain

#endif  // HADES_LEADS_ICP_CONFIG_H_
