#include "order_stage.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "record_codec.h"
#include "sorted_run.h"
#include "unique_index.h"

namespace hades {
namespace {

namespace fs = std::filesystem;

// A record held in the buffer: its key and body lie one after the other in the arena.
struct Slot {
  std::uint64_t offset;
  std::uint32_t key_size;
  std::uint32_t body_size;
};

// A record held in the heap (with a limit).
struct HeapEntry {
  std::string bytes;  // key, then body
  std::uint32_t key_size = 0;
  std::string_view key() const { return std::string_view(bytes).substr(0, key_size); }
  std::string_view body() const { return std::string_view(bytes).substr(key_size); }
};

// The record buffer's memory, mapped from the system directly: a page is resident only once
// written, and pages past a budget that shrank (the unique index grew) go back to the system at
// once, where a freed malloc block would stay with the process.
class PageArena {
 public:
  PageArena() = default;
  PageArena(const PageArena&) = delete;
  PageArena& operator=(const PageArena&) = delete;
  ~PageArena() { unmap(); }

  Status map(std::size_t size) {
    unmap();
    void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) {
      return Status::io("cannot map " + std::to_string(size) +
                        " bytes for order_by: " + std::strerror(errno));
    }
    data_ = static_cast<char*>(data);
    size_ = size;
    return Status::ok_status();
  }
  void unmap() {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = nullptr;
    size_ = 0;
  }
  // Hands back the pages from `offset` (rounded up to a page) to the end; they read as zeros.
  void release_from(std::size_t offset) {
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    offset = (offset + page - 1) / page * page;
    if (offset < size_) ::madvise(data_ + offset, size_ - offset, MADV_DONTNEED);
  }
  char* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool mapped() const { return data_ != nullptr; }

 private:
  char* data_ = nullptr;
  std::size_t size_ = 0;
};

// What a heap entry costs beyond its bytes: the entry itself and the allocator's header.
constexpr std::size_t kHeapEntryOverhead = sizeof(HeapEntry) + 16;

std::string run_name(std::size_t number) {
  char name[32];
  std::snprintf(name, sizeof name, "run-%06zu.sorted", number);
  return name;
}

std::string mib(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

// A size as a job file would give it: "32MiB", "64KiB", "1000 bytes".
std::string size_text(std::uint64_t bytes) {
  for (const auto& [shift, unit] :
       {std::pair{30, "GiB"}, std::pair{20, "MiB"}, std::pair{10, "KiB"}}) {
    if (bytes % (std::uint64_t{1} << shift) == 0) return std::to_string(bytes >> shift) + unit;
  }
  return std::to_string(bytes) + " bytes";
}

// The index of `column` in `columns`, or kInvalidConfig at `where` with a suggestion.
Result<std::size_t> column_index(const std::vector<std::string>& columns, const std::string& column,
                                 const SourceLocation& where, const std::string& what) {
  const auto it = std::find(columns.begin(), columns.end(), column);
  if (it != columns.end()) return static_cast<std::size_t>(it - columns.begin());
  const std::optional<std::string> close = suggest_closest(column, columns);
  return Status::invalid_config(where.to_string() + ": " + what + " '" + column +
                                "' is not a column of the records reaching order_by" +
                                (close ? "; did you mean '" + *close + "'?" : ""));
}

// The record as the rejects file shows it: a JSON object of its columns.
std::string row_json(const std::vector<std::string>& columns, const Row& row) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::visit(
        [&](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, Null>) {
            doc[columns[i]] = nullptr;
          } else {
            doc[columns[i]] = v;
          }
        },
        row[i]);
  }
  return doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Merges sorted runs into one sequence by key. Each record's views stay valid until the next
// call to next().
class RunMerger {
 public:
  static Result<RunMerger> open(const std::vector<std::string>& paths) {
    RunMerger merger;
    for (const std::string& path : paths) {
      auto reader = RunReader::open(path);
      if (!reader.ok()) return reader.status();
      merger.readers_.push_back(std::move(reader).value());
    }
    for (std::size_t i = 0; i < merger.readers_.size(); ++i) {
      HADES_RETURN_IF_ERROR(merger.advance(i));
    }
    return merger;
  }

