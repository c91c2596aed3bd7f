// `hades serve` over real loopback HTTP, one case per rule of docs/serve.md "Security", with the
// test page tests/plugins/echo_page.cc (it echoes the user and body it was handed):
// loopback by default and a token for anything else, the sign-in and its cookie, CSRF and
// Origin on every POST, 421 for foreign Host names, the security headers, the request limits,
// slow clients that cannot hold the server, errors that do not leak, and a clean SIGTERM.
#define BOOST_TEST_MODULE serve_e2e_test
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "serve_process.h"

namespace hades {
namespace {

using testing::http_exchange;
using testing::ProcessResult;
using testing::RawConnection;
using testing::ServeProcess;
using testing::TempDir;

constexpr const char* kToken = "correct-horse-battery-staple-42";

std::vector<std::string> plugin_path() { return {"--plugin-path", testing::test_plugin_dir()}; }

// hades serve with the echo page, on an in-memory database.
std::unique_ptr<ServeProcess> start(const TempDir& dir, std::vector<std::string> args = {}) {
  args.insert(args.begin(), {"--page", "echo_page", "--database", "sqlite://:memory:"});
  return std::make_unique<ServeProcess>(plugin_path(), args, dir.path());
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

HttpHeaders same_origin(const ServeProcess& s, const std::string& csrf) {
  return {{"Origin", "http://" + s.host()}, {"X-CSRF-Token", csrf}};
}

// The CSRF token /_hades/session hands the page (for `cookie`'s session, if any).
std::string csrf_token(const ServeProcess& s, const std::string& cookie = "") {
  HttpHeaders headers;
  if (!cookie.empty()) headers.emplace_back("Cookie", "hades_session=" + cookie);
  const HttpResponse r = http_exchange("GET", s.url("/_hades/session"), headers);
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  const std::string key = "\"csrf_token\":\"";
  const std::size_t at = r.body.find(key);
  BOOST_TEST_REQUIRE(at != std::string::npos, r.body);
  return r.body.substr(at + key.size(), 64);
}

BOOST_AUTO_TEST_CASE(serves_the_page_on_loopback_without_a_login) {
  TempDir dir;
  const auto s = start(dir);
  const HttpResponse index = http_exchange("GET", s->url("/"));
  BOOST_TEST(index.status == 303);
  BOOST_TEST(index.header("Location").value_or("") == "/echo/");
  const HttpResponse page = http_exchange("GET", s->url("/echo/"));
  BOOST_TEST(page.status == 200);
  BOOST_TEST(contains(page.body, "echo page"));
  BOOST_TEST(http_exchange("GET", s->url("/echo")).status == 308);  // to the mount with a slash
  const HttpResponse echo = http_exchange("GET", s->url("/echo/api/echo?q=a%20b+c"));
  BOOST_TEST(echo.status == 200);
  BOOST_TEST(contains(echo.body, "\"q\":\"a b c\""), echo.body);
  BOOST_TEST(contains(echo.body, "\"path\":\"/api/echo\""), echo.body);
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/none")).status == 404);
  BOOST_TEST(http_exchange("PUT", s->url("/echo/api/echo")).status == 405);
  // Page settings are options of their own.
  BOOST_TEST(contains(echo.body, "\"greeting\":\"hello\""), echo.body);
  const ProcessResult stopped = s->stop();
  BOOST_TEST(stopped.exit_code == 0, stopped.err);
}

BOOST_AUTO_TEST_CASE(page_settings_are_command_line_options_checked_like_job_settings) {
  TempDir dir;
  const auto s = start(dir, {"--greeting", "hi there"});
  BOOST_TEST(contains(http_exchange("GET", s->url("/echo/api/echo")).body, "\"hi there\""));
  const ProcessResult unknown =
      testing::run_process({testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(),
                            "serve", "--page", "echo_page", "--greting", "x"},
                           dir.path());
  BOOST_TEST(unknown.exit_code == 2, unknown.err);
  const ProcessResult not_a_page =
      testing::run_process({testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(),
                            "serve", "--page", "secret_echo_task"},
                           dir.path());
  BOOST_TEST(not_a_page.exit_code == 2);
  BOOST_TEST(contains(not_a_page.err, "is a task, not a page"), not_a_page.err);
}

BOOST_AUTO_TEST_CASE(a_non_loopback_address_needs_a_token_file) {
  TempDir dir;
  const ProcessResult r = testing::run_process(
      {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(), "serve", "--page",
       "echo_page", "--database", "sqlite://:memory:", "--listen", "0.0.0.0:0"},
      dir.path());
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "needs --auth-token-file"), r.err);
  testing::write_file(dir.file("short"), "short\n");
  const ProcessResult short_token =
      testing::run_process({testing::hades_binary(), "--plugin-path", testing::test_plugin_dir(),
                            "serve", "--page", "echo_page", "--auth-token-file", dir.file("short")},
                           dir.path());
  BOOST_TEST(short_token.exit_code == 2);
  BOOST_TEST(contains(short_token.err, "at least 16 characters"), short_token.err);
}

BOOST_AUTO_TEST_CASE(with_a_token_file_every_request_needs_a_session_from_the_sign_in) {
  TempDir dir;
  testing::write_file(dir.file("token"), std::string(kToken) + "\n");
  const auto s = start(dir, {"--auth-token-file", dir.file("token")});
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo")).status == 401);
  const HttpResponse to_login = http_exchange("GET", s->url("/echo/"), {{"Accept", "text/html"}});
  BOOST_TEST(to_login.status == 303);
  BOOST_TEST(to_login.header("Location").value_or("") == "/login?next=/echo/");

  const HttpResponse form = http_exchange("GET", s->url("/login?next=/echo/"));
  BOOST_TEST(form.status == 200);
  const std::string form_csrf = testing::set_cookie_value(form, "hades_login_csrf");
  BOOST_TEST_REQUIRE(form_csrf.size() == 32u);
  BOOST_TEST(contains(form.body, "value=\"" + form_csrf + "\""));
  const HttpHeaders login_headers = {{"Origin", "http://" + s->host()},
                                     {"Content-Type", "application/x-www-form-urlencoded"},
                                     {"Cookie", "hades_login_csrf=" + form_csrf}};
  const std::string good = "csrf=" + form_csrf + "&next=%2Fecho%2F&name=Ana+Ruiz&token=" + kToken;

  // A wrong token, a form without its cookie, and another Origin are all refused.
  const HttpResponse wrong =
      http_exchange("POST", s->url("/login"), login_headers,
                    "csrf=" + form_csrf + "&name=Ana&token=wrong-token-wrong-token");
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(testing::set_cookie_value(wrong, "hades_session").empty());
  BOOST_TEST(http_exchange("POST", s->url("/login"),
                           {{"Origin", "http://" + s->host()},
                            {"Content-Type", "application/x-www-form-urlencoded"}},
                           good)
                 .status == 403);
  BOOST_TEST(http_exchange(
                 "POST", s->url("/login"),
                 {{"Origin", "http://evil.example"}, {"Cookie", "hades_login_csrf=" + form_csrf}},
                 good)
                 .status == 403);

  const HttpResponse signed_in = http_exchange("POST", s->url("/login"), login_headers, good);
  BOOST_TEST(signed_in.status == 303);
  BOOST_TEST(signed_in.header("Location").value_or("") == "/echo/");
  const std::string session = testing::set_cookie_value(signed_in, "hades_session");
  BOOST_TEST_REQUIRE(session.size() == 64u);
  BOOST_TEST(testing::set_cookie_attributes(signed_in, "hades_session") ==
             "Path=/; HttpOnly; SameSite=Strict");
  BOOST_TEST(!contains(signed_in.body + session, kToken));  // the cookie is not the token

  const HttpHeaders cookie = {{"Cookie", "hades_session=" + session}};
  const HttpResponse echo = http_exchange("GET", s->url("/echo/api/echo"), cookie);
  BOOST_TEST(echo.status == 200);
  BOOST_TEST(contains(echo.body, "\"user\":\"Ana Ruiz\""), echo.body);

  // A POST needs the session's own CSRF token; the user it carries is the signed-in name.
  const std::string csrf = csrf_token(*s, session);
  HttpHeaders post_headers = same_origin(*s, csrf);
  post_headers.push_back(cookie.front());
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"), cookie, "x").status == 403);
  const HttpResponse changed = http_exchange("POST", s->url("/echo/api/change"), post_headers, "x");
  BOOST_TEST(changed.status == 200);
  BOOST_TEST(contains(changed.body, "\"user\":\"Ana Ruiz\""), changed.body);
  // Another session's (or the no-login) token does not fit this session.
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"),
                           {{"Origin", "http://" + s->host()},
                            {"X-CSRF-Token", std::string(64, 'a')},
                            cookie.front()},
                           "x")
                 .status == 403);

  // Signing out ends the session.
  BOOST_TEST(http_exchange("POST", s->url("/logout"), post_headers).status == 200);
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo"), cookie).status == 401);
}

