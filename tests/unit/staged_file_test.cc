#include "hades/staged_file.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "test_support.h"

namespace hades {
namespace {

BOOST_AUTO_TEST_SUITE(staged_file)

BOOST_AUTO_TEST_CASE(resume_cuts_back_to_the_committed_offset) {
  testing::TempDir dir;
  const std::string path = dir.file("out.csv");
  std::string token;
  {
    auto file = StagedFile::open(path, "");
    BOOST_REQUIRE(file.ok());
    BOOST_REQUIRE(file->append("committed\n").ok());
    token = file->flush().value();
    BOOST_REQUIRE(file->append("lost after the checkpoint\n").ok());
    BOOST_REQUIRE(file->flush().ok());
  }  // "crash": the second write is on disk but was never checkpointed
  BOOST_TEST(token == "10");
  auto resumed = StagedFile::open(path, token);
  BOOST_REQUIRE(resumed.ok());
  BOOST_REQUIRE(resumed->append("next\n").ok());
  BOOST_TEST(!std::filesystem::exists(path));  // nothing visible before publish
  BOOST_REQUIRE(resumed->publish().ok());
  BOOST_TEST(testing::read_file(path) == "committed\nnext\n");
  BOOST_TEST(!std::filesystem::exists(path + ".partial"));
}

BOOST_AUTO_TEST_CASE(publish_is_idempotent_across_a_crash_after_it) {
  testing::TempDir dir;
  const std::string path = dir.file("out.csv");
  auto file = StagedFile::open(path, "");
  BOOST_REQUIRE(file->append("all\n").ok());
  const std::string token = file->flush().value();
  BOOST_REQUIRE(file->publish().ok());
  auto again = StagedFile::open(path, token);
  BOOST_REQUIRE(again.ok());
  BOOST_TEST(again->published());
  BOOST_TEST(again->publish().ok());
  BOOST_TEST(!again->append("more").ok());
  BOOST_TEST(testing::read_file(path) == "all\n");
}

BOOST_AUTO_TEST_CASE(lost_committed_bytes_and_bad_tokens_are_corruption) {
  testing::TempDir dir;
  const std::string path = dir.file("out.csv");
  {
    auto file = StagedFile::open(path, "");
    BOOST_REQUIRE(file->append("short").ok());
    BOOST_REQUIRE(file->flush().ok());
  }
  BOOST_TEST(StagedFile::open(path, "999").status().code() == StatusCode::kCorruption);
  BOOST_TEST(StagedFile::open(path, "12abc").status().code() == StatusCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(a_fresh_open_starts_empty) {
  testing::TempDir dir;
  const std::string path = dir.file("out.csv");
  testing::write_file(path + ".partial", "left over from an abandoned attempt");
  auto file = StagedFile::open(path, "");
  BOOST_REQUIRE(file.ok());
  BOOST_TEST(file->size() == 0U);
  BOOST_REQUIRE(file->publish().ok());
  BOOST_TEST(testing::read_file(path).empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