  Result<bool> next(std::string_view* key, std::string_view* body) {
    if (last_) HADES_RETURN_IF_ERROR(advance(*std::exchange(last_, std::nullopt)));
    if (heap_.empty()) return false;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Head head = heap_.back();
    heap_.pop_back();
    *key = head.key;
    *body = head.body;
    last_ = head.reader;
    return true;
  }

 private:
  struct Head {
    std::string_view key;
    std::string_view body;
    std::size_t reader;
  };
  // A min-heap by key: std::*_heap keep the greatest first, so "less" is "later".
  static bool later(const Head& a, const Head& b) { return a.key > b.key; }

  Status advance(std::size_t reader) {
    Head head{{}, {}, reader};
    auto more = readers_[reader].next(&head.key, &head.body);
    if (!more.ok()) return more.status();
    if (*more) {
      heap_.push_back(head);
      std::push_heap(heap_.begin(), heap_.end(), later);
    }
    return Status::ok_status();
  }

  std::vector<RunReader> readers_;
  std::vector<Head> heap_;
  std::optional<std::size_t> last_;  // the reader whose record next() returned last
};

}  // namespace

std::shared_ptr<const Schema> order_output_schema(const OrderSpec& spec,
                                                  const std::vector<std::string>& input_columns) {
  std::vector<std::string> columns = input_columns;
  if (!spec.row_number.empty()) columns.push_back(spec.row_number);
  return std::make_shared<const Schema>(std::move(columns));
}

std::string describe_order(const OrderSpec& spec) {
  std::string text;
  for (const OrderKey& key : spec.keys) {
    if (!text.empty()) text += ", ";
    text += key.column + (key.descending ? " desc" : "");
    if (key.nulls_first == key.descending) text += key.nulls_first ? " nulls first" : " nulls last";
  }
  if (spec.limit) text += "; limit " + std::to_string(*spec.limit);
  if (!spec.unique.empty()) {
    text += "; unique ";
    for (std::size_t i = 0; i < spec.unique.size(); ++i) {
      text += (i > 0 ? ", " : "") + spec.unique[i];
    }
  }
  if (!spec.row_number.empty()) text += "; row_number " + spec.row_number;
  return text + "; memory " + size_text(spec.memory);
}

// ---------------------------------------------------------------------------------------------
// The read phase

class OrderSorter::Impl {
 public:
  Impl(const OrderSpec& spec, std::vector<std::string> columns, std::vector<KeyColumn> keys,
       std::vector<KeyColumn> unique, std::string dir, Logger& log)
      : spec_(spec),
        columns_(std::move(columns)),
        keys_(std::move(keys)),
        unique_(std::move(unique)),
        dir_(std::move(dir)),
        log_(log),
        heap_mode_(spec.limit.has_value()) {}

  // Adds one record, or rejects it as a duplicate (sets `*duplicate`).
  Status add(const Row& row, const std::string& position, std::uint64_t sequence, Rejects& rejects,
             bool* duplicate) {
    *duplicate = false;
    if (!unique_.empty()) {
      HADES_RETURN_IF_ERROR(check_unique(row, position, rejects, duplicate));
      if (*duplicate) return Status::ok_status();
    }
    key_.clear();
    encode_sort_key(row, keys_, &key_);
    append_big_endian(sequence, &key_);
    return heap_mode_ ? keep_in_heap(row, position) : keep_in_buffer(row, position);
  }

