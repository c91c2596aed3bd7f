// hades/staged_file.h: file output that survives kill -9 and appears only when complete.
//
// Bytes go to "<path>.partial". flush() hands them to the operating system, where they survive
// the process being killed (kill -9 included), and returns a token (the byte offset); a resumed
// step passes that token back to open(), which cuts the partial file back to it, dropping
// whatever was written after the last committed checkpoint. publish() syncs the file to disk,
// renames it onto `path` atomically and syncs the directory, so readers see either no file or
// the whole file, on disk.
//
// flush() does not sync (as Spring Batch's file writers by default): a sync per chunk cost more
// than everything else an export does, and the job database commits the same way (SQLite
// synchronous=NORMAL: durable at its next checkpoint). A power failure mid-run may therefore
// leave the database's last checkpoint ahead of the partial file; open() then refuses the token
// (kCorruption: committed bytes lost) rather than continue a file with a gap, and `--fresh`
// starts over. A killed process loses nothing.
//
// Thread safety: use from one thread.

#ifndef HADES_STAGED_FILE_H_
#define HADES_STAGED_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "hades/status.h"

namespace hades {

class StagedFile {
 public:
  // Opens the partial file of `path` for appending. With an empty `token`, it starts empty.
  // With a token from flush(), it is cut back to that offset; when the partial file is gone
  // because an earlier attempt already published `path`, the StagedFile is in the published
  // state (Append fails, Publish succeeds). Fails with kCorruption when the partial file is
  // shorter than the token (committed bytes lost) or the token is not one of ours, and with
  // kInvalidConfig when the partial file cannot be opened for good (a missing or read-only
  // directory: file_checks.h).
  static Result<StagedFile> open(std::string path, std::string_view token);

  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&& other) noexcept;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  ~StagedFile();

  // Buffers `bytes`; they reach the file by the next flush() at the latest.
  Status append(std::string_view bytes);
  // Writes the buffer to the file (no sync, see above) and returns the token for its size.
  Result<std::string> flush();
  // Flushes and syncs the data, then renames the partial file to `path` and syncs the
  // directory. Idempotent.
  Status publish();

  const std::string& path() const { return path_; }
  std::string partial_path() const { return path_ + ".partial"; }
  // Bytes written so far, buffered ones included.
  std::uint64_t size() const { return flushed_ + buffer_.size(); }
  bool published() const { return published_; }

 private:
  StagedFile(std::string path, int fd, std::uint64_t size, bool published);
  Status write_buffer();
  void close_fd();

  std::string path_;
  int fd_ = -1;
  std::uint64_t flushed_ = 0;
  bool dirty_ = false;  // written since the last sync
  bool published_ = false;
  std::string buffer_;
};

// Writes `text` to `path` so that the file appears whole or not at all (a StagedFile: written
// aside, then renamed; on failure the partial file is removed). kIo naming the step that failed.
Status write_whole_file(const std::string& path, const std::string& text);

}  // namespace hades

#endif  // HADES_STAGED_FILE_H_
