// icp_file.h: reading, locking and durably replacing icp.yaml on the local disk.
//
// The weight writer changes a file that the scorer, people and git also read. Three promises:
//   - read_file_bytes() returns the bytes exactly (CRLF, BOM and all), so hashes and edits see
//     what is on disk;
//   - IcpFileLock serialises every writer of one icp.yaml on this host (the weight_writer jobs
//     and the calibration page alike): an exclusive flock(2) on "<icp.yaml>.lock", which the
//     kernel releases when the holder exits, kill -9 included, so a crash never leaves it held.
//     The lock file stays (removing it would race with the next locker); it holds one line
//     naming the current or last holder, for the message another writer shows;
//   - replace_file_durably() makes the new bytes appear whole or not at all, and survive a power
//     cut once it returns: a temporary file in the same directory, written, given the old file's
//     mode, fsync'd, renamed over the file, and the directory fsync'd.
//
// Thread safety: free functions; an IcpFileLock is owned by one thread.

#ifndef HADES_LEADS_ICP_FILE_H_
#define HADES_LEADS_ICP_FILE_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "hades/status.h"

namespace hades::domain {

// The whole file. kIo naming the path when it cannot be opened or read.
Result<std::string> read_file_bytes(const std::string& path);

// The absolute path with symlinks resolved (of the file, or of its directory when the file does
// not exist), so that one icp.yaml has one name in locks and audit rows however it was reached.
// kIo when the directory does not exist.
Result<std::string> canonical_icp_path(const std::string& path);

// "<path>.lock": the lock file of `path`.
std::string lock_path_of(const std::string& path);
// The temporary file replace_file_durably() writes `path` through; removed by recovery when a
// crash leaves it behind.
std::string temp_path_of(const std::string& path);

// An exclusive lock on one icp.yaml, released on destruction.
class IcpFileLock {
 public:
  // Takes the lock of `path` (its lock file is created when missing), waiting up to `wait` for a
  // holder to finish. Fails with kLocked naming the holder ("pid 123 on host h since ...") when
  // it is still held after `wait`, kIo when the lock file cannot be opened.
  static Result<IcpFileLock> acquire(const std::string& path, std::chrono::milliseconds wait);

  IcpFileLock(IcpFileLock&& other) noexcept;
  IcpFileLock& operator=(IcpFileLock&& other) noexcept;
  IcpFileLock(const IcpFileLock&) = delete;
  IcpFileLock& operator=(const IcpFileLock&) = delete;
  ~IcpFileLock();

 private:
  explicit IcpFileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Called with a stage's name once that stage is durable ("after_temp", "after_rename"). Tests
// use it to kill the process at each stage; production code passes nothing.
using StageHook = std::function<void(std::string_view stage)>;

// Replaces `path` with `bytes` atomically and durably, keeping its permission bits (0644 when
// it does not exist). kIo naming the step that failed; on failure before the rename the file is
// untouched and the temporary file removed.
Status replace_file_durably(const std::string& path, std::string_view bytes,
                            const StageHook& hook = nullptr);

}  // namespace hades::domain

#endif  // HADES_LEADS_ICP_FILE_H_
