// The Turso/sqld backend when the server's reply is whatever the input says: a query and a
// write batch, each answered by the next canned reply (fuzz_context.h, canned_replies()).
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_context.h"
#include "hrana_database.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hades::HranaOptions options;
  options.url = "http://127.0.0.1:9";
  options.auth_token = "token-for-the-fuzzer";
  options.max_attempts = 1;  // no backoff sleeps; a retryable failure is returned as is
  auto db = hades::open_hrana_database(
      options, std::make_unique<hades::fuzzing::CannedHttp>(hades::fuzzing::canned_replies(text)));
  if (!db.ok()) std::abort();
  (void)(*db)->query("SELECT a, b FROM t WHERE id = ?", {std::int64_t{1}});
  hades::WriteBatch batch;
  batch.add("INSERT INTO t (a, b) VALUES (?, ?)", {std::string("x"), 2.5});
  batch.add("DELETE FROM t WHERE a = ?", {hades::Value()});
  (void)(*db)->apply(batch);
  (void)(*db)->apply(batch);  // the same batch again: the resend path
  std::size_t rows = 0;
  (void)(*db)->query_each("SELECT 1", {}, [&rows](const std::vector<hades::Value>&) {
    ++rows;
    return hades::Status::ok_status();
  });
  return 0;
}
