// hades/retry.h: resending HTTP requests that failed for a reason that may pass.
//
// What is retried: a transport failure whose Status is retryable() (a reset, a timeout, a
// connection closed mid-reply: hades/http.h), HTTP 429 and HTTP 5xx. Nothing else: a 4xx other
// than 429 is the caller's mistake and a certificate that fails verification will not heal.
//
// How long it waits before retry n (1 = the first): a random wait in [c/2, c] where
// c = min(cap, base * 2^(n-1)) (exponential backoff, jitter so that many clients refused at the
// same instant do not come back together, and a cap). A `Retry-After` header (delta-seconds or an
// HTTP-date) is honoured: the wait is at least what it asks, unless it asks for more than
// `max_retry_after`, in which case retrying stops and the reply is returned (a spent daily quota
// should end the run, not stall it for hours).
//
// A resent request may have been acted on already (a transport failure says nothing about
// that): send only requests that are safe to repeat (GET, or idempotent writes).
//
// Thread safety: Backoff is used from one thread at a time; the functions are pure.

#ifndef HADES_RETRY_H_
#define HADES_RETRY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>

#include "hades/context.h"
#include "hades/http.h"
#include "hades/status.h"

namespace hades {

struct RetryPolicy {
  int max_attempts = 8;  // sends in all, the first included; at least 1
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds cap{30'000};
  std::chrono::milliseconds max_retry_after{300'000};
};

// True for the statuses worth another try: 429 and 5xx.
bool is_retryable_status(int status);

// The wait a reply's Retry-After header asks for (delta-seconds, or an HTTP-date such as
// "Wed, 21 Oct 2026 07:28:00 GMT" counted from `now`; a date in the past is 0); nullopt when
// there is no such header or it is neither form.
std::optional<std::chrono::milliseconds> retry_after(
    const HttpResponse& response,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The waits between attempts (see the file comment).
class Backoff {
 public:
  explicit Backoff(RetryPolicy policy, std::uint64_t seed = std::random_device{}());

  const RetryPolicy& policy() const { return policy_; }
  // The wait before retry `retry` (>= 1), at least `asked` (a Retry-After) when given.
  std::chrono::milliseconds delay(int retry,
                                  std::optional<std::chrono::milliseconds> asked = std::nullopt);

 private:
  RetryPolicy policy_;
  std::mt19937_64 random_;
};

// Waits `wait`, or fails; tests pass one that records the waits instead of sleeping.
using Sleeper = std::function<Status(std::chrono::milliseconds wait)>;

// Sleeps in short slices and returns kCancelled as soon as ctx.cancelled(). REQUIRES: `ctx`
// outlives the Sleeper.
Sleeper cancellable_sleeper(const Context& ctx);

// Sends `request` until a reply that is not worth retrying, or attempts run out. Returns that
// reply whatever its status (the last 429 or 5xx when attempts ran out or Retry-After asked for
// too long: the caller words the error, it knows what the body means), or the last transport
// error with the number of attempts added. A non-retryable transport error or a failing sleep
// (kCancelled) returns at once.
Result<HttpResponse> send_with_retry(HttpClient& http, const HttpRequest& request, Backoff& backoff,
                                     const Sleeper& sleep);

}  // namespace hades

#endif  // HADES_RETRY_H_
