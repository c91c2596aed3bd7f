// Cross-check with the official client: values HADES writes to a real sqld read back identically
// through @libsql/client (npm, pinned in tools/lib/setup.sh), and what that client writes back
// reads identically through HADES: integers at the i64 extremes, floats to the bit, UTF-8 text
// with an embedded NUL, blobs and nulls.
#define BOOST_TEST_MODULE libsql_client_test
#include <boost/test/unit_test.hpp>
#include <cinttypes>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "process.h"
#include "sqld.h"
#include "test_support.h"

namespace hades {
namespace {

// What the script prints for a value: the same encoding (see libsql_client_check.mjs).
nlohmann::json expected(std::int64_t i, const Value& v, bool blob) {
  nlohmann::json out{{"i", std::to_string(i)}};
  if (is_null(v)) {
    out["type"] = "null";
    out["value"] = nullptr;
  } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
    out["type"] = "integer";
    out["value"] = std::to_string(*n);
  } else if (const auto* d = std::get_if<double>(&v)) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, d, sizeof bits);
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016" PRIx64, bits);
    out["type"] = "float";
    out["value"] = hex;
  } else if (blob) {
    std::string hex;
    for (unsigned char c : std::get<std::string>(v)) {
      char b[3];
      std::snprintf(b, sizeof b, "%02x", c);
      hex += b;
    }
    out["type"] = "blob";
    out["value"] = hex;
  } else {
    out["type"] = "text";
    out["value"] = std::get<std::string>(v);
  }
  return out;
}

const std::vector<Value>& values() {
  static const std::vector<Value> kValues = {
      Value(Null{}),
      Value(std::numeric_limits<std::int64_t>::max()),
      Value(std::numeric_limits<std::int64_t>::min()),
      Value(std::int64_t{0}),
      Value(std::int64_t{-9007199254740993}),  // past 2^53: a JS number would round it
      Value(0.1),
      Value(-1.5e300),
      Value(std::numeric_limits<double>::denorm_min()),
      Value(-0.0),
      Value(3.0),
      Value(std::string("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9d\x84\x9e")),
      Value(std::string("a\0b", 3)),
      Value(std::string("")),
  };
  return kValues;
}

constexpr std::int64_t kBlobRow = 100;
const std::string kBlobBytes("\x00\xff\x7f\x80", 4);

std::vector<std::string> read_back(Database& db, const std::string& table) {
  auto rows = db.query("SELECT i, x, typeof(x) FROM " + table + " ORDER BY i");
  BOOST_REQUIRE_MESSAGE(rows.ok(), rows.status().to_string());
  std::vector<std::string> out;
  for (const auto& row : rows->rows) {
    const bool blob = to_text(row[2]) == "blob";
    out.push_back(expected(*as_int(row[0]), row[1], blob).dump() + " " + to_text(row[2]));
  }
  return out;
}

BOOST_AUTO_TEST_CASE(libsql_client_reads_what_hades_wrote_and_hades_reads_what_it_wrote) {
  const std::string npm_dir = testing::source_dir() + "/.deps/npm";
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(npm_dir + "/node_modules/@libsql/client"),
                        "no @libsql/client in " << npm_dir << ": run tools/test (setup.sh)");
  testing::SqldServer sqld;
  auto db = sqld.open();
  WriteBatch batch;
  batch.add("CREATE TABLE v (i INTEGER PRIMARY KEY, x)");
  for (std::size_t i = 0; i < values().size(); ++i) {
    batch.add("INSERT INTO v (i, x) VALUES (?, ?)", {static_cast<std::int64_t>(i), values()[i]});
  }
  // Value has no blob type: a blob is made in SQL.
  batch.add("INSERT INTO v (i, x) VALUES (?, X'00ff7f80')", {kBlobRow});
  const Status applied = db->apply(batch);
  BOOST_REQUIRE_MESSAGE(applied.ok(), applied.to_string());

  testing::TempDir dir;
  const testing::ProcessResult js = testing::run_process(
      {"/usr/bin/env", "node", testing::source_dir() + "/tests/e2e/libsql_client_check.mjs"},
      dir.path(),
      {{"LIBSQL_URL", sqld.url()},
       {"LIBSQL_AUTH_TOKEN", sqld.rw_token()},
       {"HADES_NPM_DIR", npm_dir}},
      120);
  BOOST_REQUIRE_MESSAGE(js.exit_code == 0, js.err);

  std::vector<std::string> want;
  for (std::size_t i = 0; i < values().size(); ++i) {
    want.push_back(expected(static_cast<std::int64_t>(i), values()[i], false).dump());
  }
  want.push_back(expected(kBlobRow, Value(kBlobBytes), true).dump());
  std::vector<std::string> got;
  std::istringstream lines(js.out);
  for (std::string line; std::getline(lines, line);) {
    got.push_back(nlohmann::json::parse(line).dump());  // the same key order and escaping
  }
  BOOST_TEST(got == want, boost::test_tools::per_element());

  // And the other way: what the client wrote back is what HADES wrote, type for type, but for
  // -0.0, which the client sends as 0 (JavaScript's JSON.stringify(-0) is "0"); HADES sends -0.0.
  std::vector<std::string> written_back = read_back(*db, "v");
  const auto negative_zero = expected(8, Value(-0.0), false).dump() + " real";
  BOOST_REQUIRE(written_back.at(8) == negative_zero);
  written_back[8] = expected(8, Value(0.0), false).dump() + " real";
  BOOST_TEST(read_back(*db, "w") == written_back, boost::test_tools::per_element());
}

}  // namespace
}  // namespace hades
