// csv_format.h: the bytes of the VanillaSoft import file, with no plugin glue.
//
// The file has the 31 columns of kColumns, in that order, under those exact headers; each line
// ends in CRLF; fields are RFC 4180-quoted when they hold `,` `"` CR or LF (with `"` doubled).
// A cell that Excel would run as a formula (its first character `=` `+` `-` `@` TAB or CR) is
// neutralised with a leading apostrophe, which Excel hides and keeps the rest as text.
// docs/export.md ("Columns") says where each column's value comes from.
//
// Thread safety: pure functions and constant data.

#ifndef HADES_PLUGINS_VANILLASOFT_WRITER_CSV_FORMAT_H_
#define HADES_PLUGINS_VANILLASOFT_WRITER_CSV_FORMAT_H_

#include <array>
#include <string>
#include <string_view>

#include "hades/value.h"

namespace hades::vanillasoft_writer {

// How a column's value is turned into its cell.
enum class CellFormat {
  kText,   // the value as text
  kPhone,  // format_phone()
  kZip,    // text as it is; an integer is zero-padded to 5 digits (02134 stored as 2134)
  kEmpty,  // always empty: the column is not filled by HADES
};

// One column of the file: its header and the record fields its value comes from. `fallback`
// is used when `field` is null or empty text (a phone, or the raw text of a value the scorer
// could not normalize); empty names mean none.
struct Column {
  std::string_view header;
  std::string_view field;
  std::string_view fallback;
  CellFormat format;
};

inline constexpr std::size_t kColumnCount = 31;

// The customer's VanillaSoft import profile (domain.md, "The VanillaSoft import CSV").
inline constexpr std::array<Column, kColumnCount> kColumns = {{
    {"List Source", "list_source", "", CellFormat::kText},
    {"Last Name", "last_name", "", CellFormat::kText},
    {"First Name", "first_name", "", CellFormat::kText},
    {"Title", "title", "", CellFormat::kText},
    {"Home", "company_phone", "", CellFormat::kPhone},  // the company's HQ line
    {"Email", "email", "", CellFormat::kText},
    {"Mobile", "mobile_phone", "", CellFormat::kPhone},
    {"Company", "company_name", "", CellFormat::kText},
    {"Web site", "website", "", CellFormat::kText},
    {"Business", "direct_phone", "company_phone", CellFormat::kPhone},
    {"Number of Employees", "employee_count", "employee_count_raw", CellFormat::kText},
    {"Primary SIC", "sic_code", "sic_code_raw", CellFormat::kText},
    {"Primary Line of Business", "industry", "", CellFormat::kText},
    {"Address", "address", "", CellFormat::kText},
    {"City", "city", "", CellFormat::kText},
    {"State", "state", "state_raw", CellFormat::kText},
    {"ZIP code", "zip", "zip_raw", CellFormat::kZip},
    {"Square Footage", "", "", CellFormat::kEmpty},
    {"Contact Owner", "contact_owner", "", CellFormat::kText},
    {"Lead Source", "lead_source", "", CellFormat::kText},
    {"Vending Business Name", "vending_business_name", "", CellFormat::kText},
    {"Operator Name", "operator_name", "", CellFormat::kText},
    {"Operator Phone #", "operator_phone", "", CellFormat::kPhone},
    {"Operator Email Address", "operator_email", "", CellFormat::kText},
    {"Operator Zip Code", "operator_zip", "", CellFormat::kZip},
    {"Operator Website Address", "operator_website", "", CellFormat::kText},
    {"Best Appts Time", "", "", CellFormat::kEmpty},
    {"Unavailable for appointments", "", "", CellFormat::kEmpty},
    {"Team", "team", "", CellFormat::kText},
    {"Call Priority", "priority", "", CellFormat::kText},
    {"Import Notes", "import_notes", "", CellFormat::kText},
}};

// Appends `value` to `out` as one CSV field: neutralised when `neutralise` (a leading `'` before
// `=` `+` `-` `@` TAB or CR), then quoted when it holds `,` `"` CR or LF, with `"` doubled. Other
// bytes, UTF-8 included, pass unchanged.
void append_csv_field(std::string_view value, std::string* out, bool neutralise = true);

// True when `text` is a plain phone number: digits, spaces and `+ - ( ) .` (a `+` only first),
// at least one digit, optionally followed by an extension (`x123`, `ext. 123`, `extension 123`,
// `#123`). Such a cell cannot hold a formula, and a visible `'` in front of it breaks dialing,
// so phone cells that are plain phones are not neutralised.
bool is_plain_phone(std::string_view text);

// A North American number as `(XXX) XXX-XXXX`: a plain phone (above) with 10 digits, or 11
// starting with the country code 1 (dropped), with or without `+1`; its extension follows as
// ` x123`. Anything else is returned exactly as given: another country's number (`+64 9 123
// 4567`), too few or too many digits (`555-0100 x123`), or text that is not a plain phone.
std::string format_phone(std::string_view raw);

// The cell text of `value` in a column of `format`.
std::string cell_text(const Value& value, CellFormat format);
// The same, without a copy when `value` is text that needs no formatting: the result views
// `value` or `*scratch`, and is valid while both are.
std::string_view cell_view(const Value& value, CellFormat format, std::string* scratch);

// The header line, CRLF included.
std::string header_line();

}  // namespace hades::vanillasoft_writer

#endif  // HADES_PLUGINS_VANILLASOFT_WRITER_CSV_FORMAT_H_
