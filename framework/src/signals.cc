#include "signals.h"

#include <pthread.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

namespace hades {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher() {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, &previous_mask_);
  watcher_ = std::thread([this] { watch(); });
}

SignalWatcher::~SignalWatcher() {
  shutting_down_ = true;
  // Wakes the watcher now rather than at its next poll, so a finished run exits at once: a
  // signal sent to that thread alone, which it takes as "shutting down".
  pthread_kill(watcher_.native_handle(), SIGTERM);
  watcher_.join();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

void SignalWatcher::watch() {
  const sigset_t set = stop_signals();
  const timespec poll_interval{0, 100'000'000};
  while (!shutting_down_) {
    const int sig = sigtimedwait(&set, nullptr, &poll_interval);
    if (sig <= 0 || shutting_down_) continue;
    if (stop_requested_.exchange(true)) {
      static const char kMessage[] = "second signal: stopping now\n";
      (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
      std::_Exit(1);
    }
    signal_number_ = sig;
  }
}

}  // namespace hades