  Result<OrderProgress> finish(const std::function<bool()>& cancelled) {
    if (heap_mode_) {
      HADES_RETURN_IF_ERROR(spill_heap());
    } else {
      HADES_RETURN_IF_ERROR(spill_buffer());
    }
    release_memory();
    while (runs_.size() > kMaxMergeWidth) {
      if (cancelled()) return Status::cancelled("stopped by signal while merging sorted runs");
      HADES_RETURN_IF_ERROR(merge_oldest(kMaxMergeWidth));
    }
    HADES_RETURN_IF_ERROR(sync_runs(dir_, runs_));  // the barrier's checkpoint names them
    OrderProgress progress;
    progress.columns = columns_;
    progress.runs = runs_;
    for (const SortedRunFile& run : runs_) {
      progress.records += static_cast<std::int64_t>(run.records);
    }
    if (spec_.limit) progress.records = std::min(progress.records, *spec_.limit);
    return progress;
  }

  std::size_t held_bytes() const {
    return (unique_index_ ? unique_index_->bytes() : 0) + heap_bytes_ + arena_used_ +
           slots_.capacity() * sizeof(Slot);
  }

  std::size_t spilled_runs() const { return spilled_; }
  std::size_t unique_keys() const { return unique_index_ ? unique_index_->size() : 0; }
  std::size_t unique_bytes() const { return unique_index_ ? unique_index_->bytes() : 0; }

 private:
  Status check_unique(const Row& row, const std::string& position, Rejects& rejects,
                      bool* duplicate) {
    unique_key_.clear();
    for (const KeyColumn& column : unique_) {
      if (is_null(row[column.index])) return Status::ok_status();  // null equals nothing
    }
    encode_sort_key(row, unique_, &unique_key_);
    if (!unique_index_) unique_index_.emplace();
    auto first = unique_index_->insert(unique_key_, position);
    if (!first.ok()) return first.status();
    if (!first->has_value()) return Status::ok_status();
    *duplicate = true;
    rejects.reject("duplicate", position,
                   "duplicate: the same " + unique_names() + " as the record at " + **first,
                   row_json(columns_, row));
    return Status::ok_status();
  }

  std::string unique_names() const {
    std::string names;
    for (std::size_t i = 0; i < spec_.unique.size(); ++i) {
      names += (i > 0 ? ", " : "") + spec_.unique[i];
    }
    return names;
  }

  // What the records may take now: the budget less the unique index, but never under a
  // quarter of the budget.
  std::size_t record_budget() {
    const std::size_t index = unique_index_ ? unique_index_->bytes() : 0;
    const std::size_t floor = spec_.memory / 4;
    if (index + floor > spec_.memory && !warned_) {
      warned_ = true;
      log_.warn("order_by: the unique index (" + std::to_string(unique_index_->size()) + " keys, " +
                mib(index) + ") leaves the records less than a quarter of memory " +
                size_text(spec_.memory) +
                ": the stage holds more than memory from here on "
                "(a larger memory keeps it within)");
    }
    return std::max(floor, spec_.memory > index ? spec_.memory - index : 0);
  }

  Status keep_in_heap(const Row& row, std::string_view position) {
    const auto limit = static_cast<std::size_t>(*spec_.limit);
    if (limit == 0) return Status::ok_status();
    const auto later = [](const HeapEntry& a, const HeapEntry& b) { return a.key() < b.key(); };
    if (heap_.size() == limit) {
      if (key_ >= heap_.front().key()) return Status::ok_status();  // not among the best
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_bytes_ -= heap_.back().bytes.capacity();
      heap_.pop_back();
    }
    HeapEntry entry;
    entry.key_size = static_cast<std::uint32_t>(key_.size());
    entry.bytes = key_;
    encode_row(row, position, &entry.bytes);
    heap_bytes_ += entry.bytes.capacity();
    heap_.push_back(std::move(entry));
    std::push_heap(heap_.begin(), heap_.end(), later);
    heap_entries_bytes_ = heap_.capacity() * kHeapEntryOverhead;
    if (heap_bytes_ + heap_entries_bytes_ > record_budget()) {
      // The limit holds more than the budget: go on with runs, each cut to the limit. The heap's
      // records were malloc'ed a few at a time, and glibc keeps freed blocks for reuse; handed
      // back now, they do not stay resident beside the record buffer that takes over (the two
      // together were twice the budget).
      HADES_RETURN_IF_ERROR(spill_heap());
      ::malloc_trim(0);
      heap_mode_ = false;
    }
    return Status::ok_status();
  }

