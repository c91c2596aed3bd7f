#include "query.h"

#include <algorithm>
#include <cstdlib>

#include "sim_time.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

int icompare(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char x = ascii_lower(a[i]);
    const char y = ascii_lower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view strip_zeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return digits;
}

int compare_ids(std::string_view a, std::string_view b) {
  a = strip_zeros(a);
  b = strip_zeros(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a.compare(b) < 0 ? -1 : (a == b ? 0 : 1);
}

template <typename T>
int three_way(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool parse_number(std::string_view text, double& out) {
  if (text.empty()) return false;
  const std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

std::string_view id_text(const json& value) {
  if (value.is_object()) {
    const auto it = value.find("id");
    return it != value.end() && it->is_string()
               ? std::string_view(it->get_ref<const std::string&>())
               : std::string_view();
  }
  return value.is_string() ? std::string_view(value.get_ref<const std::string&>())
                           : std::string_view();
}

// `value` against a prepared literal; nullopt when the value has an unexpected JSON type.
std::optional<int> compare_literal(const json& value, FieldType type, const Literal& lit) {
  switch (type) {
    case FieldType::kText:
      if (value.is_string()) return icompare(value.get_ref<const std::string&>(), lit.key);
      if (value.is_number()) return icompare(value.dump(), lit.key);
      return std::nullopt;
    case FieldType::kInteger:
    case FieldType::kDouble:
      if (!value.is_number()) return std::nullopt;
      return three_way(value.get<double>(), lit.number);
    case FieldType::kId:
    case FieldType::kLookup: {
      const std::string_view id = id_text(value);
      if (!all_digits(id)) return std::nullopt;
      return compare_ids(id, lit.key);
    }
    case FieldType::kBoolean:
      if (!value.is_boolean()) return std::nullopt;
      return three_way(value.get<bool>(), lit.boolean);
    case FieldType::kDate:
      if (!value.is_string()) return std::nullopt;
      return three_way(std::string_view(value.get_ref<const std::string&>()),
                       std::string_view(lit.key));
    case FieldType::kDateTime: {
      const auto epoch =
          value.is_string() ? parse_iso_datetime(value.get<std::string>()) : std::nullopt;
      if (!epoch) return std::nullopt;
      return three_way(*epoch, lit.epoch);
    }
  }
  return std::nullopt;
}

bool like(const json& value, const Literal& lit) {
  if (!value.is_string()) return false;
  const std::string text = lower(value.get_ref<const std::string&>());
  if (lit.wild_start && lit.wild_end) return text.find(lit.key) != std::string::npos;
  if (lit.wild_end) return text.starts_with(lit.key);
  if (lit.wild_start) return text.ends_with(lit.key);
  return text == lit.key;
}

std::optional<std::string> prepare(Literal& lit, FieldType type, bool is_like) {
  const bool is_string = lit.kind == Literal::Kind::kString;
  if (is_like) {
    if (type != FieldType::kText || !is_string)
      return "like needs a text field and a quoted pattern";
    std::string_view core = lit.text;
    lit.wild_start = core.starts_with('%');
    if (lit.wild_start) core.remove_prefix(1);
    lit.wild_end = core.ends_with('%');
    if (lit.wild_end) core.remove_suffix(1);
    if (core.find('%') != std::string_view::npos) {
      return "like supports only starts with, ends with and contains patterns";
    }
    lit.key = lower(core);
    return std::nullopt;
  }
  switch (type) {
    case FieldType::kText:
      if (lit.kind == Literal::Kind::kBool) return "a text field compares with a quoted string";
      lit.key = lower(lit.text);
      return std::nullopt;
    case FieldType::kInteger:
    case FieldType::kDouble:
      if (lit.kind == Literal::Kind::kBool || !parse_number(lit.text, lit.number)) {
        return "a number field compares with a number";
      }
      return std::nullopt;
    case FieldType::kId:
    case FieldType::kLookup:
      if (!all_digits(lit.text)) return "an id compares with a string of digits";
      lit.key = std::string(strip_zeros(lit.text));
      return std::nullopt;
    case FieldType::kBoolean:
      if (lit.text != "true" && lit.text != "false") return "a boolean compares with true or false";
      lit.boolean = lit.text == "true";
      return std::nullopt;
    case FieldType::kDate:
      if (!is_string || !is_iso_date(lit.text)) return "a date compares with 'YYYY-MM-DD'";
      lit.key = lit.text;
      return std::nullopt;
    case FieldType::kDateTime: {
      const auto epoch = is_string ? parse_iso_datetime(lit.text) : std::nullopt;
      if (!epoch) return "a date-time compares with 'YYYY-MM-DDTHH:MM:SS+HH:MM'";
      lit.epoch = *epoch;
      return std::nullopt;
    }
  }
  return "unsupported field type";
}

}  // namespace

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

int count_conditions(const Expr& expr) {
  if (expr.kind == Expr::Kind::kCondition) return 1;
  return count_conditions(*expr.lhs) + count_conditions(*expr.rhs);
}

bool mentions_field(const Expr& expr, std::string_view field) {
  if (expr.kind == Expr::Kind::kCondition) return expr.path.field == field;
  return mentions_field(*expr.lhs, field) || mentions_field(*expr.rhs, field);
}

std::optional<FieldType> Evaluator::resolve(const FieldPath& path) const {
  const FieldDef* def = module_.field(path.field);
  if (def == nullptr) return std::nullopt;
  if (path.sub.empty()) return def->type;
  if (def->type != FieldType::kLookup) return std::nullopt;
  if (path.sub == "id") return FieldType::kId;
  const Module* target = store_.module(def->lookup_module);
  const FieldDef* sub = target == nullptr ? nullptr : target->field(path.sub);
  if (sub == nullptr) return std::nullopt;
  return sub->type;
}

std::optional<ApiError> Evaluator::bind(Expr& expr, const std::string& error_code) const {
  if (expr.kind != Expr::Kind::kCondition) {
    if (auto error = bind(*expr.lhs, error_code)) return error;
    return bind(*expr.rhs, error_code);
  }
  const auto type = resolve(expr.path);
  if (!type) {
    return api_error(400, error_code, "invalid column name: " + expr.path.text(),
                     {{"column_name", expr.path.text()}, {"clause", "where"}});
  }
  expr.type = *type;
  const bool ordered = expr.op == Op::kLt || expr.op == Op::kLe || expr.op == Op::kGt ||
                       expr.op == Op::kGe || expr.op == Op::kBetween;
  if (ordered && (*type == FieldType::kBoolean || *type == FieldType::kLookup)) {
    return api_error(400, error_code, "comparator not supported for " + expr.path.text(),
                     {{"column_name", expr.path.text()}, {"clause", "where"}});
  }
  const bool is_like = expr.op == Op::kLike || expr.op == Op::kNotLike;
  for (Literal& lit : expr.values) {
    if (auto problem = prepare(lit, *type, is_like)) {
      return api_error(
          400, error_code, *problem,
          {{"column_name", expr.path.text()}, {"value", lit.text}, {"clause", "where"}});
    }
  }
  return std::nullopt;
}

json Evaluator::value(const Record& record, const FieldPath& path) const {
  if (path.field == "id") return record.id;
  const auto it = record.values.find(path.field);
  if (it == record.values.end() || it->is_null()) return nullptr;
  if (path.sub.empty()) return *it;
  if (!it->is_object()) return nullptr;
  const std::string_view id = id_text(*it);
  if (path.sub == "id") return id.empty() ? json(nullptr) : json(id);
  const FieldDef* def = module_.field(path.field);
  const Module* target = def == nullptr ? nullptr : store_.module(def->lookup_module);
  const Record* linked = target == nullptr ? nullptr : target->find(id);
  if (linked == nullptr) return nullptr;
  const auto sub = linked->values.find(path.sub);
  return sub == linked->values.end() ? json(nullptr) : *sub;
}

namespace {

// Applies a comparison operator given a three-way comparison with each literal (nullopt when
// the value cannot be compared). Like operators are handled by the caller.
template <typename Compare>
bool apply(const Expr& cond, Compare cmp) {
  const auto equal = [&](const Literal& lit) { return cmp(lit) == 0; };
  const auto first = [&] { return cmp(cond.values[0]); };
  switch (cond.op) {
    case Op::kEq:
      return equal(cond.values[0]);
    case Op::kNe: {
      const auto c = first();
      return c && *c != 0;
    }
    case Op::kLt: {
      const auto c = first();
      return c && *c < 0;
    }
    case Op::kLe: {
      const auto c = first();
      return c && *c <= 0;
    }
    case Op::kGt: {
      const auto c = first();
      return c && *c > 0;
    }
    case Op::kGe: {
      const auto c = first();
      return c && *c >= 0;
    }
    case Op::kIn:
      return std::any_of(cond.values.begin(), cond.values.end(), equal);
    case Op::kNotIn:
      return first().has_value() && std::none_of(cond.values.begin(), cond.values.end(), equal);
    case Op::kBetween: {
      const auto lo = first();
      const auto hi = cmp(cond.values[1]);
      return lo && hi && *lo >= 0 && *hi <= 0;
    }
    case Op::kLike:
    case Op::kNotLike:
    case Op::kIsNull:
    case Op::kIsNotNull:
      break;
  }
  return false;
}

}  // namespace

bool Evaluator::test(const json& value, const Expr& cond) const {
  if (cond.op == Op::kIsNull) return value.is_null();
  if (cond.op == Op::kIsNotNull) return !value.is_null();
  if (value.is_null()) return false;
  if (cond.op == Op::kLike) return like(value, cond.values[0]);
  if (cond.op == Op::kNotLike) return value.is_string() && !like(value, cond.values[0]);
  return apply(cond, [&](const Literal& lit) { return compare_literal(value, cond.type, lit); });
}

// Scans are the simulator's hot path (100,000 records per COQL page in the benchmark), so
// plain fields are tested in place and the record id without building a JSON value.
bool Evaluator::matches(const Record& record, const Expr& expr) const {
  switch (expr.kind) {
    case Expr::Kind::kAnd:
      return matches(record, *expr.lhs) && matches(record, *expr.rhs);
    case Expr::Kind::kOr:
      return matches(record, *expr.lhs) || matches(record, *expr.rhs);
    case Expr::Kind::kCondition:
      break;
  }
  if (!expr.path.sub.empty()) return test(value(record, expr.path), expr);
  if (expr.path.field == "id") {
    if (expr.op == Op::kIsNull || expr.op == Op::kIsNotNull) return expr.op == Op::kIsNotNull;
    return apply(expr, [&](const Literal& lit) -> std::optional<int> {
      return compare_ids(record.id, lit.key);
    });
  }
  static const json kNull;
  const auto it = record.values.find(expr.path.field);
  return test(it == record.values.end() ? kNull : *it, expr);
}

int Evaluator::compare_values(const json& a, const json& b, FieldType type) {
  if (a.is_null() || b.is_null()) return three_way(!a.is_null(), !b.is_null());
  switch (type) {
    case FieldType::kText:
      if (a.is_string() && b.is_string()) {
        return icompare(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
      }
      return icompare(a.dump(), b.dump());
    case FieldType::kInteger:
    case FieldType::kDouble:
      return three_way(a.is_number() ? a.get<double>() : 0.0,
                       b.is_number() ? b.get<double>() : 0.0);
    case FieldType::kId:
    case FieldType::kLookup:
      return compare_ids(id_text(a), id_text(b));
    case FieldType::kBoolean:
      return three_way(a.is_boolean() && a.get<bool>(), b.is_boolean() && b.get<bool>());
    case FieldType::kDate:
      return three_way(a.dump(), b.dump());
    case FieldType::kDateTime: {
      const auto x = a.is_string() ? parse_iso_datetime(a.get<std::string>()) : std::nullopt;
      const auto y = b.is_string() ? parse_iso_datetime(b.get<std::string>()) : std::nullopt;
      return three_way(x.value_or(0), y.value_or(0));
    }
  }
  return 0;
}

}  // namespace hades::zoho_sim