BOOST_AUTO_TEST_CASE(failed_sign_ins_are_throttled) {
  TempDir dir;
  testing::write_file(dir.file("token"), kToken);
  const auto s = start(dir, {"--auth-token-file", dir.file("token")});
  const std::string form_csrf =
      testing::set_cookie_value(http_exchange("GET", s->url("/login")), "hades_login_csrf");
  const HttpHeaders headers = {{"Origin", "http://" + s->host()},
                               {"Cookie", "hades_login_csrf=" + form_csrf}};
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(http_exchange("POST", s->url("/login"), headers,
                             "csrf=" + form_csrf + "&name=x&token=guess" + std::to_string(i))
                   .status == 401);
  }
  // Even the right token waits now.
  BOOST_TEST(http_exchange("POST", s->url("/login"), headers,
                           "csrf=" + form_csrf + "&name=x&token=" + kToken)
                 .status == 429);
}

BOOST_AUTO_TEST_CASE(every_post_needs_the_csrf_token_and_this_servers_origin) {
  TempDir dir;
  const auto s = start(dir);
  const std::string csrf = csrf_token(*s);
  BOOST_TEST(csrf.size() == 64u);
  const std::string origin = "http://" + s->host();
  // No token, a wrong token, no Origin, another Origin: 403, and the page is never called.
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"), {{"Origin", origin}}, "x").status ==
             403);
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"),
                           {{"Origin", origin}, {"X-CSRF-Token", csrf + "0"}}, "x")
                 .status == 403);
  BOOST_TEST(
      http_exchange("POST", s->url("/echo/api/change"), {{"X-CSRF-Token", csrf}}, "x").status ==
      403);
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"),
                           {{"Origin", "http://evil.example"}, {"X-CSRF-Token", csrf}}, "x")
                 .status == 403);
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"),
                           {{"Origin", "null"}, {"X-CSRF-Token", csrf}}, "x")
                 .status == 403);
  const HttpResponse ok =
      http_exchange("POST", s->url("/echo/api/change"), same_origin(*s, csrf), "payload");
  BOOST_TEST(ok.status == 200);
  BOOST_TEST(contains(ok.body, "\"body\":\"payload\""), ok.body);
  // A read needs neither.
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo")).status == 200);
}

