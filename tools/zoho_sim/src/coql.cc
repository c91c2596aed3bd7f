#include "coql.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include "sim_time.h"

namespace hades::zoho_sim {
namespace {

using nlohmann::json;

struct Token {
  enum class Kind { kWord, kString, kNumber, kSymbol, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
};

ApiError syntax_error(std::string_view clause, std::string_view near, std::string_view why) {
  return api_error(400, "SYNTAX_ERROR",
                   "error occured in " + std::string(clause) + " clause near " + std::string(near) +
                       ": " + std::string(why),
                   {{"clause", clause}, {"near", near}});
}

bool word_char(char c, bool first) {
  const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '$';
  return alpha || (!first && ((c >= '0' && c <= '9') || c == '.'));
}

bool digit(char c) { return c >= '0' && c <= '9'; }

std::variant<std::vector<Token>, ApiError> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (word_char(c, true)) {
      std::size_t j = i + 1;
      while (j < text.size() && word_char(text[j], false)) ++j;
      tokens.push_back({Token::Kind::kWord, std::string(text.substr(i, j - i))});
      i = j;
    } else if (digit(c) || (c == '-' && i + 1 < text.size() && digit(text[i + 1]))) {
      std::size_t j = i + 1;
      while (j < text.size() && (digit(text[j]) || text[j] == '.')) ++j;
      tokens.push_back({Token::Kind::kNumber, std::string(text.substr(i, j - i))});
      i = j;
    } else if (c == '\'') {
      std::string value;
      std::size_t j = i + 1;
      for (;; ++j) {
        if (j >= text.size()) return syntax_error("query", text.substr(i), "unterminated string");
        if (text[j] == '\\' && j + 1 < text.size()) {
          value += text[++j];  // \' and \\ (and any escaped character) stand for themselves
        } else if (text[j] == '\'' && j + 1 < text.size() && text[j + 1] == '\'') {
          value += '\'';
          ++j;
        } else if (text[j] == '\'') {
          break;
        } else {
          value += text[j];
        }
      }
      tokens.push_back({Token::Kind::kString, std::move(value)});
      i = j + 1;
    } else {
      static constexpr std::string_view kTwo[] = {"!=", "<>", "<=", ">="};
      std::string symbol(1, c);
      for (std::string_view two : kTwo) {
        if (text.substr(i, 2) == two) symbol = std::string(two);
      }
      if (symbol.size() == 1 && std::string_view("(),=<>*").find(c) == std::string_view::npos) {
        return syntax_error("query", text.substr(i, 1), "unexpected character");
      }
      tokens.push_back({Token::Kind::kSymbol, symbol});
      i += symbol.size();
    }
  }
  tokens.push_back({Token::Kind::kEnd, "<end>"});
  return tokens;
}

bool same_word(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::variant<CoqlQuery, ApiError> parse() {
    CoqlQuery query;
    if (!take_word("select")) return fail("select", "a query starts with select");
    clause_ = "select";
    do {
      if (peek().text == "*") return fail("select", "select * is not supported; name the fields");
      if (tokens_[pos_ + 1].text == "(") {
        return api_error(400, "INVALID_QUERY", "aggregate functions are not simulated",
                         {{"clause", "select"}, {"near", peek().text}});
      }
      FieldPath path;
      if (!take_path(path)) return fail("select", "expected a field name");
      query.select.push_back(std::move(path));
    } while (take_symbol(","));
    clause_ = "from";
    if (!take_word("from")) return fail("from", "expected from");
    if (peek().kind != Token::Kind::kWord) return fail("from", "expected a module name");
    query.module = next().text;
    clause_ = "where";
    if (!take_word("where")) return fail("where", "the where clause is mandatory");
    auto where = parse_expr();
    if (!where) return *error_;
    query.where = std::move(where);
    if (take_word("order")) {
      clause_ = "order by";
      if (!take_word("by")) return fail("order by", "expected by");
      do {
        CoqlQuery::Order order;
        if (!take_path(order.path)) return fail("order by", "expected a field name");
        if (take_word("desc")) {
          order.descending = true;
        } else {
          take_word("asc");
        }
        query.order_by.push_back(std::move(order));
      } while (take_symbol(","));
    }
    if (take_word("limit")) {
      clause_ = "limit";
      std::int64_t first = 0;
      if (!take_count(first)) return fail("limit", "expected a number");
      query.limit = first;
      if (take_symbol(",")) {
        query.offset = first;
        if (!take_count(query.limit)) return fail("limit", "expected a number");
      }
      if (take_word("offset") && !take_count(query.offset))
        return fail("limit", "expected a number");
    }
    if (peek().kind != Token::Kind::kEnd) return fail(clause_, "unexpected text");
    return query;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool is_word(std::string_view word) const {
    return peek().kind == Token::Kind::kWord && same_word(peek().text, word);
  }
  bool take_word(std::string_view word) {
    if (!is_word(word)) return false;
    ++pos_;
    return true;
  }
  bool take_symbol(std::string_view symbol) {
    if (peek().kind != Token::Kind::kSymbol || peek().text != symbol) return false;
    ++pos_;
    return true;
  }
  bool take_count(std::int64_t& out) {
    if (peek().kind != Token::Kind::kNumber) return false;
    const std::string& text = next().text;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out >= 0;
  }
  bool take_path(FieldPath& out) {
    if (peek().kind != Token::Kind::kWord) return false;
    const std::string& text = next().text;
    const auto dot = text.find('.');
    out.field = text.substr(0, dot);
    out.sub = dot == std::string::npos ? "" : text.substr(dot + 1);
    return !out.field.empty() && (dot == std::string::npos ||
                                  (!out.sub.empty() && out.sub.find('.') == std::string::npos));
  }
  ApiError fail(std::string_view clause, std::string_view why) {
    return syntax_error(clause, peek().text, why);
  }
  std::unique_ptr<Expr> failed(std::string_view why) {
    error_ = fail(clause_, why);
    return nullptr;
  }

  // One bracket level: an operand, or two joined by a single and/or.
  std::unique_ptr<Expr> parse_expr() {
    auto lhs = parse_operand();
    if (!lhs) return nullptr;
    const bool is_and = is_word("and");
    if (!is_and && !is_word("or")) return lhs;
    ++pos_;
    auto rhs = parse_operand();
    if (!rhs) return nullptr;
    if (is_word("and") || is_word("or")) {
      return failed("more than two criteria must be grouped in brackets, e.g. ((a and b) and c)");
    }
    auto node = std::make_unique<Expr>();
    node->kind = is_and ? Expr::Kind::kAnd : Expr::Kind::kOr;
    node->lhs = std::move(lhs);
    node->rhs = std::move(rhs);
    return node;
  }

  std::unique_ptr<Expr> parse_operand() {
    if (take_symbol("(")) {
      auto inner = parse_expr();
      if (!inner) return nullptr;
      if (!take_symbol(")")) return failed("expected )");
      return inner;
    }
    return parse_condition();
  }

  bool take_literal(Literal& out) {
    const Token& token = peek();
    if (token.kind == Token::Kind::kString || token.kind == Token::Kind::kNumber) {
      out.kind =
          token.kind == Token::Kind::kString ? Literal::Kind::kString : Literal::Kind::kNumber;
      out.text = next().text;
      return true;
    }
    if (is_word("true") || is_word("false")) {
      out.kind = Literal::Kind::kBool;
      out.text = lower(next().text);
      return true;
    }
    return false;
  }

  std::unique_ptr<Expr> parse_condition() {
    auto cond = std::make_unique<Expr>();
    if (!take_path(cond->path)) return failed("expected a field name");
    Literal lit;
    if (take_word("is")) {
      cond->op = take_word("not") ? Op::kIsNotNull : Op::kIsNull;
      if (!take_word("null")) return failed("expected null");
      return cond;
    }
    const bool negated = take_word("not");
    if (take_word("like")) {
      cond->op = negated ? Op::kNotLike : Op::kLike;
      if (peek().kind != Token::Kind::kString || !take_literal(lit))
        return failed("expected a quoted pattern");
      cond->values.push_back(std::move(lit));
      return cond;
    }
    if (take_word("in")) {
      cond->op = negated ? Op::kNotIn : Op::kIn;
      if (!take_symbol("(")) return failed("expected (");
      do {
        if (!take_literal(lit)) return failed("expected a value");
        cond->values.push_back(lit);
      } while (take_symbol(","));
      if (!take_symbol(")")) return failed("expected )");
      return cond;
    }
    if (negated) return failed("expected like or in after not");
    if (take_word("between")) {
      cond->op = Op::kBetween;
      Literal high;
      if (!take_literal(lit) || !take_word("and") || !take_literal(high)) {
        return failed("expected between <value> and <value>");
      }
      cond->values = {std::move(lit), std::move(high)};
      return cond;
    }
    static const std::pair<std::string_view, Op> kOps[] = {
        {"=", Op::kEq},  {"!=", Op::kNe}, {"<>", Op::kNe}, {"<", Op::kLt},
        {"<=", Op::kLe}, {">", Op::kGt},  {">=", Op::kGe}};
    for (const auto& [symbol, op] : kOps) {
      if (take_symbol(symbol)) {
        if (is_word("null")) return failed("compare with null using is null / is not null");
        if (!take_literal(lit)) return failed("expected a value");
        cond->op = op;
        cond->values.push_back(std::move(lit));
        return cond;
      }
    }
    return failed("expected a comparator");
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string clause_ = "select";
  std::optional<ApiError> error_;
};

int max_in_values(const Expr& expr) {
  if (expr.kind != Expr::Kind::kCondition) {
    return std::max(max_in_values(*expr.lhs), max_in_values(*expr.rhs));
  }
  const bool in = expr.op == Op::kIn || expr.op == Op::kNotIn;
  return in ? static_cast<int>(expr.values.size()) : 0;
}

ApiError limit_exceeded(std::int64_t limit, std::string_view clause, std::string_view what) {
  return api_error(400, "LIMIT_EXCEEDED", std::string(what),
                   {{"limit", limit}, {"clause", clause}});
}

std::optional<ApiError> check(CoqlQuery& q, const Evaluator& eval) {
  if (q.select.size() > 50)
    return limit_exceeded(50, "select", "at most 50 fields can be selected");
  for (const auto& path : q.select) {
    if (!eval.resolve(path)) {
      return api_error(400, "INVALID_QUERY", "invalid column name: " + path.text(),
                       {{"column_name", path.text()}, {"clause", "select"}});
    }
  }
  if (q.order_by.size() > 10) return limit_exceeded(10, "order by", "at most 10 order by fields");
  std::set<std::string> seen;
  for (const auto& order : q.order_by) {
    if (!eval.resolve(order.path)) {
      return api_error(400, "INVALID_QUERY", "invalid column name: " + order.path.text(),
                       {{"column_name", order.path.text()}, {"clause", "order by"}});
    }
    if (!seen.insert(order.path.text()).second) {
      return api_error(400, "DUPLICATE_DATA", "duplicate field in order by",
                       {{"column_name", order.path.text()}, {"clause", "order by"}});
    }
  }
  if (count_conditions(*q.where) > 25) return limit_exceeded(25, "where", "at most 25 criteria");
  if (max_in_values(*q.where) > 50) return limit_exceeded(50, "where", "at most 50 values in in()");
  if (auto error = eval.bind(*q.where, "INVALID_QUERY")) return error;
  if (q.limit < 1 || q.limit > kCoqlMaxLimit) {
    return limit_exceeded(kCoqlMaxLimit, "limit", "limit must be between 1 and 2000");
  }
  if (q.offset + q.limit > kCoqlMaxRows) {
    return limit_exceeded(kCoqlMaxRows, "limit",
                          "offset + limit exceeds 100000; page on id > last id instead");
  }
  return std::nullopt;
}

// Sorts `rows` by the ORDER BY list, ties by id ascending. Keys are computed once per row.
void sort_rows(std::vector<const Record*>& rows, const CoqlQuery& q, const Evaluator& eval) {
  if (q.order_by.empty()) return;  // already id ascending
  struct Keyed {
    std::vector<json> keys;
    const Record* record;
  };
  std::vector<FieldType> types;
  for (const auto& order : q.order_by) {
    const FieldType type = *eval.resolve(order.path);
    types.push_back(type == FieldType::kDateTime ? FieldType::kInteger : type);
  }
  std::vector<Keyed> keyed;
  keyed.reserve(rows.size());
  for (const Record* record : rows) {
    Keyed k{{}, record};
    for (const auto& order : q.order_by) {
      json key = eval.value(*record, order.path);
      if (*eval.resolve(order.path) == FieldType::kDateTime && key.is_string()) {
        key = parse_iso_datetime(key.get<std::string>()).value_or(0);
      }
      k.keys.push_back(std::move(key));
    }
    keyed.push_back(std::move(k));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
    for (std::size_t i = 0; i < types.size(); ++i) {
      const int c = Evaluator::compare_values(a.keys[i], b.keys[i], types[i]);
      if (c != 0) return q.order_by[i].descending ? c > 0 : c < 0;
    }
    return false;
  });
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = keyed[i].record;
}

// The smallest id a matching record can have, when the criteria require `id > X` or `id >= X`
// at the top level (an AND chain): the usual "page on id > last id" query can then start its
// scan there instead of at the first record.
std::optional<std::string> id_floor(const Expr& expr) {
  if (expr.kind == Expr::Kind::kOr) return std::nullopt;
  if (expr.kind == Expr::Kind::kAnd) {
    auto left = id_floor(*expr.lhs);
    auto right = id_floor(*expr.rhs);
    if (left && right) return id_less(*left, *right) ? right : left;
    return left ? left : right;
  }
  const bool lower = expr.op == Op::kGt || expr.op == Op::kGe;
  if (expr.path.field != "id" || !expr.path.sub.empty() || !lower) return std::nullopt;
  return expr.values[0].key;
}

}  // namespace

std::variant<CoqlQuery, ApiError> parse_coql(std::string_view text) {
  auto tokens = tokenize(text);
  if (auto* error = std::get_if<ApiError>(&tokens)) return *error;
  return Parser(std::move(std::get<std::vector<Token>>(tokens))).parse();
}

std::variant<CoqlResult, ApiError> run_coql(std::string_view text, const Store& store,
                                            const CoqlOptions& options) {
  auto parsed = parse_coql(text);
  if (auto* error = std::get_if<ApiError>(&parsed)) return *error;
  CoqlQuery& q = std::get<CoqlQuery>(parsed);
  const Module* module = store.module(q.module);
  if (module == nullptr) {
    return api_error(400, "INVALID_QUERY", "the module name given seems to be invalid",
                     {{"clause", "from"}, {"module", q.module}});
  }
  const Evaluator eval(store, *module);
  if (auto error = check(q, eval)) return *error;
  const bool hide_converted = options.hide_converted_leads && module->field("Converted__s") &&
                              !mentions_field(*q.where, "Converted__s");
  // Records are kept in id order: ordering by id alone needs no sort, and the scan can stop
  // one row after the page (enough to know whether there are more records).
  const bool by_id =
      q.order_by.empty() || (q.order_by.size() == 1 && q.order_by[0].path.field == "id" &&
                             q.order_by[0].path.sub.empty());
  const bool reverse = by_id && !q.order_by.empty() && q.order_by[0].descending;
  const auto wanted = static_cast<std::size_t>(q.offset + q.limit + 1);
  std::vector<const Record*> rows;
  const auto consider = [&](const Record& record) {
    if (hide_converted && record.values.value("Converted__s", false)) return;
    if (eval.matches(record, *q.where)) rows.push_back(&record);
  };
  const auto& records = module->records();
  if (reverse) {
    for (auto it = records.rbegin(); it != records.rend() && rows.size() < wanted; ++it)
      consider(*it);
  } else {
    auto it = records.begin();
    if (const auto floor = id_floor(*q.where)) {
      it = std::lower_bound(
          records.begin(), records.end(), *floor,
          [](const Record& r, const std::string& id) { return id_less(r.id, id); });
    }
    for (; it != records.end() && (!by_id || rows.size() < wanted); ++it) consider(*it);
  }
  if (!by_id) sort_rows(rows, q, eval);
  CoqlResult result;
  result.module = module->name();
  result.limit = q.limit;
  const auto begin = static_cast<std::size_t>(std::min<std::int64_t>(q.offset, rows.size()));
  const auto end =
      static_cast<std::size_t>(std::min<std::int64_t>(q.offset + q.limit, rows.size()));
  result.more_records = end < rows.size();
  for (std::size_t i = begin; i < end; ++i) {
    json row = {{"id", rows[i]->id}};
    for (const auto& path : q.select) row[path.text()] = eval.value(*rows[i], path);
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace hades::zoho_sim
