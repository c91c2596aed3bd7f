// turso_bench: 100k rows upserted into a real sqld through HADES' Turso backend, next to the same
// rows written by the official @libsql/client in batches of the same size, in the same run.
//
//   HADES_SOURCE_DIR=<repo> build/bin/turso_bench [ROWS=100000] [CHUNK=500]
//   (or: cmake --build build --target bench_turso)
//
// Prints HADES' HTTP round trips (which must be at most ceil(rows/chunk) + 2: the DDL, one per
// chunk, and the final count) and rows/s, the client's, and the ratio. Exits 1 when the round
// trips exceed the bound or a row is missing. Not run in CI: timings on a shared machine vary.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "counting_http_client.h"
#include "hades/http.h"
#include "hrana_database.h"
#include "process.h"
#include "sqld.h"
#include "test_support.h"

namespace hades {
namespace {

using testing::CountingClient;

// The same row as turso_bench.mjs makes.
std::vector<Value> make_row(std::int64_t i) {
  return {Value(i), Value("name " + std::to_string(i)), Value(static_cast<double>(i) * 0.25),
          Value("note for row " + std::to_string(i))};
}

struct Measured {
  int round_trips = 0;
  double seconds = 0;
  std::int64_t rows_found = 0;
};

Result<Measured> run_hades(const testing::SqldServer& sqld, int rows, int chunk) {
  Measured m;
  HranaOptions options;
  options.url = sqld.url();
  options.auth_token = sqld.rw_token();
  auto db = open_hrana_database(options, std::make_unique<CountingClient>(&m.round_trips));
  if (!db.ok()) return db.status();
  const auto start = std::chrono::steady_clock::now();
  WriteBatch ddl;
  ddl.add(
      "CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, name TEXT, score REAL, "
      "note TEXT)");
  HADES_RETURN_IF_ERROR((*db)->apply(ddl));
  const std::string upsert =
      "INSERT INTO bench (id, name, score, note) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
      "SET name = excluded.name, score = excluded.score, note = excluded.note";
  for (int first = 1; first <= rows; first += chunk) {
    WriteBatch batch;
    for (int i = first; i < std::min(first + chunk, rows + 1); ++i) batch.add(upsert, make_row(i));
    HADES_RETURN_IF_ERROR((*db)->apply(batch));
  }
  auto count = (*db)->query("SELECT count(*) FROM bench");
  if (!count.ok()) return count.status();
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.rows_found = as_int(count->rows.at(0).at(0)).value_or(0);
  return m;
}

int run(int rows, int chunk) {
  testing::SqldServer sqld;
  auto hades = run_hades(sqld, rows, chunk);
  if (!hades.ok()) {
    std::fprintf(stderr, "turso_bench: %s\n", hades.status().to_string().c_str());
    return 1;
  }
  testing::TempDir dir;
  const std::string npm = testing::source_dir() + "/.deps/npm";
  const auto js = testing::run_process(
      {"/usr/bin/env", "node", testing::source_dir() + "/bench/turso_bench.mjs",
       std::to_string(rows), std::to_string(chunk)},
      dir.path(),
      {{"LIBSQL_URL", sqld.url()}, {"LIBSQL_AUTH_TOKEN", sqld.rw_token()}, {"HADES_NPM_DIR", npm}},
      1800);
  if (js.exit_code != 0) {
    std::fprintf(stderr, "turso_bench: @libsql/client side failed:\n%s\n", js.err.c_str());
    return 1;
  }
  const auto reference = nlohmann::json::parse(js.out);
  const double client_seconds = reference["seconds"].get<double>();
  const int bound = (rows + chunk - 1) / chunk + 2;
  std::printf("rows %d, chunk %d\n", rows, chunk);
  std::printf("hades          %8.0f rows/s  %6.2f s  %d HTTP round trips (bound %d)\n",
              rows / hades->seconds, hades->seconds, hades->round_trips, bound);
  std::printf("@libsql/client %8.0f rows/s  %6.2f s  %d HTTP round trips\n", rows / client_seconds,
              client_seconds, reference["round_trips"].get<int>());
  std::printf("ratio hades/client rows/s: %.2f\n", client_seconds / hades->seconds);
  if (hades->round_trips > bound || hades->rows_found != rows) {
    std::fprintf(stderr, "turso_bench: FAILED: %d round trips (bound %d), %lld rows found\n",
                 hades->round_trips, bound, static_cast<long long>(hades->rows_found));
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace hades

int main(int argc, char** argv) {
  const int rows = argc > 1 ? std::stoi(argv[1]) : 100'000;
  const int chunk = argc > 2 ? std::stoi(argv[2]) : 500;
  try {
    return hades::run(rows, chunk);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "turso_bench: %s\n", e.what());
    return 1;
  }
}
