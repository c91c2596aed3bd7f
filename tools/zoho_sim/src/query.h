// query.h: the record filter shared by COQL (`where`) and the search API (`criteria`): an
// expression tree of conditions on fields, checked against a module's field metadata
// (bind) and then evaluated per record (matches).
//
// Comparison rules, chosen to be at least as strict as Zoho CRM:
// - text and picklist values compare case-insensitively (ASCII); `like` supports only 'x%'
//   (starts with), '%x' (ends with) and '%x%' (contains);
// - a null field satisfies only `is null` (SQL semantics: `!=`, `not in`, `not like` are
//   false on null);
// - ids and lookups compare as decimal numbers, date-times as instants (any offset), dates as
//   YYYY-MM-DD;
// - a lookup path `Field.id` is the lookup's id, `Field.Other` is field Other of the record the
//   lookup points at; a bare lookup field compares by id.
//
// Thread safety: an Evaluator only reads the Store; the caller serialises writes.

#ifndef HADES_TOOLS_ZOHO_SIM_QUERY_H_
#define HADES_TOOLS_ZOHO_SIM_QUERY_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api_error.h"
#include "store.h"

namespace hades::zoho_sim {

struct FieldPath {
  std::string field;  // api_name in the queried module, or "id"
  std::string sub;    // after the dot, or empty
  std::string text() const { return sub.empty() ? field : field + "." + sub; }
};

struct Literal {
  enum class Kind { kString, kNumber, kBool };
  Kind kind = Kind::kString;
  std::string text;  // as written (unescaped for strings)
  // Filled by bind(), in the form the field's type compares on.
  std::string key;
  double number = 0;
  std::int64_t epoch = 0;
  bool boolean = false;
  bool wild_start = false;  // like '%x...'
  bool wild_end = false;    // like '...x%'
};

enum class Op {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kLike,
  kNotLike,
  kIn,
  kNotIn,
  kIsNull,
  kIsNotNull,
  kBetween
};

struct Expr {
  enum class Kind { kCondition, kAnd, kOr };
  Kind kind = Kind::kCondition;
  // kCondition
  FieldPath path;
  Op op = Op::kEq;
  std::vector<Literal> values;
  // kAnd / kOr
  std::unique_ptr<Expr> lhs;
  std::unique_ptr<Expr> rhs;
  // Filled by bind(): the type the condition compares on.
  FieldType type = FieldType::kText;
};

// How many conditions `expr` holds.
int count_conditions(const Expr& expr);
// True when some condition of `expr` names `field`.
bool mentions_field(const Expr& expr, std::string_view field);

class Evaluator {
 public:
  // REQUIRES: `store` and `module` outlive the evaluator.
  Evaluator(const Store& store, const Module& module) : store_(store), module_(module) {}

  // The type `path` compares on, or an INVALID_QUERY-style error naming the field
  // (`error_code` lets the search API report INVALID_DATA instead).
  std::optional<FieldType> resolve(const FieldPath& path) const;
  // Checks every path and literal of `expr` and prepares literals for comparison.
  std::optional<ApiError> bind(Expr& expr, const std::string& error_code) const;
  bool matches(const Record& record, const Expr& expr) const;
  // The value `path` names on `record`; a null json when absent.
  nlohmann::json value(const Record& record, const FieldPath& path) const;
  // Three-way comparison for ORDER BY: nulls first, then by `type`.
  static int compare_values(const nlohmann::json& a, const nlohmann::json& b, FieldType type);

 private:
  bool test(const nlohmann::json& value, const Expr& cond) const;

  const Store& store_;
  const Module& module_;
};

// ASCII-lowercased copy.
std::string lower(std::string_view text);

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_QUERY_H_
