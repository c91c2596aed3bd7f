// The installed SDK cannot rot: install this build into a temporary prefix, build the example
// plugin of docs/writing-a-plugin.md against it with find_package(Hades), and run it with the
// installed hades, which must also find the installed plugins without flags.
#define BOOST_TEST_MODULE sdk_package_test
#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "hades/plugin.h"
#include "process.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;

testing::ProcessResult run(const std::vector<std::string>& argv, const std::string& cwd = "") {
  testing::ProcessResult r = testing::run_process(argv, cwd, {}, 600);
  BOOST_TEST_MESSAGE("$ " << argv[0] << " ... -> " << r.exit_code);
  return r;
}

BOOST_AUTO_TEST_CASE(a_plugin_builds_against_the_installed_package_and_runs) {
  testing::TempDir dir;
  const std::string prefix = dir.file("prefix");
  const auto installed =
      run({"/usr/bin/env", "cmake", "--install", testing::build_dir(), "--prefix", prefix});
  BOOST_REQUIRE_MESSAGE(installed.exit_code == 0, installed.out + installed.err);

  const std::string example = testing::source_dir() + "/docs/examples/hello_source";
  const std::string build = dir.file("hello-build");
  const auto configured = run({"/usr/bin/env", "cmake", "-S", example, "-B", build, "-G", "Ninja",
                               "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_PREFIX_PATH=" + prefix});
  BOOST_REQUIRE_MESSAGE(configured.exit_code == 0, configured.out + configured.err);
  BOOST_TEST(configured.out.find("hades will refuse to load it") == std::string::npos,
             configured.out + configured.err);
  // Another C++ standard gives another fingerprint: the package says so at configure time.
  const auto other =
      run({"/usr/bin/env", "cmake", "-S", example, "-B", dir.file("cxx23-build"), "-G", "Ninja",
           "-DCMAKE_CXX_STANDARD=23", "-DCMAKE_PREFIX_PATH=" + prefix});
  BOOST_TEST(other.exit_code == 0, other.out + other.err);
  std::string warning;  // CMake wraps the message's lines
  for (const char c : other.err) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      warning += c;
    } else if (!warning.empty() && warning.back() != ' ') {
      warning += ' ';
    }
  }
  BOOST_TEST(warning.find("C++23, hades was built with C++20; hades will refuse to load it") !=
                 std::string::npos,
             other.out + other.err);
  const auto built = run({"/usr/bin/env", "cmake", "--build", build});
  BOOST_REQUIRE_MESSAGE(built.exit_code == 0, built.out + built.err);

  const std::string hades = prefix + "/bin/hades";
  const auto listed = run({hades, "--plugin-path", build, "plugins"});
  BOOST_TEST(listed.exit_code == 0, listed.err);
  const std::string api =
      "API " + std::to_string(hades::kApiMajor) + "." + std::to_string(hades::kApiMinor);
  BOOST_TEST(listed.out.find("hello_source  1.0.0  source  " + api) != std::string::npos,
             listed.out);
  BOOST_TEST(listed.out.find("csv_source") != std::string::npos, listed.out);  // installed ones

  // The job of docs/writing-a-plugin.md, as the page shows it (docs_examples_test validates it).
  const std::string guide = testing::read_file(testing::source_dir() + "/docs/writing-a-plugin.md");
  const auto begin = guide.find("```yaml\n# jobs/hello.yaml\n");
  BOOST_REQUIRE(begin != std::string::npos);
  const auto body = begin + 8;
  fs::create_directories(dir.file("jobs"));
  testing::write_file(dir.file("jobs/hello.yaml"),
                      guide.substr(body, guide.find("```", body) - body));
  const auto ran = run({hades, "--plugin-path", build, "run", "jobs/hello.yaml"}, dir.path());
  BOOST_REQUIRE_MESSAGE(ran.exit_code == 0, ran.err);
  auto db = open_sqlite_database(dir.file("var/hello.db")).value();
  BOOST_TEST(as_int(db->query("SELECT count(*) FROM contacts")->rows[0][0]).value_or(0) == 1234);
}

}  // namespace
}  // namespace hades
