// hades/token_seal.h: the access token as the token cache stores it, encrypted.
//
// The job's database is shared (Turso) and backed up; an OAuth access token read from it works
// for anyone for up to an hour. So the cache keeps it sealed with AES-256-GCM under a key derived
// from the client secret and the refresh token, which never reach the database: whoever can
// read the table but not those secrets learns nothing usable.
//
// Thread safety: pure functions.

#ifndef HADES_TOKEN_SEAL_H_
#define HADES_TOKEN_SEAL_H_

#include <optional>
#include <string>
#include <string_view>

namespace hades {

// "v1:" + hex(nonce, ciphertext, tag). `key_material` is whatever identifies the credentials
// (client secret and refresh token); a fresh random nonce every call.
std::string seal_token(std::string_view token, std::string_view key_material);

// The token sealed by seal_token() with the same key material; nullopt for anything else (a
// row written by an older hades in clear, other credentials, a damaged value).
std::optional<std::string> open_token(std::string_view sealed, std::string_view key_material);

}  // namespace hades

#endif  // HADES_TOKEN_SEAL_H_
