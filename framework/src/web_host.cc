#include "web_host.h"

#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

namespace hades {
namespace {

using net::ServerRequest;
using net::ServerResponse;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kSessionCookie = "hades_session";
constexpr const char* kLoginCsrfCookie = "hades_login_csrf";
constexpr std::size_t kMaxSessions = 1000;
constexpr std::size_t kFailedLoginLimit = 5;
constexpr auto kFailedLoginWindow = std::chrono::seconds(60);
constexpr std::size_t kMaxNameLength = 64;

// No inline script and no inline style anywhere: style attributes are refused too, so pages
// style through classes and the CSS object model only.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

// The login page's style sheet (the pages bring their own).
constexpr std::string_view kHostCss = R"css(body {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  background: #f4f6f8; color: #1d2733; margin: 0;
}
main { max-width: 22rem; margin: 12vh auto; background: #fff; border: 1px solid #d5dbe1;
  border-radius: 6px; padding: 1.5rem 1.75rem; }
h1 { font-size: 1.15rem; margin: 0 0 1rem; }
label { display: block; font-size: 0.85rem; margin: 0.75rem 0 0.25rem; color: #44505c; }
input { width: 100%; box-sizing: border-box; padding: 0.45rem 0.5rem; font: inherit;
  border: 1px solid #b8c2cc; border-radius: 4px; }
button { margin-top: 1.25rem; width: 100%; padding: 0.55rem; font: inherit; font-weight: 600;
  color: #fff; background: #1f5fa8; border: 0; border-radius: 4px; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 3px solid #8cb4e6; outline-offset: 1px; }
.error { color: #a32020; background: #fdeeee; border: 1px solid #f0c4c4; padding: 0.5rem;
  border-radius: 4px; font-size: 0.9rem; }
.note { color: #5b6672; font-size: 0.8rem; margin-top: 1rem; }
)css";

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; '+' is a space when `plus_is_space` (query strings and forms). nullopt for
// a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=2" -> pairs; nullopt when an escape is malformed.
std::optional<Pairs> parse_form(std::string_view text) {
  Pairs out;
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view item = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    auto key = percent_decode(item.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : item.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::string form_value(const Pairs& pairs, std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return value;
  }
  return "";
}

std::string cookie_value(const ServerRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (lowered(key) != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      std::string_view item = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      const std::size_t eq = item.find('=');
      if (eq != std::string_view::npos && item.substr(0, eq) == name) {
        return std::string(item.substr(eq + 1));
      }
    }
  }
  return "";
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string json_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[(c >> 4) & 0xf]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

ServerResponse text_reply(int status, const std::string& text) {
  return ServerResponse{
      status, {{"Content-Type", "text/plain; charset=utf-8"}}, text + "\n", false};
}

ServerResponse json_error(int status, const std::string& message) {
  return ServerResponse{status,
                        {{"Content-Type", "application/json"}},
                        "{\"error\":\"" + json_escape(message) + "\"}",
                        false};
}

ServerResponse redirect(int status, const std::string& location) {
  return ServerResponse{status, {{"Location", location}}, "", false};
}

// "host:port" for the Host header, IPv6 literals in brackets.
std::string host_with_port(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// A name fit to be recorded as who did something: printable, trimmed, short.
std::string clean_name(std::string_view name) {
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.empty() || name.size() > kMaxNameLength) return "";
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "";
  }
  return std::string(name);
}

// A redirect target from the login form: a local path only, never another site.
std::string local_path_or_root(const std::string& next) {
  if (next.size() < 2 || next[0] != '/' || next[1] == '/' || next[1] == '\\') return "/";
  for (const char c : next) {
    if (static_cast<unsigned char>(c) < 0x21) return "/";
  }
  return next;
}

}  // namespace

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  std::size_t filled = 0;
  while (filled < bytes) {
    const ssize_t got = getrandom(raw.data() + filled, bytes - filled, 0);
    if (got < 0) throw std::runtime_error("getrandom failed");
    filled += static_cast<std::size_t>(got);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : raw) {
    out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
  }
  return out;
}

bool secrets_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

// One page's routes, below its mount.
class WebHost::Routes final : public PageRoutes {
 public:
  struct Route {
    WebHandler get;
    WebHandler post;
    std::string_view asset;
    std::string asset_type;
    bool has_asset = false;
  };

  Routes(std::string mount, std::string title)
      : mount_(std::move(mount)), title_(std::move(title)) {}

  void get(std::string path, WebHandler handler) override {
    routes_[std::move(path)].get = std::move(handler);
  }
  void post(std::string path, WebHandler handler) override {
    routes_[std::move(path)].post = std::move(handler);
  }
  void asset(std::string path, std::string_view content_type, std::string_view bytes) override {
    Route& route = routes_[std::move(path)];
    route.asset = bytes;
    route.asset_type = std::string(content_type);
    route.has_asset = true;
  }

  const std::string& mount() const { return mount_; }
  const std::string& title() const { return title_; }
  const Route* find(const std::string& path) const {
    const auto it = routes_.find(path);
    return it == routes_.end() ? nullptr : &it->second;
  }

 private:
  std::string mount_;
  std::string title_;
  std::map<std::string, Route> routes_;
};

struct WebHost::Call {
  const ServerRequest& request;
  std::string method;
  std::string path;  // decoded
  std::string raw_query;
  std::string host;
  std::string user;
  const Session* session = nullptr;
  bool wants_html = false;
};

WebHost::WebHost(WebHostOptions options, Logger& log)
    : options_(std::move(options)), log_(log), local_csrf_(random_hex(32)) {}

WebHost::~WebHost() = default;

PageRoutes& WebHost::mount(const std::string& mount, const std::string& title) {
  mounts_.push_back(std::make_unique<Routes>(mount, title));
  return *mounts_.back();
}

std::string WebHost::url() const {
  return "http://" + host_with_port(options_.listen_address, port_.load()) +
         (mounts_.empty() ? "/" : mounts_.front()->mount());
}

bool WebHost::host_allowed(const std::string& host) const {
  const std::uint16_t port = port_.load();
  if (port == 0) return false;
  const std::string wanted = lowered(host);
  std::vector<std::string> allowed = {host_with_port(options_.listen_address, port)};
  if (net::is_loopback_address(options_.listen_address)) {
    // Names that only ever mean this machine: no outside DNS answer can point them elsewhere.
    allowed.push_back(host_with_port("localhost", port));
  }
  for (const std::string& name : options_.server_names) {
    allowed.push_back(lowered(name));
    allowed.push_back(lowered(host_with_port(name, port)));
  }
  return std::find(allowed.begin(), allowed.end(), wanted) != allowed.end();
}

bool WebHost::origin_allowed(const Call& call) const {
  if (call.request.header_count("Origin") != 1) return false;
  const std::string origin = lowered(call.request.header("Origin"));
  const std::string host = lowered(call.host);
  return origin == "http://" + host || origin == "https://" + host;
}

const WebHost::Session* WebHost::session_of(const Call& call) {
  const std::string id = cookie_value(call.request, kSessionCookie);
  if (id.empty()) return nullptr;
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  if (it->second.expires <= options_.now()) {
    sessions_.erase(it);
    return nullptr;
  }
  return &it->second;
}

namespace {

ServerResponse with_security_headers(ServerResponse reply) {
  reply.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("X-Frame-Options", "DENY");
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
  reply.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  reply.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

}  // namespace

ServerResponse WebHost::handle(const ServerRequest& request) {
  ServerResponse reply = with_security_headers(checked(request));
  log_.debug(request.method + " " + request.target + " -> " + std::to_string(reply.status));
  return reply;
}

ServerResponse WebHost::checked(const ServerRequest& request) {
  const std::string& target = request.target;
  Call call{request, request.method, "", "", "", "", nullptr, false};
  const std::size_t question = target.find('?');
  auto path = percent_decode(target.substr(0, question), false);
  if (question != std::string::npos) call.raw_query = target.substr(question + 1);
  if (!path || path->empty() || (*path)[0] != '/' || path->find('\0') != std::string::npos ||
      path->find("/../") != std::string::npos || path->ends_with("/..") ||
      target.find('#') != std::string::npos) {
    return text_reply(400, "bad request target");
  }
  call.path = std::move(*path);
  if (request.header_count("Host") != 1 || !host_allowed(request.header("Host"))) {
    log_.warn("refused a request for host '" + request.header("Host") + "' (421)");
    return text_reply(421, "misdirected request: this server does not answer for that host");
  }
  call.host = request.header("Host");
  const std::string accept = lowered(request.header("Accept"));
  call.wants_html = accept.find("text/html") != std::string::npos ||
                    lowered(request.header("Sec-Fetch-Mode")) == "navigate";
  if (call.method != "GET" && call.method != "HEAD" && call.method != "POST") {
    ServerResponse reply = text_reply(405, "method not allowed");
    reply.headers.emplace_back("Allow", "GET, HEAD, POST");
    return reply;
  }
  return dispatch(call);
}

ServerResponse WebHost::dispatch(Call& call) {
  const bool login_required = options_.auth_token.has_value();
  const bool post = call.method == "POST";
  if (call.path == "/login") {
    if (!login_required) return redirect(303, "/");
    return post ? login(call) : login_form(call, "", 200);
  }
  if (call.path == "/_hades/hades.css" && !post) {
    return ServerResponse{
        200, {{"Content-Type", "text/css; charset=utf-8"}}, std::string(kHostCss), false};
  }
  call.session = login_required ? session_of(call) : nullptr;
  if (login_required && call.session == nullptr) {
    if (!post && call.wants_html) return redirect(303, "/login?next=" + call.path);
    return json_error(401, "not logged in: open /login");
  }
  call.user = call.session ? call.session->user : options_.local_user;
  if (post) {
    const std::string& csrf = call.session ? call.session->csrf : local_csrf_;
    if (!origin_allowed(call)) {
      log_.warn("refused POST " + call.path + ": Origin '" + call.request.header("Origin") +
                "' is not this server (403)");
      return json_error(403, "refused: the request's Origin is not this server");
    }
    if (call.request.header_count("X-CSRF-Token") != 1 ||
        !secrets_equal(call.request.header("X-CSRF-Token"), csrf)) {
      log_.warn("refused POST " + call.path + ": missing or wrong CSRF token (403)");
      return json_error(403, "refused: missing or wrong CSRF token; reload the page");
    }
  }
  if (call.path == "/logout" && post) return logout(call);
  if (call.path == "/_hades/session" && !post) return session_info(call);
  if (call.path == "/" && !post) {
    if (mounts_.empty()) return text_reply(404, "no page is served");
    return redirect(303, mounts_.front()->mount());
  }
  return page_route(call);
}

ServerResponse WebHost::page_route(Call& call) {
  for (const auto& routes : mounts_) {
    const std::string& mount = routes->mount();
    if (call.path + "/" == mount) return redirect(308, mount);
    if (!call.path.starts_with(mount)) continue;
    const std::string relative = call.path.substr(mount.size() - 1);
    const Routes::Route* route = routes->find(relative);
    const bool post = call.method == "POST";
    if (route == nullptr) return json_error(404, "no such page or endpoint: " + call.path);
    if (!post && route->has_asset) {
      return ServerResponse{
          200, {{"Content-Type", route->asset_type}}, std::string(route->asset), false};
    }
    const WebHandler& handler = post ? route->post : route->get;
    if (!handler) {
      ServerResponse reply = json_error(405, "method not allowed");
      reply.headers.emplace_back("Allow", route->post ? "POST" : "GET, HEAD");
      return reply;
    }
    auto query = parse_form(call.raw_query);
    if (!query) return json_error(400, "malformed query string");
    const WebRequest request{call.method, relative, std::move(*query), call.request.body,
                             call.user};
    try {
      WebResponse answer = handler(request);
      ServerResponse reply{answer.status, std::move(answer.headers), std::move(answer.body), false};
      reply.headers.emplace_back("Content-Type", answer.content_type);
      return reply;
    } catch (const std::exception& e) {
      log_.error("page '" + routes->title() + "': " + call.method + " " + relative +
                 " threw: " + e.what());
    } catch (...) {
      log_.error("page '" + routes->title() + "': " + call.method + " " + relative +
                 " threw a non-standard exception");
    }
    return json_error(500, "the request failed; the server's log says why");
  }
  return json_error(404, "no such page or endpoint: " + call.path);
}

ServerResponse WebHost::session_info(const Call& call) {
  const std::string& csrf = call.session ? call.session->csrf : local_csrf_;
  return ServerResponse{200,
                        {{"Content-Type", "application/json"}},
                        "{\"user\":\"" + json_escape(call.user) + "\",\"csrf_token\":\"" + csrf +
                            "\",\"login\":" + (options_.auth_token ? "true" : "false") + "}",
                        false};
}

ServerResponse WebHost::login_form(const Call& call, const std::string& message, int status) {
  const std::string csrf = random_hex(16);
  std::string next;
  if (auto query = parse_form(call.raw_query)) next = form_value(*query, "next");
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Sign in · HADES</title><link rel=\"stylesheet\" href=\"/_hades/hades.css\">"
      "</head><body><main><h1>HADES · sign in</h1>";
  if (!message.empty())
    html += "<p class=\"error\" role=\"alert\">" + html_escape(message) + "</p>";
  html +=
      "<form method=\"post\" action=\"/login\">"
      "<input type=\"hidden\" name=\"csrf\" value=\"" +
      csrf +
      "\">"
      "<input type=\"hidden\" name=\"next\" value=\"" +
      html_escape(local_path_or_root(next)) +
      "\"><label for=\"name\">Your name (recorded with every change you make)</label>"
      "<input id=\"name\" name=\"name\" autocomplete=\"username\" required maxlength=\"64\">"
      "<label for=\"token\">Access token</label>"
      "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
      "required><button type=\"submit\">Sign in</button></form>"
      "<p class=\"note\">The token is in the file the server was started with "
      "(--auth-token-file).</p></main></body></html>\n";
  ServerResponse reply{
      status, {{"Content-Type", "text/html; charset=utf-8"}}, std::move(html), false};
  reply.headers.emplace_back("Set-Cookie", std::string(kLoginCsrfCookie) + "=" + csrf +
                                               "; Path=/login; HttpOnly; SameSite=Strict");
  return reply;
}

ServerResponse WebHost::login(Call& call) {
  const auto now = options_.now();
  std::erase_if(failed_logins_,
                [&](SteadyClock::time_point t) { return now - t > kFailedLoginWindow; });
  if (failed_logins_.size() >= kFailedLoginLimit) {
    return text_reply(429, "too many failed sign-ins; wait a minute");
  }
  if (!origin_allowed(call)) return text_reply(403, "refused: the Origin is not this server");
  const auto form = parse_form(call.request.body);
  const std::string cookie = cookie_value(call.request, kLoginCsrfCookie);
  if (!form || cookie.empty() || !secrets_equal(form_value(*form, "csrf"), cookie)) {
    return text_reply(403, "refused: the sign-in form expired; reload /login");
  }
  const std::string name = clean_name(form_value(*form, "name"));
  if (!secrets_equal(form_value(*form, "token"), *options_.auth_token) || name.empty()) {
    failed_logins_.push_back(now);
    log_.warn("a sign-in failed (wrong token or no name)");
    return login_form(call, "Wrong access token, or no name given.", 401);
  }
  if (sessions_.size() >= kMaxSessions) {
    // Drop the session closest to its end to make room.
    auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
    sessions_.erase(oldest);
  }
  const std::string id = random_hex(32);
  sessions_[id] = Session{name, random_hex(32), now + options_.session_lifetime};
  log_.info("'" + name + "' signed in");
  ServerResponse reply = redirect(303, local_path_or_root(form_value(*form, "next")));
  reply.headers.emplace_back(
      "Set-Cookie", std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; SameSite=Strict");
  reply.headers.emplace_back("Set-Cookie", std::string(kLoginCsrfCookie) +
                                               "=; Path=/login; Max-Age=0; HttpOnly; "
                                               "SameSite=Strict");
  return reply;
}

ServerResponse WebHost::logout(Call& call) {
  if (call.session == nullptr) return redirect(303, "/");
  sessions_.erase(cookie_value(call.request, kSessionCookie));
  ServerResponse reply = json_error(200, "signed out");
  reply.body = "{\"signed_out\":true}";
  reply.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                               "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  return reply;
}

}  // namespace hades
