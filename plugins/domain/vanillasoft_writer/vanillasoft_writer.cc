#include "vanillasoft_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "hades/file_checks.h"
#include "hades/plugin_export.h"
#include "hades/time.h"
#include "outcomes/batch_ids.h"

namespace hades::vanillasoft_writer {

const SettingSpec kSettings[2] = {
    {"output_dir", SettingType::kString, true, nullptr, false,
     "Directory the file is published in; created when missing."},
    {"workflow", SettingType::kString, true, nullptr, false,
     "The workflow named in the file name, `HADES-{workflow}-{YYYYMMDD-HHMMSS}.csv`: letters, "
     "digits, `_` and `-`."},
};

namespace {

// More same-second exports than this in one directory is a runaway loop, not a schedule.
constexpr int kMaxNameAttempts = 1000;

Status invalid(const std::string& message) {
  return Status::invalid_config("vanillasoft_writer: " + message);
}

bool is_name_part(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

bool is_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_empty_text(const Value& value) {
  const std::string* text = std::get_if<std::string>(&value);
  return is_null(value) || (text != nullptr && text->empty());
}

// Creates `path` if nothing is there; false when something is.
Result<bool> create_exclusively(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::close(fd);
    return true;
  }
  if (errno == EEXIST) return false;
  return file_error("vanillasoft_writer", "create", path, errno);
}

}  // namespace

Result<VanillasoftWriterConfig> bind_config(const Settings& settings) {
  VanillasoftWriterConfig config;
  config.output_dir = settings.get_string("output_dir").value_or("");
  if (config.output_dir.empty()) return invalid("`output_dir` is required");
  config.workflow = settings.get_string("workflow").value_or("");
  if (!is_name_part(config.workflow)) {
    return invalid("`workflow` must be letters, digits, `_` or `-`; got '" + config.workflow + "'");
  }
  return config;
}

Status check_output_dir(const VanillasoftWriterConfig& config) {
  return check_writable_dir(config.output_dir, "vanillasoft_writer: `output_dir`");
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<VanillasoftWriterConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  // Checked here, so that `hades validate` reports it before anything runs.
  HADES_RETURN_IF_ERROR(check_output_dir(*config));
  return std::unique_ptr<Plugin>(std::make_unique<VanillasoftWriter>(std::move(config).value()));
}

Result<std::string> file_stem(std::string_view workflow, std::string_view started_at) {
  // "2026-02-11T06:00:00Z": the runner's form of the run's start time.
  const bool shaped = started_at.size() == 20 && started_at[4] == '-' && started_at[7] == '-' &&
                      started_at[10] == 'T' && started_at[13] == ':' && started_at[16] == ':' &&
                      started_at[19] == 'Z';
  std::string date;
  std::string time;
  if (shaped) {
    date.append(started_at.substr(0, 4)).append(started_at.substr(5, 2));
    date.append(started_at.substr(8, 2));
    time.append(started_at.substr(11, 2)).append(started_at.substr(14, 2));
    time.append(started_at.substr(17, 2));
  }
  if (!shaped || !is_digits(date) || !is_digits(time)) {
    return invalid("run start time '" + std::string(started_at) +
                   "' is not of the form YYYY-MM-DDTHH:MM:SSZ");
  }
  return "HADES-" + std::string(workflow) + "-" + date + "-" + time;
}

Result<std::string> claim_file(const std::string& dir, const std::string& stem) {
  for (int n = 1; n <= kMaxNameAttempts; ++n) {
    std::string path = dir + "/";
    path += stem;
    if (n > 1) path += "-" + std::to_string(n);
    path += ".csv";
    // Partial first, then the final name: a run that publishes in between has already
    // renamed its partial away, so its final file is what the second check sees.
    Result<bool> claimed = create_exclusively(path + ".partial");
    if (!claimed.ok()) return claimed.status();
    if (!*claimed) continue;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return path;
    std::filesystem::remove(path + ".partial", ec);
  }
  return Status::io("vanillasoft_writer: " + std::to_string(kMaxNameAttempts) + " files named " +
                    dir + "/" + stem + "*.csv exist already");
}

VanillasoftWriter::VanillasoftWriter(VanillasoftWriterConfig config) : config_(std::move(config)) {}

Status VanillasoftWriter::resolve_columns(const Schema& schema) {
  std::vector<std::string> missing;
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    const Column& column = kColumns[c];
    if (column.format == CellFormat::kEmpty) continue;
    fields_[c].field = schema.index_of(column.field);
    if (!column.fallback.empty()) fields_[c].fallback = schema.index_of(column.fallback);
    if (!fields_[c].field) missing.emplace_back(column.field);
  }
  if (missing.empty()) return Status::ok_status();
  std::string names;
  for (const std::string& name : missing) names += (names.empty() ? "" : ", ") + name;
  return invalid("the input lacks the fields " + names +
                 " (the scorer's and export_batch's output)");
}

