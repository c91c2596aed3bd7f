// faults.h: the fault plan a simulator run is started with (`--faults SPEC`).
//
// SPEC is a comma-separated list of key=value items (README.md has the full table), e.g.
//   token_expiry_every=50,storm401=3@100,burst429=5@20/200,concurrency=2,http500=0.02,
//   http502_html=@7,http503_empty=0.02,reset=0.01,slow=0.01:3000ms,modify_between_pages=10,
//   credits=5000,seed=7
// Per-call faults take a Schedule: a probability ("0.02"), or "[N]@K[/P]": N consecutive API
// calls starting at call K (1-based), repeated every P calls when /P is given. Whether a
// probabilistic fault fires on call i depends only on (seed, fault kind, i), so a run is
// reproducible for a given seed whatever the timing.
//
// Thread safety: a FaultSpec is a value; its const methods are safe to call concurrently.

#ifndef HADES_TOOLS_ZOHO_SIM_FAULTS_H_
#define HADES_TOOLS_ZOHO_SIM_FAULTS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace hades::zoho_sim {

enum class FaultKind : std::uint64_t {
  kStorm401 = 1,
  kBurst429,
  kHttp500,
  kHttp502Html,
  kHttp503Empty,
  kReset,
  kSlow,
  kModify,
  kTokenGarbled,
  kEchoAuth,
};

struct Schedule {
  double probability = 0.0;  // > 0: random, per call
  std::int64_t start = 0;    // > 0: first call of the first burst
  std::int64_t count = 1;    // calls per burst
  std::int64_t period = 0;   // > 0: bursts repeat every `period` calls

  bool enabled() const { return probability > 0.0 || start > 0; }
  // True when the fault fires on API call `call` (1-based).
  bool fires(std::uint64_t seed, FaultKind kind, std::int64_t call) const;
  std::string describe() const;
};

// 64 pseudo-random bits that depend only on the arguments (splitmix64).
std::uint64_t deterministic_bits(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);
// A uniform draw in [0, 1) from deterministic_bits.
double deterministic_unit(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

struct FaultSpec {
  std::uint64_t seed = 1;
  // Each access token dies after serving this many API calls (0: never).
  std::int64_t token_expiry_every = 0;
  Schedule storm401;
  Schedule burst429;
  Schedule http500;
  Schedule http502_html;
  Schedule http503_empty;
  Schedule reset;
  Schedule slow;
  std::chrono::milliseconds slow_delay{3000};
  // Token requests (1-based, counted apart from API calls) whose grant is answered 200 with the
  // JSON cut short: the access token in it, the reply unparseable.
  Schedule token_garbled;
  // API calls answered 400 INVALID_REQUEST with a body that echoes the request's Authorization
  // header, as some proxies and error pages do.
  Schedule echo_auth;
  // Concurrent API calls allowed (Enterprise edition: 20) and the COQL sub-limit (10).
  int concurrency = 20;
  int coql_concurrency = 10;
  // After every Nth data page (records list or COQL) of a module: bump Modified_Time on
  // `modify_count` records of that module and insert `insert_count` new ones (0: never).
  std::int64_t modify_between_pages = 0;
  int modify_count = 3;
  int insert_count = 1;
  // API credits for the rolling 24 hours.
  std::int64_t credits = 1'000'000;

  // Parses SPEC; on failure returns false and sets `error` to a message naming the item.
  static bool parse(std::string_view spec, FaultSpec& out, std::string& error);
  // The spec back in SPEC syntax, every enabled item, for logs and /__sim/stats.
  std::string describe() const;
};

}  // namespace hades::zoho_sim

#endif  // HADES_TOOLS_ZOHO_SIM_FAULTS_H_
