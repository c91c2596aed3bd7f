// web_host.h: what `hades serve` puts between the HTTP server and the pages.
//
// The HTTP server (net/http_server.h) reads bounded requests; WebHost decides what each one may
// do and who answers it, in this order (docs/serve.md, "Security"):
//   1. the target must be an absolute path without "..", NUL or a fragment (else 400);
//   2. exactly one Host header naming this server: the listen address with its port, the
//      loopback names when listening on loopback, or a --server-name (else 421: a DNS-rebinding
//      page cannot reach the server through a name of its own);
//   3. GET, HEAD or POST (else 405);
//   4. with a login (--auth-token-file), a valid session cookie; without one, reads of pages
//      redirect to /login and other requests get 401;
//   5. POST (every state change, /login and /logout included) needs an Origin header naming
//      this server and, except for /login, an X-CSRF-Token header equal to the session's token
//      (else 403); /login checks a token of its own form instead (double submit);
//   6. the route: the host's own (/login, /logout, /_hades/session, /_hades/hades.css) or a
//      page's, below its mount; 404 or 405 otherwise.
// Every reply carries the security headers (a Content-Security-Policy without inline script or
// style, nosniff, frame denial, no referrer, no-store). A handler's exception becomes a 500 whose
// text goes to the log only.
//
// Sessions: a successful login sets `hades_session` (HttpOnly, SameSite=Strict, Path=/) to a
// random 256-bit id; the session keeps the login name (recorded as the user of every request)
// and its own CSRF token, and ends after 12 hours or at /logout. Without a login the user is the
// name of the account that started the server and the CSRF token is one random value per
// process. Failed logins: after 5 within a minute, /login answers 429 until the minute is over.
//
// Thread safety: mount() and pages' route registration before serving; handle() from ONE
// thread (the HTTP server's handler thread); set_port() from any thread.

#ifndef HADES_FRAMEWORK_WEB_HOST_H_
#define HADES_FRAMEWORK_WEB_HOST_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hades/context.h"
#include "hades/page.h"
#include "net/http_server.h"

namespace hades {

struct WebHostOptions {
  std::string listen_address = "127.0.0.1";  // an IP literal, as --listen gave it
  std::vector<std::string> server_names;     // --server-name: more names the Host may carry
  std::optional<std::string> auth_token;     // a login is required when set
  std::string local_user;                    // the user of requests when there is no login
  std::chrono::seconds session_lifetime{12 * 3600};
  // The clock sessions and the login throttle use; tests move it.
  std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
};

class WebHost {
 public:
  // REQUIRES: `log` outlives the host.
  WebHost(WebHostOptions options, Logger& log);
  ~WebHost();
  WebHost(const WebHost&) = delete;
  WebHost& operator=(const WebHost&) = delete;

  // The routes of a page served at `mount` ("/calibration/"), for its start(). The reference
  // stays valid as long as the host. "/" redirects to the first mount.
  PageRoutes& mount(const std::string& mount, const std::string& title);

  // The port the server listens on: part of the Host values accepted. Until it is set, every
  // request gets 421.
  void set_port(std::uint16_t port) { port_.store(port); }

  // The URL people open: http://<listen address>:<port><first mount>.
  std::string url() const;

  net::ServerResponse handle(const net::ServerRequest& request);

 private:
  class Routes;
  struct Session {
    std::string user;
    std::string csrf;
    std::chrono::steady_clock::time_point expires;
  };
  struct Call;  // one request on its way through the checks

  net::ServerResponse checked(const net::ServerRequest& request);
  bool host_allowed(const std::string& host) const;
  bool origin_allowed(const Call& call) const;
  const Session* session_of(const Call& call);
  net::ServerResponse dispatch(Call& call);
  net::ServerResponse login_form(const Call& call, const std::string& message, int status);
  net::ServerResponse login(Call& call);
  net::ServerResponse logout(Call& call);
  net::ServerResponse session_info(const Call& call);
  net::ServerResponse page_route(Call& call);

  WebHostOptions options_;
  Logger& log_;
  std::atomic<std::uint16_t> port_{0};
  std::vector<std::unique_ptr<Routes>> mounts_;
  std::map<std::string, Session> sessions_;
  std::string local_csrf_;
  std::vector<std::chrono::steady_clock::time_point> failed_logins_;
};

// `bytes` random bytes as lower-case hex, from the kernel's generator (getrandom).
std::string random_hex(std::size_t bytes);

// Constant-time comparison, for secrets.
bool secrets_equal(std::string_view a, std::string_view b);

}  // namespace hades

#endif  // HADES_FRAMEWORK_WEB_HOST_H_
