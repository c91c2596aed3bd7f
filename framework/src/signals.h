// signals.h: turns SIGTERM and SIGINT into a flag the runner checks at chunk boundaries.
//
// The signals are blocked in every thread and received by one watcher thread with sigwait, so
// no handler runs at an arbitrary instant and nothing global is mutated. A second signal ends
// the process at once (exit 1): the last committed checkpoint still holds, so that is safe.
//
// Construct it before any other thread starts; destroy it to restore the signal mask.

#ifndef HADES_FRAMEWORK_SIGNALS_H_
#define HADES_FRAMEWORK_SIGNALS_H_

#include <signal.h>

#include <atomic>
#include <thread>

namespace hades {

class SignalWatcher {
 public:
  SignalWatcher();
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  bool stop_requested() const { return stop_requested_.load(); }
  // The signal that asked to stop (SIGTERM or SIGINT), 0 if none.
  int signal_number() const { return signal_number_.load(); }

 private:
  void watch();

  sigset_t previous_mask_{};
  std::atomic<bool> stop_requested_{false};
  std::atomic<int> signal_number_{0};
  std::atomic<bool> shutting_down_{false};
  std::thread watcher_;
};

}  // namespace hades

#endif  // HADES_FRAMEWORK_SIGNALS_H_