  Status keep_in_buffer(const Row& row, std::string_view position) {
    body_.clear();
    encode_row(row, position, &body_);
    const std::size_t size = key_.size() + body_.size();
    if (!arena_.mapped()) HADES_RETURN_IF_ERROR(arena_.map(spec_.memory));
    if (size > arena_.size()) return write_single(key_, body_);  // larger than the whole budget
    if (!fits(size)) HADES_RETURN_IF_ERROR(spill_buffer());
    slots_.reserve(next_capacity(slots_));
    std::memcpy(arena_.data() + arena_used_, key_.data(), key_.size());
    std::memcpy(arena_.data() + arena_used_ + key_.size(), body_.data(), body_.size());
    slots_.push_back({arena_used_, static_cast<std::uint32_t>(key_.size()),
                      static_cast<std::uint32_t>(body_.size())});
    arena_used_ += size;
    arena_touched_ = std::max(arena_touched_, arena_used_);
    // The unique index grows as records come in and takes its bytes from the records' budget:
    // pages an earlier, larger budget touched go back now, not at the next spill, so the stage
    // holds its budget at every moment and not one spill later.
    if (const std::size_t budget = record_budget(); arena_touched_ > budget + kReleaseSlack) {
      arena_.release_from(std::max(arena_used_, budget));
      arena_touched_ = std::max(arena_used_, budget);
    }
    return Status::ok_status();
  }

  static std::size_t next_capacity(const std::vector<Slot>& slots) {
    return slots.size() < slots.capacity() ? slots.capacity() : slots.size() * 5 / 4 + 16;
  }

  bool fits(std::size_t size) {
    if (slots_.empty()) return true;  // a run holds at least one record
    const std::size_t slots = next_capacity(slots_) * sizeof(Slot);
    return arena_used_ + size <= arena_.size() && arena_used_ + size + slots <= record_budget();
  }

  std::string_view slot_key(const Slot& s) const {
    return std::string_view(arena_.data() + s.offset, s.key_size);
  }
  std::string_view slot_body(const Slot& s) const {
    return std::string_view(arena_.data() + s.offset + s.key_size, s.body_size);
  }

  Status spill_buffer() {
    if (slots_.empty()) return Status::ok_status();
    std::sort(slots_.begin(), slots_.end(),
              [&](const Slot& a, const Slot& b) { return slot_key(a) < slot_key(b); });
    HADES_RETURN_IF_ERROR(write_run(slots_.size(), [&](std::size_t i) {
      return std::pair(slot_key(slots_[i]), slot_body(slots_[i]));
    }));
    slots_.clear();
    arena_used_ = 0;
    arena_.release_from(record_budget());
    arena_touched_ = std::min(arena_touched_, record_budget());
    return Status::ok_status();
  }

  Status spill_heap() {
    std::sort(heap_.begin(), heap_.end(),
              [](const HeapEntry& a, const HeapEntry& b) { return a.key() < b.key(); });
    HADES_RETURN_IF_ERROR(write_run(
        heap_.size(), [&](std::size_t i) { return std::pair(heap_[i].key(), heap_[i].body()); }));
    std::vector<HeapEntry>().swap(heap_);
    heap_bytes_ = 0;
    heap_entries_bytes_ = 0;
    return Status::ok_status();
  }

  Status write_single(std::string_view key, std::string_view body) {
    return write_run(1, [&](std::size_t) { return std::pair(key, body); });
  }

  // Writes the first `count` records `at` yields (at most `limit`) as a new run.
  template <typename At>
  Status write_run(std::size_t count, const At& at) {
    if (count == 0) return Status::ok_status();
    if (spec_.limit) count = std::min(count, static_cast<std::size_t>(*spec_.limit));
    auto writer = RunWriter::create((fs::path(dir_) / run_name(++run_number_)).string());
    if (!writer.ok()) return writer.status();
    for (std::size_t i = 0; i < count; ++i) {
      const auto [key, body] = at(i);
      HADES_RETURN_IF_ERROR(writer->append(key, body));
    }
    auto run = writer->finish();
    if (!run.ok()) return run.status();
    runs_.push_back(std::move(run).value());
    ++spilled_;
    return Status::ok_status();
  }

