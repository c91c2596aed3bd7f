// progress.h: the line a terminal shows while a step runs.
//
// "[export] reading 45% · 450,123 records · 98,765 records/s · 00:12 left", rewritten in place
// at most five times a second. Percent and time left appear when the work's size is known (a
// source's SourceProgress, the ordered records of order_by); otherwise only the count and the
// rate. Only on a terminal and in text logs: the runner passes enabled = false otherwise, and
// nothing at all is written then.
//
// Thread safety: one thread.

#ifndef HADES_FRAMEWORK_PROGRESS_H_
#define HADES_FRAMEWORK_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace hades {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  // Writes to `out` (stderr) when `enabled`.
  ProgressLine(bool enabled, std::string step, std::FILE* out = stderr);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine() { finish(); }

  // `records` handled so far in `phase`; `done` of `total` units of work (total 0: unknown).
  // A new phase restarts the rate and the time left.
  void update(std::string_view phase, std::int64_t records, std::uint64_t done,
              std::uint64_t total);
  // Ends the line (a newline) when anything was written.
  void finish();

  // The text of the line for these numbers, `elapsed` seconds into the phase (for tests).
  static std::string format(std::string_view step, std::string_view phase, std::int64_t records,
                            std::uint64_t done, std::uint64_t total, double elapsed);

 private:
  bool enabled_;
  std::string step_;
  std::FILE* out_;
  std::string phase_;
  Clock::time_point phase_start_;
  Clock::time_point last_draw_;
  std::size_t last_width_ = 0;
  bool drawn_ = false;
};

}  // namespace hades

#endif  // HADES_FRAMEWORK_PROGRESS_H_
