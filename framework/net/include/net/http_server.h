// net/http_server.h: a small HTTP/1.1 server, in standard types only.
//
// The transport under `hades serve`: it accepts connections, reads each request completely
// within bounds (header bytes, header count, body bytes, and one deadline for the whole read),
// hands it to ONE handler function, and writes the reply within a deadline. It knows nothing of
// routes, logins or pages (framework/src/web_host.h does). Boost.Beast stays inside
// http_server.cc, the only translation unit that compiles it.
//
// Why a slow client cannot hold the server: connections are served by asynchronous I/O on
// `io_threads` threads, so a client that trickles its request bytes (or never reads its reply)
// costs a socket and a timer, not a thread; it is dropped when its deadline passes. The handler
// runs on a separate single thread, and only once a request has been read completely, so
// handler calls never overlap (the contract hades/page.h gives pages). At most `max_connections`
// connections are open at once; more are closed as soon as they are accepted.
//
// Replies the server writes itself, without calling the handler: 400 (malformed request), 413
// (body over the limit), 431 (header over the byte or field limit); each closes the connection.
// A request not read completely before its deadline is dropped without a reply.
//
// Thread safety: start() and stop() from one thread. The handler is called from the server's
// handler thread only.

#ifndef HADES_NET_HTTP_SERVER_H_
#define HADES_NET_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "hades/status.h"

namespace hades::net {

struct ServerRequest {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // the request target as sent: "/calibration/api/report?x=1"
  std::vector<std::pair<std::string, std::string>> headers;  // in order, names as sent
  std::string body;
  std::string peer;  // the client's address, "127.0.0.1"

  // The first header called `name` (case-insensitive), or "" when absent.
  std::string header(std::string_view name) const;
  // How many headers called `name` (case-insensitive) the request carries.
  std::size_t header_count(std::string_view name) const;
};

struct ServerResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // close the connection after this reply
};

using RequestHandler = std::function<ServerResponse(const ServerRequest&)>;

struct ServerOptions {
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 address literal
  std::uint16_t port = 8080;          // 0: a free port chosen by the system
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_header_count = 64;
  std::size_t max_body_bytes = 64 * 1024;
  // From the first byte awaited to the last byte of the body. Also how long an idle keep-alive
  // connection stays open.
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 256;
  int io_threads = 2;
};

class HttpServer {
 public:
  // Binds and listens on options.address:port and starts serving with `handler`. Fails with
  // kInvalidConfig when the address is not an IP literal or cannot be bound (in use, not on
  // this machine), naming it.
  static Result<std::unique_ptr<HttpServer>> start(ServerOptions options, RequestHandler handler);

  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port listened on (the one chosen when options.port was 0).
  std::uint16_t port() const;
  // Stops accepting, drops open connections, waits for a running handler call to return and
  // joins every thread. Idempotent.
  void stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when `address` is an IP literal in the loopback range (127.0.0.0/8 or ::1).
bool is_loopback_address(const std::string& address);

}  // namespace hades::net

#endif  // HADES_NET_HTTP_SERVER_H_