Status VanillasoftWriter::open(Context& ctx, const std::shared_ptr<const Schema>& schema,
                               std::string_view token) {
  HADES_RETURN_IF_ERROR(resolve_columns(*schema));
  HADES_RETURN_IF_ERROR(check_output_dir(config_));
  std::error_code ec;
  std::filesystem::create_directories(config_.output_dir, ec);
  if (ec) return file_error("vanillasoft_writer", "create", config_.output_dir, ec.value());
  Result<std::string> stem = file_stem(config_.workflow, ctx.run().started_at);
  if (!stem.ok()) return stem.status();
  Result<std::string> path = ctx.frozen_value(
      kFileKey, [&](Database& /*db*/) { return claim_file(config_.output_dir, *stem); });
  if (!path.ok()) return path.status();
  Result<StagedFile> file = StagedFile::open(*path, token);
  if (!file.ok()) return file.status();
  file_.emplace(std::move(file).value());
  schema_ = schema;
  ctx_ = &ctx;
  batch_id_.clear();
  if (token.empty()) HADES_RETURN_IF_ERROR(file_->append(header_line()));
  return Status::ok_status();
}

Status VanillasoftWriter::take_batch() {
  if (!batch_id_.empty() || !schema_->index_of("batch_id")) return Status::ok_status();
  Result<std::string> batch =
      ctx_->frozen_value(domain::kBatchIdFrozenKey, [](Database& /*db*/) -> Result<std::string> {
        return Status::invalid_config(
            "vanillasoft_writer: the rows carry a batch_id but the run allocated none "
            "(export_batch must come before this sink)");
      });
  if (!batch.ok()) return batch.status();
  batch_id_ = *batch;
  return domain::record_batch_output(ctx_->database(), batch_id_, file_->path());
}

void VanillasoftWriter::append_line(const Row& row, std::string* out) const {
  std::string scratch;  // a formatted cell (short: no allocation)
  for (std::size_t c = 0; c < kColumnCount; ++c) {
    if (c > 0) *out += ',';
    const ColumnFields& fields = fields_[c];
    if (!fields.field) continue;  // an always-empty column
    const Value* value = &row[*fields.field];
    if (is_empty_text(*value) && fields.fallback) value = &row[*fields.fallback];
    const std::string_view cell = cell_view(*value, kColumns[c].format, &scratch);
    const bool phone = kColumns[c].format == CellFormat::kPhone && is_plain_phone(cell);
    append_csv_field(cell, out, /*neutralise=*/!phone);
  }
  *out += "\r\n";
}

Status VanillasoftWriter::write(const Chunk& chunk, WriteBatch& /*batch*/, Rejects& /*rejects*/) {
  if (!file_) return Status::internal("vanillasoft_writer: write() before open()");
  // export_batch takes the batch in its first apply(), which came before this write().
  HADES_RETURN_IF_ERROR(take_batch());
  if (chunk.empty()) return Status::ok_status();  // also after a publish, on a late resume
  if (chunk.schema() != schema_ && chunk.schema()->columns() != schema_->columns()) {
    return Status::internal("vanillasoft_writer: a chunk's schema differs from open()'s");
  }
  line_.clear();
  for (std::size_t i = 0; i < chunk.size(); ++i) append_line(chunk.row(i), &line_);
  return file_->append(line_);
}

Result<std::string> VanillasoftWriter::flush() {
  if (!file_) return Status::internal("vanillasoft_writer: flush() before open()");
  return file_->flush();
}

Status VanillasoftWriter::finish(Context& ctx) {
  if (!file_) return Status::internal("vanillasoft_writer: finish() before open()");
  HADES_RETURN_IF_ERROR(take_batch());
  HADES_RETURN_IF_ERROR(file_->publish());
  ctx.log().info("wrote " + file_->path());
  if (!batch_id_.empty()) {
    HADES_RETURN_IF_ERROR(
        domain::publish_batch(ctx.database(), batch_id_, file_->path(), format_utc(ctx.now())));
  }
  return Status::ok_status();
}

}  // namespace hades::vanillasoft_writer

HADES_PLUGIN(vanillasoft_writer, "1.0.0", hades::PluginKind::kSink,
             "Writes the VanillaSoft import CSV (31 columns, CRLF, RFC 4180, formula-safe), "
             "published atomically, exactly once",
             hades::vanillasoft_writer::kSettings, hades::vanillasoft_writer::create)