  // Merges the `width` oldest runs into one new run at the end, and removes them.
  Status merge_oldest(std::size_t width) {
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < width; ++i)
      paths.push_back((fs::path(dir_) / runs_[i].name).string());
    auto merger = RunMerger::open(paths);
    if (!merger.ok()) return merger.status();
    auto writer = RunWriter::create((fs::path(dir_) / run_name(++run_number_)).string());
    if (!writer.ok()) return writer.status();
    const std::uint64_t limit = spec_.limit ? static_cast<std::uint64_t>(*spec_.limit)
                                            : std::numeric_limits<std::uint64_t>::max();
    std::string_view key;
    std::string_view body;
    while (writer->records() < limit) {
      auto more = merger->next(&key, &body);
      if (!more.ok()) return more.status();
      if (!*more) break;
      HADES_RETURN_IF_ERROR(writer->append(key, body));
    }
    auto run = writer->finish();
    if (!run.ok()) return run.status();
    for (const std::string& path : paths) {
      std::error_code ec;
      fs::remove(path, ec);
    }
    runs_.erase(runs_.begin(), runs_.begin() + static_cast<std::ptrdiff_t>(width));
    runs_.push_back(std::move(run).value());
    return Status::ok_status();
  }

  void release_memory() {
    arena_.unmap();
    std::vector<Slot>().swap(slots_);
    std::vector<HeapEntry>().swap(heap_);
    unique_index_.reset();
    arena_used_ = heap_bytes_ = heap_entries_bytes_ = 0;
  }

  const OrderSpec& spec_;
  const std::vector<std::string> columns_;
  const std::vector<KeyColumn> keys_;
  const std::vector<KeyColumn> unique_;
  const std::string dir_;
  Logger& log_;
  bool heap_mode_;
  bool warned_ = false;

  std::string key_;         // of the record being added
  std::string body_;        // of the record being added
  std::string unique_key_;  // of the record being added
  std::optional<UniqueIndex> unique_index_;

  std::vector<HeapEntry> heap_;  // a max-heap by key: the worst record kept is first
  std::size_t heap_bytes_ = 0;
  std::size_t heap_entries_bytes_ = 0;

  PageArena arena_;  // mapped, not touched, up to the budget
  std::size_t arena_used_ = 0;
  std::size_t arena_touched_ = 0;  // bytes of arena_ that may be resident
  static constexpr std::size_t kReleaseSlack = std::size_t{1} << 20;  // release in >= 1 MiB steps
  std::vector<Slot> slots_;

  std::vector<SortedRunFile> runs_;
  std::size_t run_number_ = 0;
  std::size_t spilled_ = 0;
};

OrderSorter::OrderSorter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OrderSorter::~OrderSorter() = default;

Result<std::unique_ptr<OrderSorter>> OrderSorter::create(const OrderSpec& spec, const Schema& input,
                                                         std::string dir, Logger& log) {
  const std::vector<std::string>& columns = input.columns();
  std::vector<KeyColumn> keys;
  for (const OrderKey& key : spec.keys) {
    auto index = column_index(columns, key.column, key.where, "order_by key");
    if (!index.ok()) return index.status();
    keys.push_back({*index, key.descending, key.nulls_first});
  }
  std::vector<KeyColumn> unique;
  for (std::size_t i = 0; i < spec.unique.size(); ++i) {
    auto index = column_index(columns, spec.unique[i], spec.unique_where[i], "unique column");
    if (!index.ok()) return index.status();
    unique.push_back({*index, false, true});
  }
  if (!spec.row_number.empty() && input.index_of(spec.row_number)) {
    return Status::invalid_config(spec.row_number_where.to_string() + ": row_number '" +
                                  spec.row_number +
                                  "' is already a column of the records reaching order_by");
  }
  auto impl = std::make_unique<Impl>(spec, columns, std::move(keys), std::move(unique),
                                     std::move(dir), log);
  return std::make_unique<OrderSorter>(std::move(impl));
}

