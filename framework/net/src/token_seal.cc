#include "hades/token_seal.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace hades {
namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using Key = std::array<unsigned char, 32>;

Key derive_key(std::string_view material) {
  // The label predates the SDK (zoho_source had this first): changing it would make every cached
  // token unreadable, costing one token request each.
  const std::string input = "hades zoho_source token cache v1\n" + std::string(material);
  Key key{};
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), key.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return key;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = nibble(hex[i]);
    const int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext new_context() {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("OpenSSL could not allocate a cipher context");
  return ctx;
}

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::string seal_token(std::string_view token, std::string_view key_material) {
  const Key key = derive_key(key_material);
  std::array<unsigned char, kNonceBytes> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    throw std::runtime_error("OpenSSL could not make a random nonce");
  }
  std::string cipher(token.size(), '\0');
  std::array<unsigned char, kTagBytes> tag{};
  CipherContext ctx = new_context();
  int written = 0;
  int final_bytes = 0;
  auto* out = reinterpret_cast<unsigned char*>(cipher.data());
  const bool ok =
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out, &written, bytes(token), static_cast<int>(token.size())) ==
          1 &&
      EVP_EncryptFinal_ex(ctx.get(), out + written, &final_bytes) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) == 1;
  if (!ok) throw std::runtime_error("AES-256-GCM encryption failed");
  return std::string(kPrefix) + to_hex(nonce.data(), nonce.size()) +
         to_hex(bytes(cipher), cipher.size()) + to_hex(tag.data(), tag.size());
}

std::optional<std::string> open_token(std::string_view sealed, std::string_view key_material) {
  if (!sealed.starts_with(kPrefix)) return std::nullopt;
  const std::optional<std::string> raw = from_hex(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
  const std::string_view all(*raw);
  const std::string_view nonce = all.substr(0, kNonceBytes);
  const std::string_view cipher = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  const Key key = derive_key(key_material);
  std::string plain(cipher.size(), '\0');
  CipherContext ctx = new_context();
  int written = 0;
  int final_bytes = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  const bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), bytes(nonce)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), out, &written, bytes(cipher), static_cast<int>(cipher.size())) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), out + written, &final_bytes) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

}  // namespace hades
