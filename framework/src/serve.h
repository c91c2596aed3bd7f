// serve.h: `hades serve`, the web server for page plugins (docs/serve.md).
//
// The command line is parsed in two passes (cli.cc): first the options below, then the pages
// are found and each setting they declare becomes an option of its own (`--reports DIR`), bound
// and type-checked like a job's `with:` block. serve() then opens the database, starts each
// page, listens and serves until SIGTERM or SIGINT.
//
// Thread safety: one call per process.

#ifndef HADES_FRAMEWORK_SERVE_H_
#define HADES_FRAMEWORK_SERVE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hades/settings.h"
#include "hades/status.h"
#include "logging.h"
#include "plugin_loader.h"
#include "signals.h"

namespace hades {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string auth_token_file;            // required unless listening on loopback
  std::vector<std::string> server_names;  // more Host names accepted (a reverse proxy's)
  std::string database;                   // "" = $HADES_DB, else sqlite://var/hades.db
  std::vector<std::string> pages;         // empty = every page plugin on the plugin path
  std::string port_file;                  // written once listening: the port, one line
  std::int64_t request_timeout_ms = 10'000;
  std::int64_t max_body_bytes = 64 * 1024;
};

// "HOST:PORT" or "[V6]:PORT" -> (host, port). kInvalidConfig naming the text otherwise.
Result<std::pair<std::string, std::uint16_t>> parse_listen(const std::string& text);

// The page plugins to serve: those named (each must be a page), or every page on the path.
// kInvalidConfig when a named plugin is missing or not a page, or when there is none at all.
Result<std::vector<const PluginInfo*>> find_pages(PluginRegistry& registry,
                                                  const std::vector<std::string>& names);

// A page with its bound settings.
struct PageToServe {
  const PluginInfo* info;
  Settings settings;
};

// Serves `pages` until `signals` asks to stop. Returns the exit code (docs/exit-codes.md):
// 0 after a clean stop, 2 for a bad option, an unreadable token file or a non-loopback address
// without one, 1 when the database cannot be opened or the address cannot be bound, 4 for a
// plugin that cannot be loaded, and a page's own code when its start() fails.
int serve(const ServeOptions& options, PluginRegistry& registry, std::vector<PageToServe> pages,
          HostLogger& log, Redactor& redactor, const SignalWatcher& signals);

}  // namespace hades

#endif  // HADES_FRAMEWORK_SERVE_H_
