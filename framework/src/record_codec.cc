#include "record_codec.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace hades {
namespace {

enum class Tag : unsigned char {
  kNull = 0,
  kFalse = 1,
  kTrue = 2,
  kInt = 3,
  kDouble = 4,
  kText = 5
};

// Type bytes of a sort key column. Null's byte is 0x00 or 0xFF by where nulls go and is never
// inverted; the others sit strictly between, inverted for a descending key.
constexpr unsigned char kKeyNullFirst = 0x00;
constexpr unsigned char kKeyNullLast = 0xFF;
constexpr unsigned char kKeyNumber = 0x20;
constexpr unsigned char kKeyText = 0x30;

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

// The double's bits, flipped so that unsigned comparison orders them as the numbers: all bits of
// a negative value, only the sign bit of a positive one. -0.0 is +0.0; every NaN sorts last.
std::uint64_t ordered_bits(double d) {
  if (std::isnan(d)) return std::numeric_limits<std::uint64_t>::max();
  if (d == 0) d = 0;  // -0.0 == 0.0
  const auto bits = std::bit_cast<std::uint64_t>(d);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{1} << 63);
}

// An integer as the double nearest it, then how far it is from that double: doubles are 2^11
// apart at most below 2^63, so the distance fits in 16 bits. A double is at distance 0 from
// itself, so 5 and 5.0 encode the same and 2^53 + 1 sorts after 2^53.
void append_number(double nearest, std::int64_t distance, std::string* out) {
  append_big_endian(ordered_bits(nearest), out);
  const auto biased = static_cast<std::uint16_t>(distance + 0x8000);
  out->push_back(static_cast<char>(biased >> 8));
  out->push_back(static_cast<char>(biased & 0xFF));
}

void append_integer_key(std::int64_t i, std::string* out) {
  const double nearest = static_cast<double>(i);
  // 2^63 (the nearest double to values close to INT64_MAX) does not fit an int64.
  constexpr double kTwo63 = 9223372036854775808.0;
  const std::int64_t distance = nearest >= kTwo63
                                    ? (i - std::numeric_limits<std::int64_t>::max()) - 1
                                    : i - static_cast<std::int64_t>(nearest);
  append_number(nearest, distance, out);
}

// Text bytes with 0x00 escaped as 00 FF and the end marked 00 01: prefix-free, and memcmp still
// orders it bytewise ("a" < "a\0" < "ab").
void append_text_key(std::string_view text, std::string* out) {
  for (const char c : text) {
    out->push_back(c);
    if (c == '\0') out->push_back(static_cast<char>(0xFF));
  }
  out->push_back('\0');
  out->push_back('\1');
}

void append_key_value(const Value& v, const KeyColumn& key, std::string* out) {
  if (is_null(v)) {
    out->push_back(static_cast<char>(key.nulls_first ? kKeyNullFirst : kKeyNullLast));
    return;
  }
  const std::size_t start = out->size();
  if (const auto* text = std::get_if<std::string>(&v)) {
    out->push_back(static_cast<char>(kKeyText));
    append_text_key(*text, out);
  } else {
    out->push_back(static_cast<char>(kKeyNumber));
    if (const auto* d = std::get_if<double>(&v)) {
      append_number(*d, 0, out);
    } else if (const auto* b = std::get_if<bool>(&v)) {
      append_integer_key(*b ? 1 : 0, out);
    } else {
      append_integer_key(std::get<std::int64_t>(v), out);
    }
  }
  if (key.descending) {
    for (std::size_t i = start; i < out->size(); ++i) (*out)[i] = static_cast<char>(~(*out)[i]);
  }
}

bool take(std::string_view* in, std::size_t n, std::string_view* out) {
  if (in->size() < n) return false;
  *out = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

bool read_length_prefixed(std::string_view* in, std::string_view* out) {
  std::uint64_t n = 0;
  return read_varint(in, &n) && take(in, n, out);
}

bool read_value(std::string_view* in, Value* value) {
  std::string_view tag;
  if (!take(in, 1, &tag)) return false;
  std::uint64_t n = 0;
  std::string_view bytes;
  switch (static_cast<Tag>(tag[0])) {
    case Tag::kNull:
      *value = Null{};
      return true;
    case Tag::kFalse:
    case Tag::kTrue:
      *value = static_cast<Tag>(tag[0]) == Tag::kTrue;
      return true;
    case Tag::kInt:
      if (!read_varint(in, &n)) return false;
      *value = unzigzag(n);
      return true;
    case Tag::kDouble:
      if (!take(in, 8, &bytes)) return false;
      std::memcpy(&n, bytes.data(), 8);
      *value = std::bit_cast<double>(n);
      return true;
    case Tag::kText:
      if (!read_length_prefixed(in, &bytes)) return false;
      *value = std::string(bytes);
      return true;
  }
  return false;
}

void append_value(const Value& v, std::string* out) {
  if (is_null(v)) {
    out->push_back(static_cast<char>(Tag::kNull));
  } else if (const auto* b = std::get_if<bool>(&v)) {
    out->push_back(static_cast<char>(*b ? Tag::kTrue : Tag::kFalse));
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    out->push_back(static_cast<char>(Tag::kInt));
    append_varint(zigzag(*i), out);
  } else if (const auto* d = std::get_if<double>(&v)) {
    out->push_back(static_cast<char>(Tag::kDouble));
    const auto bits = std::bit_cast<std::uint64_t>(*d);
    out->append(reinterpret_cast<const char*>(&bits), 8);
  } else {
    const auto& text = std::get<std::string>(v);
    out->push_back(static_cast<char>(Tag::kText));
    append_varint(text.size(), out);
    out->append(text);
  }
}

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;

// MurmurHash3's finalizer: every input bit affects every output bit.
std::uint64_t fmix64(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

void append_big_endian(std::uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

void append_varint(std::uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

bool read_varint(std::string_view* in, std::uint64_t* value) {
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < in->size() && i < 10; ++i) {
    const auto byte = static_cast<unsigned char>((*in)[i]);
    result |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      in->remove_prefix(i + 1);
      *value = result;
      return true;
    }
  }
  return false;
}

void encode_row(const Row& row, std::string_view position, std::string* out) {
  append_varint(position.size(), out);
  out->append(position);
  for (const Value& v : row) append_value(v, out);
}

Status decode_row(std::string_view bytes, std::size_t columns, Row* row, std::string* position) {
  std::string_view pos;
  row->assign(columns, Value());
  bool ok = read_length_prefixed(&bytes, &pos);
  for (std::size_t i = 0; ok && i < columns; ++i) ok = read_value(&bytes, &(*row)[i]);
  if (!ok || !bytes.empty()) {
    return Status::corruption("a sorted record does not decode as " + std::to_string(columns) +
                              " values");
  }
  position->assign(pos);
  return Status::ok_status();
}

void encode_sort_key(const Row& row, std::span<const KeyColumn> keys, std::string* out) {
  for (const KeyColumn& key : keys) append_key_value(row[key.index], key, out);
}

std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = fmix64(seed ^ (bytes.size() * kMul));
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, 8);
    h = (h ^ (word * kMul)) * kMul;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = (h ^ (tail * kMul)) * kMul;
  return fmix64(h);
}

}  // namespace hades
