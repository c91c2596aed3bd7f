// crm_text.h: comparing what Zoho CRM says with what HADES exported.
//
// Company names reach Zoho through a dialer and people's hands, so the same company differs in
// case, punctuation and legal suffix between systems (`ACME, Inc.` vs `Acme Inc`); Zoho writes
// date-times in the org's offset (`2026-02-11T09:30:00-05:00`) while HADES stores UTC. The
// outcome sync and the historical import (docs/zoho.md) use these to compare and store them.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_COMMON_CRM_TEXT_H_
#define HADES_PLUGINS_COMMON_CRM_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

namespace hades::plugin_common {

// The company name as matching compares it: ASCII lower case, every character that is not an
// ASCII letter or digit a word break (UTF-8 letters are kept as they are), words joined by one
// space, and trailing legal suffixes (inc, llc, corp, co, ltd, corporation, company) removed.
// `ACME, Inc.` and `acme inc` give `acme`. A name that is only a suffix keeps it (`Company` stays
// `company`), so it still matches itself. Blank text gives "".
std::string normalize_company_name(std::string_view name);

// An ISO-8601 date-time with a `Z` or `±HH:MM` offset (`2026-02-11T09:30:00-05:00`, fractional
// seconds allowed and dropped) as UTC `YYYY-MM-DDTHH:MM:SSZ`, the form HADES stores. Anything
// else, a bare date or a time without an offset included, gives nullopt.
std::optional<std::string> to_utc_timestamp(std::string_view text);

}  // namespace hades::plugin_common

#endif  // HADES_PLUGINS_COMMON_CRM_TEXT_H_
