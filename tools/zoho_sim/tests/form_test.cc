// Request parameters without HTTP: urlencoded and multipart/form-data bodies, header parameters.
// The multipart bodies are byte for byte what the `form-data` npm package (which Zoho's Node SDK
// refreshes tokens with) and curl -F send.

#include "form.h"

#include <boost/test/unit_test.hpp>
#include <string>

namespace hades::zoho_sim {
namespace {

// What `form-data` 3.0.1 writes: a 26-dash, 24-digit boundary and a name per part.
constexpr std::string_view kSdkType =
    "multipart/form-data; boundary=--------------------------759430657119145490519738";
constexpr std::string_view kSdkBody =
    "----------------------------759430657119145490519738\r\n"
    "Content-Disposition: form-data; name=\"client_id\"\r\n\r\n1000.X\r\n"
    "----------------------------759430657119145490519738\r\n"
    "Content-Disposition: form-data; name=\"grant_type\"\r\n\r\nrefresh_token\r\n"
    "----------------------------759430657119145490519738--\r\n";

Params multipart(std::string_view type, std::string_view body, bool well_formed = true) {
  Params out;
  BOOST_TEST(parse_multipart(type, body, out) == well_formed);
  return out;
}

BOOST_AUTO_TEST_SUITE(form)

BOOST_AUTO_TEST_CASE(urlencoded_bodies_decode_plus_and_percent) {
  Params out{{"a", "from the query"}};
  parse_urlencoded("a=x+y%2Bz&b=&c&%41=1&bad=%zz", out);
  BOOST_TEST(out == (Params{{"a", "x y+z"}, {"b", ""}, {"c", ""}, {"A", "1"}, {"bad", "%zz"}}));
  BOOST_TEST(percent_decode("/crm/v8/a+b%20c", false) == "/crm/v8/a+b c");
}

BOOST_AUTO_TEST_CASE(the_node_sdk_multipart_body_gives_its_fields) {
  BOOST_TEST(multipart(kSdkType, kSdkBody) ==
             (Params{{"client_id", "1000.X"}, {"grant_type", "refresh_token"}}));
}

BOOST_AUTO_TEST_CASE(part_contents_are_kept_byte_for_byte) {
  // A quoted boundary, a preamble, a part with more headers, a value holding CRLF, dashes and
  // urlencoding characters (none of them decoded), a part without headers (no name: skipped), a
  // file part (kept by its name), and an epilogue.
  const std::string body =
      "preamble\r\n--b\"q\r\n"
      "content-disposition: FORM-DATA; name=\"v\"; filename=\"x;y.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "line 1\r\n--not the boundary\r\na=b&c=%41+\r\n"
      "--b\"q  \r\n\r\nno headers\r\n"
      "--b\"q\r\nContent-Disposition: form-data; name=\"quoted \\\"name\\\"\"\r\n\r\n\r\n"
      "--b\"q--\r\nepilogue";
  BOOST_TEST(
      multipart(R"(Multipart/Form-Data; charset=utf-8; BOUNDARY="b\"q")", body) ==
      (Params{{"v", "line 1\r\n--not the boundary\r\na=b&c=%41+"}, {"quoted \"name\"", ""}}));
}

BOOST_AUTO_TEST_CASE(malformed_bodies_are_refused_keeping_what_came_before) {
  BOOST_TEST(multipart("multipart/form-data", kSdkBody, false).empty());  // no boundary
  BOOST_TEST(multipart("multipart/form-data; boundary=other", kSdkBody, false).empty());
  const std::string truncated(kSdkBody.substr(0, kSdkBody.find("refresh_token") + 5));
  BOOST_TEST(multipart(kSdkType, truncated, false) == (Params{{"client_id", "1000.X"}}));
  const std::string no_blank_line =
      "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nvalue\r\n--b--";
  BOOST_TEST(multipart("multipart/form-data; boundary=b", no_blank_line, false).empty());
}

BOOST_AUTO_TEST_CASE(header_parameters_are_case_insensitive_and_unquoted) {
  const std::string_view value = R"(form-data; flag; name="a;b"; Filename = plain ; x="\\")";
  BOOST_TEST(header_parameter(value, "NAME").value_or("(none)") == "a;b");
  BOOST_TEST(header_parameter(value, "filename").value_or("(none)") == "plain");
  BOOST_TEST(header_parameter(value, "x").value_or("(none)") == "\\");
  BOOST_TEST(!header_parameter(value, "flag").has_value());
  BOOST_TEST(!header_parameter("form-data", "name").has_value());
}

BOOST_AUTO_TEST_CASE(the_body_is_read_by_its_content_type) {
  Params out;
  const std::string type(kSdkType);
  parse_form_body(&type, kSdkBody, out);
  BOOST_TEST(out.at("grant_type") == "refresh_token");
  out.clear();
  const std::string urlencoded = "application/x-www-form-urlencoded";
  parse_form_body(&urlencoded, "grant_type=refresh_token", out);
  BOOST_TEST(out.at("grant_type") == "refresh_token");
  out.clear();
  parse_form_body(nullptr, "grant_type=refresh_token", out);  // no type: read as urlencoded
  BOOST_TEST(out.at("grant_type") == "refresh_token");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::zoho_sim