BOOST_AUTO_TEST_CASE(a_host_that_is_not_this_server_gets_421) {
  TempDir dir;
  const auto s = start(dir, {"--server-name", "dash.example.com"});
  const std::string port = std::to_string(s->port());
  const auto with_host = [&](const std::string& host) {
    return http_exchange("GET", s->url("/echo/api/echo"), {{"Host", host}}).status;
  };
  BOOST_TEST(with_host("127.0.0.1:" + port) == 200);
  BOOST_TEST(with_host("localhost:" + port) == 200);  // listening on loopback
  BOOST_TEST(with_host("dash.example.com") == 200);   // --server-name, as a proxy sends it
  BOOST_TEST(with_host("DASH.example.com:" + port) == 200);
  BOOST_TEST(with_host("attacker.example:" + port) == 421);  // DNS rebinding
  BOOST_TEST(with_host("127.0.0.1") == 421);                 // another port
  BOOST_TEST(with_host("127.0.0.1:" + port + "x") == 421);
  // The Origin of a POST must be the Host it came with.
  const std::string csrf = csrf_token(*s);
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"),
                           {{"Host", "dash.example.com"},
                            {"Origin", "https://dash.example.com"},
                            {"X-CSRF-Token", csrf}},
                           "x")
                 .status == 200);
  // Two Host headers are refused too.
  RawConnection raw(s->port());
  raw.send("GET /echo/api/echo HTTP/1.1\r\nHost: 127.0.0.1:" + port +
           "\r\nHost: attacker.example\r\nConnection: close\r\n\r\n");
  const auto reply = raw.read_until_closed(std::chrono::seconds(10));
  BOOST_TEST_REQUIRE(reply.has_value());
  BOOST_TEST(reply->starts_with("HTTP/1.1 421"), *reply);
}

BOOST_AUTO_TEST_CASE(every_reply_carries_the_security_headers) {
  TempDir dir;
  const auto s = start(dir);
  for (const std::string path : {"/echo/", "/echo/api/echo", "/echo/api/none", "/_hades/session"}) {
    const HttpResponse r = http_exchange("GET", s->url(path));
    const std::string csp = r.header("Content-Security-Policy").value_or("");
    BOOST_TEST(contains(csp, "script-src 'self'"), path);
    BOOST_TEST(contains(csp, "style-src 'self'"), path);
    BOOST_TEST(contains(csp, "frame-ancestors 'none'"), path);
    BOOST_TEST(!contains(csp, "unsafe-inline"), path);
    BOOST_TEST(!contains(csp, "unsafe-eval"), path);
    BOOST_TEST(r.header("X-Content-Type-Options").value_or("") == "nosniff", path);
    BOOST_TEST(r.header("X-Frame-Options").value_or("") == "DENY", path);
    BOOST_TEST(r.header("Cache-Control").value_or("") == "no-store", path);
    BOOST_TEST(!r.header("Access-Control-Allow-Origin").has_value(), path);
  }
  const HttpResponse refused = http_exchange("GET", s->url("/"), {{"Host", "evil"}});
  BOOST_TEST(refused.header("Content-Security-Policy").has_value());
}

