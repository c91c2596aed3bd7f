// fault_proxy.h: a small HTTP/1.1 proxy on 127.0.0.1 that injects faults in front of a server.
//
// Tests queue one Action per coming request; a request that finds the queue empty passes
// through untouched. The faults are those the Turso backend must survive: a reply lost after the
// server acted on the request, an error status before forwarding (429, 503, an expired stream),
// and a reply held back past the client's timeout. Plain POSIX sockets: requests and replies
// must carry Content-Length (sqld's do), which keeps the proxy small enough to trust.
//
// Thread safety: push() and the counters may be called from any thread.

#ifndef HADES_TESTS_SUPPORT_FAULT_PROXY_H_
#define HADES_TESTS_SUPPORT_FAULT_PROXY_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace hades::testing {

class FaultProxy {
 public:
  enum class Fault {
    kPass,             // forward, return the reply
    kLoseReply,        // forward, read the reply, then close the connection without sending it
    kRespond,          // do not forward; answer `status` with `body`
    kDelayReply,       // forward, hold the reply `delay`, then send it (if anyone still listens)
    kCloseAfterReply,  // forward, send the reply, then close (a server ending keep-alive)
  };
  struct Action {
    Fault fault = Fault::kPass;
    int status = 0;
    std::string body;
    std::chrono::milliseconds delay{0};
  };
  static Action lose_reply() { return {Fault::kLoseReply, 0, "", {}}; }
  static Action respond(int status, std::string body = "") {
    return {Fault::kRespond, status, std::move(body), {}};
  }
  static Action delay_reply(std::chrono::milliseconds delay) {
    return {Fault::kDelayReply, 0, "", delay};
  }
  static Action close_after_reply() { return {Fault::kCloseAfterReply, 0, "", {}}; }
  // sqld's answer to a request on a stream that expired.
  static Action stream_expired() {
    return respond(
        400, R"({"message":"The stream has expired due to inactivity","code":"STREAM_EXPIRED"})");
  }

  // Listens on a free port of 127.0.0.1 and forwards to 127.0.0.1:`upstream_port`.
  // Throws std::runtime_error when it cannot listen.
  explicit FaultProxy(int upstream_port);
  // Stops accepting, cuts every open connection and joins every thread.
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void push(Action action);
  int requests() const { return requests_; }        // requests received
  int forwarded() const { return forwarded_; }      // of which sent on to the upstream
  int connections() const { return connections_; }  // client connections accepted
  // Bytes of the upstream's replies (headers included): how much a client pulled over HTTP.
  std::int64_t upstream_reply_bytes() const { return upstream_reply_bytes_; }

 private:
  void accept_loop();
  void serve(int client);
  bool handle(int client, const std::string& request);
  Action next_action();
  void track(int fd, bool open);

  int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> forwarded_{0};
  std::atomic<int> connections_{0};
  std::atomic<std::int64_t> upstream_reply_bytes_{0};
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  std::deque<Action> actions_;
  std::set<int> open_fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace hades::testing

#endif  // HADES_TESTS_SUPPORT_FAULT_PROXY_H_
