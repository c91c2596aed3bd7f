#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hades::testing {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int connect_loopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in addr = loopback(port);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::size_t content_length(std::string_view head) {
  std::string lower(head);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  return std::stoul(lower.substr(at + 17, lower.find("\r\n", at + 2) - at - 17));
}

// Reads one HTTP message (head and Content-Length body) into `message`; bytes past it stay in
// `buffer` for the next call. False on EOF or error.
bool read_message(int fd, std::string& buffer, std::string& message) {
  char chunk[16384];
  std::size_t total = 0;
  while (true) {
    const auto head_end = buffer.find("\r\n\r\n");
    if (head_end != std::string::npos && total == 0) {
      total = head_end + 4 + content_length(std::string_view(buffer).substr(0, head_end + 2));
    }
    if (total != 0 && buffer.size() >= total) break;
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  message = buffer.substr(0, total);
  buffer.erase(0, total);
  return true;
}

std::string reason(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 429:
      return "Too Many Requests";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = loopback(0);  // port 0: the OS picks a free one
  socklen_t size = sizeof addr;
  if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener_, 64) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
    throw std::runtime_error(std::string("fault proxy cannot listen: ") + std::strerror(errno));
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  stop_cv_.notify_all();
  acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);  // wakes workers blocked in recv
  }
  for (std::thread& worker : workers_) worker.join();
  close(listener_);
}

void FaultProxy::push(Action action) {
  std::lock_guard<std::mutex> lock(mutex_);
  actions_.push_back(std::move(action));
}

FaultProxy::Action FaultProxy::next_action() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (actions_.empty()) return Action{};
  Action action = std::move(actions_.front());
  actions_.pop_front();
  return action;
}

void FaultProxy::track(int fd, bool open) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (open) {
    open_fds_.insert(fd);
  } else {
    open_fds_.erase(fd);
  }
}

void FaultProxy::accept_loop() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    track(client, true);
    ++connections_;
    workers_.emplace_back([this, client] { serve(client); });
  }
}

void FaultProxy::serve(int client) {
  std::string buffer;
  std::string request;
  while (!stopping_ && read_message(client, buffer, request) && handle(client, request)) {
  }
  track(client, false);
  close(client);
}

// Returns whether the client connection stays usable.
bool FaultProxy::handle(int client, const std::string& request) {
  ++requests_;
  const Action action = next_action();
  if (action.fault == Fault::kRespond) {
    const bool json = !action.body.empty() && action.body.front() == '{';
    return send_all(client, "HTTP/1.1 " + std::to_string(action.status) + " " +
                                reason(action.status) +
                                "\r\nContent-Type: " + (json ? "application/json" : "text/plain") +
                                "\r\nContent-Length: " + std::to_string(action.body.size()) +
                                "\r\n\r\n" + action.body);
  }
  const int upstream = connect_loopback(upstream_port_);
  std::string upstream_buffer;
  std::string reply;
  const bool got = upstream >= 0 && send_all(upstream, request) &&
                   read_message(upstream, upstream_buffer, reply);
  if (upstream >= 0) close(upstream);
  if (!got) return false;
  ++forwarded_;
  upstream_reply_bytes_ += static_cast<std::int64_t>(reply.size());
  if (action.fault == Fault::kLoseReply) return false;
  if (action.fault == Fault::kDelayReply) {
    std::unique_lock<std::mutex> lock(mutex_);
    stop_cv_.wait_for(lock, action.delay, [this] { return stopping_.load(); });
  }
  return send_all(client, reply) && action.fault != Fault::kCloseAfterReply;
}

}  // namespace hades::testing
