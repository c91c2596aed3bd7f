#include "serve_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace hades::testing {

ServeProcess::ServeProcess(const std::vector<std::string>& global_args,
                           const std::vector<std::string>& args, const std::string& cwd,
                           const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {hades_binary()};
  argv.insert(argv.end(), global_args.begin(), global_args.end());
  argv.insert(argv.end(), {"serve", "--listen", "127.0.0.1:0", "--port-file", dir_.file("port")});
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<Process>(argv, cwd, env);
  for (int i = 0; i < 800 && port_ == 0; ++i) {
    std::ifstream in(dir_.file("port"));
    int port = 0;
    if (in >> port) {
      port_ = static_cast<std::uint16_t>(port);
      break;
    }
    if (!process_->running()) {
      const ProcessResult r = process_->wait(5);
      BOOST_FAIL("hades serve exited " << r.exit_code << " before listening:\n" << r.err);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  BOOST_TEST_REQUIRE(port_ != 0, "hades serve wrote no port file within 20 s");
}

ServeProcess::~ServeProcess() {
  if (process_ && process_->running()) process_->send(SIGTERM);
}

ProcessResult ServeProcess::stop() {
  process_->send(SIGTERM);
  return process_->wait(20);
}

HttpResponse http_exchange(const std::string& method, const std::string& url,
                           const HttpHeaders& headers, const std::string& body) {
  static const std::unique_ptr<HttpClient> client = make_http_client();
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.headers = headers;
  request.body = body;
  request.timeout = std::chrono::milliseconds(20'000);
  const Result<HttpResponse> response = client->send(request);
  BOOST_TEST_REQUIRE(response.ok(), method << " " << url << ": " << response.status().to_string());
  return *response;
}

namespace {

// The Set-Cookie header for `name`, or "".
std::string set_cookie_header(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key.size() != 10) continue;
    std::string lower;
    for (const char c : key) lower.push_back(static_cast<char>(std::tolower(c)));
    if (lower == "set-cookie" && value.starts_with(name + "=")) return value;
  }
  return "";
}

}  // namespace

std::string set_cookie_value(const HttpResponse& response, const std::string& name) {
  const std::string header = set_cookie_header(response, name);
  if (header.empty()) return "";
  const std::size_t end = header.find(';');
  return header.substr(name.size() + 1, end == std::string::npos ? end : end - name.size() - 1);
}

std::string set_cookie_attributes(const HttpResponse& response, const std::string& name) {
  const std::string header = set_cookie_header(response, name);
  const std::size_t semi = header.find("; ");
  return semi == std::string::npos ? "" : header.substr(semi + 2);
}

RawConnection::RawConnection(std::uint16_t port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd_);
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
  }
}

RawConnection::~RawConnection() { close(fd_); }

bool RawConnection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::optional<std::string> RawConnection::read_until_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string received;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) return received;  // closed (or reset)
    received.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace hades::testing
