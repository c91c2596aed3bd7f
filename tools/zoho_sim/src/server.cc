#include "server.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "simulator.h"

namespace hades::zoho_sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr std::uint64_t kBodyLimit = 64u << 20;

SimRequest to_sim(const http::request<http::string_body>& in) {
  SimRequest out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = in.body();
  return out;
}

http::response<http::string_body> to_http(SimResponse& in, unsigned version, bool keep_alive) {
  http::response<http::string_body> out{static_cast<http::status>(in.status), version};
  out.set(http::field::server, "zoho_sim");
  for (const auto& [name, value] : in.headers) out.set(name, value);
  out.keep_alive(keep_alive);
  // 204 and 304 carry no body and no Content-Length.
  if (in.status != 204 && in.status != 304) {
    out.body() = std::move(in.body);
    out.prepare_payload();
  }
  return out;
}

}  // namespace

struct Server::Impl {
  Impl(Simulator& sim, ServerOptions opts) : simulator(sim), options(opts) {}

  asio::awaitable<void> session(tcp::socket socket);
  asio::awaitable<void> accept_loop();

  Simulator& simulator;
  ServerOptions options;
  asio::io_context io;
  // The acceptor is used by accept_loop and closed by stop(): both run on this strand.
  asio::strand<asio::io_context::executor_type> accept_strand{io.get_executor()};
  tcp::acceptor acceptor{accept_strand};
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
};

asio::awaitable<void> Server::Impl::session(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    stream.expires_after(kIdleTimeout);
    co_await http::async_read(stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    const auto received = std::chrono::steady_clock::now();
    const auto& request = parser.get();
    SimResponse reply = simulator.handle(to_sim(request));
    if (reply.reset) {
      // A reset, not an orderly close: linger 0 makes close() send RST.
      stream.socket().set_option(asio::socket_base::linger(true, 0), ec);
      stream.socket().close(ec);
      co_return;
    }
    // The delay counts from when the request was read, so processing time is part of it.
    asio::steady_timer timer(stream.get_executor());
    timer.expires_at(received + reply.delay);
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    auto response = to_http(reply, request.version(), request.keep_alive());
    stream.expires_after(kIdleTimeout);
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    reply.slot.release();
    if (ec || !response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(
        asio::make_strand(io), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!acceptor.is_open()) co_return;
      continue;
    }
    const auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), asio::detached);
  }
}

Server::Server(Simulator& simulator, ServerOptions options)
    : impl_(std::make_unique<Impl>(simulator, options)) {}

Server::~Server() { stop(); }

void Server::start() {
  Impl& impl = *impl_;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), impl.options.port);
  beast::error_code ec;
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(impl.options.port) +
                             ": " + ec.message());
  }
  impl.port = impl.acceptor.local_endpoint().port();
  impl.simulator.set_api_domain("http://127.0.0.1:" + std::to_string(impl.port));
  asio::co_spawn(impl.accept_strand, impl.accept_loop(), asio::detached);
  for (int i = 0; i < std::max(1, impl.options.threads); ++i) {
    impl.threads.emplace_back([&impl] { impl.io.run(); });
  }
}

void Server::stop() {
  Impl& impl = *impl_;
  if (impl.threads.empty()) return;
  asio::post(impl.accept_strand, [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
  });
  impl.io.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();
}

std::uint16_t Server::port() const { return impl_->port; }

}  // namespace hades::zoho_sim
