#include "csv_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "hades/file_checks.h"
#include "hades/redact.h"

namespace hades::csv_source {
namespace {

// True when `text` is well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    // Most CSV text is ASCII: test eight bytes at a time for a set high bit.
    while (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    std::uint32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
      code_point = lead & 0x1Fu;
    } else if ((lead & 0xF0u) == 0xE0u) {
      extra = 2;
      code_point = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      code_point = lead & 0x07u;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int k = 1; k <= extra; ++k) {
      if ((p[k] & 0xC0u) != 0x80u) return false;
      code_point = (code_point << 6) | (p[k] & 0x3Fu);
    }
    if (extra == 2 && (code_point < 0x800 || (code_point >= 0xD800 && code_point <= 0xDFFF))) {
      return false;
    }
    if (extra == 3 && (code_point < 0x10000 || code_point > 0x10FFFF)) return false;
    p += extra + 1;
  }
  return true;
}

std::string errno_text() { return std::strerror(errno); }

// The record's bytes up to `end`, without a final LF or CRLF.
std::string_view without_line_end(const char* begin, const char* end) {
  if (end > begin && end[-1] == '\n') --end;
  if (end > begin && end[-1] == '\r') --end;
  return std::string_view(begin, static_cast<std::size_t>(end - begin));
}

}  // namespace

CsvReader::CsvReader(CsvReaderOptions options) : options_(options) {
  const auto stop = [this](char c) { stops_[static_cast<unsigned char>(c)] = true; };
  stop(options_.delimiter);
  stop('\r');
  stop('\n');
  stop('"');
}

CsvReader::~CsvReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status CsvReader::open(const std::string& path) {
  const char delimiter = options_.delimiter;
  if (delimiter == '"' || delimiter == '\r' || delimiter == '\n') {
    return Status::invalid_config("the delimiter cannot be a quote, CR or LF");
  }
  path_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return file_error("", "open", path, errno);
  buffer_.resize(std::max<std::size_t>(options_.block_size, 16));
  scratch_.resize(buffer_.size());

  while (end_ - pos_ < 3 && !eof_) HADES_RETURN_IF_ERROR(refill());
  if (end_ - pos_ >= 3 && std::memcmp(buffer_.data() + pos_, "\xEF\xBB\xBF", 3) == 0) {
    pos_ += 3;
    offset_ += 3;
  }

  CsvRecord record;
  const Result<bool> got = next(&record);
  if (!got.ok()) return got.status();
  if (!*got) return Status::invalid_config(path + " is empty: a header row is required");
  if (!record.error.empty()) {
    return Status::invalid_config(path + ": header row (line " + std::to_string(record.line) +
                                  "): " + record.error);
  }
  std::map<std::string_view, std::size_t> seen;
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    const std::string_view name = record.fields[i].text;
    const auto [it, inserted] = seen.emplace(name, i);
    if (!inserted) {
      return Status::invalid_config(path + ": header name '" + printable(name) +
                                    "' appears twice (columns " + std::to_string(it->second + 1) +
                                    " and " + std::to_string(i + 1) + ")");
    }
  }
  header_.reserve(record.fields.size());
  for (const CsvField& field : record.fields) header_.emplace_back(field.text);
  data_offset_ = offset_;
  return Status::ok_status();
}

Status CsvReader::seek(std::uint64_t offset, std::uint64_t line) {
  const std::string where = "cursor offset " + std::to_string(offset) + " in " + path_;
  if (offset < data_offset_) {
    return Status::corruption(where + " is before the first data record (offset " +
                              std::to_string(data_offset_) + ")");
  }
  if (line == 0) return Status::corruption(where + ": line numbers start at 1");
  struct stat info {};
  if (::fstat(fd_, &info) != 0) return Status::io("cannot stat " + path_ + ": " + errno_text());
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (offset > size) {
    return Status::corruption(where + " is past the end of the file (" + std::to_string(size) +
                              " bytes): was the file replaced?");
  }
  // Records start at the beginning of a line; anything else means the cursor is not ours.
  if (offset != data_offset_ && offset != size) {
    char before = 0;
    if (::pread(fd_, &before, 1, static_cast<off_t>(offset - 1)) != 1) {
      return Status::io("cannot read " + path_ + ": " + errno_text());
    }
    if (before != '\n') return Status::corruption(where + " is not at the start of a line");
  }
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return Status::io("cannot seek in " + path_ + ": " + errno_text());
  }
  pos_ = 0;
  end_ = 0;
  eof_ = false;
  offset_ = offset;
  line_ = line;
  return Status::ok_status();
}

