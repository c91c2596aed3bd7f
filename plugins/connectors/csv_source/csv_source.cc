#include "csv_source.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <utility>

#include "hades/file_checks.h"
#include "hades/plugin_export.h"
#include "hades/redact.h"

namespace hades::csv_source {

const SettingSpec kSettings[5] = {
    {"path", SettingType::kString, true, nullptr, false, "The CSV file to read."},
    {"columns", SettingType::kStringMap, false, nullptr, false,
     "Output field -> CSV header name. When set, the output has exactly these fields, in this "
     "order; when absent, every column under its header name, in file order."},
    {"delimiter", SettingType::kString, false, ",", false, "The field separator: one byte."},
    {"empty_as_null", SettingType::kBool, false, "true", false,
     "Empty unquoted fields become null; when false, empty text. A quoted empty field (\"\") is "
     "always empty text."},
    {"source_name", SettingType::kString, false, nullptr, false,
     "The name in record positions (`<source_name>:<line>`); defaults to the file's base name."},
};

namespace {

// Raw text of a rejected record beyond this is cut: a rejects line should stay readable, and a
// runaway quoted field can span megabytes.
constexpr std::size_t kMaxRejectedRecordBytes = 64 * 1024;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += "'" + printable(name) + "'";
  }
  return out;
}

Status missing_header(const std::string& path, const std::string& header_name,
                      const std::string& field, const std::vector<std::string>& header) {
  // A header that ends in a stray CR (a CRLF file with a lone CR) must show as such: printed
  // raw, the CR would hide the text before it on a terminal.
  return Status::invalid_config(path + ": header '" + printable(header_name) + "' (for field '" +
                                printable(field) +
                                "') is not in the file; its headers are: " + join(header));
}

}  // namespace

Result<CsvSourceConfig> bind_config(const Settings& settings) {
  CsvSourceConfig config;
  config.path = settings.get_string("path").value_or("");
  if (config.path.empty()) return Status::invalid_config("csv_source: `path` is required");
  config.columns = settings.get_string_map("columns");
  for (const auto& [field, header] : config.columns) {
    if (field.empty() || header.empty()) {
      return Status::invalid_config("csv_source: `columns` entries need a field and a header");
    }
  }
  const std::string delimiter = settings.get_string("delimiter").value_or(",");
  if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\r" || delimiter == "\n") {
    return Status::invalid_config(
        "csv_source: `delimiter` must be one byte other than a quote, "
        "CR or LF; got '" +
        printable(delimiter) + "'");
  }
  config.delimiter = delimiter[0];
  config.empty_as_null = settings.get_bool("empty_as_null").value_or(true);
  config.source_name = settings.get_string("source_name").value_or("");
  if (config.source_name.empty()) {
    config.source_name = std::filesystem::path(config.path).filename().string();
  }
  return config;
}

Status check_input(const CsvSourceConfig& config) {
  return check_readable_file(config.path, "csv_source: `path`");
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<CsvSourceConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  // Checked here, so that `hades validate` reports a missing input before anything runs.
  HADES_RETURN_IF_ERROR(check_input(*config));
  return std::unique_ptr<Plugin>(std::make_unique<CsvSource>(std::move(config).value()));
}

std::string format_cursor(std::uint64_t offset, std::uint64_t line) {
  return "offset=" + std::to_string(offset) + ";line=" + std::to_string(line);
}

Status parse_cursor(std::string_view cursor, std::uint64_t* offset, std::uint64_t* line) {
  const auto bad = [cursor] {
    return Status::corruption("csv_source: cursor '" + std::string(cursor) +
                              "' is not of the form offset=<n>;line=<n>");
  };
  // Reads "<key><digits>" from the front of `text`, stopping at the end of the digits.
  const auto take = [](std::string_view* text, std::string_view key, std::uint64_t* value) {
    if (text->substr(0, key.size()) != key) return false;
    const char* const first = text->data() + key.size();
    const char* const last = text->data() + text->size();
    const auto [stop, ec] = std::from_chars(first, last, *value);
    if (ec != std::errc() || stop == first) return false;
    text->remove_prefix(static_cast<std::size_t>(stop - text->data()));
    return true;
  };
  std::string_view rest = cursor;
  if (!take(&rest, "offset=", offset) || !take(&rest, ";line=", line) || !rest.empty()) {
    return bad();
  }
  return Status::ok_status();
}

CsvSource::CsvSource(CsvSourceConfig config) : config_(std::move(config)) {}

