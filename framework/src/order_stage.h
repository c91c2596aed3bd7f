// order_stage.h: a pipeline step's order_by (docs/job-file.md, "Ordering").
//
// A step with order_by runs in two phases around one checkpoint, the barrier:
//
//   read phase    source -> transforms before order_by -> OrderSorter::add() ...
//                 OrderSorter::finish(): every record is in a sorted run file, synced
//   barrier       the runner commits a checkpoint holding the runs (OrderProgress)
//   write phase   OrderedReader::read() -> transforms after order_by -> sinks, chunk by chunk,
//                 each chunk committed with the count of ordered records it used up
//
// The ordered output is the merge of the run files. A step resumed after the barrier reopens
// them (checked against the checksums the checkpoint recorded), skips the records already
// committed and goes on: it never reads its source again. Nothing of the read phase is
// committed, so a step stopped before the barrier reads everything again; the runner empties
// the step's work directory first. See docs/architecture.md, "Ordered steps".
//
// Order: by the keys (record_codec.h says how values compare), then by input order, so the
// output is the same in every attempt. `unique` keeps the first record of each key in input
// order (even when a later duplicate would sort first) and rejects the later ones.
//
// Memory (OrderSpec::memory) covers the records held and the unique index together:
//   - with a limit, the best `limit` records so far are a bounded heap: memory grows with the
//     limit, never with the input. A heap that outgrows the budget becomes sorted runs, each cut
//     to `limit` records.
//   - without a limit, records collect in a buffer that is sorted and written to a run file
//     whenever it is full; more than kMaxMergeWidth runs are merged in passes before the barrier.
//   - the unique index takes what it needs of the budget, but the record buffer always keeps a
//     quarter of it: past that the stage holds more than `memory` (logged once).
// Records are held in record_codec.h's binary form, not as Values.
//
// Thread safety: none; the runner's thread owns both objects.

#ifndef HADES_FRAMEWORK_ORDER_STAGE_H_
#define HADES_FRAMEWORK_ORDER_STAGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "checkpoint.h"
#include "hades/context.h"
#include "hades/record.h"
#include "hades/status.h"
#include "job.h"

namespace hades {

// The most run files one merge reads at once (each with a 64 KiB buffer).
inline constexpr std::size_t kMaxMergeWidth = 32;

// The label of the stage in a step's counts, summary and rejects.
inline constexpr const char* kOrderStageLabel = "order_by";

// The columns order_by passes on: its input's, and `row_number` when set.
std::shared_ptr<const Schema> order_output_schema(const OrderSpec& spec,
                                                  const std::vector<std::string>& input_columns);

// "hades_score desc, person_id; limit 5000; unique person_id; memory 32 MiB", for `hades plan`.
std::string describe_order(const OrderSpec& spec);

// The read phase.
class OrderSorter {
 public:
  // Checks `spec` against the columns reaching it (kInvalidConfig at the job file location of
  // the bad key). Run files go to `dir`, which must exist and be empty. `spec` and `log` must
  // outlive the sorter.
  static Result<std::unique_ptr<OrderSorter>> create(const OrderSpec& spec, const Schema& input,
                                                     std::string dir, Logger& log);
  ~OrderSorter();

  // Takes the chunk's records, in input order. A record equal on `unique` to an earlier one
  // goes to `rejects` (its position, and the position of the earlier one in the reason).
  Status add(const Chunk& chunk, Rejects& rejects);

  // Writes what is held as a run and merges runs until at most kMaxMergeWidth remain; returns
  // them with `emitted` 0. Checks `cancelled` between merges (kCancelled). Frees the memory.
  Result<OrderProgress> finish(const std::function<bool()>& cancelled);

  std::int64_t records_in() const { return records_in_; }
  std::int64_t duplicates() const { return duplicates_; }
  // The most memory held at once so far, in bytes.
  std::size_t peak_bytes() const { return peak_bytes_; }
  // Sorted runs written from memory so far (merged runs not counted).
  std::size_t runs_spilled() const;
  // The unique index's keys and the memory it holds (0 without `unique`, and after finish()).
  std::size_t unique_keys() const;
  std::size_t unique_bytes() const;

  class Impl;
  explicit OrderSorter(std::unique_ptr<Impl> impl);  // use create()

 private:
  std::unique_ptr<Impl> impl_;
  std::int64_t records_in_ = 0;
  std::int64_t duplicates_ = 0;
  std::size_t peak_bytes_ = 0;
};

// The write phase: the ordered output of `progress`, from record `progress.emitted` on.
class OrderedReader {
 public:
  // Positions the output after `progress.emitted` records. `spec` must outlive the reader. With
  // `verify` (a resumed step: the files were written by an earlier process), first reads each run
  // of `progress` in `dir` whole and checks it against its size, count and checksum: kCorruption
  // naming the file when it is missing or differs.
  static Result<std::unique_ptr<OrderedReader>> open(const OrderSpec& spec,
                                                     const OrderProgress& progress,
                                                     const std::string& dir, bool verify);
  ~OrderedReader();

  // order_output_schema() of the records' columns.
  const std::shared_ptr<const Schema>& schema() const;
  // Appends up to `max_rows` records to `out` (a chunk over schema()). Returns whether more
  // remain after them.
  Result<bool> read(std::size_t max_rows, Chunk* out);
  // Records of the ordered output returned so far, those before `progress.emitted` included.
  std::int64_t emitted() const;

  class Impl;
  explicit OrderedReader(std::unique_ptr<Impl> impl);  // use open()

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace hades

#endif  // HADES_FRAMEWORK_ORDER_STAGE_H_
