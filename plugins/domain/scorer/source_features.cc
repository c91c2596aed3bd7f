#include "source_features.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <type_traits>

#include "leads/normalize.h"

namespace hades::scorer {
namespace {

using domain::is_blank;

// Writes compact JSON into one string. Keys are written in the order given: callers write them
// sorted. The bytes are those nlohmann::json::dump() gives for the same values (the tests check
// it), so any JSON tool re-serializes them unchanged; it exists because building and dumping an
// nlohmann object per lead cost more than scoring it.
class JsonWriter {
 public:
  static constexpr std::size_t kMaxKey = 32;
  explicit JsonWriter(std::string* out) : out_(*out) {}

  void begin_object() {
    separate();
    out_ += '{';
    first_ = true;
  }
  void end_object() {
    out_ += '}';
    first_ = false;
  }
  void begin_array() {
    separate();
    out_ += '[';
    first_ = true;
  }
  void end_array() {
    out_ += ']';
    first_ = false;
  }
  // REQUIRES: `name` needs no escaping and is short (the keys are this file's literals).
  JsonWriter& key(std::string_view name) {
    // One append per key: `,"name":` built on the stack. A lead has some forty keys, and
    // appending their four pieces one by one was a measurable part of scoring.
    char piece[kMaxKey + 4];
    std::size_t n = 0;
    if (!first_) piece[n++] = ',';
    piece[n++] = '"';
    const std::size_t length = std::min(name.size(), kMaxKey);
    std::memcpy(piece + n, name.data(), length);
    n += length;
    piece[n++] = '"';
    piece[n++] = ':';
    out_.append(piece, n);
    first_ = true;  // the value that follows takes no comma
    return *this;
  }

  void null() {
    value_prefix();
    out_ += "null";
  }
  void number(std::int64_t n) {
    value_prefix();
    char buffer[24];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, n);
    out_.append(buffer, static_cast<std::size_t>(end - buffer));
  }
  // Shortest round-trip digits, laid out as nlohmann (and Python's json) do: fixed notation
  // from 1e-4 up to 1e15 with ".0" on whole numbers, so they read back as doubles; scientific
  // (`1e+16`, `1.5e-05`) beyond.
  void number(double d) {
    value_prefix();
    char buffer[64];
    char* const last = buffer + sizeof buffer;
    // The shortest form first: for the values a lead has (98.25, 0.7) it is already the fixed
    // notation wanted, which saves formatting twice. (At 1e15 and past it the shortest form
    // can be fixed where the notation wanted is not.)
    const char* end = std::to_chars(buffer, last, d).ptr;
    const std::string_view shortest(buffer, static_cast<std::size_t>(end - buffer));
    if (std::fabs(d) < 1e15 && shortest.find_first_of("en") == std::string_view::npos) {
      out_ += shortest;
      if (shortest.find('.') == std::string_view::npos) out_ += ".0";
      return;
    }
    end = std::to_chars(buffer, last, d, std::chars_format::scientific).ptr;
    const std::string_view scientific(buffer, static_cast<std::size_t>(end - buffer));
    int exponent = 0;
    const std::size_t e = scientific.find('e');
    if (e != std::string_view::npos) {
      const char* from = scientific.data() + e + 1;
      if (*from == '+') ++from;
      std::from_chars(from, end, exponent);
    }
    if (d != 0.0 && (exponent < -4 || exponent > 14)) {
      out_ += scientific;
      return;
    }
    end = std::to_chars(buffer, last, d, std::chars_format::fixed).ptr;
    const std::string_view fixed(buffer, static_cast<std::size_t>(end - buffer));
    out_ += fixed;
    if (fixed.find('.') == std::string_view::npos) out_ += ".0";
  }
  void string(std::string_view text) {
    value_prefix();
    write_string(text);
  }
  void text_or_null(std::string_view text) {
    if (is_blank(text)) {
      null();
    } else {
      string(text);
    }
  }
  template <typename T>
  void optional(const std::optional<T>& v) {
    if (!v) return null();
    if constexpr (std::is_same_v<T, std::string>) {
      string(*v);
    } else {
      number(*v);
    }
  }

 private:
  void separate() {
    if (!first_) out_ += ',';
  }
  void value_prefix() {
    separate();
    first_ = false;
  }

