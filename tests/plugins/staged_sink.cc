// Writes each row's first value as a line of a StagedFile at `dir`/out-<run id>.txt, the path
// frozen with the run under "out_file"; the write of chunk `fail_on_chunk` (1-based) fails after
// staging its rows. Gives leftover tests a run that dies with a .partial file the runner knows
// of only through the frozen value.
#include <optional>

#include "hades/plugin_export.h"
#include "hades/staged_file.h"

namespace {

class StagedSink final : public hades::Sink {
 public:
  StagedSink(std::string dir, std::int64_t fail_on_chunk)
      : dir_(std::move(dir)), fail_on_chunk_(fail_on_chunk) {}

  hades::DeliveryGuarantee guarantee() const override {
    return hades::DeliveryGuarantee::kExactlyOnce;
  }
  hades::Status open(hades::Context& ctx, const std::shared_ptr<const hades::Schema>&,
                     std::string_view token) override {
    const std::string run = std::to_string(ctx.run().run_id);
    auto path = ctx.frozen_value("out_file", [&](hades::Database&) -> hades::Result<std::string> {
      return dir_ + "/out-" + run + ".txt";
    });
    if (!path.ok()) return path.status();
    auto file = hades::StagedFile::open(*path, token);
    if (!file.ok()) return file.status();
    file_.emplace(std::move(file).value());
    return {};
  }
  hades::Status write(const hades::Chunk& chunk, hades::WriteBatch&, hades::Rejects&) override {
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      HADES_RETURN_IF_ERROR(file_->append(hades::to_text(chunk.row(i)[0]) + "\n"));
    }
    if (++chunks_ == fail_on_chunk_) {
      (void)file_->flush();
      return hades::Status::io("staged_sink: failing on chunk " + std::to_string(chunks_));
    }
    return {};
  }
  hades::Result<std::string> flush() override { return file_->flush(); }
  hades::Status finish(hades::Context&) override { return file_->publish(); }

 private:
  std::string dir_;
  std::int64_t fail_on_chunk_;
  std::int64_t chunks_ = 0;
  std::optional<hades::StagedFile> file_;
};

const hades::SettingSpec kSettings[] = {
    {"dir", hades::SettingType::kString, true, nullptr, false, "where out-<run>.txt goes"},
    {"fail_on_chunk", hades::SettingType::kInt, false, "0", false, "0: never fail"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  return std::unique_ptr<hades::Plugin>(std::make_unique<StagedSink>(
      settings.get_string("dir").value_or(""), settings.get_int("fail_on_chunk").value_or(0)));
}

}  // namespace

HADES_PLUGIN(staged_sink, "0.0.1", hades::PluginKind::kSink,
             "a staged file that can fail mid-step (tests only)", kSettings, create)
