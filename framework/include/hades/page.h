// hades/page.h: pages, the plugin kind that `hades serve` hosts (plugin API 1.2).
//
// A page is a small web application inside a plugin library: JSON endpoints and the static
// HTML, CSS and JavaScript that use them, compiled into the library. The host (`hades serve`,
// docs/serve.md) owns everything HTTP: the listening socket, limits and timeouts, the login,
// the Host, Origin and CSRF checks and the security headers. The page only registers routes
// and answers requests that already passed those checks; it never sees a socket.
//
// Call order: the factory builds the Page from its settings (no I/O there, as for every kind);
// the host then calls start() once with a PageContext and a PageRoutes, and from then on calls
// the handlers start() registered, until the server stops. The page is destroyed after the last
// handler call returned and before its library is unloaded.
//
// Mounting: a page named `calibration_page` is served under `/calibration/`: request paths are
// handed to handlers relative to that prefix ("/api/report"), and "/" is the page itself. Use
// relative URLs in the HTML and JavaScript ("api/report", "app.js"), so the mount can change.
//
// Thread safety: the host calls start() before it serves, then every handler of every page from
// ONE thread (the server's handler thread), one call at a time. A handler may therefore use the
// PageContext's Database (which is used from one thread at a time) without locks, but must
// return promptly: while it runs, no other request is answered. A slow client never holds that
// thread: the host reads a request completely before calling the handler and writes the reply after
// it returned.
//
// Errors: a handler returns an error reply (4xx, 5xx) as a normal WebResponse. An exception
// that escapes a handler becomes a 500 reply whose body says only that the request failed; the
// exception's text goes to the server's log, not to the browser.

#ifndef HADES_PAGE_H_
#define HADES_PAGE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hades/api.h"
#include "hades/context.h"
#include "hades/database.h"
#include "hades/plugin.h"
#include "hades/status.h"

namespace hades {

// One request, as the host hands it to a handler after every host check passed.
struct WebRequest {
  std::string method;  // "GET", "HEAD" or "POST"
  // The path below the page's mount, percent-decoded, always starting with "/".
  std::string path;
  // The query string's parameters in order, percent-decoded ('+' is a space).
  std::vector<std::pair<std::string, std::string>> query;
  std::string body;  // POST only; at most the host's --max-body-bytes
  // Who is asking: the name given at the login, or, when the server runs without a login
  // (loopback only), the name of the user that started `hades serve`. Never empty. Record it
  // with any change a request makes.
  std::string user;

  // The first query parameter called `name`, or nullopt.
  std::optional<std::string> query_value(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

// A handler's reply. The host adds the security headers (Content-Security-Policy without inline
// script or style, nosniff, frame denial, no referrer) and Cache-Control: no-store to every
// reply; `headers` may add others (not Set-Cookie: sessions are the host's).
struct WebResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static WebResponse json(int status, std::string body) {
    return WebResponse{status, "application/json", std::move(body), {}};
  }
};

using WebHandler = std::function<WebResponse(const WebRequest&)>;

// Where a page registers what it serves, during start() only. Paths are exact (no patterns:
// take parameters from the query string) and relative to the mount, starting with "/".
class HADES_API PageRoutes {
 public:
  virtual ~PageRoutes() = default;

  // A read: GET (and HEAD, answered from the same handler without the body). Must not change
  // anything: the host lets reads through without a CSRF token.
  virtual void get(std::string path, WebHandler handler) = 0;

  // A change: POST. The host calls it only for a logged-in session (when a login is required)
  // whose X-CSRF-Token header matches and whose Origin is this server; otherwise it answers 403
  // itself.
  virtual void post(std::string path, WebHandler handler) = 0;

  // A static file compiled into the library, served for GET/HEAD of `path`. `bytes` is not
  // copied: it must stay valid as long as the library is loaded (static storage).
  virtual void asset(std::string path, std::string_view content_type, std::string_view bytes) = 0;
};

// What the host lends a page for its whole life. Outlives every handler call.
class HADES_API PageContext {
 public:
  virtual ~PageContext() = default;

  // The job database `hades serve` was pointed at (--database, else HADES_DB). Used from the
  // handler thread only (see the file comment).
  virtual Database& database() = 0;
  virtual Logger& log() = 0;
  // The URL path the page is mounted at, "/calibration/": for messages that name a page URL.
  virtual const std::string& mount() const = 0;
};

class HADES_API Page : public Plugin {
 public:
  // A short title for people ("Score Calibration"): the server's index and log name it.
  virtual std::string title() const = 0;

  // Registers the page's routes and assets. May read files and the database (the factory may
  // not). An error stops `hades serve` before it listens (exit code of the status).
  virtual Status start(PageContext& ctx, PageRoutes& routes) = 0;
};

// The mount path of page plugin `name`: its name without the `_page` suffix, between slashes.
inline std::string page_mount(std::string_view name) {
  constexpr std::string_view kSuffix = "_page";
  if (name.size() > kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix) {
    name.remove_suffix(kSuffix.size());
  }
  return "/" + std::string(name) + "/";
}

}  // namespace hades

#endif  // HADES_PAGE_H_