  // Escapes as RFC 8259 requires (and as nlohmann does: short forms, else \u00xx); invalid
  // UTF-8 becomes U+FFFD, byte by byte, so the output is always valid UTF-8.
  void write_string(std::string_view text) {
    // Most values are plain ASCII: quoted in one append.
    if (plain(text)) {
      const std::size_t at = out_.size();
      out_.resize(at + text.size() + 2);
      char* p = out_.data() + at;
      *p = '"';
      std::memcpy(p + 1, text.data(), text.size());
      p[text.size() + 1] = '"';
      return;
    }
    out_ += '"';
    std::size_t run = 0;  // start of the bytes not yet written, which need no escaping
    std::size_t i = 0;
    while (i < text.size()) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ++i;
        continue;
      }
      if (c >= 0x80) {
        const std::size_t length = utf8_sequence_length(text.substr(i));
        if (length != 0) {
          i += length;
          continue;
        }
      }
      out_.append(text.data() + run, i - run);
      if (c >= 0x80) {
        out_ += "\xEF\xBF\xBD";
      } else {
        escape_ascii(static_cast<char>(c));
      }
      run = ++i;
    }
    out_.append(text.data() + run, i - run);
    out_ += '"';
  }

  static bool plain(std::string_view text) {
    for (const char ch : text) {
      const auto c = static_cast<unsigned char>(ch);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
    }
    return true;
  }

  void escape_ascii(char c) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        return;
      case '\\':
        out_ += "\\\\";
        return;
      case '\b':
        out_ += "\\b";
        return;
      case '\f':
        out_ += "\\f";
        return;
      case '\n':
        out_ += "\\n";
        return;
      case '\r':
        out_ += "\\r";
        return;
      case '\t':
        out_ += "\\t";
        return;
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out_ += "\\u00";
      out_ += kHex[(c >> 4) & 0x0F];
      out_ += kHex[c & 0x0F];
      return;
    }
    out_ += c;
  }

  // The length of the well-formed UTF-8 sequence at the front of `s` (which starts with a byte
  // >= 0x80), or 0 when it is not one: no overlongs, surrogates or code points past U+10FFFF.
  static std::size_t utf8_sequence_length(std::string_view s) {
    const auto byte = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const auto continuation = [&](std::size_t i) {
      return i < s.size() && (byte(i) & 0xC0) == 0x80;
    };
    const unsigned char lead = byte(0);
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
      if (!continuation(1) || !continuation(2)) return 0;
      if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
      if (lead == 0xED && byte(1) > 0x9F) return 0;  // surrogate
      return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
      if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
      if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
      if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // past U+10FFFF
      return 4;
    }
    return 0;
  }

  std::string& out_;
  bool first_ = true;
};

// The parsed number when there is one, else the text as given: a field the workflow does not
// score may hold garbage, which is recorded rather than lost.
template <typename T>
void number_or_text(JsonWriter& w, const Parsed<T>& parsed, std::string_view text) {
  if (parsed.value) return w.number(*parsed.value);
  w.text_or_null(text);
}

// Keys in sorted order: the order a JSON object with sorted keys serializes in.
void write_inputs(JsonWriter& w, const Lead& lead) {
  w.key("inputs").begin_object();
  w.key("audience_strength").text_or_null(lead.field(LeadField::kAudienceStrength));
  w.key("contact_accuracy").text_or_null(lead.field(LeadField::kContactAccuracy));
  number_or_text(w.key("distance_miles"), lead.distance_miles,
                 lead.field(LeadField::kDistanceMiles));
  w.key("employee_count").optional(lead.employees);
  w.key("employee_count_raw").text_or_null(lead.field(LeadField::kEmployeeCount));
  w.key("intent_date").text_or_null(lead.field(LeadField::kIntentDate));
  number_or_text(w.key("intent_score"), lead.intent_score, lead.field(LeadField::kIntentScore));
  w.key("intent_strength").text_or_null(lead.field(LeadField::kIntentStrength));
  w.key("intent_topic").text_or_null(lead.field(LeadField::kIntentTopic));
  w.key("management_level").text_or_null(lead.field(LeadField::kManagementLevel));
  w.key("phone_type").text_or_null(lead.field(LeadField::kPhoneType));
  w.key("sic_code").optional(lead.sic4);
  w.key("sic_code_raw").text_or_null(lead.field(LeadField::kSicCode));
  w.key("state").optional(lead.state);
  w.key("state_raw").text_or_null(lead.field(LeadField::kState));
  w.key("title").text_or_null(lead.field(LeadField::kTitle));
  w.key("zip").optional(lead.zip5);
  w.key("zip_raw").text_or_null(lead.field(LeadField::kZip));
  w.end_object();
}

