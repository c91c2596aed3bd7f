// normalize.h: turning the messy text of lead exports into values the scorer can use.
//
// Lead files come from ZoomInfo exports that passed through spreadsheets: SIC codes with
// sub-codes (`8062-01`), employee counts with thousands separators or as ranges (`"50 to 99"`),
// ZIPs that lost their leading zero (`2134`) or carry a +4 (`02134-1234`), states spelled out.
// Each function here takes the raw text and returns the normalized value.
//
// Two kinds of "no value" are kept apart where it matters:
//   - unknown: blank text; the scoring rules have a documented default for it;
//   - garbage: text that should be a number but is not; the caller rejects the record.
// Text fields (SIC, ZIP, state) have no garbage: what cannot be normalized is unknown, and the
// caller keeps the raw text next to it.
//
// Thread safety: pure functions.

#ifndef HADES_LEADS_NORMALIZE_H_
#define HADES_LEADS_NORMALIZE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hades/status.h"

namespace hades::domain {

// `text` without leading and trailing ASCII blanks (space, TAB, CR, LF).
std::string_view trim(std::string_view text);
// True when `text` is empty or only blanks.
bool is_blank(std::string_view text);
// ASCII lower case; other bytes (UTF-8 included) are left as they are.
std::string ascii_lower(std::string_view text);
// True when `a` and `b` are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);

// The 4-digit SIC code: `8062`, ` 8062`, `8062-01`, `8062.01` and `80620100` (a D&B 8-digit
// SIC) give `8062`; 1-3 bare digits are a code that lost its leading zeros (`742` -> `0742`).
// Anything else, blank included, is nullopt.
std::optional<std::string> normalize_sic(std::string_view raw);

// The 5-digit ZIP: `02134`, `2134` (lost its leading zero), `02134-1234`, `2134-1234`,
// `021341234` and `2134.0` (a spreadsheet's number) give `02134`. Anything else is nullopt.
std::optional<std::string> normalize_zip(std::string_view raw);

// The USPS 2-letter code of a US state, DC or territory, from its code or its name, in any case
// and spacing: `ma`, `Massachusetts`, ` new  york ` give `MA`, `NY`. Anything else is nullopt.
std::optional<std::string> normalize_state(std::string_view raw);

// The employee count: `1200`, `"1,200"`, `1200.0`, `10,000+` (ZoomInfo's open-ended top band:
// its lower bound) and ranges `"50 to 99"`, `"50-99"`, `"50 - 99"` (the midpoint rounded
// down: 74). Returns nullopt for blank text, and a kRejected status whose message says why
// for anything else (`lots`, `-5`, `99 to 50`).
Result<std::optional<std::int64_t>> parse_employee_count(std::string_view raw);

// A plain decimal number (`4.2`, `12`, ` 7.50 `). Returns nullopt for blank text and a
// kRejected status for anything else, infinities and NaN included.
Result<std::optional<double>> parse_number(std::string_view raw);

// Days since 1970-01-01 of a `YYYY-MM-DD` date; a time after it (`2026-02-09T10:00:00Z`,
// `2026-02-09 10:00:00`) is ignored. Returns nullopt for blank text and a kRejected status
// for anything else, impossible dates (`2026-02-30`) included.
Result<std::optional<std::int64_t>> parse_date(std::string_view raw);

// The digits of a phone number, up to an extension marker (`x`, `ext`): `(617) 555-0100 x12`
// gives `6175550100`. Formatting them is the writer's job.
std::string phone_digits(std::string_view raw);

}  // namespace hades::domain

#endif  // HADES_LEADS_NORMALIZE_H_
