// regions.h: the US Census region of a state, a scoring dimension of both the calibration report
// (its `region` dimension) and the lead model (plugins/libraries/lead_model).
//
// Thread safety: pure functions over constant tables.

#ifndef HADES_LEADS_REGIONS_H_
#define HADES_LEADS_REGIONS_H_

#include <array>
#include <optional>
#include <string_view>

namespace hades::domain {

// The four regions, in the Census Bureau's order.
inline constexpr std::array<std::string_view, 4> kCensusRegions = {"Northeast", "Midwest", "South",
                                                                   "West"};

// The US Census region ("Northeast", "Midwest", "South", "West") of a USPS state code
// (normalize_state()'s output); DC is South. nullopt for territories and anything else.
std::optional<std::string_view> census_region(std::string_view state_code);

}  // namespace hades::domain

#endif  // HADES_LEADS_REGIONS_H_
