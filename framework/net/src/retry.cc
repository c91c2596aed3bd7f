#include "hades/retry.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>
#include <thread>

namespace hades {

bool is_retryable_status(int status) { return status == 429 || (status >= 500 && status < 600); }

namespace {

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires senders to use.
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& text) {
  std::tm tm{};
  char month[4] = {};
  char zone[4] = {};
  char weekday[4] = {};
  if (std::sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", weekday, &tm.tm_mday, month,
                  &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, zone) != 8 ||
      std::string(zone) != "GMT") {
    return std::nullopt;
  }
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto found = std::find_if(std::begin(kMonths), std::end(kMonths),
                                  [&](const char* m) { return std::string(m) == month; });
  if (found == std::end(kMonths)) return std::nullopt;
  tm.tm_mon = static_cast<int>(found - std::begin(kMonths));
  tm.tm_year -= 1900;
  const std::time_t t = timegm(&tm);
  if (t == -1) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace

std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response,
                                                     std::chrono::system_clock::time_point now) {
  const std::optional<std::string> header = response.header("Retry-After");
  if (!header) return std::nullopt;
  std::string text = *header;
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t") + 1);
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    std::int64_t seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    // More digits than an int64 holds: longer than any wait anyone means.
    if (error != std::errc() || end != text.data() + text.size()) {
      return std::chrono::milliseconds::max();
    }
    return std::chrono::milliseconds(std::min<std::int64_t>(seconds, 1'000'000'000) * 1000);
  }
  const auto date = parse_http_date(text);
  if (!date) return std::nullopt;
  if (*date <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
}

Backoff::Backoff(RetryPolicy policy, std::uint64_t seed) : policy_(policy), random_(seed) {}

std::chrono::milliseconds Backoff::delay(int retry,
                                         std::optional<std::chrono::milliseconds> asked) {
  const std::int64_t base = std::max<std::int64_t>(1, policy_.base.count());
  const int doublings = std::clamp(retry - 1, 0, 40);
  const std::int64_t step = base > (INT64_MAX >> doublings) ? INT64_MAX : base << doublings;
  const std::int64_t ceiling = std::max<std::int64_t>(1, std::min(policy_.cap.count(), step));
  std::uniform_int_distribution<std::int64_t> pick(ceiling / 2, ceiling);
  std::chrono::milliseconds wait(pick(random_));
  if (asked && *asked > wait) wait = *asked;
  return wait;
}

Sleeper cancellable_sleeper(const Context& ctx) {
  return [&ctx](std::chrono::milliseconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      if (ctx.cancelled()) return Status::cancelled("stopped while waiting to retry");
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
    }
    return Status::ok_status();
  };
}

Result<HttpResponse> send_with_retry(HttpClient& http, const HttpRequest& request, Backoff& backoff,
                                     const Sleeper& sleep) {
  const int attempts = std::max(1, backoff.policy().max_attempts);
  for (int attempt = 1;; ++attempt) {
    Result<HttpResponse> response = http.send(request);
    std::optional<std::chrono::milliseconds> asked;
    if (!response.ok()) {
      if (!response.status().retryable()) return response;
      if (attempt >= attempts) {
        return response.status().with_context("gave up after " + std::to_string(attempts) +
                                              " attempts");
      }
    } else {
      if (!is_retryable_status(response->status) || attempt >= attempts) return response;
      asked = retry_after(*response);
      if (asked && *asked > backoff.policy().max_retry_after) return response;
    }
    HADES_RETURN_IF_ERROR(sleep(backoff.delay(attempt, asked)));
  }
}

}  // namespace hades
