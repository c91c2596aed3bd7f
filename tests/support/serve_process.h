// serve_process.h: `hades serve` as a process for tests, and raw sockets to poke it with.
//
// ServeProcess starts the real binary on a free loopback port (--listen 127.0.0.1:0 and a
// --port-file it waits for) and stops it with SIGTERM. RawConnection speaks bytes, not HTTP, so
// tests can send what no well-behaved client sends: half a request, a trickle, too many headers.
//
// Thread safety: none; one test thread uses each object.

#ifndef HADES_TESTS_SUPPORT_SERVE_PROCESS_H_
#define HADES_TESTS_SUPPORT_SERVE_PROCESS_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hades/http.h"
#include "process.h"
#include "test_support.h"

namespace hades::testing {

class ServeProcess {
 public:
  // Runs `hades [global_args] serve --listen 127.0.0.1:0 --port-file F [args]` in `cwd` with
  // `env` and waits (up to 20 s) until it listens. Fails the test (BOOST_REQUIRE) if it exits
  // first, with its stderr.
  ServeProcess(const std::vector<std::string>& global_args, const std::vector<std::string>& args,
               const std::string& cwd, const std::map<std::string, std::string>& env = {});
  ~ServeProcess();

  std::uint16_t port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path) const { return "http://" + host() + path; }

  // SIGTERM, then waits for the exit.
  ProcessResult stop();

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  std::uint16_t port_ = 0;
};

// One HTTP exchange with the defaults browsers send for this server: Host, plus the given
// headers. Fails the test on a transport error.
HttpResponse http_exchange(const std::string& method, const std::string& url,
                           const HttpHeaders& headers = {}, const std::string& body = "");

// The value of cookie `name` in the response's Set-Cookie headers ("" when absent), and the
// attributes after it ("Path=/; HttpOnly; SameSite=Strict").
std::string set_cookie_value(const HttpResponse& response, const std::string& name);
std::string set_cookie_attributes(const HttpResponse& response, const std::string& name);

// A TCP connection to 127.0.0.1:port that sends and reads raw bytes.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all of `bytes`; false when the peer has closed.
  bool send(const std::string& bytes);
  // Reads until the peer closes or `timeout` passes. nullopt: still open at the timeout
  // (what was read so far is lost); otherwise everything received before the close.
  std::optional<std::string> read_until_closed(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace hades::testing

#endif  // HADES_TESTS_SUPPORT_SERVE_PROCESS_H_
