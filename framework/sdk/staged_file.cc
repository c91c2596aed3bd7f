#include "hades/staged_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <string>

#include "hades/file_checks.h"

namespace hades {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Status sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::io("cannot open directory " + dir + ": " + errno_text());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::io("cannot sync directory " + dir + ": " + errno_text());
  return Status::ok_status();
}

}  // namespace

Result<StagedFile> StagedFile::open(std::string path, std::string_view token) {
  const std::string partial = path + ".partial";
  std::uint64_t offset = 0;
  if (!token.empty()) {
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), offset);
    if (ec != std::errc() || end != token.data() + token.size()) {
      return Status::corruption("file checkpoint token '" + std::string(token) +
                                "' is not a byte offset");
    }
    if (!exists(partial) && exists(path)) return StagedFile(std::move(path), -1, offset, true);
  }
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (token.empty() ? O_TRUNC : 0);
  const int fd = ::open(partial.c_str(), flags, 0644);
  if (fd < 0) return file_error("", "open", partial, errno);
  StagedFile file(std::move(path), fd, offset, false);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::io("cannot stat " + partial + ": " + errno_text());
  if (static_cast<std::uint64_t>(st.st_size) < offset) {
    return Status::corruption(partial + " has " + std::to_string(st.st_size) +
                              " bytes but its checkpoint says " + std::to_string(offset) +
                              " were committed");
  }
  if (::ftruncate(fd, static_cast<off_t>(offset)) != 0 ||
      ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return Status::io("cannot cut " + partial + " back to its checkpoint: " + errno_text());
  }
  return file;
}

StagedFile::StagedFile(std::string path, int fd, std::uint64_t size, bool published)
    : path_(std::move(path)), fd_(fd), flushed_(size), published_(published) {}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(other.fd_),
      flushed_(other.flushed_),
      dirty_(other.dirty_),
      published_(other.published_),
      buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

StagedFile& StagedFile::operator=(StagedFile&& other) noexcept {
  if (this != &other) {
    close_fd();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    flushed_ = other.flushed_;
    dirty_ = other.dirty_;
    published_ = other.published_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
  }
  return *this;
}

StagedFile::~StagedFile() { close_fd(); }

void StagedFile::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status StagedFile::append(std::string_view bytes) {
  if (published_) return Status::internal(path_ + " is already published");
  buffer_.append(bytes);
  if (buffer_.size() >= (1U << 20)) return write_buffer();
  return Status::ok_status();
}

Status StagedFile::write_buffer() {
  std::string_view rest = buffer_;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io("cannot write " + partial_path() + ": " + errno_text());
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
    flushed_ += static_cast<std::uint64_t>(n);
    dirty_ = true;
  }
  buffer_.clear();
  return Status::ok_status();
}

Result<std::string> StagedFile::flush() {
  if (!published_) HADES_RETURN_IF_ERROR(write_buffer());
  return std::to_string(flushed_);
}

Status StagedFile::publish() {
  if (published_) return Status::ok_status();
  auto flushed = flush();
  if (!flushed.ok()) return flushed.status();
  if (dirty_ && ::fdatasync(fd_) != 0) {
    return Status::io("cannot sync " + partial_path() + ": " + errno_text());
  }
  dirty_ = false;
  if (::rename(partial_path().c_str(), path_.c_str()) != 0) {
    return file_error("", "rename " + partial_path() + " to", path_, errno);
  }
  close_fd();
  published_ = true;
  return sync_directory(directory_of(path_));
}

Status write_whole_file(const std::string& path, const std::string& text) {
  Result<StagedFile> file = StagedFile::open(path, "");
  if (!file.ok()) return file.status();
  Status written = file->append(text);
  if (written.ok()) written = file->publish();
  if (!written.ok()) {
    // Written whole or not at all: no half file stays behind.
    std::error_code ignored;
    std::filesystem::remove(file->partial_path(), ignored);
  }
  return written;
}

}  // namespace hades
