// icp.yaml over any text, through both of its readers (the scorer's and export_batch's agent
// list), and the scoring rules run with whatever configuration loaded.
#include <cstdint>
#include <string>

#include "icp_agents.h"
#include "leads/icp_config.h"
#include "leads/scoring.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)hades::export_batch::parse_call_center_agents(text, "icp.yaml");
  const auto icp = hades::domain::parse_icp_config(text, "icp.yaml");
  if (!icp.ok()) return 0;
  using namespace hades::domain;
  for (const std::int64_t n :
       {std::int64_t{-1}, std::int64_t{0}, std::int64_t{75}, std::int64_t{1} << 40}) {
    (void)employee_scale_score(*icp, n);
    (void)signal_score(*icp, n, "High");
    (void)freshness(*icp, n);
  }
  (void)employee_scale_score(*icp, std::nullopt);
  for (const double miles : {-1.0, 0.0, 7.5, 1e300}) (void)proximity_score(*icp, miles);
  (void)proximity_score(*icp, std::nullopt);
  (void)onsite_score(*icp, "8062");
  (void)authority_score(*icp, "Director", "VP of Facilities");
  return 0;
}
