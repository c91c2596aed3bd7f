// hades/redact.h: quoting what a server, a file or a user sent in a message, without leaking a
// credential and without letting control characters hide text.
//
// An error message that quotes a server's reply helps whoever reads the log; but a reply can echo
// the request (an `Authorization:` header), carry a token (a token endpoint's 200 that could not
// be parsed), or be megabytes long. quote_body() is what a message may show of such a body:
// known secret values and anything shaped like a credential masked, control characters escaped,
// at most a few hundred bytes. The host runs every log line, error message and report through
// mask_credential_shapes() as well (its Redactor), so a plugin that forgets is still covered.
//
// Thread safety: pure functions.

#ifndef HADES_REDACT_H_
#define HADES_REDACT_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hades {

// How much of a body a message quotes by default.
inline constexpr std::size_t kMaxQuotedBody = 300;

// What a masked value becomes.
inline constexpr std::string_view kMasked = "***";

// Replaces every occurrence of each secret with kMasked. Secrets shorter than 4 bytes are
// ignored: they would mask noise.
std::string mask_secrets(std::string_view text, std::span<const std::string> secrets);

// Masks every value shaped like a credential, whatever it is:
//   - the value after a key whose name is `authorization` or ends in `token`, `secret` or
//     `password` (any case), followed by `:` or `=` (quotes around key or value allowed):
//     `"access_token":"..."`, `refresh_token=...`, `Authorization: Bearer ...`;
//   - the word after `Bearer ` or `Zoho-oauthtoken ` (any case);
//   - JSON Web Tokens (`eyJ...` in three dot-separated base64url parts) and Zoho OAuth tokens
//     (`1000.<hex>.<hex>`).
// A masked value is replaced by kMasked; the key, the scheme and the punctuation stay.
std::string mask_credential_shapes(std::string_view text);

// Escapes what a terminal would not show as itself: CR, LF and tab as \r, \n, \t; other bytes
// below 0x20, DEL and bytes that are not valid UTF-8 as \xNN. Printable ASCII (backslash
// included, unescaped) and valid UTF-8 stay as they are.
std::string printable(std::string_view text);

// What a message may show of `body`: `secrets` and credential shapes masked, control characters
// escaped, cut to `max_bytes` of the body with "... (N bytes)" appended when cut, "(empty)" when
// there is nothing.
std::string quote_body(std::string_view body, std::span<const std::string> secrets = {},
                       std::size_t max_bytes = kMaxQuotedBody);

}  // namespace hades

#endif  // HADES_REDACT_H_
