#include "zoho_query.h"

#include <algorithm>

#include "hades/time.h"

namespace hades::zoho_source {

using nlohmann::json;

namespace {

constexpr int kCursorVersion = 1;

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json cursor_json(const ZohoCursor& c) {
  return json{{"v", kCursorVersion}, {"modified", c.modified}, {"id", c.id}};
}

bool valid_cursor_part(const json& modified, const json& id) {
  return modified.is_string() && parse_instant(modified.get<std::string>()) && id.is_string() &&
         all_digits(id.get<std::string>());
}

}  // namespace

std::optional<ZohoCursor> walk_watermark(const IdWalk& walk) {
  if (!walk.high) return std::nullopt;
  const std::int64_t limit = walk.started - kClockSkewSeconds;
  if (parse_instant(walk.high->modified).value_or(0) <= limit) return walk.high;
  // "id > 0" at `limit`: everything modified at or after it is read again.
  return ZohoCursor{format_instant(limit), "0"};
}

std::string encode_position(const Position& position) {
  if (position.walk) {
    const IdWalk& w = *position.walk;
    json doc = {
        {"v", kCursorVersion}, {"walk", "id"}, {"after_id", w.after_id}, {"started", w.started}};
    if (w.high) doc["high"] = cursor_json(*w.high);
    return doc.dump();
  }
  return position.after ? cursor_json(*position.after).dump() : "";
}

Result<Position> decode_position(std::string_view text) {
  if (text.empty()) return Position{};
  const auto bad = [&](const std::string& why) {
    return Status::corruption("zoho_source: unreadable cursor (" + why +
                              "): " + std::string(text.substr(0, 200)));
  };
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  // Typed reads only: json::value() throws when the stored type differs ({"v":"r"}, found by
  // fuzz_zoho_page_hint), and a checkpoint that is not ours must be kCorruption, not a throw.
  const json& version = doc.contains("v") ? doc["v"] : json();
  if (!version.is_number_integer() || version.get<std::int64_t>() != kCursorVersion) {
    return bad("unknown version");
  }
  if (!doc.contains("walk")) {
    if (doc.size() != 3 || !doc.contains("modified") || !doc.contains("id")) {
      return bad("unknown keys");
    }
    if (!valid_cursor_part(doc["modified"], doc["id"])) return bad("not a date-time and an id");
    return Position{ZohoCursor{doc["modified"].get<std::string>(), doc["id"].get<std::string>()},
                    std::nullopt};
  }
  const json& after = doc.contains("after_id") ? doc["after_id"] : json();
  const json& started = doc.contains("started") ? doc["started"] : json();
  if (doc["walk"] != "id" || !after.is_string() || !started.is_number_integer() ||
      doc.size() != (doc.contains("high") ? 5u : 4u)) {
    return bad("not an id walk");
  }
  IdWalk walk{after.get<std::string>(), started.get<std::int64_t>(), std::nullopt};
  if (!walk.after_id.empty() && !all_digits(walk.after_id)) return bad("'after_id' is not an id");
  if (doc.contains("high")) {
    const json& high = doc["high"];
    if (!high.is_object() ||
        !valid_cursor_part(high.value("modified", json()), high.value("id", json()))) {
      return bad("'high' is not a date-time and an id");
    }
    walk.high = ZohoCursor{high["modified"].get<std::string>(), high["id"].get<std::string>()};
  }
  return Position{std::nullopt, std::move(walk)};
}

std::string encode_cursor(const std::optional<ZohoCursor>& cursor) {
  return encode_position(Position{cursor, std::nullopt});
}

Result<std::optional<ZohoCursor>> decode_cursor(std::string_view text) {
  auto position = decode_position(text);
  if (!position.ok()) return position.status();
  if (position->walk) {
    return Status::corruption(
        "zoho_source: unreadable cursor (an id walk where a position was "
        "expected)");
  }
  return position->after;
}

std::optional<std::int64_t> parse_instant(std::string_view text) {
  const auto parsed = parse_offset_time(text);
  if (!parsed) return std::nullopt;
  return parsed->epoch_seconds;
}

std::string shift_instant(std::string_view text, std::int64_t seconds) {
  const auto parsed = parse_offset_time(text);
  if (!parsed) return std::string(text);  // REQUIRES broken: leave the text as it was
  return format_offset_time(parsed->epoch_seconds + seconds, parsed->offset_seconds,
                            parsed->offset);
}

std::string format_instant(std::int64_t epoch) { return format_offset_time(epoch, 0, "Z"); }

int compare_ids(std::string_view a, std::string_view b) {
  const auto strip = [](std::string_view s) {
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    return s;
  };
  a = strip(a);
  b = strip(b);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int compare_cursors(const ZohoCursor& a, const ZohoCursor& b) {
  const std::int64_t ta = parse_instant(a.modified).value_or(0);
  const std::int64_t tb = parse_instant(b.modified).value_or(0);
  if (ta != tb) return ta < tb ? -1 : 1;
  return compare_ids(a.id, b.id);
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string coql_quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

Result<FieldPlan> plan_fields(const std::vector<std::string>& fields,
                              const std::string& cursor_field) {
  FieldPlan plan;
  const auto request = [&](const std::string& api) {
    if (std::find(plan.request.begin(), plan.request.end(), api) == plan.request.end()) {
      plan.request.push_back(api);
    }
  };
  const auto valid_name = [](std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
  };
  std::vector<std::string> seen;
  for (const std::string& field : fields) {
    const bool name_of = field.size() > 5 && field.ends_with(".name");
    const std::string api = name_of ? field.substr(0, field.size() - 5) : field;
    if (!valid_name(api)) {
      return Status::invalid_config("zoho_source: `fields` entry '" + field +
                                    "' is not a field API name (letters, digits, _), or X.name");
    }
    if (field == "id") {
      return Status::invalid_config(
          "zoho_source: `fields` must not list 'id': it is always the "
          "first column");
    }
    if (std::find(seen.begin(), seen.end(), field) != seen.end()) {
      return Status::invalid_config("zoho_source: `fields` lists '" + field + "' twice");
    }
    seen.push_back(field);
    plan.columns.push_back({field, api, name_of});
    request(api);
  }
  if (std::find(seen.begin(), seen.end(), cursor_field) == seen.end()) {
    plan.columns.push_back({cursor_field, cursor_field, false});
  }
  request(cursor_field);
  return plan;
}

std::string build_coql(const CoqlPage& page) {
  std::vector<std::string> conditions;
  if (!page.criteria.empty()) conditions.push_back("(" + page.criteria + ")");
  if (page.converted == "both") {
    conditions.push_back("(Converted__s = true or Converted__s = false)");
  } else if (page.converted == "true") {
    conditions.push_back("(Converted__s = true)");
  }
  if (page.by_id && !page.after_id.empty()) {
    conditions.push_back("(id > " + coql_quote(page.after_id) + ")");
  } else if (!page.by_id && page.after) {
    const std::string t = coql_quote(page.after->modified);
    const std::string& f = page.cursor_field;
    conditions.push_back("((" + f + " > " + t + ") or ((" + f + " = " + t + ") and (id > " +
                         coql_quote(page.after->id) + ")))");
  }
  // COQL allows one and/or per bracket level: ((a and b) and c).
  std::string where = conditions.empty() ? "(id is not null)" : conditions[0];
  for (std::size_t i = 1; i < conditions.size(); ++i) {
    where = "(" + where + " and " + conditions[i] + ")";
  }
  std::string select;
  for (const std::string& field : page.select) select += (select.empty() ? "" : ", ") + field;
  const std::string order = page.by_id ? "id asc" : page.cursor_field + " asc, id asc";
  return "select " + select + " from " + page.module + " where " + where + " order by " + order +
         " limit " + std::to_string(page.limit);
}

Value to_value(const json& value, bool lookup_name) {
  switch (value.type()) {
    case json::value_t::null:
      return Null{};
    case json::value_t::boolean:
      return value.get<bool>();
    case json::value_t::number_integer:
      return value.get<std::int64_t>();
    case json::value_t::number_unsigned: {
      const auto u = value.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::to_string(u);
      return static_cast<std::int64_t>(u);
    }
    case json::value_t::number_float:
      return value.get<double>();
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::object: {
      const json& part =
          value.contains(lookup_name ? "name" : "id") ? value[lookup_name ? "name" : "id"] : json();
      return part.is_object() ? Value(part.dump()) : to_value(part, false);
    }
    default:
      return value.dump();
  }
}

namespace {

// Reads a reply's tokens once, tracking only the nesting, the current key and the values
// scan_page_hint() needs. Containers open: 1 = the reply, 2 = `data` or `info`, 3 = a record.
class HintScanner {
 public:
  HintScanner(std::string_view reply, std::string_view cursor_field)
      : reply_(reply), cursor_field_(cursor_field) {}

  std::optional<PageHint> scan() {
    while (i_ < reply_.size()) {
      if (!step()) return std::nullopt;
    }
    if (!more_ || !have_last_ || last_.last_id.empty()) return std::nullopt;
    return last_;
  }

 private:
  static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  bool in_record() const { return depth_ == 3 && section_ == "data"; }

  // One token; false when a string does not end.
  bool step() {
    const char c = reply_[i_];
    if (c == '"') return string_token();
    if (c == '{' || c == '[') {
      if (++depth_ == 3 && section_ == "data") record_ = PageHint{};
    } else if (c == '}' || c == ']') {
      if (in_record()) {
        last_ = record_;
        have_last_ = true;
      }
      --depth_;
    } else if (c != ',' && !is_blank(c)) {  // a number, true, false or null
      std::size_t end = i_;
      while (end < reply_.size() && reply_[end] != ',' && reply_[end] != '}' &&
             reply_[end] != ']' && !is_blank(reply_[end])) {
        ++end;
      }
      value(reply_.substr(i_, end - i_), false);
      i_ = end;
      return true;
    }
    ++i_;
    return true;
  }

  bool string_token() {
    std::size_t quote = i_;
    for (;;) {  // the closing quote is the first one not escaped by an odd run of backslashes
      quote = reply_.find('"', quote + 1);
      if (quote == std::string_view::npos) return false;
      std::size_t slashes = 0;
      while (reply_[quote - 1 - slashes] == '\\') ++slashes;
      if (slashes % 2 == 0) break;
    }
    const std::string_view text = reply_.substr(i_ + 1, quote - i_ - 1);
    i_ = quote + 1;
    while (i_ < reply_.size() && is_blank(reply_[i_])) ++i_;
    if (i_ < reply_.size() && reply_[i_] == ':') {
      if (depth_ == 1) section_ = text;
      if (depth_ == 2 || depth_ == 3) key_ = text;
      ++i_;
      return true;
    }
    value(text, true);
    return true;
  }

  void value(std::string_view text, bool quoted) {
    if (in_record() && (key_ == "id" || key_ == cursor_field_)) {
      // An escaped value would need decoding: no hint for it rather than a wrong one.
      const bool plain = text.find('\\') == std::string_view::npos;
      (key_ == "id" ? record_.last_id : record_.last_cursor) = plain ? std::string(text) : "";
    }
    if (depth_ == 2 && section_ == "info" && key_ == "more_records") {
      more_ = !quoted && text == "true";
    }
  }

  std::string_view reply_;
  std::string_view cursor_field_;
  std::size_t i_ = 0;
  int depth_ = 0;
  std::string_view section_;  // the reply's key being read
  std::string_view key_;      // the key being read in `info` or a record
  PageHint record_;
  PageHint last_;
  bool have_last_ = false;
  bool more_ = false;
};

}  // namespace

std::optional<PageHint> scan_page_hint(std::string_view reply, std::string_view cursor_field) {
  return HintScanner(reply, cursor_field).scan();
}

}  // namespace hades::zoho_source