Result<bool> CsvReader::next(CsvRecord* record) {
  for (;;) {
    if (pos_ == end_) {
      if (eof_) return false;
      HADES_RETURN_IF_ERROR(refill());
      continue;
    }
    // Blank lines are not records.
    const char first = buffer_[pos_];
    if (first == '\n') {
      ++pos_;
      ++offset_;
      ++line_;
      continue;
    }
    if (first == '\r') {
      if (pos_ + 1 == end_ && !eof_) {
        HADES_RETURN_IF_ERROR(refill());
        continue;
      }
      if (pos_ + 1 < end_ && buffer_[pos_ + 1] == '\n') {
        pos_ += 2;
        offset_ += 2;
        ++line_;
        continue;
      }
    }
    std::size_t consumed = 0;
    std::uint64_t newlines = 0;
    const char* const begin = buffer_.data() + pos_;
    if (parse_record(begin, buffer_.data() + end_, record, &consumed, &newlines) ==
        Parse::kNeedMore) {
      HADES_RETURN_IF_ERROR(refill());
      continue;
    }
    record->line = line_;
    record->offset = offset_;
    pos_ += consumed;
    offset_ += consumed;
    line_ += newlines;
    check_record(record);
    return true;
  }
}

Status CsvReader::refill() {
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == buffer_.size()) {
    // One record fills the whole buffer.
    // The file says the same on every try: a data problem for a person (exit 2), not I/O.
    if (buffer_.size() >= options_.max_record_size) {
      return Status::invalid_config(path_ + ": the record starting on line " +
                                    std::to_string(line_) + " is longer than " +
                                    std::to_string(options_.max_record_size) +
                                    " bytes (an unbalanced quote, or not a CSV file?)");
    }
    buffer_.resize(std::min(buffer_.size() * 2, options_.max_record_size));
    scratch_.resize(buffer_.size());
  }
  ssize_t n = 0;
  do {
    n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Status::io("cannot read " + path_ + ": " + errno_text());
  if (n == 0) {
    eof_ = true;
  } else {
    end_ += static_cast<std::size_t>(n);
  }
  return Status::ok_status();
}

std::size_t CsvReader::append_scratch(const char* begin, const char* end) {
  const std::size_t start = scratch_used_;
  const auto size = static_cast<std::size_t>(end - begin);
  std::memcpy(scratch_.data() + scratch_used_, begin, size);
  scratch_used_ += size;
  return start;
}

