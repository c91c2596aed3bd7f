// weights_testing.h: what the weight writer's tests share: calibration reports made to order for
// a given icp.yaml text, every bucket of the shipped icp.yaml with its current score, the golden
// files, and text helpers.

#ifndef HADES_PLUGINS_WEIGHT_WRITER_TESTS_WEIGHTS_TESTING_H_
#define HADES_PLUGINS_WEIGHT_WRITER_TESTS_WEIGHTS_TESTING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leads/icp_config.h"

namespace hades::weight_writer::testing {

// The date the tests' comments say a change was calibrated on.
inline constexpr const char* kCalibratedOn = "2026-12-06";

// One bucket of a made-up calibration report (docs/calibration-report.md's fields).
struct Bucket {
  Bucket(std::string dimension_name, std::string bucket_name,
         std::optional<std::int64_t> current_score, std::optional<std::int64_t> suggested_score)
      : dimension(std::move(dimension_name)),
        bucket(std::move(bucket_name)),
        current(current_score),
        suggested(suggested_score) {}

  std::string dimension;
  std::string bucket;
  std::optional<std::int64_t> current;
  std::optional<std::int64_t> suggested;
  std::int64_t n = 412;
  std::int64_t deliveries = 46;
  std::optional<std::string> verdict;  // absent, as in reports before evidence verdicts
};

// A schema-1 report made from the icp.yaml bytes `icp_text` (its icp.sha256 is theirs), with
// `buckets` grouped into dimensions in the order they first appear; state and region are
// unscored, as the calibrator writes them.
std::string report_json(std::string_view icp_text, const std::vector<Bucket>& buckets);

// Every bucket the calibrator reports for the shipped config/icp.yaml, with the score the scorer
// gives it today (the file's number, or its rule), and no suggestion yet. Names written out by
// hand from plugins/domain/calibrator/README.md's "Dimensions and buckets", not computed: a test
// that uses them checks the writer against the report's naming, not against itself. Includes SICs
// the file lacks (7033, 4225) and the buckets without a place (unknown, outside tiers, ...).
std::vector<Bucket> shipped_buckets();

// True for the buckets of shipped_buckets() that have a number in icp.yaml or are new SICs.
bool has_place(const Bucket& b);

// What the scorer gives bucket `b` under `icp`, through the scoring rules of leads/scoring.h
// (a lead in the middle of the tier, the SIC's table entry, ...).
std::int64_t scorer_reads(const domain::IcpConfig& icp, const Bucket& b);

// <repository>/<relative>, and the golden files of plugins/domain/weight_writer/tests/golden/.
std::string repo_path(const std::string& relative);
std::string golden_path(const std::string& name);
// The golden file `name`; with HADES_UPDATE_GOLDEN set, first (re)writes it as `actual`.
std::string golden(const std::string& name, const std::string& actual);

// The contents of every ```<lang> fenced block of `markdown`, in order.
std::vector<std::string> fenced_blocks(const std::string& markdown, const std::string& lang);

// "\n" -> "\r\n".
std::string to_crlf(std::string_view text);

}  // namespace hades::weight_writer::testing

#endif  // HADES_PLUGINS_WEIGHT_WRITER_TESTS_WEIGHTS_TESTING_H_
