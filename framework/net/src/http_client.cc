// The Beast/OpenSSL HttpClient behind make_http_client() (see hades/http.h).
//
// Every operation is asynchronous and driven by io_context::run_until(deadline), which is how a
// blocking call gets a timeout without a second thread: when the deadline passes, the connection
// is closed, the pending handler completes with operation_aborted, and the call reports a timeout.

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "hades/http.h"

namespace hades {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct ParsedUrl {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  std::string port;
  std::string target;  // path and query, at least "/"
  std::string key() const { return (tls ? "https://" : "http://") + host + ":" + port; }
  std::string host_header() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    const std::string name = ipv6 ? "[" + host + "]" : host;
    const bool default_port = port == (tls ? "443" : "80");
    return default_port ? name : name + ":" + port;
  }
};

// True when `text` holds a byte that would end or split a request line or header: CR, LF, NUL or
// another control character (tab aside, which HTTP allows in header values).
bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return (b < 0x20 && b != '\t') || b == 0x7f;
  });
}

// A header name must be an HTTP token; a value must not smuggle in another header or request.
// The value is never quoted: it may be a credential.
Status check_headers(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
             std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
    if (!token) return Status::invalid_config("HTTP header name '" + name + "' is malformed");
    if (has_control(value)) {
      return Status::invalid_config("the value of HTTP header " + name +
                                    " contains a line break or another control character");
    }
  }
  return Status::ok_status();
}