void write_model(JsonWriter& w, const ModelAnnotation& model) {
  w.key("model").begin_object();
  w.key("contributions").begin_array();
  for (const lead_model::Contribution& c : model.score->contributions) {
    w.begin_object();
    w.key("feature").string(lead_model::feature_name(c.feature));
    w.key("level").string(c.level);
    w.key("value").number(c.value);
    w.end_object();
  }
  w.end_array();
  w.key("probability").number(model.score->probability);
  w.key("sha256").string(model.sha256);
  w.key("source").string(model.source);
  w.key("weights_score").number(model.weights_score);
  w.end_object();
}

// Everything after "components": the same for both workflows.
void write_rest(JsonWriter& w, const FeatureContext& context, const Lead& lead, std::int64_t score,
                const ModelAnnotation* model) {
  w.key("icp_sha256").string(context.icp_sha256);
  write_inputs(w, lead);
  if (model != nullptr) write_model(w, *model);
  w.key("score").number(model != nullptr ? model->score->score : score);
  w.key("scoring_rules").number(domain::kScoringRulesVersion);
  w.key("workflow").string(context.workflow);
  w.end_object();
}

constexpr std::size_t kTypicalFeatureBytes = 900;

}  // namespace

std::string intent_features(const FeatureContext& context, const Lead& lead,
                            const domain::IntentScore& score, const ModelAnnotation* model) {
  std::string out;
  out.reserve(kTypicalFeatureBytes);
  JsonWriter w(&out);
  w.begin_object();
  w.key("as_of").string(context.as_of);
  w.key("components").begin_object();
  w.key("age_days").number(score.freshness.age_days);
  w.key("audience_bonus").number(score.audience_bonus);
  w.key("employee_bonus").optional(score.employee_bonus);
  w.key("freshness").number(score.freshness.score);
  w.key("freshness_label").string(score.freshness.label);
  w.key("freshness_multiplier").number(score.freshness.multiplier);
  w.key("onsite").number(score.onsite);
  w.key("signal").number(score.signal);
  w.key("total").number(score.total);
  w.end_object();
  write_rest(w, context, lead, score.score, model);
  return out;
}

std::string geography_features(const FeatureContext& context, const Lead& lead,
                               const domain::GeographyScore& score, const ModelAnnotation* model) {
  std::string out;
  out.reserve(kTypicalFeatureBytes);
  JsonWriter w(&out);
  w.begin_object();
  w.key("as_of").string(context.as_of);
  w.key("components").begin_object();
  w.key("authority").number(score.authority);
  w.key("distance_miles_scored").number(score.distance_miles);
  w.key("employee").number(score.employee);
  w.key("onsite").number(score.onsite);
  w.key("proximity").number(score.proximity);
  w.key("total").number(score.total);
  w.end_object();
  write_rest(w, context, lead, score.score, model);
  return out;
}

std::string row_json(const Schema& schema, const Row& row) {
  // Rare (rejects only), so nlohmann's generality is worth more than its cost here. Ordered, so
  // the record reads in the input's column order.
  using OrderedJson = nlohmann::ordered_json;
  OrderedJson object = OrderedJson::object();
  for (std::size_t i = 0; i < schema.size() && i < row.size(); ++i) {
    const Value& v = row[i];
    OrderedJson& out = object[schema.columns()[i]];
    if (const bool* b = std::get_if<bool>(&v)) {
      out = *b;
    } else if (const std::int64_t* n = std::get_if<std::int64_t>(&v)) {
      out = *n;
    } else if (const double* d = std::get_if<double>(&v)) {
      out = *d;
    } else if (const std::string* s = std::get_if<std::string>(&v)) {
      out = *s;
    }  // null stays null
  }
  return object.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace hades::scorer
