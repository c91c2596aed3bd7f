#include "leads/regions.h"

namespace hades::domain {
namespace {

struct StateRegion {
  std::string_view code;
  std::string_view region;
};

// The four US Census Bureau regions (census.gov, "Census Regions and Divisions of the United
// States"). DC belongs to the South Atlantic division, hence South.
constexpr std::array<StateRegion, 51> kStateRegions = {{
    {"CT", "Northeast"}, {"ME", "Northeast"}, {"MA", "Northeast"}, {"NH", "Northeast"},
    {"RI", "Northeast"}, {"VT", "Northeast"}, {"NJ", "Northeast"}, {"NY", "Northeast"},
    {"PA", "Northeast"}, {"IL", "Midwest"},   {"IN", "Midwest"},   {"MI", "Midwest"},
    {"OH", "Midwest"},   {"WI", "Midwest"},   {"IA", "Midwest"},   {"KS", "Midwest"},
    {"MN", "Midwest"},   {"MO", "Midwest"},   {"NE", "Midwest"},   {"ND", "Midwest"},
    {"SD", "Midwest"},   {"DE", "South"},     {"FL", "South"},     {"GA", "South"},
    {"MD", "South"},     {"NC", "South"},     {"SC", "South"},     {"VA", "South"},
    {"DC", "South"},     {"WV", "South"},     {"AL", "South"},     {"KY", "South"},
    {"MS", "South"},     {"TN", "South"},     {"AR", "South"},     {"LA", "South"},
    {"OK", "South"},     {"TX", "South"},     {"AZ", "West"},      {"CO", "West"},
    {"ID", "West"},      {"MT", "West"},      {"NV", "West"},      {"NM", "West"},
    {"UT", "West"},      {"WY", "West"},      {"AK", "West"},      {"CA", "West"},
    {"HI", "West"},      {"OR", "West"},      {"WA", "West"},
}};

}  // namespace

std::optional<std::string_view> census_region(std::string_view state_code) {
  for (const StateRegion& s : kStateRegions) {
    if (s.code == state_code) return s.region;
  }
  return std::nullopt;
}

}  // namespace hades::domain
