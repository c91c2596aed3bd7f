// A source whose read() keeps returning "more" with no row: the runner must stop it with an
// error naming the plugin (exit 4) instead of looping forever. With `empty_reads` N > 0 it
// returns N such reads, then one row and the end, which the runner must let through.
#include "hades/plugin_export.h"

namespace {

class SpinningSource final : public hades::Source {
 public:
  explicit SpinningSource(std::int64_t empty_reads) : empty_reads_(empty_reads) {}

  hades::Status open(hades::Context&, std::string_view) override { return {}; }
  std::shared_ptr<const hades::Schema> schema() const override { return schema_; }
  hades::Result<bool> read(std::size_t, hades::Chunk* out, hades::Rejects&) override {
    if (empty_reads_ == 0 || reads_++ < empty_reads_) return true;
    out->append({std::int64_t{1}}, "row:1");
    return false;
  }
  std::string cursor() const override { return std::to_string(reads_); }

 private:
  std::int64_t empty_reads_;
  std::int64_t reads_ = 0;
  std::shared_ptr<const hades::Schema> schema_ =
      std::make_shared<hades::Schema>(std::vector<std::string>{"x"});
};

const hades::SettingSpec kSettings[] = {
    {"empty_reads", hades::SettingType::kInt, false, "0", false,
     "empty reads before one row and the end; 0: empty reads forever"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  return std::unique_ptr<hades::Plugin>(
      std::make_unique<SpinningSource>(settings.get_int("empty_reads").value_or(0)));
}

}  // namespace

HADES_PLUGIN(spinning_source, "0.0.1", hades::PluginKind::kSource,
             "read() returns more with no row (forever, or `empty_reads` times)", kSettings, create)
