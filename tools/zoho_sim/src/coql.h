// coql.h: the subset of COQL (Zoho's CRM Object Query Language) the simulator answers.
//
//   select F1, F2, Lookup.id, Lookup.Field from Module
//   where <criteria> [order by F [asc|desc], ...] [limit N | limit OFFSET, N | limit N offset M]
//
// Criteria: =, !=, <>, <, <=, >, >=, [not] like, [not] in (...), is [not] null, between .. and ..,
// combined with and/or. As in Zoho, each bracket level holds at most two criteria joined by one
// and/or: `a and b and c` is a SYNTAX_ERROR, `(a and b) and c` is fine. Strings are in single
// quotes; a quote inside is written \' or ''. Keywords are case-insensitive.
// Limits as documented for v7/v8: WHERE is required here (Zoho's examples always carry one), at
// most 50 select fields, 25 criteria, 50 values per IN, 10 ORDER BY fields, LIMIT at most 2,000,
// OFFSET + LIMIT at most 100,000; default LIMIT 200, default order id ascending.

#ifndef HADES_TOOLS_ZOHO_SIM_COQL_H_
#define HADES_TOOLS_ZOHO_SIM_COQL_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api_error.h"
#include "query.h"
#include "store.h"

namespace hades::zoho_sim {

inline constexpr std::int64_t kCoqlMaxLimit = 2000;
inline constexpr std::int64_t kCoqlMaxRows = 100000;

struct CoqlQuery {
  struct Order {
    FieldPath path;
    bool descending = false;
  };
  std::vector<FieldPath> select;
  std::string module;
  std::unique_ptr<Expr> where;
  std::vector<Order> order_by;
  std::int64_t limit = 200;
  std::int64_t offset = 0;
};

// Parses `text`; SYNTAX_ERROR (naming the clause and the token it stopped at) when it is not
// COQL of the shape above.
std::variant<CoqlQuery, ApiError> parse_coql(std::string_view text);

struct CoqlOptions {
  // Converted leads are left out unless the WHERE clause names Converted__s, the conservative
  // reading of Zoho (a client must ask for them explicitly to be sure to get them).
  bool hide_converted_leads = true;
};

struct CoqlResult {
  std::string module;
  nlohmann::json rows = nlohmann::json::array();
  bool more_records = false;
  std::int64_t limit = 0;
};

// Parses, checks against the store's metadata and runs the query. Errors: SYNTAX_ERROR,
// INVALID_QUERY (unknown module or field, a value of the wrong type), LIMIT_EXCEEDED,
// DUPLICATE_DATA (a field twice in ORDER BY).
std::variant<CoqlResult, ApiError> run_coql(std::string_view text, const Store& store,
                                            const CoqlOptions& options);

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_COQL_H_
