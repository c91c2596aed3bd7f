// sorted_run.h: files of records sorted by key, which order_by spills and merges.
//
// A run file is an 8-byte header ("HDSRUN1\n") and then records, each as varint key length,
// varint body length, key, body (record_codec.h). RunWriter makes one, RunReader reads one back
// in order. Writing does not sync: most runs are merged away before anything refers to them,
// and a dead attempt's files are never used (the step starts from an empty folder); the runs
// a checkpoint is about to name are synced with sync_runs() first. Both keep a checksum of the
// records (hash_bytes chained over each key and body), so a resumed step can tell that the files it
// continues from are the ones its checkpoint recorded (verify_run).
//
// Thread safety: none; each object is used by one thread.

#ifndef HADES_FRAMEWORK_SORTED_RUN_H_
#define HADES_FRAMEWORK_SORTED_RUN_H_

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint.h"
#include "hades/status.h"

namespace hades {

class RunWriter {
 public:
  // Creates (or empties) the file at `path`.
  static Result<RunWriter> create(const std::string& path);

  // REQUIRES: keys are appended in ascending memcmp order (not checked).
  Status append(std::string_view key, std::string_view body);
  // Writes what is buffered and closes the file. The result's `name` is the file's name.
  Result<SortedRunFile> finish();

  std::uint64_t records() const { return records_; }

 private:
  explicit RunWriter(std::string path) : path_(std::move(path)) {}
  Status write_buffer();

  std::string path_;
  std::ofstream out_;
  std::string buffer_;
  std::uint64_t bytes_ = 0;
  std::uint64_t records_ = 0;
  std::uint64_t checksum_ = 0;
};

class RunReader {
 public:
  static Result<RunReader> open(std::string path);

  // The next record: true with `key` and `body` viewing it until the next call, false at the
  // end of the file. kCorruption when the file is cut short or not a run file.
  Result<bool> next(std::string_view* key, std::string_view* body);

  std::uint64_t records() const { return records_; }
  std::uint64_t checksum() const { return checksum_; }

 private:
  explicit RunReader(std::string path) : path_(std::move(path)) {}
  // Makes at least `n` bytes available from pos_ (fewer only at the end of the file).
  Status fill(std::size_t n);

  std::string path_;
  std::ifstream in_;
  std::string buffer_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  std::uint64_t records_ = 0;
  std::uint64_t checksum_ = 0;
};

// Makes the run files `names` in `dir`, and the folder's entries, durable.
Status sync_runs(const std::string& dir, const std::vector<SortedRunFile>& runs);

// Reads the file at `path` to its end and compares its size, record count and checksum with
// `expected`: kCorruption naming the file and what differs when they do not match.
Status verify_run(const std::string& path, const SortedRunFile& expected);

}  // namespace hades

#endif  // HADES_FRAMEWORK_SORTED_RUN_H_