Result<ParsedUrl> parse_url(std::string_view url) {
  if (has_control(url) || url.find(' ') != std::string_view::npos) {
    return Status::invalid_config(
        "URL contains a space, a line break or another control "
        "character");
  }
  ParsedUrl out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return Status::invalid_config("URL '" + std::string(url) + "' is not http:// or https://");
  }
  const auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) {
    return Status::invalid_config("URL must not carry credentials: use a header");
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return Status::invalid_config("bad IPv6 host in URL");
    out.host = std::string(authority.substr(1, close - 1));
    if (authority.size() > close + 1 && authority[close + 1] == ':') {
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return Status::invalid_config("URL '" + std::string(url) + "' has no host");
  int number = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (!port.empty() &&
      (ec != std::errc() || end != port.data() + port.size() || number <= 0 || number > 65535)) {
    return Status::invalid_config("URL '" + std::string(url) + "' has a bad port");
  }
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  return out;
}

// One open connection, plain or TLS, with the bytes read past the last reply.
struct Connection {
  std::string key;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

bool is_verify_failure(const beast::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

class BeastHttpClient final : public HttpClient {
 public:
  explicit BeastHttpClient(HttpClientOptions options)
      : options_(std::move(options)), resolver_(ioc_) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    auto url = parse_url(request.url);
    if (!url.ok()) return url.status();
    HADES_RETURN_IF_ERROR(check_headers(request.headers));
    if (url->tls) HADES_RETURN_IF_ERROR(prepare_tls());
    const auto deadline = Clock::now() + request.timeout;
    const bool reused = conn_ && conn_->key == url->key() && still_open(*conn_);
    if (!reused) {
      conn_.reset();
      const Status connected = connect(*url, deadline);
      if (!connected.ok()) {
        conn_.reset();
        return connected;
      }
    }
    Result<HttpResponse> result = exchange(*url, request, deadline);
    if (!result.ok()) conn_.reset();  // never reuse a connection in an unknown state
    return result;
  }

 private:
  // An idle kept-alive connection must have nothing to read: readable means the server closed
  // it (EOF, or a TLS close_notify), and sending on it would fail or be lost.
  static bool still_open(Connection& conn) {
    if (conn.buffer.size() != 0) return false;
    pollfd p{conn.tcp().socket().native_handle(), POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
  }

  // Runs the io_context until `done` or `deadline`; on the deadline, closes the connection (and
  // cancels a resolve) so the pending handler completes, and reports a timeout.
  beast::error_code run_until(Clock::time_point deadline, const bool& done,
                              const beast::error_code& result) {
    ioc_.restart();
    ioc_.run_until(deadline);
    if (done) return result;
    resolver_.cancel();
    if (conn_) conn_->tcp().close();
    ioc_.restart();
    ioc_.run();
    return asio::error::timed_out;
  }

  Status transport_error(std::string_view what, const ParsedUrl& url, const beast::error_code& ec,
                         std::chrono::milliseconds timeout) const {
    std::string message = std::string(what) + " " + url.key() + ": ";
    if (ec == asio::error::timed_out) {
      message += "timed out after " + std::to_string(timeout.count()) + " ms";
    } else {
      message += ec.message();
    }
    return Status::remote(message, /*retryable=*/true);
  }

  // The TLS context, made at the first https request: loading the system's CA bundle takes tens
  // of milliseconds that a plain-HTTP client should not pay at start.
  Status prepare_tls() {
    if (ssl_) return Status::ok_status();
    ssl::context context(ssl::context::tls_client);
    context.set_default_verify_paths();
    context.set_verify_mode(options_.verify_tls ? ssl::verify_peer : ssl::verify_none);
    if (!options_.ca_file.empty()) {
      beast::error_code ec;
      context.load_verify_file(options_.ca_file, ec);
      if (ec) {
        return Status::invalid_config("cannot load CA file " + options_.ca_file + ": " +
                                      ec.message());
      }
    }
    ssl_.emplace(std::move(context));
    return Status::ok_status();
  }

  Status connect(const ParsedUrl& url, Clock::time_point request_deadline) {
    const auto deadline = std::min(request_deadline, Clock::now() + options_.connect_timeout);
    const auto budget =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    conn_.emplace();
    conn_->key = url.key();
    if (url.tls) {
      conn_->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, *ssl_);
    } else {
      conn_->plain = std::make_unique<beast::tcp_stream>(ioc_);
    }
    bool done = false;
    beast::error_code result;
    tcp::resolver::results_type endpoints;
    resolver_.async_resolve(url.host, url.port, [&](beast::error_code ec, auto found) {
      result = ec;
      endpoints = std::move(found);
      done = true;
    });
    beast::error_code ec = run_until(deadline, done, result);
    if (ec) return transport_error("cannot resolve", url, ec, budget);

    done = false;
    conn_->tcp().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      result = e;
      done = true;
    });
    ec = run_until(deadline, done, result);
    if (ec) return transport_error("cannot connect to", url, ec, budget);
    conn_->tcp().socket().set_option(tcp::no_delay(true));
    if (!url.tls) return Status::ok_status();
    return handshake(url, deadline, budget);
  }

  Status handshake(const ParsedUrl& url, Clock::time_point deadline,
                   std::chrono::milliseconds budget) {
    auto& stream = *conn_->secure;
    // SNI, so a server hosting many names presents the right certificate.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
      return Status::remote("cannot set TLS server name " + url.host, /*retryable=*/false);
    }
    if (options_.verify_tls) stream.set_verify_callback(ssl::host_name_verification(url.host));
    bool done = false;
    beast::error_code result;
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
      result = e;
      done = true;
    });
    const beast::error_code ec = run_until(deadline, done, result);
    if (!ec) return Status::ok_status();
    if (is_verify_failure(ec)) {
      const long verdict = SSL_get_verify_result(stream.native_handle());
      return Status::remote("TLS certificate of " + url.key() +
                                " failed verification: " + X509_verify_cert_error_string(verdict),
                            /*retryable=*/false);
    }
    return transport_error("TLS handshake with", url, ec, budget);
  }

  template <typename Stream>
  beast::error_code write_and_read(Stream& stream, http::request<http::string_body>& req,
                                   http::response_parser<http::string_body>& parser,
                                   Clock::time_point deadline) {
    bool done = false;
    beast::error_code result;
    http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
      result = e;
      done = true;
    });
    beast::error_code ec = run_until(deadline, done, result);
    if (ec) return ec;
    done = false;
    http::async_read(stream, conn_->buffer, parser, [&](beast::error_code e, std::size_t) {
      result = e;
      done = true;
    });
    return run_until(deadline, done, result);
  }

  Result<HttpResponse> exchange(const ParsedUrl& url, const HttpRequest& request,
                                Clock::time_point deadline) {
    http::request<http::string_body> req;
    const auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
      return Status::invalid_config("unknown HTTP method '" + request.method + "'");
    }
    req.method(verb);
    req.target(url.target);
    req.version(11);
    req.set(http::field::host, url.host_header());
    req.set(http::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : request.headers) req.set(name, value);
    req.body() = request.body;
    req.prepare_payload();

    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    const beast::error_code ec = conn_->secure
                                     ? write_and_read(*conn_->secure, req, parser, deadline)
                                     : write_and_read(*conn_->plain, req, parser, deadline);
    if (ec == http::error::body_limit) {
      return Status::remote("reply from " + url.key() + " is larger than " +
                                std::to_string(options_.max_response_bytes) + " bytes",
                            /*retryable=*/false);
    }
    if (ec) return transport_error("exchange with", url, ec, request.timeout);

    auto& message = parser.get();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    if (!message.keep_alive()) conn_.reset();
    return response;
  }

  HttpClientOptions options_;
  asio::io_context ioc_;
  std::optional<ssl::context> ssl_;  // made by prepare_tls()
  tcp::resolver resolver_;
  std::optional<Connection> conn_;
};

}  // namespace

std::unique_ptr<HttpClient> make_http_client(HttpClientOptions options) {
  return std::make_unique<BeastHttpClient>(std::move(options));
}

}  // namespace hades
