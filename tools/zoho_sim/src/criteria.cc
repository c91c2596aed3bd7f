#include "criteria.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hades::zoho_sim {
namespace {

ApiError invalid(std::string_view why, std::string_view near) {
  return api_error(400, "INVALID_QUERY", std::string(why), {{"reason", why}, {"near", near}});
}

class CriteriaParser {
 public:
  CriteriaParser(std::string_view text, int version, const Evaluator& eval)
      : text_(text), version_(version), eval_(eval) {}

  std::variant<std::unique_ptr<Expr>, ApiError> parse() {
    auto expr = parse_group();
    if (!expr) return *error_;
    if (pos_ != text_.size())
      return invalid("unexpected text after the criteria", text_.substr(pos_));
    return expr;
  }

 private:
  std::unique_ptr<Expr> fail(std::string_view why) {
    if (!error_) error_ = invalid(why, text_.substr(std::min(pos_, text_.size())));
    return nullptr;
  }

  bool take(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // '(' condition ')' or '(' group (and|or) group ... ')'
  std::unique_ptr<Expr> parse_group() {
    if (!take("(")) return fail("expected (");
    if (pos_ < text_.size() && text_[pos_] == '(') {
      auto expr = parse_group();
      while (expr) {
        Expr::Kind kind;
        if (take("and")) {
          kind = Expr::Kind::kAnd;
        } else if (take("or")) {
          kind = Expr::Kind::kOr;
        } else {
          break;
        }
        auto rhs = parse_group();
        if (!rhs) return nullptr;
        auto node = std::make_unique<Expr>();
        node->kind = kind;
        node->lhs = std::move(expr);
        node->rhs = std::move(rhs);
        expr = std::move(node);
      }
      if (!expr) return nullptr;
      if (!take(")")) return fail("expected )");
      return expr;
    }
    return parse_condition();
  }

  // field:operator:value ')' with \-escapes inside the value.
  std::unique_ptr<Expr> parse_condition() {
    std::vector<std::string> parts(1);
    std::vector<std::string> values(1);
    for (;; ++pos_) {
      if (pos_ >= text_.size()) return fail("unterminated criteria");
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        (parts.size() < 3 ? parts.back() : values.back()) += text_[++pos_];
      } else if (c == ')') {
        ++pos_;
        break;
      } else if (c == ':' && parts.size() < 3) {
        parts.emplace_back();
      } else if (c == ',' && parts.size() == 3) {
        values.emplace_back();
      } else {
        (parts.size() < 3 ? parts.back() : values.back()) += c;
      }
    }
    if (parts.size() != 3) return fail("a criterion is (field:operator:value)");
    return build(parts[0], parts[1], std::move(values));
  }

  std::unique_ptr<Expr> build(const std::string& field, const std::string& op,
                              std::vector<std::string> values) {
    static const std::map<std::string, Op, std::less<>> kOps = {
        {"equals", Op::kEq},    {"not_equal", Op::kNe},    {"starts_with", Op::kLike},
        {"in", Op::kIn},        {"greater_than", Op::kGt}, {"greater_equal", Op::kGe},
        {"less_than", Op::kLt}, {"less_equal", Op::kLe},   {"between", Op::kBetween}};
    const auto it = kOps.find(op);
    if (it == kOps.end()) return fail("invalid operator " + op);
    auto cond = std::make_unique<Expr>();
    const auto dot = field.find('.');
    cond->path.field = field.substr(0, dot);
    cond->path.sub = dot == std::string::npos ? "" : field.substr(dot + 1);
    cond->op = it->second;
    const auto type = eval_.resolve(cond->path);
    if (type && *type == FieldType::kText && op == "equals" && version_ == 7) {
      cond->op = Op::kLike;  // v7: equals behaves like contains
      values.front() = "%" + values.front() + "%";
    } else if (op == "starts_with") {
      values.front() += "%";
    }
    if (cond->op != Op::kIn && values.size() != (cond->op == Op::kBetween ? 2u : 1u)) {
      return fail("wrong number of values for " + op);
    }
    for (auto& v : values) {
      Literal lit;
      lit.text = std::move(v);
      cond->values.push_back(std::move(lit));
    }
    if (auto error = eval_.bind(*cond, "INVALID_QUERY")) {
      error_ = std::move(*error);
      return nullptr;
    }
    return cond;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int version_;
  const Evaluator& eval_;
  std::optional<ApiError> error_;
};

}  // namespace

std::variant<std::unique_ptr<Expr>, ApiError> parse_criteria(std::string_view text, int version,
                                                             const Evaluator& eval) {
  return CriteriaParser(text, version, eval).parse();
}

}  // namespace hades::zoho_sim
