// criteria.h: the search API's `criteria` parameter, e.g.
//   (Lead_Source:equals:VanillaSoft)
//   ((Lead_Source:equals:VanillaSoft)and(Company:starts_with:Acme))
// Operators: equals, not_equal, starts_with, in (comma-separated values), greater_than,
// greater_equal, less_than, less_equal, between (two comma-separated values). Inside a value,
// \( \) \, and \: stand for the character itself. Text compares case-insensitively.
// In API v7, `equals` on a text field behaves like *contains* (a documented Zoho quirk that
// makes `Lead_Source:equals:VanillaSoft` also match `VanillaSoft Legacy`).

#ifndef HADES_TOOLS_ZOHO_SIM_CRITERIA_H_
#define HADES_TOOLS_ZOHO_SIM_CRITERIA_H_

#include <memory>
#include <string_view>
#include <variant>

#include "api_error.h"
#include "query.h"

namespace hades::zoho_sim {

// Parses and binds `text` for a module (through `eval`) and API version `version`.
// Errors are INVALID_QUERY naming the problem.
std::variant<std::unique_ptr<Expr>, ApiError> parse_criteria(std::string_view text, int version,
                                                             const Evaluator& eval);

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_CRITERIA_H_
