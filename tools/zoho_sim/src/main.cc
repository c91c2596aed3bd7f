// zoho_sim: a Zoho CRM simulator for tests and benchmarks. See tools/zoho_sim/README.md.
//
// Exit codes: 0 after SIGINT/SIGTERM, 2 for bad usage or a bad fault spec, 1 when the data file
// cannot be loaded or the port cannot be bound.

#include <signal.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "faults.h"
#include "server.h"
#include "simulator.h"

namespace {

namespace po = boost::program_options;
using hades::zoho_sim::FaultSpec;

// Written to a temporary name and renamed, so a reader never sees a half-written port.
bool write_port_file(const std::string& path, std::uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << port << '\n')) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

int run(const po::variables_map& vm, hades::zoho_sim::SimulatorOptions options) {
  // Block the stop signals before any thread starts, so only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto simulator =
      hades::zoho_sim::Simulator::from_file(vm["data"].as<std::string>(), std::move(options));
  hades::zoho_sim::Server server(*simulator,
                                 {vm["port"].as<std::uint16_t>(), vm["threads"].as<int>()});
  server.start();
  if (vm.count("port-file") && !write_port_file(vm["port-file"].as<std::string>(), server.port())) {
    std::cerr << "zoho_sim: cannot write the port file\n";
    return 1;
  }
  std::cerr << "zoho_sim: listening on http://127.0.0.1:" << server.port() << "\n";
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("zoho_sim: a Zoho CRM simulator (README.md documents it)");
  desc.add_options()("help", "show this help")("data", po::value<std::string>(),
                                               "org data file written by tools/generate_crm.py")(
      "port", po::value<std::uint16_t>()->default_value(0), "port on 127.0.0.1 (0: any free one)")(
      "port-file", po::value<std::string>(), "write the bound port here once listening")(
      "faults", po::value<std::string>()->default_value(""), "fault spec (see README.md)")(
      "latency-ms", po::value<int>()->default_value(0), "minimum time each token/API reply takes")(
      "request-log", po::value<std::string>(), "append one JSON line per request here")(
      "token-ttl", po::value<int>()->default_value(3600), "access token lifetime, seconds")(
      "legacy-expires-in", "token replies give expires_in in ms plus expires_in_sec")(
      "token-throttle", po::value<int>()->default_value(10),
      "token grants per refresh token per 10 min")("max-live-tokens",
                                                   po::value<int>()->default_value(15),
                                                   "live access tokens per refresh token")(
      "page-token-ttl", po::value<int>()->default_value(86400), "page_token lifetime, seconds")(
      "coql-includes-converted", "COQL returns converted leads even when not asked for")(
      "client-id", po::value<std::string>(), "accept this client id (besides the data file's)")(
      "client-secret", po::value<std::string>(), "its secret")(
      "refresh-token", po::value<std::string>(), "accept this refresh token for --client-id")(
      "threads", po::value<int>()->default_value(4), "server threads");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "zoho_sim: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help") || !vm.count("data")) {
    std::cerr << desc;
    return vm.count("help") ? 0 : 2;
  }
  hades::zoho_sim::SimulatorOptions options;
  std::string why;
  if (!FaultSpec::parse(vm["faults"].as<std::string>(), options.faults, why)) {
    std::cerr << "zoho_sim: --faults: " << why << "\n";
    return 2;
  }
  options.latency = std::chrono::milliseconds(vm["latency-ms"].as<int>());
  if (vm.count("request-log")) options.request_log_path = vm["request-log"].as<std::string>();
  options.oauth.token_ttl = std::chrono::seconds(vm["token-ttl"].as<int>());
  options.oauth.legacy_expires_in = vm.count("legacy-expires-in") > 0;
  options.oauth.throttle_limit = vm["token-throttle"].as<int>();
  options.oauth.max_live_tokens = vm["max-live-tokens"].as<int>();
  options.oauth.seed = options.faults.seed;
  options.page_token_ttl = std::chrono::seconds(vm["page-token-ttl"].as<int>());
  options.coql_hides_converted = vm.count("coql-includes-converted") == 0;
  if (vm.count("client-id")) options.client_id = vm["client-id"].as<std::string>();
  if (vm.count("client-secret")) options.client_secret = vm["client-secret"].as<std::string>();
  if (vm.count("refresh-token")) options.refresh_token = vm["refresh-token"].as<std::string>();
  try {
    return run(vm, std::move(options));
  } catch (const std::exception& e) {
    std::cerr << "zoho_sim: " << e.what() << "\n";
    return 1;
  }
}