CsvReader::Parse CsvReader::parse_record(const char* const begin, const char* const end,
                                         CsvRecord* record, std::size_t* consumed,
                                         std::uint64_t* newlines) {
  record->fields.clear();
  record->error.clear();
  scratch_used_ = 0;
  const char delimiter = options_.delimiter;
  const bool at_eof = eof_;
  std::uint64_t lines = 0;  // line feeds inside quoted fields so far
  const auto done = [&](const char* line_end, std::size_t line_end_size) {
    record->raw = std::string_view(begin, static_cast<std::size_t>(line_end - begin));
    *consumed = static_cast<std::size_t>(line_end - begin) + line_end_size;
    *newlines = lines + (line_end_size > 0 ? 1 : 0);
    return Parse::kDone;
  };

  const char* p = begin;
  for (;;) {  // one field per iteration
    if (p < end && *p == '"') {
      const char* const content = p + 1;
      const char* segment = content;
      const char* close = nullptr;
      std::size_t scratch_begin = 0;
      bool escaped = false;
      while (close == nullptr) {
        const auto* quote = static_cast<const char*>(
            std::memchr(segment, '"', static_cast<std::size_t>(end - segment)));
        if (quote == nullptr) {
          if (!at_eof) return Parse::kNeedMore;
          record->error = "unterminated quoted field " + std::to_string(record->fields.size() + 1) +
                          " at end of file";
          record->raw = without_line_end(begin, end);
          *consumed = static_cast<std::size_t>(end - begin);
          *newlines = lines + static_cast<std::uint64_t>(std::count(content, end, '\n'));
          return Parse::kDone;
        }
        // A quote at the end of the buffer may be the first half of "".
        if (quote + 1 == end && !at_eof) return Parse::kNeedMore;
        if (quote + 1 < end && quote[1] == '"') {
          const std::size_t start = append_scratch(segment, quote + 1);
          if (!escaped) scratch_begin = start;
          escaped = true;
          segment = quote + 2;
        } else {
          close = quote;
        }
      }
      lines += static_cast<std::uint64_t>(std::count(content, close, '\n'));
      std::string_view text(content, static_cast<std::size_t>(close - content));
      if (escaped) {
        append_scratch(segment, close);
        text = std::string_view(scratch_.data() + scratch_begin, scratch_used_ - scratch_begin);
      }
      record->fields.push_back(CsvField{text, true});
      p = close + 1;
      if (p == end) return done(p, 0);  // only reached at the end of the file
      if (*p == delimiter) {
        ++p;
        continue;
      }
      if (*p == '\n') return done(p, 1);
      if (*p == '\r') {
        if (p + 1 == end && !at_eof) return Parse::kNeedMore;
        if (p + 1 < end && p[1] == '\n') return done(p, 2);
      }
      record->error = "unexpected text after the closing quote of field " +
                      std::to_string(record->fields.size());
      return finish_bad_record(begin, p, end, lines, record, consumed, newlines);
    }

    const char* const start = p;
    for (;;) {
      while (p < end && !stops_[static_cast<unsigned char>(*p)]) ++p;
      if (p == end || *p != '\r') break;
      if (p + 1 == end && !at_eof) return Parse::kNeedMore;
      if (p + 1 < end && p[1] == '\n') break;
      ++p;  // a lone CR is data
    }
    const std::string_view text(start, static_cast<std::size_t>(p - start));
    if (p == end) {
      if (!at_eof) return Parse::kNeedMore;
      record->fields.push_back(CsvField{text, false});
      return done(p, 0);
    }
    const char stop = *p;
    if (stop == delimiter) {
      record->fields.push_back(CsvField{text, false});
      ++p;
      continue;
    }
    if (stop == '\n' || stop == '\r') {
      record->fields.push_back(CsvField{text, false});
      return done(p, stop == '\n' ? 1 : 2);
    }
    record->error = "quote inside unquoted field " + std::to_string(record->fields.size() + 1);
    return finish_bad_record(begin, p, end, lines, record, consumed, newlines);
  }
}

CsvReader::Parse CsvReader::finish_bad_record(const char* begin, const char* from, const char* end,
                                              std::uint64_t lines, CsvRecord* record,
                                              std::size_t* consumed,
                                              std::uint64_t* newlines) const {
  const auto* line_feed =
      static_cast<const char*>(std::memchr(from, '\n', static_cast<std::size_t>(end - from)));
  if (line_feed == nullptr) {
    if (!eof_) return Parse::kNeedMore;
    record->raw = without_line_end(begin, end);
    *consumed = static_cast<std::size_t>(end - begin);
    *newlines = lines;
    return Parse::kDone;
  }
  record->raw = without_line_end(begin, line_feed + 1);
  *consumed = static_cast<std::size_t>(line_feed + 1 - begin);
  *newlines = lines + 1;
  return Parse::kDone;
}

void CsvReader::check_record(CsvRecord* record) const {
  if (!record->error.empty()) return;
  if (!header_.empty() && record->fields.size() != header_.size()) {
    record->error = "expected " + std::to_string(header_.size()) + " fields, got " +
                    std::to_string(record->fields.size());
    return;
  }
  for (std::size_t i = 0; i < record->fields.size(); ++i) {
    if (!is_valid_utf8(record->fields[i].text)) {
      record->error = "invalid UTF-8 in field " + std::to_string(i + 1);
      return;
    }
  }
}

}  // namespace hades::csv_source