Status OrderSorter::add(const Chunk& chunk, Rejects& rejects) {
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    bool duplicate = false;
    HADES_RETURN_IF_ERROR(impl_->add(chunk.row(i), chunk.position(i),
                                     static_cast<std::uint64_t>(records_in_), rejects, &duplicate));
    ++records_in_;
    if (duplicate) ++duplicates_;
  }
  peak_bytes_ = std::max(peak_bytes_, impl_->held_bytes());
  return Status::ok_status();
}

std::size_t OrderSorter::runs_spilled() const { return impl_->spilled_runs(); }
std::size_t OrderSorter::unique_keys() const { return impl_->unique_keys(); }
std::size_t OrderSorter::unique_bytes() const { return impl_->unique_bytes(); }

Result<OrderProgress> OrderSorter::finish(const std::function<bool()>& cancelled) {
  return impl_->finish(cancelled);
}

// ---------------------------------------------------------------------------------------------
// The write phase

class OrderedReader::Impl {
 public:
  Impl(const OrderSpec& spec, const OrderProgress& progress, RunMerger merger)
      : spec_(spec),
        columns_(progress.columns.size()),
        records_(progress.records),
        schema_(order_output_schema(spec, progress.columns)),
        merger_(std::move(merger)) {}

  Status skip(std::int64_t count) {
    std::string_view key;
    std::string_view body;
    for (; emitted_ < count; ++emitted_) {
      auto more = merger_.next(&key, &body);
      if (!more.ok()) return more.status();
      if (!*more) return Status::corruption("the sorted runs hold fewer records than committed");
    }
    return Status::ok_status();
  }

  Result<bool> read(std::size_t max_rows, Chunk* out) {
    std::string_view key;
    std::string_view body;
    std::string position;
    for (std::size_t n = 0; n < max_rows && emitted_ < records_; ++n) {
      auto more = merger_.next(&key, &body);
      if (!more.ok()) return more.status();
      if (!*more) return Status::corruption("the sorted runs hold fewer records than recorded");
      Row row;
      HADES_RETURN_IF_ERROR(decode_row(body, columns_, &row, &position));
      ++emitted_;
      if (!spec_.row_number.empty()) row.emplace_back(emitted_);
      out->append(std::move(row), position);
    }
    return emitted_ < records_;
  }

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  std::int64_t emitted() const { return emitted_; }

 private:
  const OrderSpec& spec_;
  const std::size_t columns_;
  const std::int64_t records_;
  const std::shared_ptr<const Schema> schema_;
  RunMerger merger_;
  std::int64_t emitted_ = 0;
};

OrderedReader::OrderedReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OrderedReader::~OrderedReader() = default;

Result<std::unique_ptr<OrderedReader>> OrderedReader::open(const OrderSpec& spec,
                                                           const OrderProgress& progress,
                                                           const std::string& dir, bool verify) {
  std::vector<std::string> paths;
  for (const SortedRunFile& run : progress.runs) {
    paths.push_back((fs::path(dir) / run.name).string());
    if (verify) HADES_RETURN_IF_ERROR(verify_run(paths.back(), run));
  }
  auto merger = RunMerger::open(paths);
  if (!merger.ok()) return merger.status();
  auto impl = std::make_unique<Impl>(spec, progress, std::move(merger).value());
  HADES_RETURN_IF_ERROR(impl->skip(progress.emitted));
  return std::make_unique<OrderedReader>(std::move(impl));
}

const std::shared_ptr<const Schema>& OrderedReader::schema() const { return impl_->schema(); }

Result<bool> OrderedReader::read(std::size_t max_rows, Chunk* out) {
  return impl_->read(max_rows, out);
}

std::int64_t OrderedReader::emitted() const { return impl_->emitted(); }

}  // namespace hades