Status CsvSource::open(Context& /*ctx*/, std::string_view cursor) {
  std::uint64_t offset = 0;
  std::uint64_t line = 0;
  if (!cursor.empty()) HADES_RETURN_IF_ERROR(parse_cursor(cursor, &offset, &line));

  CsvReaderOptions options;
  options.delimiter = config_.delimiter;
  options.block_size = config_.block_size;
  read_ahead_.reset();  // a second open() starts over
  auto reader = std::make_unique<CsvReader>(options);
  HADES_RETURN_IF_ERROR(reader->open(config_.path));
  std::error_code ec;
  file_size_ = std::filesystem::file_size(config_.path, ec);
  if (ec) file_size_ = 0;  // a pipe or a special file: no percentage
  HADES_RETURN_IF_ERROR(build_schema(reader->header()));
  if (!cursor.empty()) HADES_RETURN_IF_ERROR(reader->seek(offset, line));
  cursor_offset_ = reader->offset();
  cursor_line_ = reader->line();
  read_ahead_ = std::make_unique<ReadAhead>(
      std::move(reader), [this](const CsvRecord& record, ReadItem* item) {
        item->position = position(record.line);
        if (!record.error.empty()) {
          item->rejected = true;
          item->reason = record.error;
          item->raw = std::string(record.raw.substr(0, kMaxRejectedRecordBytes));
        } else {
          item->row = make_row(record);
        }
      });
  return Status::ok_status();
}

Status CsvSource::build_schema(const std::vector<std::string>& header) {
  field_of_column_.clear();
  std::vector<std::string> columns;
  if (config_.columns.empty()) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i].empty()) {
        return Status::invalid_config(config_.path + ": column " + std::to_string(i + 1) +
                                      " has no header name; name it or map columns with "
                                      "`columns`");
      }
      field_of_column_.push_back(i);
    }
    columns = header;
  } else {
    for (const auto& [field, header_name] : config_.columns) {
      const auto it = std::find(header.begin(), header.end(), header_name);
      if (it == header.end()) {
        return missing_header(config_.path, header_name, field, header);
      }
      field_of_column_.push_back(static_cast<std::size_t>(it - header.begin()));
      columns.push_back(field);
    }
  }
  schema_ = std::make_shared<const Schema>(std::move(columns));
  return Status::ok_status();
}

Result<bool> CsvSource::read(std::size_t max_rows, Chunk* out, Rejects& rejects) {
  if (!read_ahead_) return Status::internal("csv_source: read() before open()");
  std::size_t taken = 0;
  bool exhausted = false;
  // Rejected records count against max_rows too, so a run of bad records still checkpoints.
  while (taken < max_rows) {
    const Result<bool> more = read_ahead_->next(&item_);
    if (!more.ok()) return more.status();
    if (!*more) {
      exhausted = true;
      break;
    }
    ++taken;
    cursor_offset_ = item_.offset_after;
    cursor_line_ = item_.line_after;
    if (item_.rejected) {
      rejects.reject(item_.position, item_.reason, item_.raw);
      continue;
    }
    out->append(std::move(item_.row), std::move(item_.position));
  }
  // False only when this call found nothing left, so a caller that stops at false never drops
  // the rows of the call that reached the end.
  return !(exhausted && taken == 0);
}

std::string CsvSource::cursor() const {
  if (!read_ahead_) return "";
  return format_cursor(cursor_offset_, cursor_line_);
}

std::optional<SourceProgress> CsvSource::progress() const {
  if (!read_ahead_) return std::nullopt;
  return SourceProgress{cursor_offset_, file_size_};
}

std::string CsvSource::position(std::uint64_t line) const {
  std::string out;
  out.reserve(config_.source_name.size() + 12);
  out += config_.source_name;
  out += ':';
  out += std::to_string(line);
  return out;
}

Row CsvSource::make_row(const CsvRecord& record) const {
  Row row(field_of_column_.size());
  for (std::size_t i = 0; i < field_of_column_.size(); ++i) {
    const CsvField& field = record.fields[field_of_column_[i]];
    if (field.text.empty() && !field.quoted && config_.empty_as_null) continue;  // stays null
    row[i].emplace<std::string>(field.text);
  }
  return row;
}

}  // namespace hades::csv_source

HADES_PLUGIN(csv_source, "1.0.0", hades::PluginKind::kSource,
             "Reads one CSV file (RFC 4180, UTF-8) as text fields, resumable by byte offset",
             hades::csv_source::kSettings, hades::csv_source::create)
