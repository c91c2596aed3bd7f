// The Beast HttpClient (hades::net): TLS is verified by default (a self-signed certificate and a
// certificate for another host are refused, non-retryably), a trusted CA file makes it work;
// HTTP/1.1 keep-alive reuses one connection and survives the server closing it; transport
// failures are retryable; malformed URLs are configuration errors.
#define BOOST_TEST_MODULE http_client_test
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "fault_proxy.h"
#include "hades/http.h"
#include "process.h"
#include "sqld.h"
#include "test_support.h"

namespace hades {
namespace {

// `openssl s_server -WWW` on 127.0.0.1 (a port the OS picks) with a fresh self-signed
// certificate for "localhost", serving hello.txt.
struct TlsServer {
  testing::TempDir dir;
  std::unique_ptr<testing::Process> process;
  int port = 0;

  TlsServer() {
    const auto made = testing::run_process(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"},
        dir.path());
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    testing::write_file(dir.file("hello.txt"), "hello over TLS\n");
    process = std::make_unique<testing::Process>(
        std::vector<std::string>{"/bin/sh", "-c",
                                 "exec /usr/bin/openssl s_server -accept 127.0.0.1:0 -cert "
                                 "cert.pem -key key.pem -WWW >server.log 2>&1"},
        dir.path());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (port == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (!std::filesystem::exists(dir.file("server.log"))) continue;
      const std::string log = testing::read_file(dir.file("server.log"));
      const auto at = log.find("ACCEPT 127.0.0.1:");
      if (at != std::string::npos && log.find('\n', at) != std::string::npos) {
        port = std::stoi(log.substr(at + 17));
      }
    }
    BOOST_REQUIRE_MESSAGE(port != 0, "openssl s_server did not start");
  }
  std::string url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port) + "/hello.txt";
  }
};

Result<HttpResponse> get(HttpClient& client, const std::string& url) {
  HttpRequest request;
  request.url = url;
  request.timeout = std::chrono::milliseconds(5000);
  return client.send(request);
}

BOOST_AUTO_TEST_CASE(tls_is_verified_by_default_and_a_ca_file_can_be_trusted) {
  TlsServer server;
  auto strict = make_http_client();
  const auto refused = get(*strict, server.url("localhost"));
  BOOST_TEST(!refused.ok());
  BOOST_TEST(!refused.status().retryable());
  BOOST_TEST(refused.status().message().find("failed verification") != std::string::npos,
             refused.status().message());

  HttpClientOptions options;
  options.ca_file = server.dir.file("cert.pem");
  auto trusting = make_http_client(options);
  const auto ok = get(*trusting, server.url("localhost"));
  BOOST_REQUIRE_MESSAGE(ok.ok(), ok.status().to_string());
  BOOST_TEST(ok->status == 200);
  BOOST_TEST(ok->body == "hello over TLS\n");

  // The certificate names "localhost", not 127.0.0.1: the host name check refuses it.
  const auto wrong_host = get(*trusting, server.url("127.0.0.1"));
  BOOST_TEST(!wrong_host.ok());
  BOOST_TEST(!wrong_host.status().retryable());
  BOOST_TEST(wrong_host.status().message().find("failed verification") != std::string::npos,
             wrong_host.status().message());

  HttpClientOptions missing;
  missing.ca_file = server.dir.file("no-such.pem");
  BOOST_TEST(get(*make_http_client(missing), server.url("localhost")).status().code() ==
             StatusCode::kInvalidConfig);
}

BOOST_AUTO_TEST_CASE(keep_alive_reuses_one_connection_and_survives_its_end) {
  testing::SqldServer sqld;
  testing::FaultProxy proxy(sqld.port());
  auto client = make_http_client();
  const std::string health = proxy.url() + "/health";
  for (int i = 0; i < 3; ++i) BOOST_TEST(get(*client, health)->status == 200);
  BOOST_TEST(proxy.connections() == 1);

  // The server ends the connection after a reply, as an idle keep-alive timeout does: the next
  // request notices before sending and opens a new one, without an error.
  proxy.push(testing::FaultProxy::close_after_reply());
  BOOST_TEST(get(*client, health)->status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto after = get(*client, health);
  BOOST_TEST(after.ok(), after.status().to_string());
  BOOST_TEST(proxy.connections() == 2);

  // A reply lost mid-exchange is a retryable error; the next request reconnects.
  proxy.push(testing::FaultProxy::lose_reply());
  const auto lost = get(*client, health);
  BOOST_TEST(!lost.ok());
  BOOST_TEST(lost.status().retryable());
  BOOST_TEST(get(*client, health).ok());
  BOOST_TEST(proxy.connections() == 3);
}

BOOST_AUTO_TEST_CASE(transport_failures_are_retryable_and_bad_urls_are_config_errors) {
  // A port nobody listens on: bind one, then close it.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  BOOST_REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) == 0);
  close(fd);
  auto client = make_http_client();
  const auto refused = get(*client, "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  BOOST_TEST(refused.status().code() == StatusCode::kRemote);
  BOOST_TEST(refused.status().retryable());

  for (const char* url :
       {"ftp://example.com/", "http://:80/", "http://host:99999/", "http://user:pw@host/",
        "example.com", "http://host/a b", "http://host/x\r\nX-Injected: 1"}) {
    BOOST_TEST(get(*client, url).status().code() == StatusCode::kInvalidConfig, url);
  }
}

// A token with a line break (from a file saved with CRLF, or a server's reply) became an extra
// header of the request; it is refused before anything is sent, and the value is not quoted.
BOOST_AUTO_TEST_CASE(a_header_value_with_a_line_break_is_refused_unsent) {
  auto client = make_http_client();
  for (const std::string& value :
       {std::string("Bearer tok-4711\r\nX-Injected: 1"), std::string("Bearer tok-4711\n"),
        std::string("Bearer tok-4711\0x", 17)}) {
    HttpRequest request;
    request.url = "http://127.0.0.1:9/";
    request.headers = {{"Authorization", value}};
    const Result<HttpResponse> sent = client->send(request);
    BOOST_TEST(sent.status().code() == StatusCode::kInvalidConfig);
    BOOST_TEST(sent.status().message() ==
               "the value of HTTP header Authorization contains a line break or another control "
               "character");
  }
  HttpRequest bad_name;
  bad_name.url = "http://127.0.0.1:9/";
  bad_name.headers = {{"X-A\r\nB", "1"}};
  BOOST_TEST(client->send(bad_name).status().code() == StatusCode::kInvalidConfig);
}

}  // namespace
}  // namespace hades
