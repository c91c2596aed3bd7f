// serve: the page plugins over HTTP; the pages found decide which settings exist.
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/session.h"
#include "exit_code.h"
#include "serve.h"
#include "signals.h"

namespace hades::cli {
namespace {

// Each setting the served pages declare, as an option: `--reports DIR`. Values are kept as
// text and bound like a job's `with:` block (bind_settings), so types are checked the same way.
po::options_description page_setting_options(const std::vector<const PluginInfo*>& pages) {
  po::options_description d("page settings (each page declaring the name gets the value)");
  std::set<std::string> seen;
  for (const PluginInfo* page : pages) {
    for (const SettingSpec& spec : page->settings) {
      if (!seen.insert(spec.name).second) continue;
      std::string help =
          std::string(spec.description) + " [" + page->name + ", " +
          std::string(setting_type_name(spec.type)) +
          (spec.default_value ? std::string(", default ") + spec.default_value : "") + "]";
      d.add_options()(spec.name, po::value<std::vector<std::string>>()->composing(), help.c_str());
    }
  }
  return d;
}

Result<std::vector<PageToServe>> bind_page_settings(const std::vector<const PluginInfo*>& pages,
                                                    const po::variables_map& vm, Session& s) {
  std::vector<PageToServe> out;
  std::vector<Diagnostic> diagnostics;
  for (const PluginInfo* page : pages) {
    PluginRef ref;
    ref.plugin = page->name;
    ref.where = SourceLocation{"command line", 0, 0};
    for (const SettingSpec& spec : page->settings) {
      if (!vm.count(spec.name)) continue;
      const auto& values = vm[spec.name].as<std::vector<std::string>>();
      RawSetting raw;
      raw.key_where = raw.value_where = ref.where;
      if (spec.type == SettingType::kStringList) {
        raw.shape = RawSetting::Shape::kList;
        raw.list = values;
        raw.item_where.assign(values.size(), ref.where);
      } else {
        if (values.size() > 1) throw UsageError{"--" + std::string(spec.name) + " given twice"};
        raw.scalar = values.front();
      }
      ref.with.emplace_back(spec.name, std::move(raw));
    }
    Settings settings =
        bind_settings(ref, page->settings.data(), page->settings.size(), &diagnostics);
    for (const SettingSpec& spec : page->settings) {
      if (!spec.secret) continue;
      if (auto value = settings.get_string(spec.name)) s.redactor.add_secret(*value);
    }
    out.push_back(PageToServe{page, std::move(settings)});
  }
  if (!diagnostics.empty()) {
    std::string message;
    for (const Diagnostic& d : diagnostics) message += (message.empty() ? "" : "; ") + d.message;
    return Status::invalid_config("page settings: " + message);
  }
  return out;
}

// `hades serve`: two passes over the options, since the pages found decide which settings exist.
}  // namespace

int serve_main(const std::vector<std::string>& args) {
  SignalWatcher signals;  // before any thread starts: SIGTERM/SIGINT reach only the watcher
  Session s;
  ServeOptions o;
  po::options_description d("serve options");
  d.add_options()("listen", po::value(&o.listen)->default_value(o.listen),
                  "HOST:PORT to listen on; not loopback only with --auth-token-file")(
      "auth-token-file", po::value(&o.auth_token_file),
      "require a sign-in with the token in this file (its first line, 16+ characters)")(
      "server-name", po::value(&o.server_names),
      "another name the Host header may carry, e.g. behind a reverse proxy (repeatable)")(
      "database", po::value(&o.database),
      "the job database URL (default: $HADES_DB, else sqlite://var/hades.db)")(
      "page", po::value(&o.pages), "serve only this page plugin (repeatable; default: all)")(
      "port-file", po::value(&o.port_file), "write the port listened on to this file")(
      "request-timeout-ms", po::value(&o.request_timeout_ms)->default_value(o.request_timeout_ms),
      "time a client has to send a whole request; also the keep-alive idle time")(
      "max-body-bytes", po::value(&o.max_body_bytes)->default_value(o.max_body_bytes),
      "largest request body accepted (413 beyond)");
  po::options_description known;
  known.add(d).add(global_description(s.global));
  const po::parsed_options parsed =
      po::command_line_parser(args).options(known).allow_unregistered().run();
  po::variables_map vm;
  po::store(parsed, vm);
  po::notify(vm);
  const bool help = vm.count("help") > 0;
  start_session(s);
  auto pages = find_pages(*s.registry, o.pages);
  if (!pages.ok()) {
    if (!help) return fail(s, pages.status());
    std::cout << "usage: hades serve [options] [page settings]\n\n"
              << known << "\n(" << pages.status().message() << ": no page settings to list)\n";
    return kExitOk;
  }
  const po::options_description settings = page_setting_options(*pages);
  if (help) {
    std::cout << "usage: hades serve [options] [page settings]\n\n"
              << d << "\n"
              << settings << "\n"
              << global_description(s.global) << "\n";
    return kExitOk;
  }
  po::variables_map page_vm;
  po::store(
      po::command_line_parser(po::collect_unrecognized(parsed.options, po::include_positional))
          .options(settings)
          .run(),
      page_vm);
  auto bound = bind_page_settings(*pages, page_vm, s);
  if (!bound.ok()) return fail(s, bound.status());
  return serve(o, *s.registry, std::move(bound).value(), *s.log, s.redactor, signals);
}

}  // namespace hades::cli
