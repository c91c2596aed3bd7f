// Job files that a walk of the YAML tree must not be handed: an alias bomb, nesting deeper than
// any job needs, a file of megabytes (or /dev/zero named by mistake). Each is refused quickly,
// located, in words a person understands (yaml-cpp's own message for deep nesting was "bad
// file").
#include <boost/test/unit_test.hpp>
#include <string>

#include "job.h"
#include "test_support.h"

namespace hades {
namespace {

std::string messages(const LoadedJob& job) {
  std::string text;
  for (const Diagnostic& d : job.diagnostics) text += d.to_string() + "\n";
  return text;
}

BOOST_AUTO_TEST_SUITE(job_limits)

BOOST_AUTO_TEST_CASE(an_alias_bomb_is_refused_quickly) {
  std::string text = "name: j\ndatabase: sqlite://x.db\nparams:\n";
  text += "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    text += "  a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  text += "steps:\n  - name: s\n    task: {plugin: t, with: {v: *a11}}\n";
  const LoadedJob job = load_job_text(text, "bomb.yaml", {});
  BOOST_REQUIRE(job.diagnostics.size() == 1u);
  BOOST_TEST(messages(job).find("the YAML expands to more than 100000 nodes once its aliases are "
                                "followed (an alias bomb?): refused") != std::string::npos,
             messages(job));
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_with_a_clear_message) {
  for (const std::string& steps : {std::string(3000, '[') + std::string(3000, ']'),
                                   std::string(70, '[') + std::string(70, ']')}) {
    const LoadedJob job =
        load_job_text("name: j\ndatabase: sqlite://x.db\nsteps: " + steps + "\n", "deep.yaml", {});
    BOOST_TEST(
        messages(job) == "deep.yaml:3:71: the YAML is nested more than 64 levels deep: refused\n",
        messages(job));
  }
  // What a job needs is far below the limit.
  const LoadedJob fine = load_job_text(
      "name: j\ndatabase: sqlite://x.db\nsteps:\n  - name: s\n    task: {plugin: t, with: "
      "{v: [[[[[[1]]]]]]}}\n",
      "fine.yaml", {});
  BOOST_TEST(messages(fine).find("nested too deeply: list items") != std::string::npos,
             messages(fine));
}

BOOST_AUTO_TEST_CASE(a_file_larger_than_a_mebibyte_is_refused_without_reading_it_all) {
  testing::TempDir dir;
  testing::write_file(dir.file("big.yaml"),
                      "name: j\ndatabase: sqlite://x.db\n#" + std::string(1 << 20, 'x') + "\n");
  const LoadedJob big = load_job_file(dir.file("big.yaml"), {});
  BOOST_TEST(messages(big) ==
                 dir.file("big.yaml") + ": cannot read job file: it is larger than 1048576 bytes\n",
             messages(big));
  const LoadedJob zero = load_job_file("/dev/zero", {});
  BOOST_TEST(messages(zero) == "/dev/zero: cannot read job file: it is larger than 1048576 bytes\n",
             messages(zero));
}

// Suggestions cost the product of the lengths: a megabyte-long word gets none, at no cost.
BOOST_AUTO_TEST_CASE(no_suggestion_for_a_word_longer_than_any_typo) {
  BOOST_TEST(!suggest_closest(std::string(257, 'a'), {std::string(257, 'a') + "b"}).has_value());
  BOOST_TEST(suggest_closest(std::string(256, 'a'), {std::string(255, 'a')}).value_or("") ==
             std::string(255, 'a'));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
