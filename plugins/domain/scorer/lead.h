// lead.h: one lead read out of an input row, normalized and parsed, ready to score.
//
// The scorer reads domain.md's lead fields by name; any of them may be missing from the input
// (they read as null) except `person_id` and `company_name`. read_lead() decides, per field,
// what is unknown (blank: the scoring rules' default applies) and what is garbage (the lead is
// rejected): see the README's "Unknown or garbage" table.
//
// Thread safety: value types and pure functions.

#ifndef HADES_PLUGINS_SCORER_LEAD_H_
#define HADES_PLUGINS_SCORER_LEAD_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hades/record.h"
#include "hades/status.h"
#include "leads/scoring.h"

namespace hades::scorer {

// The lead fields the scorer reads or records in source_features.
enum class LeadField : std::size_t {
  kPersonId,
  kCompanyName,
  kSicCode,
  kEmployeeCount,
  kZip,
  kState,
  kDistanceMiles,
  kIntentTopic,
  kIntentStrength,
  kIntentScore,
  kIntentDate,
  kAudienceStrength,
  kManagementLevel,
  kTitle,
  kContactAccuracy,
  kPhoneType,
};
inline constexpr std::size_t kLeadFieldCount = 16;

// The column name of each LeadField, in enum order.
inline constexpr std::array<std::string_view, kLeadFieldCount> kLeadFieldNames = {
    "person_id",   "company_name",      "sic_code",         "employee_count",  "zip",
    "state",       "distance_miles",    "intent_topic",     "intent_strength", "intent_score",
    "intent_date", "audience_strength", "management_level", "title",           "contact_accuracy",
    "phone_type"};

inline constexpr std::size_t field_index(LeadField field) {
  return static_cast<std::size_t>(field);
}

// Where each lead field is in an input schema.
class LeadColumns {
 public:
  // Fails with kInvalidConfig when `person_id` or `company_name` is not a column.
  static Result<LeadColumns> map(const Schema& schema);

  // The column of `field`, or nullopt when the input has none.
  std::optional<std::size_t> index(LeadField field) const { return index_[field_index(field)]; }

 private:
  std::array<std::optional<std::size_t>, kLeadFieldCount> index_{};
};

// A number parsed from a field that may also be blank or garbage.
template <typename T>
struct Parsed {
  std::optional<T> value;  // nullopt when blank or garbage
  std::string error;       // why the text is garbage; "" when it is not
};

struct Lead {
  Lead() = default;
  // The text views may point into `scratch`: a copy would point into the original's.
  Lead(const Lead&) = delete;
  Lead& operator=(const Lead&) = delete;

  // Each field's text as given ("" when null or absent). Views into the row read, or into
  // `scratch` for a value that is not text: valid while both are untouched.
  std::array<std::string_view, kLeadFieldCount> text;
  std::array<std::string, kLeadFieldCount> scratch;

  std::optional<std::string> sic4;   // normalize_sic()
  std::optional<std::string> zip5;   // normalize_zip()
  std::optional<std::string> state;  // normalize_state()
  std::optional<std::int64_t> employees;
  Parsed<double> distance_miles;
  Parsed<std::int64_t> intent_score;
  Parsed<std::int64_t> intent_date_days;  // days since 1970-01-01

  std::string_view field(LeadField f) const { return text[field_index(f)]; }
};

// Why a row is not a lead: the reject kind (Rejects::reject) and the reason.
struct LeadProblem {
  std::string_view kind;  // kMissingField, kBadValue, kControlCharacter, kFutureIntentDate
  std::string reason;
};
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kBadValue = "bad_value";
inline constexpr std::string_view kControlCharacter = "control_character";
inline constexpr std::string_view kFutureIntentDate = "future_intent_date";

// Reads the lead in `row` into `*lead` (which must be fresh or reset by the caller). A problem
// when `person_id` or `company_name` is null or blank ("person_id is empty"), or, with a reason
// naming the field and the value, when a number `workflow` needs is garbage: employee_count in
// both workflows, intent_score and intent_date in intent, distance_miles in geography. Garbage
// in a field the workflow does not score is kept as text.
std::optional<LeadProblem> read_lead(const Row& row, const LeadColumns& columns,
                                     domain::Workflow workflow, Lead* lead);

// The first text field of `row` (any column, lead field or not: every one may reach the CSV)
// holding a control character: NUL or another C0 character except TAB, and TAB too in the
// phone columns (direct_phone, mobile_phone, company_phone: a phone is not free text). The
// dialer would get a broken cell, so the row is rejected naming the column and the byte.
std::optional<LeadProblem> find_control_character(const Schema& schema, const Row& row);

}  // namespace hades::scorer

#endif  // HADES_PLUGINS_SCORER_LEAD_H_
