// sqld.h: a real libSQL server (sqld) for tests, started and stopped by a test.
//
// SqldServer runs the pinned binary tools/sqld/install.sh put in .deps/sqld/bin/sqld (or
// $HADES_SQLD) on 127.0.0.1 with a port the OS picks, a private database directory, and JWT auth
// checked against an Ed25519 key made for this server alone; it mints read-write and read-only
// tokens with that key. The port is read from /proc once sqld listens (it is started on port 0,
// so two tests never race for one), then GET /health must answer 200.
//
// Thread safety: construct and destroy on one thread; the accessors are const.

#ifndef HADES_TESTS_SUPPORT_SQLD_H_
#define HADES_TESTS_SUPPORT_SQLD_H_

#include <memory>
#include <string>

#include "hades/database.h"
#include "process.h"
#include "test_support.h"

namespace hades::testing {

// The sqld binary: $HADES_SQLD, else <source>/.deps/sqld/bin/sqld.
std::string sqld_binary();

class SqldServer {
 public:
  // Starts sqld and waits (up to 30 s) until it answers. Throws std::runtime_error, with sqld's
  // output, when it does not; and when the binary is missing, naming tools/sqld/install.sh.
  SqldServer();
  // SIGTERM, then SIGKILL if sqld has not stopped within 10 s.
  ~SqldServer();
  SqldServer(const SqldServer&) = delete;
  SqldServer& operator=(const SqldServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& rw_token() const { return rw_token_; }
  const std::string& ro_token() const { return ro_token_; }
  // A JWT with claims `claims_json` (e.g. {"a":"rw","exp":1}) signed with this server's key.
  std::string mint_token(const std::string& claims_json) const;
  // The Hrana backend on this server with `token` (the read-write one when empty).
  std::unique_ptr<Database> open(const std::string& token = "") const;
  // The Hrana backend at `url` (a proxy in front of this server) with the read-write token.
  std::unique_ptr<Database> open_at(const std::string& url) const;
  // sqld's output so far, for failure messages.
  std::string log() const;

 private:
  struct Key;
  TempDir dir_;
  std::shared_ptr<Key> key_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
  std::string rw_token_;
  std::string ro_token_;
};

}  // namespace hades::testing

#endif  // HADES_TESTS_SUPPORT_SQLD_H_
