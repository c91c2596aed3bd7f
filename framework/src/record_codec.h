// record_codec.h: rows as compact bytes, and sort keys that order by memcmp.
//
// The order_by stage (order_stage.h) holds and spills records in these forms instead of as
// std::vector<Value>: a row of 28 short text fields takes 356 bytes instead of 1,279 (see
// bench/order_bench.cc), and comparing two keys is one memcmp.
//
// Row bytes: the position (varint length + bytes), then per column a tag byte and its payload:
// null/false/true (tag only), integer (zigzag varint), double (its 8 bytes as the host stores
// them), text (varint length + bytes). Only decode_row reads them; the layout may change between
// versions of hades, since the files holding it never outlive a run.
//
// Sort keys: each key column is encoded so that comparing the concatenated bytes with memcmp (a
// shorter string first when one is a prefix of the other) orders rows as the keys do:
//   - numbers (integers, doubles and booleans as 0/1) numerically and exactly, whatever mix of
//     int64 and double a column holds: 2^53 + 1 sorts after the double 2^53; NaN after +inf;
//   - text bytewise (UTF-8 byte order, no collation);
//   - numbers before text in the same column (as in SQLite);
//   - null first or last as the key says, whatever its direction;
//   - a descending key's bytes inverted.
// Each column's encoding is prefix-free, so no key bytes of one column run into the next.
//
// Thread safety: pure functions.

#ifndef HADES_FRAMEWORK_RECORD_CODEC_H_
#define HADES_FRAMEWORK_RECORD_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "hades/record.h"
#include "hades/status.h"

namespace hades {

// Appends `row` and its `position` to `out`.
void encode_row(const Row& row, std::string_view position, std::string* out);

// Reads what encode_row wrote for a row of `columns` values. `bytes` must hold exactly one row.
// Returns kCorruption when it does not.
Status decode_row(std::string_view bytes, std::size_t columns, Row* row, std::string* position);

struct KeyColumn {
  std::size_t index = 0;  // in the row
  bool descending = false;
  bool nulls_first = true;
};

// Appends the order-preserving encoding of the key columns of `row` to `out`.
void encode_sort_key(const Row& row, std::span<const KeyColumn> keys, std::string* out);

// Appends `value` as 8 big-endian bytes: memcmp orders these as the numbers. Ties of equal sort
// keys are broken by the input sequence number written this way.
void append_big_endian(std::uint64_t value, std::string* out);

// Varints (LEB128): 1 byte below 128, at most 10 bytes.
void append_varint(std::uint64_t value, std::string* out);
// Reads a varint at the front of `*in` and removes it; false when `*in` holds none.
bool read_varint(std::string_view* in, std::uint64_t* value);

// A fast 64-bit hash of `bytes` (not cryptographic): unique_index.h's table and the checksums of
// spilled runs. Stable across processes and versions of hades with the same `seed`.
std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed = 0);

}  // namespace hades

#endif  // HADES_FRAMEWORK_RECORD_CODEC_H_
