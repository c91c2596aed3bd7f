// zoho_source reading a module when every reply, the token endpoint's included, is whatever the
// input says (fuzz_context.h, canned_replies()): the token reply parser, error bodies, pages of
// records on both read paths, the cursor. The first byte picks the read path.
#include <cstdint>
#include <memory>
#include <string>

#include "fuzz_context.h"
#include "zoho_source.h"

namespace {

hades::Settings settings(bool coql) {
  hades::Settings s;
  s.set("accounts_url", std::string("http://127.0.0.1:9"));
  s.set("api_version", std::string("v8"));
  s.set("client_id", std::string("1000.client"));
  s.set("client_secret", std::string("secret"));
  s.set("refresh_token", std::string("1000.refresh.token"));
  s.set("module", std::string("Leads"));
  s.set("fields", std::vector<std::string>{"Company", "Owner.name", "Lead_Source"});
  s.set("read_path", std::string(coql ? "coql" : "records"));
  s.set("converted", std::string("both"));
  s.set("per_page", std::int64_t{0});
  s.set("cursor_field", std::string("Modified_Time"));
  s.set("max_attempts", std::int64_t{2});
  s.set("backoff_base_ms", std::int64_t{1});
  s.set("backoff_max_ms", std::int64_t{1});
  s.set("request_timeout_ms", std::int64_t{1000});
  s.set("token_table", std::string("zoho_oauth_tokens"));
  return s;
}

class Rejects final : public hades::Rejects {
 public:
  void reject(std::string_view, std::string_view, std::string_view) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto config = hades::zoho_source::bind_config(settings(data[0] % 2 == 0));
  if (!config.ok()) std::abort();  // the harness's settings are wrong
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  hades::zoho_source::ZohoSource source(
      std::move(config).value(),
      std::make_unique<hades::fuzzing::CannedHttp>(hades::fuzzing::canned_replies(rest)));
  hades::fuzzing::FuzzContext ctx;
  if (!source.open(ctx, "").ok()) return 0;
  Rejects rejects;
  for (int chunks = 0; chunks < 50; ++chunks) {
    hades::Chunk chunk(source.schema());
    const auto more = source.read(100, &chunk, rejects);
    (void)source.cursor();
    if (!more.ok() || !*more) break;
  }
  return 0;
}
