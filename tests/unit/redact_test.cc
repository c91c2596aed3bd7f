// hades/redact.h and the host's Redactor: what a message may quote of a server's reply.
#include "hades/redact.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "logging.h"
#include "test_support.h"

namespace hades {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

BOOST_AUTO_TEST_SUITE(redact)

BOOST_AUTO_TEST_CASE(credential_shapes_are_masked_whatever_their_value) {
  const std::string zoho = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210";
  const std::string jwt = "eyJhbGciOiJFZERTQSJ9.eyJhIjoicnciLCJleHAiOjF9.c2lnbmF0dXJl";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"access_token":"opaque-42","api_domain":"https://x"})",
       R"({"access_token":"***","api_domain":"https://x"})"},
      {"grant_type=refresh_token&refresh_token=r-1&client_secret=s-2&client_id=c",
       "grant_type=refresh_token&refresh_token=***&client_secret=***&client_id=c"},
      {"Authorization: Zoho-oauthtoken abc.def\r\nHost: x",
       "Authorization: Zoho-oauthtoken ***\r\nHost: x"},
      {"authorization=Bearer q", "authorization=Bearer ***"},
      {"header Authorization: tokenvalue", "header Authorization: ***"},
      {"sent Bearer xyz to it", "sent Bearer *** to it"},
      {R"({\"refresh_token\":\"r-9\"})", R"({\"refresh_token\":\"***\"})"},
      {"token " + zoho + " leaked", "token *** leaked"},
      {"jwt=" + jwt, "jwt=***"},
      {"PASSWORD = hunter2;", "PASSWORD = ***;"},
  };
  for (const auto& [in, want] : cases) BOOST_TEST(mask_credential_shapes(in) == want, in);
}

BOOST_AUTO_TEST_CASE(ordinary_messages_are_left_alone) {
  for (const std::string text :
       {"zoho_source: POST /oauth/v2/token -> 200 in 3 ms", "new access token, valid 3600 s",
        "unknown key 'access_token' in step 'x'", "the auth token was refused (HTTP 401)",
        "\"token_type\":\"Bearer\"", "token_table must be an identifier", "1000.5 rows",
        "HADES_DB_TOKEN_FILE /run/secrets/db is empty"}) {
    BOOST_TEST(mask_credential_shapes(text) == text);
  }
}

BOOST_AUTO_TEST_CASE(printable_shows_control_characters) {
  BOOST_TEST(printable("email\r") == "email\\r");
  BOOST_TEST(printable("a\nb\tc") == "a\\nb\\tc");
  BOOST_TEST(printable(std::string("x\0y\x1b[2J\x7f", 8)) == "x\\x00y\\x1b[2J\\x7f");
  BOOST_TEST(printable("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");
  BOOST_TEST(printable("bad \xc3 \xff \xed\xa0\x80") == "bad \\xc3 \\xff \\xed\\xa0\\x80");
}

BOOST_AUTO_TEST_CASE(quote_body_masks_before_it_cuts_and_says_how_long_it_was) {
  const std::vector<std::string> secrets = {"S3CRET-value-XYZ"};
  const std::string body = std::string(290, 'a') + "S3CRET-value-XYZ" + std::string(5000, 'b');
  const std::string quoted = quote_body(body, secrets);
  BOOST_TEST(!has(quoted, "S3CRET"), quoted);
  BOOST_TEST(!has(quoted, "S3C"), quoted);
  BOOST_TEST(has(quoted, "... (5306 bytes)"), quoted);
  BOOST_TEST(quoted.size() < 400u);
  BOOST_TEST(quote_body("") == "(empty)");
  BOOST_TEST(quote_body("short\n") == "short\\n");
  // A token cut by the limit is masked, not shown in part.
  const std::string cut =
      quote_body(std::string(280, ' ') + "{\"access_token\":\"" + std::string(100, 'k') + "\"}");
  BOOST_TEST(!has(cut, "kkk"), cut);
}

BOOST_AUTO_TEST_CASE(the_redactor_masks_registered_secrets_and_shapes) {
  Redactor redactor;
  redactor.add_secret("abc");  // too short to mask: ignored
  redactor.add_secret("my-planted-secret");
  BOOST_TEST(redactor.redact("x my-planted-secret abc y") == "x *** abc y");
  BOOST_TEST(redactor.redact("refresh_token=zzz") == "refresh_token=***");
  BOOST_TEST(redactor.redact_known("refresh_token=zzz my-planted-secret") ==
             "refresh_token=zzz ***");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
