// crm_text.h: comparing what Zoho CRM says with what HADES exported.
//
// Company names reach Zoho through a dialer and people's hands, so the same company differs in
// case, punctuation and legal suffix between systems (`ACME, Inc.` vs `Acme Inc`); Zoho writes
// date-times in the org's offset (`2026-02-11T09:30:00-05:00`) while HADES stores UTC. The
// outcome sync and the historical import (docs/zoho.md) use these to compare and store them.
//
// Thread safety: pure functions.

#ifndef HADES_CRM_TEXT_CRM_TEXT_H_
#define HADES_CRM_TEXT_CRM_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

namespace hades::domain {

// The company key: what matching compares (docs/zoho.md, "Matching"). In order:
//   1. Unicode NFKC and full Unicode case folding (utf8proc): `HÔTEL` and `Hôtel` give `hôtel`,
//      `STRASSE` and `Straße` give `strasse`, fullwidth `Ａｃｍｅ` gives `acme`;
//   2. `.` and apostrophes (`'`, U+2019) deleted: `L.L.C.` gives `llc`, `O'Brien` `obrien`;
//   3. every other run of characters that are not letters, marks or digits one space, trimmed;
//   4. trailing legal-suffix words dropped (inc, incorporated, llc, corp, corporation, co,
//      company, ltd, limited, lp, llp, plc, pllc, gmbh), as long as a word remains: a name that
//      is only suffixes keeps its first word, so it still matches itself.
// Accents are kept: both systems carry them. `ACME, Inc.`, `Acme Incorporated` and `acme inc`
// all give `acme`. Bytes that are not UTF-8 count as separators. Blank text gives "".
std::string company_key(std::string_view name);

// An ISO-8601 date-time with a `Z` or `±HH:MM` offset (`2026-02-11T09:30:00-05:00`, fractional
// seconds allowed and dropped) as UTC `YYYY-MM-DDTHH:MM:SSZ`, the form HADES stores. Anything
// else, a bare date or a time without an offset included, gives nullopt.
std::optional<std::string> to_utc_timestamp(std::string_view text);

}  // namespace hades::domain

#endif  // HADES_CRM_TEXT_CRM_TEXT_H_
