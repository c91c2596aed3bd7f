// form.h: request parameters as Zoho's servers read them: query strings and form bodies.
//
// The accounts server takes its fields from the query string or from the body, and the body may
// be `application/x-www-form-urlencoded` or `multipart/form-data` (RFC 7578): Zoho's own SDKs
// refresh tokens with multipart bodies, so both must work.
//
// Thread safety: pure functions.

#ifndef HADES_TOOLS_ZOHO_SIM_FORM_H_
#define HADES_TOOLS_ZOHO_SIM_FORM_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hades::zoho_sim {

using Params = std::map<std::string, std::string, std::less<>>;

// `%XX` decoded (a malformed escape is kept as written); `+` is a space when `plus_is_space`
// (query strings and urlencoded bodies), not in paths.
std::string percent_decode(std::string_view text, bool plus_is_space);

// "a=1&b=2" into `out`, decoded; a later key replaces an earlier one, as does a key already in
// `out`. Never fails: a malformed item is read as best it can be.
void parse_urlencoded(std::string_view text, Params& out);

// The value of parameter `name` (case-insensitive) of a header like Content-Type or
// Content-Disposition (`type; a=1; b="x;y"`), unquoted; nullopt when it is absent.
std::optional<std::string> header_parameter(std::string_view header_value, std::string_view name);

// The fields of a multipart/form-data `body` whose Content-Type header is `content_type` (it
// carries the boundary) into `out`: each `form-data` part with a `name` gives name -> content,
// byte for byte. Returns false for a body that is not well formed (no boundary, a part without
// its header block, no closing delimiter); fields before the fault are kept.
bool parse_multipart(std::string_view content_type, std::string_view body, Params& out);

// A form body into `out` by its Content-Type (nullptr when the request has none): multipart
// bodies as above, anything else as urlencoded, which is what Zoho accepts without a type.
void parse_form_body(const std::string* content_type, std::string_view body, Params& out);

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_FORM_H_
