#include "serve.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "database_url.h"
#include "exit_code.h"
#include "hades/page.h"
#include "net/http_server.h"
#include "run_report.h"
#include "web_host.h"

namespace hades {
namespace {

constexpr std::size_t kMinTokenLength = 16;

// What a page may use while it is served.
class ServedPageContext final : public PageContext {
 public:
  ServedPageContext(Database& db, Logger& log, std::string mount)
      : db_(db), log_(log), mount_(std::move(mount)) {}
  Database& database() override { return db_; }
  Logger& log() override { return log_; }
  const std::string& mount() const override { return mount_; }

 private:
  Database& db_;
  Logger& log_;
  std::string mount_;
};

std::string local_user_name() {
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  return "uid " + std::to_string(geteuid());
}

// The token: the file's first line without surrounding white space.
Result<std::string> read_token_file(const std::string& path, Logger& log) {
  std::ifstream in(path);
  if (!in) return Status::invalid_config("--auth-token-file " + path + ": cannot be read");
  std::string token;
  std::getline(in, token);
  const auto first = token.find_first_not_of(" \t\r");
  const auto last = token.find_last_not_of(" \t\r");
  token = first == std::string::npos ? "" : token.substr(first, last - first + 1);
  if (token.size() < kMinTokenLength) {
    return Status::invalid_config("--auth-token-file " + path + ": the token must be at least " +
                                  std::to_string(kMinTokenLength) + " characters");
  }
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    log.warn("--auth-token-file " + path + " can be read by other users: chmod 600 it");
  }
  return token;
}

std::string database_url(const ServeOptions& options) {
  if (!options.database.empty()) return options.database;
  if (const char* env = std::getenv("HADES_DB"); env != nullptr && *env != '\0') return env;
  return "sqlite://var/hades.db";
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return Status::invalid_config("--listen '" + text + "': " + why +
                                  " (expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)");
  };
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("no port");
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return bad("an unclosed [");
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return bad("the port is not a number from 0 to 65535");
  }
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

Result<std::vector<const PluginInfo*>> find_pages(PluginRegistry& registry,
                                                  const std::vector<std::string>& names) {
  std::vector<const PluginInfo*> pages;
  const std::vector<std::string> wanted = names.empty() ? registry.available() : names;
  for (const std::string& name : wanted) {
    auto info = registry.load(name);
    if (!info.ok()) {
      if (names.empty()) continue;  // an unusable non-page plugin must not stop the server
      return info.status();
    }
    if ((*info)->kind != PluginKind::kPage) {
      if (names.empty()) continue;
      return Status::invalid_config("--page " + name + ": plugin '" + name + "' is a " +
                                    std::string(plugin_kind_name((*info)->kind)) + ", not a page");
    }
    pages.push_back(*info);
  }
  if (pages.empty()) {
    return Status::invalid_config("no page plugin found on the plugin path (" +
                                  std::to_string(registry.directories().size()) +
                                  " directories searched)");
  }
  return pages;
}

int serve(const ServeOptions& options, PluginRegistry& registry, std::vector<PageToServe> pages,
          HostLogger& log, Redactor& redactor, const SignalWatcher& signals) {
  const auto fail = [&](const Status& status) {
    log.error(status.message());
    return exit_code_for(status);
  };
  auto listen = parse_listen(options.listen);
  if (!listen.ok()) return fail(listen.status());
  WebHostOptions host_options;
  host_options.listen_address = listen->first;
  host_options.server_names = options.server_names;
  host_options.local_user = local_user_name();
  if (!options.auth_token_file.empty()) {
    auto token = read_token_file(options.auth_token_file, log);
    if (!token.ok()) return fail(token.status());
    redactor.add_secret(*token);
    host_options.auth_token = std::move(token).value();
  } else if (!net::is_loopback_address(listen->first)) {
    return fail(Status::invalid_config(
        "--listen " + options.listen + " is not a loopback address: anyone who can reach it " +
        "could change icp.yaml, so it needs --auth-token-file (docs/serve.md)"));
  }
  if (options.request_timeout_ms <= 0 || options.max_body_bytes <= 0) {
    return fail(Status::invalid_config("--request-timeout-ms and --max-body-bytes must be > 0"));
  }
  auto db = open_database(database_url(options),
                          [&](std::string_view secret) { redactor.add_secret(secret); });
  if (!db.ok()) return fail(db.status().with_context("--database"));

  // Declared in this order so that they are destroyed in the reverse one: the server stops
  // first, then the routes (handlers made by the pages) go, then the pages, then their libraries.
  std::vector<PluginInstance<Plugin>> instances;
  std::vector<std::unique_ptr<ServedPageContext>> contexts;
  WebHost host(host_options, log);
  for (PageToServe& page : pages) {
    auto made = registry.create(page.info->name, page.settings);
    if (!made.ok()) return fail(made.status());
    instances.push_back(std::move(made).value());
    auto* object = dynamic_cast<Page*>(instances.back().get());
    if (object == nullptr) {
      return fail(Status::plugin_abi("plugin '" + page.info->name + "' is not a Page"));
    }
    const std::string mount = page_mount(page.info->name);
    contexts.push_back(std::make_unique<ServedPageContext>(**db, log, mount));
    Status started;
    try {
      started = object->start(*contexts.back(), host.mount(mount, object->title()));
    } catch (const std::exception& e) {
      started = Status::internal(std::string("threw: ") + e.what());
    }
    if (!started.ok()) return fail(started.with_context("page '" + page.info->name + "': start"));
  }

  net::ServerOptions server_options;
  server_options.address = listen->first;
  server_options.port = listen->second;
  server_options.request_timeout = std::chrono::milliseconds(options.request_timeout_ms);
  server_options.max_body_bytes = static_cast<std::size_t>(options.max_body_bytes);
  auto server = net::HttpServer::start(
      server_options, [&host](const net::ServerRequest& request) { return host.handle(request); });
  if (!server.ok()) return fail(Status::io(server.status().message()));
  host.set_port((*server)->port());
  if (!options.port_file.empty()) {
    const Status written =
        write_file_atomically(options.port_file, std::to_string((*server)->port()) + "\n");
    if (!written.ok()) return fail(written);
  }
  log.info("serving " + host.url() + (host_options.auth_token ? " (sign-in required)" : "") +
           " on " + (*db)->backend() + "; stop with Ctrl-C");
  while (!signals.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  log.info("stopping");
  (*server)->stop();
  return kExitOk;
}

}  // namespace hades
