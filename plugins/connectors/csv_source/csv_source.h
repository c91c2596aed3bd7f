// csv_source.h: the csv_source plugin, a Source over one CSV file.
//
// Settings bind once, in create(), into a CsvSourceConfig; CsvSource turns the records of a
// CsvReader into text-or-null rows, parsed a few batches ahead on a thread of its own
// (read_ahead.h). Its cursor is "offset=<byte>;line=<line>" of the next record read() has not
// returned, so a resumed step seeks straight there after re-reading the header.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_CSV_SOURCE_CSV_SOURCE_H_
#define HADES_PLUGINS_CSV_SOURCE_CSV_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csv_reader.h"
#include "hades/plugin.h"
#include "hades/settings.h"
#include "read_ahead.h"

namespace hades::csv_source {

// The `with:` keys csv_source accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[5];

struct CsvSourceConfig {
  std::string path;
  StringMap columns;  // output field -> header name; empty: every column as it is named
  char delimiter = ',';
  bool empty_as_null = true;
  std::string source_name;  // never empty once bound: defaults to the file's base name
  std::size_t block_size = CsvReaderOptions{}.block_size;  // not a setting: tests shrink it
};

// Binds and checks settings. Fails with kInvalidConfig naming the offending key.
Result<CsvSourceConfig> bind_config(const Settings& settings);

// OK when the input can be read: it exists, is not a directory and is readable. Otherwise
// kInvalidConfig naming the path. No side effects, so the factory (and `hades validate`) runs it.
Status check_input(const CsvSourceConfig& config);

// The factory HADES_PLUGIN exports. Fails when bind_config() or check_input() does.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

class CsvSource : public Source {
 public:
  explicit CsvSource(CsvSourceConfig config);

  Status open(Context& ctx, std::string_view cursor) override;
  std::shared_ptr<const Schema> schema() const override { return schema_; }
  Result<bool> read(std::size_t max_rows, Chunk* out, Rejects& rejects) override;
  std::string cursor() const override;
  // Bytes read of the file.
  std::optional<SourceProgress> progress() const override;

 private:
  // Maps output fields to header columns; fails when a mapped header is missing.
  Status build_schema(const std::vector<std::string>& header);
  // Called on the read-ahead thread; they read only what open() fixed.
  std::string position(std::uint64_t line) const;
  Row make_row(const CsvRecord& record) const;

  const CsvSourceConfig config_;
  std::uint64_t file_size_ = 0;
  std::shared_ptr<const Schema> schema_;
  std::vector<std::size_t> field_of_column_;  // CSV field index of each output column
  // Where the records read() returned end: the cursor, and the bytes done for progress().
  std::uint64_t cursor_offset_ = 0;
  std::uint64_t cursor_line_ = 0;
  ReadItem item_;                          // reused
  std::unique_ptr<ReadAhead> read_ahead_;  // last: its thread uses the members above
};

// "offset=<offset>;line=<line>".
std::string format_cursor(std::uint64_t offset, std::uint64_t line);
// Parses format_cursor() output; fails with kCorruption on anything else.
Status parse_cursor(std::string_view cursor, std::uint64_t* offset, std::uint64_t* line);

}  // namespace hades::csv_source

#endif  // HADES_PLUGINS_CSV_SOURCE_CSV_SOURCE_H_
