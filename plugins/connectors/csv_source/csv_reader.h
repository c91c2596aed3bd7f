// csv_reader.h: a streaming RFC 4180 reader over one file, with no plugin glue.
//
// The file is read in large blocks and parsed by a hand-written state machine over the buffer:
// fields come back as views, so a record costs no allocation beyond what the caller copies out.
// A record that straddles two blocks is parsed again once the buffer holds all of it, which keeps
// every record contiguous in memory (its raw text is then one view, for rejects).
//
// Accepted: quoted fields with "" escapes and delimiters, CR or LF inside; CRLF or LF line ends;
// a last line without a line end; a UTF-8 byte order mark (skipped); blank lines (skipped). A lone
// CR outside quotes is data, not a line end.
// A bad record is returned with `error` set and skipped past, so the caller can reject it and go
// on: a wrong field count, invalid UTF-8, a quote inside an unquoted field, text after a closing
// quote, a quoted field still open at the end of the file. After a structural error the record is
// taken to end at the next line feed.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_CSV_SOURCE_CSV_READER_H_
#define HADES_PLUGINS_CSV_SOURCE_CSV_READER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"

namespace hades::csv_source {

struct CsvField {
  std::string_view text;  // unescaped content, quotes removed
  bool quoted = false;    // written in quotes: "" is then an empty string, never a missing value
};

// One record. Views point into the reader's buffers and stay valid until the next call to
// CsvReader::next() or seek().
struct CsvRecord {
  std::uint64_t line = 0;    // 1-based physical line on which the record starts
  std::uint64_t offset = 0;  // byte offset of its first byte in the file
  std::string_view raw;      // the record as written, without its line end
  std::vector<CsvField> fields;
  std::string error;  // empty for a good record; else why it is bad (fields unusable)
};

struct CsvReaderOptions {
  char delimiter = ',';
  // Bytes per read(2). Tests make it tiny so that records straddle blocks.
  std::size_t block_size = std::size_t{1} << 20;
  // A record longer than this is a hard error rather than a reason to buffer the whole file:
  // it is nearly always an unbalanced quote swallowing everything after it.
  std::size_t max_record_size = std::size_t{64} << 20;
};

class CsvReader {
 public:
  explicit CsvReader(CsvReaderOptions options = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Opens `path` and reads its header row (the first non-blank record), after which the reader
  // stands at the first data record. Fails with kInvalidConfig when the file cannot be opened
  // for good (missing, a directory, not readable: file_checks.h), kIo for other read errors, and
  // kInvalidConfig when it has no usable header row (empty file, bad header record, a header name
  // that appears twice). REQUIRES: not opened before.
  Status open(const std::string& path);

  // The header names, in file order. REQUIRES: open() succeeded.
  const std::vector<std::string>& header() const { return header_; }

  // Moves to the record starting at byte `offset`, which is on physical line `line`, as saved
  // from offset()/line() earlier. Fails with kCorruption when `offset` is before the first data
  // record, past the end of the file, or not at the start of a line.
  Status seek(std::uint64_t offset, std::uint64_t line);

  // Reads the next non-blank record into `record`. Returns false at the end of the file, a kIo
  // error when reading fails, and kInvalidConfig when a record exceeds max_record_size (the file
  // will say the same on every try). A bad record is returned (true) with record->error set;
  // data records must have as many fields as the header.
  Result<bool> next(CsvRecord* record);

  // Where the next record starts: what seek() takes to continue from here.
  std::uint64_t offset() const { return offset_; }
  std::uint64_t line() const { return line_; }

 private:
  enum class Parse { kDone, kNeedMore };

  // Moves unread bytes to the front of the buffer and appends the next block; grows the buffer
  // when a single record fills it. Sets eof_ when the file has no more bytes.
  Status refill();
  // Parses one record from [begin, end) into `record`; kNeedMore when the record may continue
  // past `end` and the file has more bytes. On kDone, *consumed and *newlines say how far the
  // record (line end included) reaches.
  Parse parse_record(const char* begin, const char* end, CsvRecord* record, std::size_t* consumed,
                     std::uint64_t* newlines);
  // Ends the bad record at `begin` at the first line feed from `from` on (its quotes can no
  // longer be trusted); `lines` counts the line feeds already passed inside it.
  Parse finish_bad_record(const char* begin, const char* from, const char* end, std::uint64_t lines,
                          CsvRecord* record, std::size_t* consumed, std::uint64_t* newlines) const;
  // Appends [begin, end) to the unescape buffer and returns where it starts there.
  std::size_t append_scratch(const char* begin, const char* end);
  void check_record(CsvRecord* record) const;

  CsvReaderOptions options_;
  // Bytes that end an unquoted run: the delimiter, CR, LF and the quote.
  std::array<bool, 256> stops_{};
  std::string path_;
  int fd_ = -1;
  std::uint64_t data_offset_ = 0;  // where the first data record starts
  std::vector<std::string> header_;

  std::vector<char> buffer_;
  std::size_t pos_ = 0;       // first unread byte in buffer_
  std::size_t end_ = 0;       // one past the last valid byte in buffer_
  bool eof_ = false;          // the file has nothing beyond buffer_[end_)
  std::uint64_t offset_ = 0;  // file offset of buffer_[pos_]
  std::uint64_t line_ = 1;    // physical line of buffer_[pos_]

  // Unescaped text of quoted fields containing "". Kept as large as buffer_, so that appending
  // never reallocates while earlier fields of the same record still point into it.
  std::vector<char> scratch_;
  std::size_t scratch_used_ = 0;
};

}  // namespace hades::csv_source

#endif  // HADES_PLUGINS_CSV_SOURCE_CSV_READER_H_
