// order_bench: order_by on export-like records (the 27 lead fields of domain.md as text plus an
// integer hades_score), ranked by hades_score descending then person_id, unique on person_id,
// as the export will rank them. Prints records/s, the process's peak RSS, the memory the stage
// held, and bytes per record in the stage's binary form against a std::vector<Value> row.
//
//   order_bench top [RECORDS]   limit 5000 (the nightly export), default memory
//   order_bench all [RECORDS]   no limit (every lead exported), default memory: runs spill
//
// One scenario per process, so the peak RSS is the scenario's. Built on demand:
// `cmake --build build --target bench_order` runs both with 1,000,000 records.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "order_stage.h"
#include "record_codec.h"

namespace {

using hades::Chunk;
using hades::Row;
using hades::Value;

constexpr std::size_t kChunk = 500;
const char* const kColumns[] = {"person_id",
                                "company_id",
                                "company_name",
                                "first_name",
                                "last_name",
                                "title",
                                "management_level",
                                "email",
                                "direct_phone",
                                "mobile_phone",
                                "company_phone",
                                "website",
                                "sic_code",
                                "industry",
                                "employee_count",
                                "address",
                                "city",
                                "state",
                                "zip",
                                "distance_miles",
                                "intent_topic",
                                "intent_strength",
                                "intent_score",
                                "intent_date",
                                "audience_strength",
                                "contact_accuracy",
                                "phone_type",
                                "hades_score"};

class QuietLogger final : public hades::Logger {
 public:
  void log(hades::LogLevel level, std::string_view message) override {
    if (level >= hades::LogLevel::kWarn)
      std::fprintf(stderr, "%.*s\n", int(message.size()), message.data());
  }
};

class QuietRejects final : public hades::Rejects {
 public:
  void reject(std::string_view, std::string_view, std::string_view) override {}
};

std::string word(std::mt19937_64& rng, std::size_t min, std::size_t max) {
  std::string w(min + rng() % (max - min + 1), 'a');
  for (char& c : w) c = static_cast<char>('a' + rng() % 26);
  w[0] = static_cast<char>(w[0] - 32);
  return w;
}

std::string digits(std::mt19937_64& rng, std::size_t n) {
  std::string d(n, '0');
  for (char& c : d) c = static_cast<char>('0' + rng() % 10);
  return d;
}

// A lead as csv_source and the scorer would hand it on: 27 text fields and the score.
Row lead(std::mt19937_64& rng, std::int64_t i) {
  const std::string first = word(rng, 4, 9);
  const std::string last = word(rng, 4, 10);
  const std::string company = word(rng, 5, 12) + " " + word(rng, 3, 9) + " Inc";
  return {Value("P" + std::to_string(10'000'000 + i)),
          Value("C" + digits(rng, 7)),
          Value(company),
          Value(first),
          Value(last),
          Value(word(rng, 6, 18)),
          Value(std::string(rng() % 2 ? "Director" : "Manager")),
          Value(first + "." + last + "@" + word(rng, 5, 10) + ".com"),
          Value("(" + digits(rng, 3) + ") " + digits(rng, 3) + "-" + digits(rng, 4)),
          Value("(" + digits(rng, 3) + ") " + digits(rng, 3) + "-" + digits(rng, 4)),
          Value("(" + digits(rng, 3) + ") " + digits(rng, 3) + "-" + digits(rng, 4)),
          Value("www." + word(rng, 5, 12) + ".com"),
          Value(digits(rng, 4)),
          Value(word(rng, 8, 16)),
          Value(std::to_string(rng() % 5000)),
          Value(digits(rng, 4) + " " + word(rng, 5, 10) + " St"),
          Value(word(rng, 5, 11)),
          Value(std::string("TX")),
          Value(digits(rng, 5)),
          Value(std::to_string(rng() % 60) + "." + std::to_string(rng() % 10)),
          Value(word(rng, 8, 16)),
          Value(std::string(rng() % 2 ? "High" : "Medium")),
          Value(std::to_string(rng() % 100)),
          Value("2026-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10)),
          Value(std::string("Medium")),
          Value(std::to_string(70 + rng() % 30)),
          Value(std::string(rng() % 2 ? "Direct" : "Mobile")),
          Value(static_cast<std::int64_t>(rng() % 101))};
}

// What a row costs as std::vector<Value>: the values, and each string too long for the small
// string buffer on the heap (libstdc++: 15 characters), plus the chunk's position string.
std::size_t value_row_bytes(const Row& row, const std::string& position) {
  std::size_t bytes = sizeof(Row) + row.capacity() * sizeof(Value) + sizeof(std::string);
  for (const Value& v : row) {
    if (const auto* s = std::get_if<std::string>(&v); s != nullptr && s->capacity() > 15) {
      bytes += s->capacity() + 1;
    }
  }
  if (position.capacity() > 15) bytes += position.capacity() + 1;
  return bytes;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int fail(const hades::Status& status) {
  std::fprintf(stderr, "order_bench: %s\n", status.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string scenario = argc > 1 ? argv[1] : "";
  const std::int64_t records = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
  if ((scenario != "top" && scenario != "all") || records <= 0) {
    std::fprintf(stderr, "usage: order_bench top|all [RECORDS]\n");
    return 2;
  }
  hades::OrderSpec spec;
  spec.keys = {{"hades_score", true, false, {}}, {"person_id", false, true, {}}};
  spec.unique = {"person_id"};
  spec.unique_where = {{}};
  if (scenario == "top") spec.limit = 5000;
  auto schema = std::make_shared<const hades::Schema>(
      std::vector<std::string>(std::begin(kColumns), std::end(kColumns)));
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("order_bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  QuietLogger log;
  QuietRejects rejects;
  const long rss_before = peak_rss_kib();

  auto sorter = hades::OrderSorter::create(spec, *schema, dir.string(), log);
  if (!sorter.ok()) return fail(sorter.status());
  // Making the records costs time of its own: only the stage's calls are timed.
  const auto make_chunk = [&](std::mt19937_64& rng, std::int64_t& i) {
    Chunk chunk(schema);
    for (std::size_t n = 0; n < kChunk && i < records; ++n, ++i) {
      chunk.append(lead(rng, i), "leads.csv:" + std::to_string(i + 2));
    }
    return chunk;
  };
  const auto seconds = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };
  std::mt19937_64 rng(2026);
  std::size_t value_bytes = 0;
  std::size_t binary_bytes = 0;
  std::size_t sampled = 0;
  const hades::KeyColumn key_columns[] = {{27, true, false}, {0, false, true}};
  double adding = 0;
  for (std::int64_t i = 0; i < records;) {
    Chunk chunk = make_chunk(rng, i);
    const std::size_t last = chunk.size() - 1;
    value_bytes += value_row_bytes(chunk.row(last), chunk.position(last));
    std::string binary;
    hades::encode_sort_key(chunk.row(last), key_columns, &binary);
    hades::append_big_endian(0, &binary);
    hades::encode_row(chunk.row(last), chunk.position(last), &binary);
    binary_bytes += binary.size();
    ++sampled;
    const auto before = std::chrono::steady_clock::now();
    if (hades::Status s = (*sorter)->add(chunk, rejects); !s.ok()) return fail(s);
    adding += seconds(before, std::chrono::steady_clock::now());
  }
  const auto read_done = std::chrono::steady_clock::now();
  const std::size_t unique_keys = (*sorter)->unique_keys();
  const std::size_t unique_bytes = (*sorter)->unique_bytes();
  auto progress = (*sorter)->finish([] { return false; });
  if (!progress.ok()) return fail(progress.status());
  const auto ordered = std::chrono::steady_clock::now();
  auto reader = hades::OrderedReader::open(spec, *progress, dir.string(), false);
  if (!reader.ok()) return fail(reader.status());
  std::int64_t out = 0;
  for (bool more = true; more;) {
    Chunk chunk((*reader)->schema());
    auto read = (*reader)->read(kChunk, &chunk);
    if (!read.ok()) return fail(read.status());
    more = *read;
    out += static_cast<std::int64_t>(chunk.size());
  }
  const auto done = std::chrono::steady_clock::now();
  std::filesystem::remove_all(dir);

  std::printf("order_by %s: %lld records (%s), %lld out, %zu sorted run(s) spilled\n",
              scenario.c_str(), static_cast<long long>(records),
              scenario == "top" ? "limit 5000" : "no limit", static_cast<long long>(out),
              (*sorter)->runs_spilled());
  const double stage = adding + seconds(read_done, done);
  std::printf(
      "  records/s            %.0f through the stage (add %.2f s, finish %.2f s, "
      "read back %.2f s)\n",
      static_cast<double>(records) / stage, adding, seconds(read_done, ordered),
      seconds(ordered, done));
  std::printf("  peak RSS             %.1f MiB (%.1f MiB before the stage)\n",
              static_cast<double>(peak_rss_kib()) / 1024, static_cast<double>(rss_before) / 1024);
  std::printf("  stage held at most   %.1f MiB of memory %.0f MiB (unique index included)\n",
              static_cast<double>((*sorter)->peak_bytes()) / (1 << 20),
              static_cast<double>(spec.memory) / (1 << 20));
  std::printf("  unique index         %zu keys in %.1f MiB, %.1f bytes/key\n", unique_keys,
              static_cast<double>(unique_bytes) / (1 << 20),
              static_cast<double>(unique_bytes) / static_cast<double>(unique_keys));
  std::printf(
      "  bytes/record         %.0f in the binary form (key and body), %.0f as "
      "std::vector<Value>\n",
      static_cast<double>(binary_bytes) / static_cast<double>(sampled),
      static_cast<double>(value_bytes) / static_cast<double>(sampled));
  return 0;
}
