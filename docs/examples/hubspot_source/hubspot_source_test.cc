// hubspot_source's test on the SDK's test kit (hades/testkit.h): the plugin made by name, a
// fake Context over an in-memory database, rejects kept in memory. No test framework needed:
// it exits 1 and says what failed. Run as `hubspot_source_test <plugin dir> <base url>`, where
// the base URL serves HubSpot's contacts API and token endpoint (tests/e2e/crm_example_test.cc
// starts a fake one).
#include <iostream>
#include <string>
#include <vector>

#include "hades/testkit.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "FAILED: " << what << "\n";
    ++failures;
  }
}

hades::Settings settings_for(const std::string& base_url) {
  hades::Settings settings;
  settings.set("api_url", base_url);
  settings.set("token_url", base_url + "/oauth/v1/token");
  settings.set("client_id", std::string("test-client"));
  settings.set("client_secret", std::string("test-secret-value"));
  settings.set("refresh_token", std::string("test-refresh-token"));
  settings.set("page_size", std::int64_t{7});
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: hubspot_source_test <plugin dir> <base url>\n";
    return 2;
  }
  const std::vector<std::string> plugin_dirs = {argv[1]};
  const std::string base_url = argv[2];
  auto db = hades::testkit::memory_database().value();
  hades::testkit::FakeContext ctx(*db);
  hades::testkit::CollectingRejects rejects;

  // Everything in one go.
  auto plugin = hades::testkit::make_plugin("hubspot_source", settings_for(base_url), plugin_dirs);
  if (!plugin.ok()) {
    std::cerr << plugin.status().to_string() << "\n";
    return 1;
  }
  auto all = hades::testkit::read_all(plugin->as<hades::Source>(), ctx, "", rejects);
  check(all.ok(), "reading everything: " + all.status().to_string());
  if (!all.ok()) return 1;
  check(!all->empty(), "some contacts");

  // Interrupted after three reads of 5 rows, then resumed by a fresh object from the cursor.
  auto first = hades::testkit::make_plugin("hubspot_source", settings_for(base_url), plugin_dirs);
  hades::Source& source = first->as<hades::Source>();
  check(source.open(ctx, "").ok(), "open");
  std::vector<std::string> rows;
  for (int i = 0; i < 3; ++i) {
    hades::Chunk chunk(source.schema());
    check(source.read(5, &chunk, rejects).ok(), "read");
    for (std::size_t r = 0; r < chunk.size(); ++r) {
      std::string line;
      for (std::size_t c = 0; c < chunk.row(r).size(); ++c) {
        line += (c == 0 ? "" : "|") + hades::to_text(chunk.row(r)[c]);
      }
      rows.push_back(line);
    }
  }
  const std::string cursor = source.cursor();
  auto second = hades::testkit::make_plugin("hubspot_source", settings_for(base_url), plugin_dirs);
  auto rest = hades::testkit::read_all(second->as<hades::Source>(), ctx, cursor, rejects);
  check(rest.ok(), "resuming at " + cursor);
  if (rest.ok()) rows.insert(rows.end(), rest->begin(), rest->end());
  check(rows == *all, "the resumed read equals the uninterrupted one");

  // A cursor it cannot have written is corruption, and bad settings are refused by name.
  auto third = hades::testkit::make_plugin("hubspot_source", settings_for(base_url), plugin_dirs);
  check(third->as<hades::Source>().open(ctx, "garbage").code() == hades::StatusCode::kCorruption,
        "a garbage cursor is corruption");
  hades::Settings bad = settings_for(base_url);
  bad.set("page_size", std::int64_t{1000});
  check(!hades::testkit::make_plugin("hubspot_source", bad, plugin_dirs).ok(),
        "page_size 1000 is refused");

  // No secret in the log.
  for (const std::string& line : ctx.lines()) {
    check(line.find("test-secret-value") == std::string::npos, "secret in: " + line);
    check(line.find("test-refresh-token") == std::string::npos, "refresh token in: " + line);
  }
  std::cout << all->size() << " contacts, " << rejects.size() << " rejects, " << failures
            << " failures\n";
  return failures == 0 ? 0 : 1;
}
