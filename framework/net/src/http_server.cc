#include "net/http_server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace hades::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

ServerResponse plain_reply(int status, std::string text) {
  return ServerResponse{
      status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::move(text) + "\n", true};
}

// A parse error of the request itself (as opposed to the connection ending or timing out).
bool is_malformed(const beast::error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

ServerRequest to_server_request(const http::request<http::string_body>& in, std::string peer) {
  ServerRequest out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = in.body();
  out.peer = std::move(peer);
  return out;
}

http::response<http::string_body> to_http(ServerResponse& in, unsigned version, bool keep_alive,
                                          bool head) {
  http::response<http::string_body> out{static_cast<http::status>(in.status), version};
  for (const auto& [name, value] : in.headers) out.insert(name, value);  // Set-Cookie repeats
  out.keep_alive(keep_alive && !in.close);
  if (head) {
    // The length of the body a GET would get, without the body.
    out.set(http::field::content_length, std::to_string(in.body.size()));
  } else if (in.status != 204 && in.status != 304) {
    out.body() = std::move(in.body);
    out.prepare_payload();
  }
  return out;
}

// Counts a connection while it lives.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::atomic<std::size_t>& count) : count_(count) { ++count_; }
  ~ConnectionSlot() { --count_; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::atomic<std::size_t>& count_;
};

}  // namespace

std::string ServerRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (same_name(key, name)) return value;
  }
  return "";
}

std::size_t ServerRequest::header_count(std::string_view name) const {
  return static_cast<std::size_t>(std::count_if(
      headers.begin(), headers.end(), [&](const auto& h) { return same_name(h.first, name); }));
}

bool is_loopback_address(const std::string& address) {
  beast::error_code ec;
  const asio::ip::address parsed = asio::ip::make_address(address, ec);
  return !ec && parsed.is_loopback();
}

struct HttpServer::Impl {
  Impl(ServerOptions opts, RequestHandler h) : options(std::move(opts)), handler(std::move(h)) {}

  asio::awaitable<void> session(tcp::socket socket);
  asio::awaitable<void> accept_loop();
  // Reads one request; nullopt when the connection is to end without a reply.
  asio::awaitable<std::optional<ServerRequest>> read_request(beast::tcp_stream& stream,
                                                             beast::flat_buffer& buffer,
                                                             ServerResponse* refusal,
                                                             bool* keep_alive, bool* head,
                                                             unsigned* version);
  ServerResponse call_handler(const ServerRequest& request);

  ServerOptions options;
  RequestHandler handler;
  asio::io_context io;
  // One thread: handler calls never overlap (hades/page.h promises it to pages).
  asio::thread_pool handler_pool{1};
  asio::strand<asio::io_context::executor_type> accept_strand{io.get_executor()};
  tcp::acceptor acceptor{accept_strand};
  std::vector<std::thread> threads;
  std::atomic<std::size_t> connections{0};
  std::uint16_t port = 0;
  bool stopped = false;
};

ServerResponse HttpServer::Impl::call_handler(const ServerRequest& request) {
  try {
    return handler(request);
  } catch (...) {
    // The handler (web_host) logs and converts its own errors; this is the last line.
    return plain_reply(500, "internal error");
  }
}

asio::awaitable<std::optional<ServerRequest>> HttpServer::Impl::read_request(
    beast::tcp_stream& stream, beast::flat_buffer& buffer, ServerResponse* refusal,
    bool* keep_alive, bool* head, unsigned* version) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
  // One deadline for the whole request: a client that trickles bytes gains nothing.
  stream.expires_after(options.request_timeout);
  beast::error_code ec;
  co_await http::async_read_header(stream, buffer, parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    const auto& header = parser.get();
    *version = header.version();
    if (static_cast<std::size_t>(std::distance(header.begin(), header.end())) >
        options.max_header_count) {
      *refusal = plain_reply(431, "too many header fields");
      co_return std::nullopt;
    }
    if (!parser.is_done()) {
      co_await http::async_read(stream, buffer, parser,
                                asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  if (ec == http::error::header_limit) {
    *refusal = plain_reply(431, "request header too large");
  } else if (ec == http::error::body_limit) {
    *refusal = plain_reply(413, "request body too large");
  } else if (ec && is_malformed(ec)) {
    *refusal = plain_reply(400, "malformed request");
  }
  if (ec) co_return std::nullopt;
  const auto& request = parser.get();
  *keep_alive = request.keep_alive();
  *head = request.method() == http::verb::head;
  beast::error_code peer_ec;
  const auto remote = stream.socket().remote_endpoint(peer_ec);
  co_return to_server_request(request, peer_ec ? "" : remote.address().to_string());
}

asio::awaitable<void> HttpServer::Impl::session(tcp::socket socket) {
  const ConnectionSlot slot(connections);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    ServerResponse reply;
    reply.status = 0;
    bool keep_alive = false;
    bool head = false;
    unsigned version = 11;
    std::optional<ServerRequest> request =
        co_await read_request(stream, buffer, &reply, &keep_alive, &head, &version);
    if (request) {
      // Run the handler on the handler thread; resume here when it returned.
      reply = co_await asio::co_spawn(
          handler_pool,
          [this, &request]() -> asio::awaitable<ServerResponse> {
            co_return call_handler(*request);
          },
          asio::use_awaitable);
    } else if (reply.status == 0) {
      break;  // closed, timed out or reset: nobody to answer
    }
    auto response = to_http(reply, version, request.has_value() && keep_alive, head);
    stream.expires_after(options.write_timeout);
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> HttpServer::Impl::accept_loop() {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(
        asio::make_strand(io), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acceptor.is_open()) co_return;
      continue;
    }
    if (connections.load() >= options.max_connections) {
      socket.close(ec);  // over the limit: refuse by closing at once
      continue;
    }
    const auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

Result<std::unique_ptr<HttpServer>> HttpServer::start(ServerOptions options,
                                                      RequestHandler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  const std::string where = impl->options.address + ":" + std::to_string(impl->options.port);
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(impl->options.address, ec);
  if (ec) {
    return Status::invalid_config("cannot listen on " + where + ": '" + impl->options.address +
                                  "' is not an IP address");
  }
  const tcp::endpoint endpoint(address, impl->options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::invalid_config("cannot listen on " + where + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  Impl& ref = *impl;
  asio::co_spawn(ref.accept_strand, ref.accept_loop(), asio::detached);
  for (int i = 0; i < std::max(1, ref.options.io_threads); ++i) {
    ref.threads.emplace_back([&ref] { ref.io.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::stop() {
  Impl& impl = *impl_;
  if (impl.stopped) return;
  impl.stopped = true;
  asio::post(impl.accept_strand, [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
  });
  impl.io.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
  impl.handler_pool.join();
}

}  // namespace hades::net
