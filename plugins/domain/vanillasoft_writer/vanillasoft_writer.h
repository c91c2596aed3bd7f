// vanillasoft_writer.h: the vanillasoft_writer plugin, a Sink that writes the VanillaSoft
// import CSV (csv_format.h) of one export run.
//
// The file is output_dir/HADES-{workflow}-{YYYYMMDD-HHMMSS}.csv, named from the run's start
// time and frozen with the run (ctx.frozen_value("vanillasoft_file")), so a resumed run writes
// the same file. Bytes go through a hades::StagedFile: the header at a fresh open, rows at
// every write(), made durable by flush() whose token (the byte offset) the runner checkpoints;
// a resumed step cuts the partial file back to it; finish() renames it into place. Hence
// exactly-once: the published file has every row once, byte for byte as an uninterrupted run.
//
// When the rows carry a `batch_id` (export_batch's output), the file is the batch's: the first
// write() records it on the batch (hades_batch_ids.output_file; export_batch allocates the batch
// in its first apply(), after this sink's open() proved the file can be written) and finish(),
// once the file is in place, marks the batch published, which is what makes its lead_outcomes
// rows count (batch_ids.h).
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_VANILLASOFT_WRITER_VANILLASOFT_WRITER_H_
#define HADES_PLUGINS_VANILLASOFT_WRITER_VANILLASOFT_WRITER_H_

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "csv_format.h"
#include "hades/plugin.h"
#include "hades/settings.h"
#include "hades/staged_file.h"

namespace hades::vanillasoft_writer {

// The `with:` keys vanillasoft_writer accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[2];

// The run-level value the file's path is frozen under.
inline constexpr std::string_view kFileKey = "vanillasoft_file";

struct VanillasoftWriterConfig {
  std::string output_dir;
  std::string workflow;  // [A-Za-z0-9_-]+, part of the file name
};

// Binds and checks settings. Fails with kInvalidConfig naming the offending key.
Result<VanillasoftWriterConfig> bind_config(const Settings& settings);

// OK when output_dir is a directory files can be created in, or can be created (file_checks.h);
// kInvalidConfig naming the path in the way otherwise. No side effects: the factory runs it, so
// `hades validate` reports it.
Status check_output_dir(const VanillasoftWriterConfig& config);

// The factory HADES_PLUGIN exports. Fails when bind_config() or check_output_dir() does.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

// "HADES-{workflow}-{YYYYMMDD-HHMMSS}" from an ISO-8601 UTC start time
// ("2026-02-11T06:00:00Z" -> "HADES-intent-20260211-060000"). Fails with kInvalidConfig when
// `started_at` is not of that form.
Result<std::string> file_stem(std::string_view workflow, std::string_view started_at);

// Picks the file `dir`/`stem`.csv, or `stem`-2.csv, -3, ... when another run already wrote
// or is writing that name, and claims it by creating its partial file exclusively, so two runs
// started in the same second never share a file. Fails with kIo when the directory cannot be
// written.
Result<std::string> claim_file(const std::string& dir, const std::string& stem);

class VanillasoftWriter : public Sink {
 public:
  explicit VanillasoftWriter(VanillasoftWriterConfig config);

  DeliveryGuarantee guarantee() const override { return DeliveryGuarantee::kExactlyOnce; }
  // Fails with kInvalidConfig when `schema` lacks a field a column needs, naming them all, or
  // when output_dir cannot be created or written (file_checks.h).
  Status open(Context& ctx, const std::shared_ptr<const Schema>& schema,
              std::string_view token) override;
  Status write(const Chunk& chunk, WriteBatch& batch, Rejects& rejects) override;
  Result<std::string> flush() override;
  Status finish(Context& ctx) override;

  // The file this run writes. REQUIRES: open() succeeded.
  const std::string& path() const { return file_->path(); }

 private:
  // Finds each column's fields in `schema`.
  Status resolve_columns(const Schema& schema);
  // When the rows carry a batch_id: reads the run's batch ID (once) and records the file on it.
  Status take_batch();
  void append_line(const Row& row, std::string* out) const;

  // The input fields of one column, by index.
  struct ColumnFields {
    std::optional<std::size_t> field;
    std::optional<std::size_t> fallback;
  };

  const VanillasoftWriterConfig config_;
  std::array<ColumnFields, kColumnCount> fields_;
  std::shared_ptr<const Schema> schema_;
  std::optional<StagedFile> file_;
  Context* ctx_ = nullptr;  // open()'s, valid until the step ends
  std::string batch_id_;    // "" until take_batch(), and when the rows belong to no batch
  std::string line_;        // reused for every row
};

}  // namespace hades::vanillasoft_writer

#endif  // HADES_PLUGINS_VANILLASOFT_WRITER_VANILLASOFT_WRITER_H_
