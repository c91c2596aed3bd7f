#include "sql_text.h"

#include <charconv>
#include <limits>

namespace hades::sql_source {
namespace {

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

Status invalid(const std::string& message) {
  return Status::invalid_config("sql_source: `query`: " + message);
}

// Index just past the literal, identifier or comment that starts at sql[i], or npos when it is
// unterminated. REQUIRES: sql[i] starts one (see skippable_end's callers).
std::size_t quoted_end(std::string_view sql, std::size_t i, char close) {
  for (std::size_t j = i + 1; j < sql.size(); ++j) {
    if (sql[j] != close) continue;
    // '' and "" inside their own quotes are escapes, not the end; `` likewise. ] has none.
    if (close != ']' && j + 1 < sql.size() && sql[j + 1] == close) {
      ++j;
      continue;
    }
    return j + 1;
  }
  return std::string_view::npos;
}

// When sql[i] opens a string literal, quoted identifier or comment, the index just past it
// (npos when unterminated); otherwise i itself.
std::size_t skippable_end(std::string_view sql, std::size_t i) {
  const char c = sql[i];
  const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  if (c == '\'' || c == '"' || c == '`') return quoted_end(sql, i, c);
  if (c == '[') return quoted_end(sql, i, ']');
  if (c == '-' && next == '-') {
    const std::size_t eol = sql.find('\n', i);
    return eol == std::string_view::npos ? sql.size() : eol + 1;
  }
  if (c == '/' && next == '*') {
    const std::size_t close = sql.find("*/", i + 2);
    return close == std::string_view::npos ? close : close + 2;
  }
  return i;
}

// True when sql[from..] holds only blanks, comments and semicolons.
bool only_trailing_noise(std::string_view sql, std::size_t from) {
  for (std::size_t i = from; i < sql.size();) {
    const std::size_t end = skippable_end(sql, i);
    const bool comment = end != i && (sql[i] == '-' || sql[i] == '/');
    if (comment) {
      i = end;
    } else if (is_blank(sql[i]) || sql[i] == ';') {
      ++i;
    } else {
      return false;
    }
  }
  return true;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string wrapped(std::string_view query) {
  // The newline ends a trailing `-- comment` in the query before the closing parenthesis.
  std::string sql = "SELECT * FROM (";
  sql += query;
  sql += "\n)";
  return sql;
}

std::string after_predicate(const std::vector<KeyColumn>& key, std::size_t i) {
  const std::string column = quote_identifier(key[i].name);
  const char* const strict = key[i].descending ? " < ?" : " > ?";
  if (i + 1 == key.size()) return column + strict;
  const char* const loose = key[i].descending ? " <= ?" : " >= ?";
  return column + loose + " AND (" + column + strict + " OR (" + after_predicate(key, i + 1) + "))";
}

void encode_value(const Value& value, std::string* out) {
  if (is_null(value)) {
    *out += "n;";
  } else if (const bool* b = std::get_if<bool>(&value)) {
    *out += *b ? "b1;" : "b0;";
  } else if (const std::int64_t* n = std::get_if<std::int64_t>(&value)) {
    *out += 'i' + std::to_string(*n) + ';';
  } else if (const double* d = std::get_if<double>(&value)) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);  // shortest round trip
    *out += 'd';
    out->append(buf, static_cast<std::size_t>(end - buf));
    *out += ';';
  } else {
    const std::string& text = std::get<std::string>(value);
    *out += 's' + std::to_string(text.size()) + ':' + text;
  }
}

// Parses a number from the front of `text` up to `stop`, removing both from `text`.
template <typename T>
bool take_number(std::string_view* text, char stop, T* value) {
  const std::size_t end = text->find(stop);
  if (end == std::string_view::npos || end == 0) return false;
  const auto [ptr, ec] = std::from_chars(text->data(), text->data() + end, *value);
  if (ec != std::errc() || ptr != text->data() + end) return false;
  text->remove_prefix(end + 1);
  return true;
}

bool decode_value(std::string_view* text, Value* value) {
  if (text->empty()) return false;
  const char type = text->front();
  text->remove_prefix(1);
  switch (type) {
    case 'n':
      if (!text->starts_with(';')) return false;
      text->remove_prefix(1);
      *value = Null{};
      return true;
    case 'b': {
      int bit = 0;
      if (!take_number(text, ';', &bit) || (bit != 0 && bit != 1)) return false;
      *value = bit == 1;
      return true;
    }
    case 'i': {
      std::int64_t n = 0;
      if (!take_number(text, ';', &n)) return false;
      *value = n;
      return true;
    }
    case 'd': {
      double d = 0;
      if (!take_number(text, ';', &d)) return false;
      *value = d;
      return true;
    }
    case 's': {
      std::size_t size = 0;
      if (!take_number(text, ':', &size) || text->size() < size) return false;
      *value = std::string(text->substr(0, size));
      text->remove_prefix(size);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Result<PositionalQuery> translate_named_params(std::string_view sql) {
  PositionalQuery out;
  out.sql.reserve(sql.size());
  for (std::size_t i = 0; i < sql.size();) {
    const std::size_t end = skippable_end(sql, i);
    if (end == std::string_view::npos) {
      return invalid("unterminated quote or comment starting at offset " + std::to_string(i));
    }
    if (end != i) {
      out.sql.append(sql.substr(i, end - i));
      i = end;
      continue;
    }
    const char c = sql[i];
    if (c == '?') return invalid("use named parameters (`:name`), not `?`");
    if (c == ';') {
      if (!only_trailing_noise(sql, i)) return invalid("holds more than one statement");
      break;
    }
    if (c == ':' && i + 1 < sql.size() && is_name_start(sql[i + 1])) {
      std::size_t stop = i + 1;
      while (stop < sql.size() && is_name_char(sql[stop])) ++stop;
      out.names.emplace_back(sql.substr(i + 1, stop - i - 1));
      out.sql += '?';
      i = stop;
      continue;
    }
    out.sql += c;
    ++i;
  }
  return out;
}

Value param_value(std::string_view text) {
  const std::string_view digits = text.substr(text.starts_with('-') ? 1 : 0);
  const bool canonical = !digits.empty() && (digits == "0" || digits.front() != '0') &&
                         digits.find_first_not_of("0123456789") == std::string_view::npos &&
                         text != "-0";
  std::int64_t n = 0;
  if (canonical) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && ptr == text.data() + text.size()) return n;
  }
  return std::string(text);
}

Result<KeyColumn> parse_key_column(std::string_view text) {
  const auto bad = [text] {
    return Status::invalid_config("sql_source: `key` entry '" + std::string(text) +
                                  "' is not `column`, `column ASC` or `column DESC`");
  };
  std::size_t i = 0;
  while (i < text.size() && is_blank(text[i])) ++i;
  const std::size_t name_start = i;
  if (i >= text.size() || !is_name_start(text[i])) return bad();
  while (i < text.size() && is_name_char(text[i])) ++i;
  KeyColumn column{std::string(text.substr(name_start, i - name_start)), false};
  while (i < text.size() && is_blank(text[i])) ++i;
  std::string direction;
  for (; i < text.size() && !is_blank(text[i]); ++i) {
    direction += static_cast<char>(text[i] >= 'a' && text[i] <= 'z' ? text[i] - 32 : text[i]);
  }
  while (i < text.size() && is_blank(text[i])) ++i;
  if (i != text.size() || !(direction.empty() || direction == "ASC" || direction == "DESC")) {
    return bad();
  }
  column.descending = direction == "DESC";
  return column;
}

std::string probe_sql(std::string_view query) { return wrapped(query) + " LIMIT 0"; }

std::string offset_page_sql(std::string_view query) { return wrapped(query) + " LIMIT ? OFFSET ?"; }

std::string keyset_page_sql(std::string_view query, const std::vector<KeyColumn>& key, bool after) {
  std::string sql = wrapped(query);
  if (after && !key.empty()) sql += " WHERE " + after_predicate(key, 0);
  sql += " ORDER BY ";
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += quote_identifier(key[i].name);
    if (key[i].descending) sql += " DESC";
  }
  return sql + " LIMIT ?";
}

std::vector<Value> keyset_args(const std::vector<Value>& last) {
  std::vector<Value> args;
  args.reserve(last.size() * 2);
  for (std::size_t i = 0; i < last.size(); ++i) {
    args.push_back(last[i]);
    if (i + 1 < last.size()) args.push_back(last[i]);
  }
  return args;
}

std::string encode_cursor(const SqlCursor& cursor) {
  std::string out = "rows=" + std::to_string(cursor.rows);
  if (cursor.after.empty()) return out;
  out += ";after=";
  for (const Value& value : cursor.after) encode_value(value, &out);
  return out;
}

Result<SqlCursor> decode_cursor(std::string_view text) {
  const auto bad = [text] {
    return Status::corruption("sql_source: cursor '" + std::string(text.substr(0, 200)) +
                              "' is not of the form rows=<n>[;after=<key values>]");
  };
  SqlCursor cursor;
  if (!text.starts_with("rows=")) return bad();
  std::string_view rest = text.substr(5);
  const std::size_t semicolon = rest.find(';');
  const std::string_view count = rest.substr(0, semicolon);
  const auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), cursor.rows);
  if (count.empty() || ec != std::errc() || ptr != count.data() + count.size() || cursor.rows < 0) {
    return bad();
  }
  if (semicolon == std::string_view::npos) return cursor;
  rest.remove_prefix(semicolon);
  if (!rest.starts_with(";after=")) return bad();
  rest.remove_prefix(7);
  while (!rest.empty()) {
    Value value;
    if (!decode_value(&rest, &value)) return bad();
    cursor.after.push_back(std::move(value));
  }
  if (cursor.after.empty()) return bad();
  return cursor;
}

}  // namespace hades::sql_source
