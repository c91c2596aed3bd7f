// unique_index.h: the keys order_by's `unique` has seen, and where each was first seen.
//
// An exact set: two keys are the same only when their bytes are (a hash collision costs a
// comparison, never a false duplicate). It is built to hold millions of keys in little memory:
// an open-addressing table of 8-byte slots (24 bits of the key's hash and a 40-bit reference)
// over an arena of blocks (up to 1 MiB) holding each key once, with the position it was first
// seen at. Positions like "leads.csv:42" are stored as a shared prefix and a number, about 4
// bytes. At 1M distinct keys of 9 characters it holds 28.5 MiB, 30 bytes a key
// (bench/order_bench.cc measures it).
//
// Thread safety: none; one stage owns it.

#ifndef HADES_FRAMEWORK_UNIQUE_INDEX_H_
#define HADES_FRAMEWORK_UNIQUE_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hades/status.h"

namespace hades {

class UniqueIndex {
 public:
  using HashFunction = std::uint64_t (*)(std::string_view);

  // `hash` is for tests, which make every key collide; the default is hash_bytes().
  explicit UniqueIndex(HashFunction hash = nullptr);

  // When `key` was inserted before, returns the position it was first inserted with and
  // changes nothing. Otherwise records `key` with `position` and returns nullopt.
  // Fails (kInvalidConfig) only for a key longer than kMaxKeyBytes.
  Result<std::optional<std::string>> insert(std::string_view key, std::string_view position);

  std::size_t size() const { return size_; }
  // The memory it holds: table, arena blocks and position prefixes.
  std::size_t bytes() const;

  static constexpr std::size_t kMaxKeyBytes = std::size_t{1} << 20;

 private:
  struct Found {
    std::size_t slot;
    bool present;
  };
  Found find(std::string_view key, std::uint64_t hash) const;
  std::size_t find_empty(std::uint64_t hash) const;
  std::string_view entry_at(std::uint64_t ref) const;
  std::string_view key_at(std::uint64_t ref) const;
  std::string position_at(std::uint64_t ref) const;
  std::uint64_t append_entry(std::string_view key, std::string_view position);
  void encode_position(std::string_view position, std::string* out);
  void grow();

  HashFunction hash_;
  std::vector<std::uint64_t> slots_;  // 0 = empty, else tag << 40 | (ref + 1)
  std::size_t size_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::size_t> block_sizes_;
  std::size_t block_used_ = 0;  // bytes used in blocks_.back()
  std::size_t block_bytes_ = 0;
  std::vector<std::string> prefixes_;
  std::unordered_map<std::string, std::uint32_t> prefix_ids_;
  std::size_t prefix_bytes_ = 0;
  std::string scratch_;
};

}  // namespace hades

#endif  // HADES_FRAMEWORK_UNIQUE_INDEX_H_
