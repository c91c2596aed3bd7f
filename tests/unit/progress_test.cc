// The progress line a terminal shows while a step runs (progress.h).

#include "progress.h"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <string>

namespace hades {
namespace {

BOOST_AUTO_TEST_SUITE(progress_line)

BOOST_AUTO_TEST_CASE(sized_work_shows_percent_rate_and_time_left) {
  BOOST_TEST(ProgressLine::format("export", "reading", 450123, 45, 100, 4.5) ==
             "[export] reading 45% · 450,123 records · 100,027 records/s · 00:06 left");
  BOOST_TEST(ProgressLine::format("export", "writing", 5000, 5000, 5000, 2.0) ==
             "[export] writing 100% · 5,000 records · 2,500 records/s · 00:00 left");
  BOOST_TEST(ProgressLine::format("x", "reading", 10, 1, 1000, 3700.0) ==
             "[x] reading 0% · 10 records · 0 records/s · 1026:45:00 left");
}

BOOST_AUTO_TEST_CASE(unsized_work_shows_a_counter_and_no_rate_at_first) {
  BOOST_TEST(ProgressLine::format("sync", "reading", 1234, 0, 0, 10.0) ==
             "[sync] reading · 1,234 records · 123 records/s");
  BOOST_TEST(ProgressLine::format("sync", "reading", 12, 0, 0, 0.1) ==
             "[sync] reading · 12 records");
}

// Off the terminal (or in JSON logs) the runner disables it: nothing at all is written.
BOOST_AUTO_TEST_CASE(a_disabled_line_writes_nothing) {
  std::FILE* sink = std::tmpfile();
  BOOST_REQUIRE(sink != nullptr);
  {
    ProgressLine off(false, "export", sink);
    off.update("reading", 10, 1, 2);
    off.finish();
  }
  BOOST_TEST(std::ftell(sink) == 0L);
  {
    ProgressLine on(true, "export", sink);
    on.update("reading", 10, 1, 2);
  }  // the destructor ends the line
  std::rewind(sink);
  char text[128] = {};
  const std::size_t n = std::fread(text, 1, sizeof text - 1, sink);
  BOOST_TEST(std::string(text, n) == "\r[export] reading 50% · 10 records\n");
  std::fclose(sink);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
