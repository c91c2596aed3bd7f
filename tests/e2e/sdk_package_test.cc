// The installed SDK cannot rot: install this build into a temporary prefix, build the example
// plugin of docs/writing-a-plugin.md against it with find_package(Hades), and run it with the
// installed hades, which must also find the installed plugins without flags.
#define BOOST_TEST_MODULE sdk_package_test
#include <boost/test/unit_test.hpp>

#include "process.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

testing::ProcessResult run(const std::vector<std::string>& argv, const std::string& cwd = "") {
  testing::ProcessResult r = testing::run_process(argv, cwd, {}, 600);
  BOOST_TEST_MESSAGE("$ " << argv[0] << " ... -> " << r.exit_code);
  return r;
}

BOOST_AUTO_TEST_CASE(a_plugin_builds_against_the_installed_package_and_runs) {
  testing::TempDir dir;
  const std::string prefix = dir.file("prefix");
  const auto installed = run({"/usr/bin/env", "cmake", "--install", testing::build_dir(),
                              "--prefix", prefix});
  BOOST_REQUIRE_MESSAGE(installed.exit_code == 0, installed.out + installed.err);

  const std::string example = testing::source_dir() + "/docs/examples/hello_source";
  const std::string build = dir.file("hello-build");
  const auto configured = run({"/usr/bin/env", "cmake", "-S", example, "-B", build, "-G", "Ninja",
                               "-DCMAKE_BUILD_TYPE=Debug", "-DCMAKE_PREFIX_PATH=" + prefix});
  BOOST_REQUIRE_MESSAGE(configured.exit_code == 0, configured.out + configured.err);
  const auto built = run({"/usr/bin/env", "cmake", "--build", build});
  BOOST_REQUIRE_MESSAGE(built.exit_code == 0, built.out + built.err);

  const std::string hades = prefix + "/bin/hades";
  const auto listed = run({hades, "--plugin-path", build, "plugins"});
  BOOST_TEST(listed.exit_code == 0, listed.err);
  BOOST_TEST(listed.out.find("hello_source  1.0.0  source  API 1.2") != std::string::npos,
             listed.out);
  BOOST_TEST(listed.out.find("csv_source") != std::string::npos, listed.out);  // installed ones

  const std::string job = dir.file("job.yaml");
  testing::write_file(job, "name: hello\ndatabase: sqlite://" + dir.file("h.db") +
                               "\nsteps:\n  - name: load\n"
                               "    source: {plugin: hello_source, with: {count: 1234}}\n"
                               "    sinks: [{plugin: turso_sink, with: {table: contacts, key: [id]}}]\n");
  const auto ran = run({hades, "--plugin-path", build, "run", job}, dir.path());
  BOOST_REQUIRE_MESSAGE(ran.exit_code == 0, ran.err);
  auto db = open_sqlite_database(dir.file("h.db")).value();
  BOOST_TEST(as_int(db->query("SELECT count(*) FROM contacts")->rows[0][0]).value_or(0) == 1234);
}

}  // namespace
}  // namespace hades
