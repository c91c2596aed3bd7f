#include "unique_index.h"

#include <charconv>
#include <cstring>

#include "record_codec.h"

namespace hades {
namespace {

// Blocks start small and double up to 1 MiB, so a few keys take a few KiB.
constexpr std::size_t kFirstBlockSize = std::size_t{4} << 10;
constexpr std::size_t kBlockSize = std::size_t{1} << 20;
constexpr std::size_t kInitialSlots = 1024;
constexpr int kOffsetBits = 24;  // a reference is block << 24 | offset: 16 MiB per block
constexpr std::uint64_t kRefMask = (std::uint64_t{1} << 40) - 1;
constexpr std::size_t kMaxBlocks = std::size_t{1} << 16;
constexpr std::size_t kMaxPrefixes = 4096;       // past it, positions are stored whole
constexpr std::size_t kMaxPositionBytes = 4096;  // a longer one is cut: it only names a record

std::uint64_t default_hash(std::string_view key) { return hash_bytes(key, 0x6f726465725f6279); }

std::uint64_t tag_of(std::uint64_t hash) { return hash >> 40; }

// Slots are picked from the hash's low half and tagged with its high bits, so keys that share a
// neighbourhood of the table still differ in their tags.
std::size_t home_slot(std::uint64_t hash, std::size_t capacity) {
  return static_cast<std::size_t>(((hash & 0xFFFFFFFFULL) * capacity) >> 32);
}

// "leads.csv:42" -> ("leads.csv:", 42). False when the position does not end in a number that
// reads back exactly (none, a leading zero, more than 19 digits).
bool split_position(std::string_view position, std::string_view* prefix, std::uint64_t* number) {
  std::size_t start = position.size();
  while (start > 0 && position[start - 1] >= '0' && position[start - 1] <= '9') --start;
  const std::string_view digits = position.substr(start);
  if (digits.empty() || digits.size() > 19 || (digits.size() > 1 && digits[0] == '0')) {
    return false;
  }
  std::from_chars(digits.data(), digits.data() + digits.size(), *number);
  *prefix = position.substr(0, start);
  return true;
}

}  // namespace

UniqueIndex::UniqueIndex(HashFunction hash)
    : hash_(hash != nullptr ? hash : default_hash), slots_(kInitialSlots, 0) {}

std::size_t UniqueIndex::bytes() const {
  return slots_.capacity() * sizeof(std::uint64_t) + block_bytes_ + prefix_bytes_;
}

// The bytes from the entry at `ref` to the end of its block.
std::string_view UniqueIndex::entry_at(std::uint64_t ref) const {
  const std::size_t block = ref >> kOffsetBits;
  const std::size_t offset = ref & ((std::uint64_t{1} << kOffsetBits) - 1);
  return std::string_view(blocks_[block].get() + offset, block_sizes_[block] - offset);
}

std::string_view UniqueIndex::key_at(std::uint64_t ref) const {
  std::string_view in = entry_at(ref);
  std::uint64_t length = 0;
  read_varint(&in, &length);
  return in.substr(0, length);
}

std::string UniqueIndex::position_at(std::uint64_t ref) const {
  const std::string_view key = key_at(ref);
  std::string_view in = entry_at(ref).substr(key.data() + key.size() - entry_at(ref).data());
  std::uint64_t code = 0;
  std::uint64_t value = 0;
  read_varint(&in, &code);
  read_varint(&in, &value);
  if (code == 0) return std::string(in.substr(0, value));
  return prefixes_[code - 1] + std::to_string(value);
}

UniqueIndex::Found UniqueIndex::find(std::string_view key, std::uint64_t hash) const {
  const std::uint64_t tag = tag_of(hash);
  for (std::size_t i = home_slot(hash, slots_.size());; i = i + 1 == slots_.size() ? 0 : i + 1) {
    const std::uint64_t slot = slots_[i];
    if (slot == 0) return {i, false};
    if ((slot >> 40) == tag && key_at((slot & kRefMask) - 1) == key) return {i, true};
  }
}

std::size_t UniqueIndex::find_empty(std::uint64_t hash) const {
  std::size_t i = home_slot(hash, slots_.size());
  while (slots_[i] != 0) i = i + 1 == slots_.size() ? 0 : i + 1;
  return i;
}

// The position as (prefix id + 1, number), or (0, length) and its bytes.
void UniqueIndex::encode_position(std::string_view position, std::string* out) {
  position = position.substr(0, kMaxPositionBytes);
  std::string_view prefix;
  std::uint64_t number = 0;
  if (split_position(position, &prefix, &number)) {
    auto it = prefix_ids_.find(std::string(prefix));
    if (it == prefix_ids_.end() && prefixes_.size() < kMaxPrefixes) {
      it = prefix_ids_.emplace(std::string(prefix), static_cast<std::uint32_t>(prefixes_.size()))
               .first;
      prefixes_.emplace_back(prefix);
      prefix_bytes_ += 2 * (prefix.size() + 48);  // both copies and their bookkeeping, roughly
    }
    if (it != prefix_ids_.end()) {
      append_varint(it->second + 1, out);
      append_varint(number, out);
      return;
    }
  }
  append_varint(0, out);
  append_varint(position.size(), out);
  out->append(position);
}

std::uint64_t UniqueIndex::append_entry(std::string_view key, std::string_view position) {
  scratch_.clear();
  append_varint(key.size(), &scratch_);
  scratch_.append(key);
  encode_position(position, &scratch_);
  if (blocks_.empty() || block_used_ + scratch_.size() > block_sizes_.back()) {
    const std::size_t next =
        blocks_.empty() ? kFirstBlockSize : std::min(kBlockSize, block_sizes_.back() * 2);
    const std::size_t size = std::max(next, scratch_.size());
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    block_sizes_.push_back(size);
    block_bytes_ += size;
    block_used_ = 0;
  }
  std::memcpy(blocks_.back().get() + block_used_, scratch_.data(), scratch_.size());
  const std::uint64_t ref = (std::uint64_t{blocks_.size() - 1} << kOffsetBits) | block_used_;
  block_used_ += scratch_.size();
  return ref;
}

// Past three quarters full, 1.5 times the slots: linear probing stays short, and the table
// never holds more than twice the slots it needs.
void UniqueIndex::grow() {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.size() + old.size() / 2, 0);
  for (const std::uint64_t slot : old) {
    if (slot == 0) continue;
    const std::uint64_t hash = hash_(key_at((slot & kRefMask) - 1));
    slots_[find_empty(hash)] = slot;
  }
}

Result<std::optional<std::string>> UniqueIndex::insert(std::string_view key,
                                                       std::string_view position) {
  if (key.size() > kMaxKeyBytes) {
    return Status::invalid_config("a unique key of " + std::to_string(key.size()) +
                                  " bytes is longer than the " + std::to_string(kMaxKeyBytes) +
                                  " bytes order_by's unique can hold");
  }
  const std::uint64_t hash = hash_(key);
  Found found = find(key, hash);
  if (found.present)
    return std::optional<std::string>(position_at((slots_[found.slot] & kRefMask) - 1));
  if (blocks_.size() >= kMaxBlocks && block_used_ + key.size() + 64 > block_sizes_.back()) {
    return Status::invalid_config("order_by's unique holds more keys than it can (" +
                                  std::to_string(size_) + ")");
  }
  if ((size_ + 1) * 4 > slots_.size() * 3) {
    grow();
    found = find(key, hash);
  }
  const std::uint64_t ref = append_entry(key, position);
  slots_[found.slot] = (tag_of(hash) << 40) | (ref + 1);
  ++size_;
  return std::optional<std::string>();
}

}  // namespace hades
