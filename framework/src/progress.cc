#include "progress.h"

#include <algorithm>
#include <cmath>

namespace hades {
namespace {

constexpr std::chrono::milliseconds kRedrawEvery{200};

// 1234567 -> "1,234,567".
std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string clock_text(double seconds) {
  const auto total = static_cast<std::int64_t>(std::ceil(std::max(0.0, seconds)));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  } else {
    std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  }
  return text;
}

}  // namespace

ProgressLine::ProgressLine(bool enabled, std::string step, std::FILE* out)
    : enabled_(enabled), step_(std::move(step)), out_(out) {}

std::string ProgressLine::format(std::string_view step, std::string_view phase,
                                 std::int64_t records, std::uint64_t done, std::uint64_t total,
                                 double elapsed) {
  std::string line = "[" + std::string(step) + "] " + std::string(phase);
  const bool sized = total > 0;
  const double fraction =
      sized ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 0;
  if (sized) line += " " + std::to_string(static_cast<int>(fraction * 100)) + "%";
  line += " · " + grouped(records) + " records";
  if (elapsed >= 0.5) {
    line += " · " + grouped(static_cast<std::int64_t>(static_cast<double>(records) / elapsed)) +
            " records/s";
    if (sized && fraction > 0)
      line += " · " + clock_text(elapsed * (1 - fraction) / fraction) + " left";
  }
  return line;
}

void ProgressLine::update(std::string_view phase, std::int64_t records, std::uint64_t done,
                          std::uint64_t total) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (phase != phase_) {
    phase_ = std::string(phase);
    phase_start_ = now;
  } else if (now - last_draw_ < kRedrawEvery) {
    return;
  }
  last_draw_ = now;
  const std::string line = format(step_, phase_, records, done, total,
                                  std::chrono::duration<double>(now - phase_start_).count());
  // Blanks over the end of a longer earlier line.
  const std::size_t pad = last_width_ > line.size() ? last_width_ - line.size() : 0;
  std::fprintf(out_, "\r%s%s", line.c_str(), std::string(pad, ' ').c_str());
  std::fflush(out_);
  last_width_ = line.size();
  drawn_ = true;
}

void ProgressLine::finish() {
  if (!drawn_) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
  last_width_ = 0;
  phase_.clear();
}

}  // namespace hades
