// server.h: the HTTP/1.1 front of the simulator (Boost.Beast, kept out of this header so only
// server.cc pays for compiling it).
//
// Binds 127.0.0.1 only. Each connection is a coroutine on a pool of threads; waits for latency
// and slow replies are asynchronous timers, so N slow requests really are N concurrent
// requests (which is what the concurrency limit counts). Keep-alive is honoured.
//
// Thread safety: start() and stop() from one thread; the simulator must outlive the server.

#ifndef HADES_TOOLS_ZOHO_SIM_SERVER_H_
#define HADES_TOOLS_ZOHO_SIM_SERVER_H_

#include <cstdint>
#include <memory>

namespace hades::zoho_sim {

class Simulator;

struct ServerOptions {
  std::uint16_t port = 0;  // 0: any free port
  int threads = 4;
};

class Server {
 public:
  // REQUIRES: `simulator` outlives the server.
  Server(Simulator& simulator, ServerOptions options);
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts serving; tells the simulator its api_domain.
  // Throws std::runtime_error when the port cannot be bound.
  void start();
  // Stops accepting, drops open connections and joins the threads. Idempotent.
  void stop();
  // The port being listened on; valid after start().
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_SERVER_H_
