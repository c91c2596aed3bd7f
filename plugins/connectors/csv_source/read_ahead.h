// read_ahead.h: csv_source's records, parsed on a thread of their own while the step works.
//
// Reading and splitting a large CSV is about a third of an export's reading and scoring. A
// ReadAhead runs a CsvReader on a worker thread, a few batches ahead of the caller, so the
// parsing of the next records overlaps the scoring of the last ones on a second core. Each
// record comes out exactly as CsvSource would have made it on its own thread (a row and its
// position, or a reject with its reason and raw text), in file order, with the reader's cursor
// after it: whatever the caller has taken, the cursor that resumes right after it is known.
//
// Thread safety: next() from one thread; the worker is private.

#ifndef HADES_PLUGINS_CSV_SOURCE_READ_AHEAD_H_
#define HADES_PLUGINS_CSV_SOURCE_READ_AHEAD_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "csv_reader.h"
#include "hades/record.h"
#include "hades/status.h"

namespace hades::csv_source {

// One record as the worker made it.
struct ReadItem {
  bool rejected = false;
  Row row;                         // a good record's row
  std::string position;            // "<source_name>:<line>"
  std::string reason;              // a rejected record's error
  std::string raw;                 // a rejected record's text, cut
  std::uint64_t offset_after = 0;  // the reader's cursor after this record
  std::uint64_t line_after = 0;
};

class ReadAhead {
 public:
  // Turns a record of the reader into an item (row or reject).
  using MakeItem = std::function<void(const CsvRecord&, ReadItem*)>;

  // Starts the worker on `reader`, which stands where the caller's next record is; `make` runs
  // on the worker.
  ReadAhead(std::unique_ptr<CsvReader> reader, MakeItem make);
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;
  // Stops the worker (it may be blocked on a full queue) and joins it.
  ~ReadAhead();

  // The next item into `*item`; false at the end of the file; the reader's error if it failed.
  Result<bool> next(ReadItem* item);

 private:
  struct Batch {
    std::vector<ReadItem> items;
    bool end = false;  // nothing follows
    Status error;      // the reader failed after `items`
  };

  void run();
  // Puts `batch` on the queue; false when stopping.
  bool push(Batch batch);

  std::unique_ptr<CsvReader> reader_;
  MakeItem make_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  bool stopping_ = false;
  Batch current_;  // the caller's batch being taken from
  std::size_t taken_ = 0;
  bool done_ = false;
  std::thread worker_;  // last: started once everything above exists
};

}  // namespace hades::csv_source

#endif  // HADES_PLUGINS_CSV_SOURCE_READ_AHEAD_H_
