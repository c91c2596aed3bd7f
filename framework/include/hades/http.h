// hades/http.h: an HTTP(S) client for plugins and the framework, in standard types only.
//
// HttpClient is the seam: the framework's Turso backend and plugins that call web APIs take an
// HttpClient&, so a test can hand them one that injects faults. The real client, made by
// make_http_client(), lives in the static library hades::net (link it: it brings Boost.Beast and
// OpenSSL, which this header does not include). It speaks HTTP/1.1, keeps one connection alive
// and reuses it while the host stays the same, and verifies TLS certificates against the system
// CA store (with SNI and host name checks) unless told otherwise.
//
// Errors: send() returns the response whatever its HTTP status; only a transport failure (DNS,
// connect, TLS, a timeout, a connection closed mid-reply) is an error, as Status::remote with
// retryable() true, except a certificate that fails verification (retryable() false: retrying
// will not fix it) and a malformed request (kInvalidConfig). A transport failure says nothing
// about whether the server acted on the request: callers that resend must make that safe.
//
// Thread safety: an HttpClient is used from one thread at a time.

#ifndef HADES_HTTP_H_
#define HADES_HTTP_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hades/api.h"
#include "hades/status.h"

namespace hades {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  // "http://host[:port]/path?query" or "https://..."; the path defaults to "/".
  std::string url;
  // Sent as given. Host, Content-Length and User-Agent are added when absent.
  HttpHeaders headers;
  std::string body;
  // The whole exchange (connecting, sending, reading the complete reply) must end by then.
  std::chrono::milliseconds timeout{30'000};
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header called `name` (compared case-insensitively), or nullopt.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < key.size() && same; ++i) {
        same = ascii_lower(key[i]) == ascii_lower(name[i]);
      }
      if (same) return value;
    }
    return std::nullopt;
  }

 private:
  static char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
};

class HADES_API HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends `request` and reads the whole reply. See the file comment for what is an error.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

struct HttpClientOptions {
  // Connecting (DNS, TCP and the TLS handshake) must end by then, and by the request's timeout.
  std::chrono::milliseconds connect_timeout{10'000};
  // Off only for tests against a server with a throw-away certificate.
  bool verify_tls = true;
  // A PEM file of CA certificates trusted in addition to the system store; "" for none.
  std::string ca_file;
  std::string user_agent = "hades";
  // A reply body larger than this fails (non-retryably) instead of exhausting memory.
  std::size_t max_response_bytes = 256u << 20;
};

// True when `text` is one non-empty run of printable ASCII without blanks: what a credential, an
// access token or a URL sent in a request line or header must be (a line break would split the
// request).
inline bool is_printable_token(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x21 || b >= 0x7f) return false;
  }
  return true;
}

// The Beast/OpenSSL client. Defined in hades::net, not in the SDK library.
std::unique_ptr<HttpClient> make_http_client(HttpClientOptions options = {});

}  // namespace hades

#endif  // HADES_HTTP_H_
