// The CSV reader over any bytes, in small blocks so that records straddle them, with a record
// limit small enough to be reached. Beyond not crashing: reading again from any record's saved
// position (what a resumed step does) must give exactly the records read the first time.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "csv_reader.h"

namespace {

using hades::csv_source::CsvReader;
using hades::csv_source::CsvReaderOptions;
using hades::csv_source::CsvRecord;

struct Seen {
  std::uint64_t offset, line;
  std::string raw, error;
  std::vector<std::string> fields;
  bool operator==(const Seen&) const = default;
};

Seen seen(const CsvRecord& r) {
  Seen s{r.offset, r.line, std::string(r.raw), r.error, {}};
  for (const auto& f : r.fields) s.fields.emplace_back(f.text);
  return s;
}

const std::string& scratch_path() {
  static const std::string path = "/tmp/hades-fuzz-csv-" + std::to_string(::getpid()) + ".csv";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  CsvReaderOptions options;
  options.block_size = 1 + data[0] % 64;
  options.delimiter = ",;\t|"[data[1] % 4];
  options.max_record_size = 4096;
  {
    std::ofstream out(scratch_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 2), static_cast<std::streamsize>(size - 2));
  }
  CsvReader reader(options);
  if (!reader.open(scratch_path()).ok()) return 0;
  std::vector<Seen> records;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> positions = {
      {reader.offset(), reader.line()}};
  CsvRecord record;
  for (;;) {
    const auto got = reader.next(&record);
    if (!got.ok() || !*got) break;
    records.push_back(seen(record));
    positions.emplace_back(reader.offset(), reader.line());
  }
  // Resume from one saved position, picked by the input itself.
  const std::size_t k = (size * 31 + data[size - 1]) % positions.size();
  CsvReader resumed(options);
  if (!resumed.open(scratch_path()).ok()) std::abort();  // it opened a moment ago
  if (!resumed.seek(positions[k].first, positions[k].second).ok()) std::abort();
  std::size_t i = k;
  for (;;) {
    const auto got = resumed.next(&record);
    if (!got.ok() || !*got) break;
    if (i >= records.size() || !(seen(record) == records[i])) std::abort();
    ++i;
  }
  // A record the first pass failed on (too long) fails the second pass the same way.
  if (i != records.size()) std::abort();
  return 0;
}
