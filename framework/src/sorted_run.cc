#include "sorted_run.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "record_codec.h"

namespace hades {
namespace {

constexpr std::string_view kHeader = "HDSRUN1\n";
constexpr std::size_t kReadBuffer = std::size_t{64} << 10;
constexpr std::size_t kWriteBuffer = std::size_t{256} << 10;
constexpr std::size_t kMaxFrameHeader = 20;  // two varints

std::uint64_t chain(std::uint64_t checksum, std::string_view key, std::string_view body) {
  return hash_bytes(body, hash_bytes(key, checksum));
}

}  // namespace

Result<RunWriter> RunWriter::create(const std::string& path) {
  RunWriter writer(path);
  writer.out_.open(path, std::ios::binary | std::ios::trunc);
  if (!writer.out_) return Status::io("cannot create sorted run " + path);
  writer.buffer_.append(kHeader);
  return writer;
}

Status RunWriter::write_buffer() {
  out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  if (!out_) return Status::io("cannot write sorted run " + path_);
  bytes_ += buffer_.size();
  buffer_.clear();
  return Status::ok_status();
}

Status RunWriter::append(std::string_view key, std::string_view body) {
  append_varint(key.size(), &buffer_);
  append_varint(body.size(), &buffer_);
  buffer_.append(key);
  buffer_.append(body);
  checksum_ = chain(checksum_, key, body);
  ++records_;
  if (buffer_.size() >= kWriteBuffer) return write_buffer();
  return Status::ok_status();
}

Result<SortedRunFile> RunWriter::finish() {
  HADES_RETURN_IF_ERROR(write_buffer());
  out_.close();
  if (!out_) return Status::io("cannot write sorted run " + path_);
  return SortedRunFile{std::filesystem::path(path_).filename().string(), bytes_, records_,
                       checksum_};
}

Status sync_runs(const std::string& dir, const std::vector<SortedRunFile>& runs) {
  const auto sync = [](const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return Status::io("cannot open " + path + ": " + std::strerror(errno));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) return Status::io("cannot sync " + path + ": " + std::strerror(errno));
    return Status::ok_status();
  };
  for (const SortedRunFile& run : runs) {
    HADES_RETURN_IF_ERROR(sync((std::filesystem::path(dir) / run.name).string(), O_RDONLY));
  }
  return sync(dir, O_RDONLY | O_DIRECTORY);
}

Result<RunReader> RunReader::open(std::string path) {
  RunReader reader(std::move(path));
  reader.in_.open(reader.path_, std::ios::binary);
  if (!reader.in_) return Status::corruption("cannot open sorted run " + reader.path_);
  HADES_RETURN_IF_ERROR(reader.fill(kHeader.size()));
  if (std::string_view(reader.buffer_).substr(0, kHeader.size()) != kHeader) {
    return Status::corruption(reader.path_ + " is not a sorted run file");
  }
  reader.pos_ = kHeader.size();
  return reader;
}

Status RunReader::fill(std::size_t n) {
  if (buffer_.size() - pos_ >= n || eof_) return Status::ok_status();
  buffer_.erase(0, pos_);
  pos_ = 0;
  while (buffer_.size() < n && !eof_) {
    const std::size_t have = buffer_.size();
    buffer_.resize(std::max(n, have + kReadBuffer));
    in_.read(buffer_.data() + have, static_cast<std::streamsize>(buffer_.size() - have));
    buffer_.resize(have + static_cast<std::size_t>(in_.gcount()));
    if (in_.bad()) return Status::io("cannot read sorted run " + path_);
    eof_ = in_.eof();
  }
  return Status::ok_status();
}

Result<bool> RunReader::next(std::string_view* key, std::string_view* body) {
  HADES_RETURN_IF_ERROR(fill(kMaxFrameHeader));
  if (pos_ == buffer_.size()) return false;
  std::string_view frame = std::string_view(buffer_).substr(pos_);
  std::uint64_t key_size = 0;
  std::uint64_t body_size = 0;
  if (!read_varint(&frame, &key_size) || !read_varint(&frame, &body_size)) {
    return Status::corruption(path_ + " is cut short (record " + std::to_string(records_ + 1) +
                              ")");
  }
  const std::size_t header = buffer_.size() - pos_ - frame.size();
  HADES_RETURN_IF_ERROR(fill(header + key_size + body_size));
  if (buffer_.size() - pos_ < header + key_size + body_size) {
    return Status::corruption(path_ + " is cut short (record " + std::to_string(records_ + 1) +
                              ")");
  }
  *key = std::string_view(buffer_).substr(pos_ + header, key_size);
  *body = std::string_view(buffer_).substr(pos_ + header + key_size, body_size);
  pos_ += header + key_size + body_size;
  checksum_ = chain(checksum_, *key, *body);
  ++records_;
  return true;
}

Status verify_run(const std::string& path, const SortedRunFile& expected) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::corruption("sorted run " + path + " is missing: " + ec.message());
  if (size != expected.bytes) {
    return Status::corruption("sorted run " + path + " has " + std::to_string(size) +
                              " bytes, its checkpoint says " + std::to_string(expected.bytes));
  }
  auto reader = RunReader::open(path);
  if (!reader.ok()) return reader.status();
  std::string_view key;
  std::string_view body;
  for (;;) {
    auto more = reader->next(&key, &body);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  if (reader->records() != expected.records || reader->checksum() != expected.checksum) {
    return Status::corruption("sorted run " + path +
                              " does not hold the records its checkpoint "
                              "recorded (checksum or count differs)");
  }
  return Status::ok_status();
}

}  // namespace hades
