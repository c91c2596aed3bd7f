// checkpoint.h: what a pipeline step records after each committed chunk.
//
// Stored as JSON text in hades_steps.checkpoint, in the same transaction as the chunk's rows.
// decode_checkpoint() refuses anything it does not fully understand (kCorruption, exit 6):
// resuming from a half-read checkpoint would silently duplicate or lose rows.

#ifndef HADES_FRAMEWORK_CHECKPOINT_H_
#define HADES_FRAMEWORK_CHECKPOINT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"

namespace hades {

struct PluginCounts {
  std::string plugin;  // "csv_source", or "turso_sink#2" when a step uses a plugin twice
  std::int64_t in = 0;
  std::int64_t out = 0;
  std::int64_t rejected = 0;
  // Rejected records by the kind the plugin gave (Rejects::reject; order_by's duplicates are
  // "duplicate"); records rejected without one are in `rejected` only.
  std::map<std::string, std::int64_t> rejected_by_kind;
  bool operator==(const PluginCounts&) const = default;
};

// A file of sorted records in the step's work directory (sorted_run.h).
struct SortedRunFile {
  std::string name;  // the file's name in the step's work directory
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;
  std::uint64_t checksum = 0;
  bool operator==(const SortedRunFile&) const = default;
};

// Where a step with order_by stands once all its records are ordered (the barrier): the sorted
// runs whose merge is the ordered output, and how much of that output is committed.
struct OrderProgress {
  std::vector<std::string> columns;  // of the records in the runs
  std::vector<SortedRunFile> runs;
  std::int64_t records = 0;  // in the ordered output (after unique and limit)
  std::int64_t emitted = 0;  // passed on to the transforms after order_by, and committed
  bool operator==(const OrderProgress&) const = default;
};

struct Checkpoint {
  // Version 2 adds `order`; a checkpoint without it is still written as version 1, so that only
  // runs of a step with order_by need a hades that understands it.
  static constexpr int kVersion = 2;
  std::string cursor;                    // the source's cursor after the last committed chunk
  std::int64_t chunks = 0;               // chunks committed so far
  std::int64_t rejected = 0;             // records rejected so far, all plugins
  std::vector<PluginCounts> counts;      // source, transforms, sinks in step order
  std::vector<std::string> sink_tokens;  // one per sink, in step order
  std::string rejects_token;             // the rejects file's committed offset
  std::optional<OrderProgress> order;    // set once the step's order_by has all its records
  bool operator==(const Checkpoint&) const = default;
};

std::string encode_checkpoint(const Checkpoint& checkpoint);
Result<Checkpoint> decode_checkpoint(std::string_view text);

}  // namespace hades

#endif  // HADES_FRAMEWORK_CHECKPOINT_H_
