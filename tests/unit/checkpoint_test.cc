#include "checkpoint.h"

#include <boost/test/unit_test.hpp>

#include "test_support.h"

namespace hades {
namespace {

Checkpoint sample() {
  Checkpoint c;
  c.cursor = "offset=1234;line=56";
  c.chunks = 7;
  c.rejected = 2;
  c.counts = {{"csv_source", 3502, 3500, 2, {}},
              {"scorer", 3500, 3497, 3, {{"control_character", 2}, {"future_intent_date", 1}}},
              {"turso_sink", 3497, 3497, 0, {}}};
  c.sink_tokens = {""};
  c.rejects_token = "812";
  return c;
}

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(round_trips_every_field) {
  const Checkpoint original = sample();
  auto decoded = decode_checkpoint(encode_checkpoint(original));
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST((*decoded == original));
}

// Checkpoints written before reject kinds existed have none; they resume with empty counts.
BOOST_AUTO_TEST_CASE(reads_checkpoints_without_reject_kinds) {
  auto decoded = decode_checkpoint(
      R"({"version":1,"cursor":"c","chunks":1,"rejected":0,"counts":[{"plugin":"x","in":5,)"
      R"("out":5,"rejected":0}],"sink_tokens":[],"rejects_token":""})");
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded->counts.at(0).rejected_by_kind.empty());
}

BOOST_AUTO_TEST_CASE(round_trips_an_ordered_step_as_version_2) {
  Checkpoint original = sample();
  BOOST_TEST(encode_checkpoint(original).find(R"("version":1)") != std::string::npos);
  original.counts.insert(original.counts.begin() + 1,
                         {"order_by", 3500, 120, 4, {{"duplicate", 4}}});
  original.order = OrderProgress{
      {"person_id", "hades_score"},
      {{"run-000001.sorted", 4096, 100, 0xfedcba9876543210ULL}, {"run-000002.sorted", 8, 0, 0}},
      100,
      40};
  const std::string text = encode_checkpoint(original);
  BOOST_TEST(text.find(R"("version":2)") != std::string::npos);
  BOOST_TEST(text.find(R"("checksum":"fedcba9876543210")") != std::string::npos, text);
  auto decoded = decode_checkpoint(text);
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST((*decoded == original));
}

BOOST_AUTO_TEST_CASE(refuses_what_it_does_not_fully_understand) {
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      R"({"version":2,"cursor":"","chunks":0,"rejected":0,"counts":[],"sink_tokens":[],"rejects_token":""})",
      R"({"version":1,"chunks":0,"rejected":0,"counts":[],"sink_tokens":[],"rejects_token":""})",
      R"({"version":1,"cursor":5,"chunks":0,"rejected":0,"counts":[],"sink_tokens":[],"rejects_token":""})",
      R"({"version":1,"cursor":"","chunks":-1,"rejected":0,"counts":[],"sink_tokens":[],"rejects_token":""})",
      R"({"version":1,"cursor":"","chunks":0,"rejected":0,"counts":[{"plugin":"x"}],"sink_tokens":[],"rejects_token":""})",
      R"({"version":3,"cursor":"","chunks":0,"rejected":0,"counts":[],"sink_tokens":[],"rejects_token":""})",
      R"({"version":1,"cursor":"","chunks":0,"rejected":0,"counts":[{"plugin":"x","in":0,"out":0,"rejected":0,"rejected_by_kind":{"a":"2"}}],"sink_tokens":[],"rejects_token":""})",
      R"({"version":2,"cursor":"","chunks":0,"rejected":0,"counts":[],"sink_tokens":[],"rejects_token":"","order":{"columns":[],"runs":[{"name":"r","bytes":1,"records":1,"checksum":"xyz"}],"records":1,"emitted":0}})",
      R"({"version":2,"cursor":"","chunks":0,"rejected":0,"counts":[],"sink_tokens":[],"rejects_token":"","order":{"columns":[],"runs":[],"records":1,"emitted":2}})",
  };
  for (const std::string& text : bad) {
    auto decoded = decode_checkpoint(text);
    BOOST_TEST_CONTEXT("checkpoint text: " << text) {
      BOOST_TEST(!decoded.ok());
      BOOST_TEST(decoded.status().code() == StatusCode::kCorruption);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