BOOST_AUTO_TEST_CASE(request_size_and_header_count_are_bounded) {
  TempDir dir;
  const auto s = start(dir, {"--max-body-bytes", "1000"});
  const std::string csrf = csrf_token(*s);
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"), same_origin(*s, csrf),
                           std::string(1000, 'x'))
                 .status == 200);
  BOOST_TEST(http_exchange("POST", s->url("/echo/api/change"), same_origin(*s, csrf),
                           std::string(1001, 'x'))
                 .status == 413);
  HttpHeaders many;
  for (int i = 0; i < 70; ++i) many.emplace_back("X-Filler-" + std::to_string(i), "1");
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo"), many).status == 431);
  BOOST_TEST(
      http_exchange("GET", s->url("/echo/api/echo"), {{"X-Big", std::string(20000, 'a')}}).status ==
      431);
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo?q=" + std::string(20000, 'a'))).status ==
             431);
  // The server still answers afterwards.
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo")).status == 200);
}

BOOST_AUTO_TEST_CASE(a_slow_client_cannot_hold_the_server) {
  TempDir dir;
  const auto s = start(dir, {"--request-timeout-ms", "1000"});
  // Forty clients send half a request and stop; one trickles a byte at a time.
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 40; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(s->port()));
    stalled.back()->send("GET /echo/api/echo HTTP/1.1\r\nHost: " + s->host() + "\r\nX-Slow: ");
  }
  RawConnection trickle(s->port());
  std::thread trickler([&] {
    const std::string request = "GET /echo/api/echo HTTP/1.1\r\nHost: " + s->host() + "\r\n";
    for (const char c : request) {
      if (!trickle.send(std::string(1, c))) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // Meanwhile a normal client is served.
  const HttpResponse served = http_exchange("GET", s->url("/echo/api/echo"));
  BOOST_TEST(served.status == 200);
  // Each stalled connection is dropped once the request deadline passes, without a reply.
  for (auto& c : stalled) {
    const auto closed = c->read_until_closed(std::chrono::seconds(10));
    BOOST_TEST(closed.has_value(), "a stalled connection was still open after 10 s");
    if (closed) BOOST_TEST(closed->empty(), *closed);
  }
  // The trickle is too: its deadline covers the whole request, not each byte.
  const auto trickled = trickle.read_until_closed(std::chrono::seconds(10));
  BOOST_TEST(trickled.has_value(), "the trickling connection outlived its deadline");
  trickler.join();
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo")).status == 200);
}

BOOST_AUTO_TEST_CASE(a_failing_handler_gets_500_without_its_details) {
  TempDir dir;
  const auto s = start(dir);
  const HttpResponse r = http_exchange("GET", s->url("/echo/api/throw"));
  BOOST_TEST(r.status == 500);
  BOOST_TEST(!contains(r.body, "secret detail"), r.body);
  BOOST_TEST(http_exchange("GET", s->url("/echo/api/echo")).status == 200);
  const ProcessResult stopped = s->stop();
  BOOST_TEST(contains(stopped.err, "secret detail of the failure"), stopped.err);  // logged
}

BOOST_AUTO_TEST_CASE(malformed_targets_are_refused) {
  TempDir dir;
  const auto s = start(dir);
  for (const std::string target : {"/echo/../etc/passwd", "/echo/%2e%2e/x", "/echo/%zz", "*"}) {
    RawConnection raw(s->port());
    raw.send("GET " + target + " HTTP/1.1\r\nHost: " + s->host() + "\r\nConnection: close\r\n\r\n");
    const auto reply = raw.read_until_closed(std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(reply.has_value());
    BOOST_TEST(reply->starts_with("HTTP/1.1 400"), target << ": " << *reply);
  }
  RawConnection garbage(s->port());
  garbage.send("NOT HTTP AT ALL\r\n\r\n");
  const auto reply = garbage.read_until_closed(std::chrono::seconds(10));
  BOOST_TEST_REQUIRE(reply.has_value());
  BOOST_TEST(reply->starts_with("HTTP/1.1 400"), *reply);
}

BOOST_AUTO_TEST_CASE(page_sql_takes_arguments_as_values) {
  TempDir dir;
  const auto s = start(dir);
  const HttpResponse r =
      http_exchange("GET", s->url("/echo/api/db?q=%27%29%3B%20DROP%20TABLE%20x%3B%20--"));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.body == "\"'); DROP TABLE x; --!\"");
}

}  // namespace
}  // namespace hades
