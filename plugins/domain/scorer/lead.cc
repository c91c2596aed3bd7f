#include "lead.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "leads/normalize.h"

namespace hades::scorer {
namespace {

using domain::Workflow;

// Largest intent_score read as a whole number; anything above is capped at 100 anyway.
constexpr double kMaxWholeNumber = 1e15;

template <typename T>
Parsed<T> from_result(Result<std::optional<T>> result) {
  Parsed<T> out;
  if (result.ok()) {
    out.value = *result;
  } else {
    out.error = result.status().message();
  }
  return out;
}

Parsed<double> parse_distance(std::string_view text) {
  Parsed<double> out = from_result(domain::parse_number(text));
  if (out.value && *out.value < 0) {
    out.error = "'" + std::string(domain::trim(text)) + "' is negative";
    out.value.reset();
  }
  return out;
}

// intent_score is a 0-100 integer; `85.0` is fine, `85.5` is not a score.
Parsed<std::int64_t> parse_intent_score(std::string_view text) {
  const Parsed<double> number = from_result(domain::parse_number(text));
  Parsed<std::int64_t> out;
  out.error = number.error;
  if (!number.value) return out;
  if (std::trunc(*number.value) != *number.value || std::fabs(*number.value) > kMaxWholeNumber) {
    out.error = "'" + std::string(domain::trim(text)) + "' is not a whole number";
    return out;
  }
  out.value = static_cast<std::int64_t>(*number.value);
  return out;
}

LeadProblem garbage(LeadField field, const std::string& why) {
  return {kBadValue, std::string(kLeadFieldNames[field_index(field)]) + ": " + why};
}

bool is_phone_column(std::string_view name) {
  return name == "direct_phone" || name == "mobile_phone" || name == "company_phone";
}

}  // namespace

Result<LeadColumns> LeadColumns::map(const Schema& schema) {
  LeadColumns columns;
  for (std::size_t f = 0; f < kLeadFieldCount; ++f) {
    columns.index_[f] = schema.index_of(kLeadFieldNames[f]);
  }
  for (const LeadField required : {LeadField::kPersonId, LeadField::kCompanyName}) {
    if (!columns.index(required)) {
      return Status::invalid_config("scorer: the input has no '" +
                                    std::string(kLeadFieldNames[field_index(required)]) +
                                    "' column; map one onto it in the source");
    }
  }
  return columns;
}

std::optional<LeadProblem> find_control_character(const Schema& schema, const Row& row) {
  for (std::size_t c = 0; c < row.size() && c < schema.size(); ++c) {
    const std::string* text = std::get_if<std::string>(&row[c]);
    if (text == nullptr) continue;
    const bool tab_allowed = !is_phone_column(schema.columns()[c]);
    for (std::size_t i = 0; i < text->size(); ++i) {
      const auto byte = static_cast<unsigned char>((*text)[i]);
      if (byte >= 0x20 || (byte == '\t' && tab_allowed)) continue;
      char code[8];
      std::snprintf(code, sizeof code, "U+%04X", byte);
      return LeadProblem{kControlCharacter, schema.columns()[c] + ": control character " + code +
                                                " at byte " + std::to_string(i + 1) +
                                                " (never sent to the dialer)"};
    }
  }
  return std::nullopt;
}

std::optional<LeadProblem> read_lead(const Row& row, const LeadColumns& columns, Workflow workflow,
                                     Lead* lead) {
  for (std::size_t f = 0; f < kLeadFieldCount; ++f) {
    const std::optional<std::size_t> index = columns.index(static_cast<LeadField>(f));
    if (!index) continue;
    const Value& value = row[*index];
    if (const std::string* s = std::get_if<std::string>(&value)) {
      lead->text[f] = *s;
    } else if (!is_null(value)) {
      lead->scratch[f] = to_text(value);
      lead->text[f] = lead->scratch[f];
    }
  }

  // The lead's identity: a lead is its person_id, and a lead without a company
  // cannot be called. export_batch rejects these too, in the same words.
  for (const LeadField required : {LeadField::kPersonId, LeadField::kCompanyName}) {
    if (domain::is_blank(lead->field(required))) {
      return LeadProblem{kMissingField,
                         std::string(kLeadFieldNames[field_index(required)]) + " is empty"};
    }
  }

  lead->sic4 = domain::normalize_sic(lead->field(LeadField::kSicCode));
  lead->zip5 = domain::normalize_zip(lead->field(LeadField::kZip));
  lead->state = domain::normalize_state(lead->field(LeadField::kState));
  const Parsed<std::int64_t> employees =
      from_result(domain::parse_employee_count(lead->field(LeadField::kEmployeeCount)));
  if (!employees.error.empty()) return garbage(LeadField::kEmployeeCount, employees.error);
  lead->employees = employees.value;

  lead->distance_miles = parse_distance(lead->field(LeadField::kDistanceMiles));
  lead->intent_score = parse_intent_score(lead->field(LeadField::kIntentScore));
  lead->intent_date_days = from_result(domain::parse_date(lead->field(LeadField::kIntentDate)));

  if (workflow == Workflow::kIntent) {
    if (!lead->intent_score.error.empty()) {
      return garbage(LeadField::kIntentScore, lead->intent_score.error);
    }
    if (!lead->intent_date_days.error.empty()) {
      return garbage(LeadField::kIntentDate, lead->intent_date_days.error);
    }
  } else if (!lead->distance_miles.error.empty()) {
    return garbage(LeadField::kDistanceMiles, lead->distance_miles.error);
  }
  return std::nullopt;
}

}  // namespace hades::scorer
