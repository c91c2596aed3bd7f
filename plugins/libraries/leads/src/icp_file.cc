#include "leads/icp_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

#include "hades/time.h"

namespace hades::domain {
namespace {

constexpr std::chrono::milliseconds kLockPoll{50};

std::string errno_text() { return std::strerror(errno); }

// Closes `fd` on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::io("cannot write " + path + ": " + errno_text());
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::ok_status();
}

// The one line the holder wrote into the lock file, or a placeholder.
std::string holder_of(int fd) {
  char buffer[256];
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string line(buffer, n > 0 ? static_cast<std::size_t>(n) : 0);
  if (const std::size_t nl = line.find('\n'); nl != std::string::npos) line.resize(nl);
  return line.empty() ? std::string("another process") : line;
}

void record_holder(int fd) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "?");
  const std::string line = "pid " + std::to_string(::getpid()) + " on host " + host + " since " +
                           format_offset_time(std::time(nullptr), 0, "Z") + "\n";
  // Informative only: a failure leaves an older holder's line, which is harmless.
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, line.data(), line.size(), 0);
}

}  // namespace

Result<std::string> read_file_bytes(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::io("cannot open " + path + ": " + errno_text());
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::io("cannot read " + path + ": " + errno_text());
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

Result<std::string> canonical_icp_path(const std::string& path) {
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) return Status::io("cannot resolve " + path + ": " + error.message());
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(absolute, error);
  if (error) return Status::io("cannot resolve " + path + ": " + error.message());
  return canonical.string();
}

std::string lock_path_of(const std::string& path) { return path + ".lock"; }
std::string temp_path_of(const std::string& path) { return path + ".hades-tmp"; }

Result<IcpFileLock> IcpFileLock::acquire(const std::string& path, std::chrono::milliseconds wait) {
  const std::string lock_path = lock_path_of(path);
  Fd fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) return Status::io("cannot open lock file " + lock_path + ": " + errno_text());
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) break;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      return Status::io("cannot lock " + lock_path + ": " + errno_text());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::locked(path + " is being changed by " + holder_of(fd.get()) + " (lock " +
                            lock_path + "); try again when it has finished");
    }
    std::this_thread::sleep_for(kLockPoll);
  }
  record_holder(fd.get());
  return IcpFileLock(fd.release());
}

IcpFileLock::IcpFileLock(IcpFileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

IcpFileLock& IcpFileLock::operator=(IcpFileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

IcpFileLock::~IcpFileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Status replace_file_durably(const std::string& path, std::string_view bytes,
                            const StageHook& hook) {
  struct stat old {};
  const bool exists = ::stat(path.c_str(), &old) == 0;
  if (!exists && errno != ENOENT) return Status::io("cannot stat " + path + ": " + errno_text());
  const std::string temp = temp_path_of(path);
  Status written = [&]() -> Status {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Status::io("cannot create " + temp + ": " + errno_text());
    HADES_RETURN_IF_ERROR(write_all(fd.get(), bytes, temp));
    const mode_t mode = exists ? (old.st_mode & 07777) : 0644;
    if (::fchmod(fd.get(), mode) != 0) {
      return Status::io("cannot set the mode of " + temp + ": " + errno_text());
    }
    // Keep the owner too where we may (as root); otherwise the file is ours, as with any editor.
    if (exists) (void)!::fchown(fd.get(), old.st_uid, old.st_gid);
    if (::fsync(fd.get()) != 0) return Status::io("cannot sync " + temp + ": " + errno_text());
    if (::close(fd.release()) != 0) {
      return Status::io("cannot close " + temp + ": " + errno_text());
    }
    return Status::ok_status();
  }();
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  if (hook) hook("after_temp");
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const Status failed = Status::io("cannot rename " + temp + " to " + path + ": " + errno_text());
    ::unlink(temp.c_str());
    return failed;
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  Fd dir_fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    return Status::io("cannot sync directory " + dir + ": " + errno_text());
  }
  if (hook) hook("after_rename");
  return Status::ok_status();
}

}  // namespace hades::domain
