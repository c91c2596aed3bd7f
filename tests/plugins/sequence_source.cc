// Yields `rows` made-up records whose values are a pure function of (seed, row number), with
// typed values of every kind: ordering tests get integers, doubles, text and nulls in one
// column, and duplicate person IDs. The cursor is the number of rows returned, so a resumed
// read continues exactly. With `done_marker`, the file of that name is created once the last
// row has been returned: a test can tell that the read phase of a step is over.
#include <fstream>
#include <string>

#include "hades/plugin_export.h"

namespace {

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

struct Config {
  std::int64_t rows = 0;
  std::int64_t seed = 1;
  std::int64_t distinct = 0;  // person IDs drawn from this many; 0: one per row
  std::string done_marker;
};

class SequenceSource final : public hades::Source {
 public:
  explicit SequenceSource(Config config) : config_(std::move(config)) {}

  hades::Status open(hades::Context&, std::string_view cursor) override {
    next_ = cursor.empty() ? 0 : std::stoll(std::string(cursor));
    return {};
  }
  std::shared_ptr<const hades::Schema> schema() const override { return schema_; }

  hades::Result<bool> read(std::size_t max_rows, hades::Chunk* out, hades::Rejects&) override {
    for (std::size_t n = 0; n < max_rows && next_ < config_.rows; ++n, ++next_) {
      out->append(row(next_), "seq:" + std::to_string(next_ + 1));
    }
    if (next_ < config_.rows) return true;
    if (!config_.done_marker.empty()) std::ofstream(config_.done_marker) << next_ << "\n";
    return false;
  }
  std::string cursor() const override { return std::to_string(next_); }

 private:
  hades::Row row(std::int64_t i) const {
    const std::uint64_t h =
        mix(static_cast<std::uint64_t>(config_.seed) * 1000003 + static_cast<std::uint64_t>(i));
    const std::int64_t distinct = config_.distinct > 0 ? config_.distinct : config_.rows;
    const auto person = static_cast<std::int64_t>(mix(h) % static_cast<std::uint64_t>(distinct));
    hades::Value score = static_cast<std::int64_t>(h % 101);
    if (h % 37 == 0) score = hades::Null{};
    hades::Value value;
    switch ((h >> 8) % 4) {
      case 0:
        value = static_cast<std::int64_t>((h >> 12) % 50);
        break;
      case 1:
        value = static_cast<double>((h >> 12) % 100) / 2;
        break;
      case 2:
        value = "v" + std::to_string((h >> 12) % 30);
        break;
      default:
        break;  // null
    }
    return {i + 1, "P" + std::to_string(1000000 + person), std::move(score), std::move(value),
            std::string((h >> 20) % 60, static_cast<char>('a' + (h >> 28) % 26))};
  }

  Config config_;
  std::int64_t next_ = 0;
  std::shared_ptr<const hades::Schema> schema_ = std::make_shared<hades::Schema>(
      std::vector<std::string>{"id", "person_id", "score", "value", "filler"});
};

const hades::SettingSpec kSettings[] = {
    {"rows", hades::SettingType::kInt, true, nullptr, false, "how many records"},
    {"seed", hades::SettingType::kInt, false, "1", false, "changes every value"},
    {"distinct", hades::SettingType::kInt, false, "0", false,
     "person IDs are drawn from this many (0: as many as rows)"},
    {"done_marker", hades::SettingType::kString, false, nullptr, false,
     "a file created once the last record has been read"},
};

hades::Result<std::unique_ptr<hades::Plugin>> create(const hades::Settings& settings) {
  Config config{settings.get_int("rows").value_or(0), settings.get_int("seed").value_or(1),
                settings.get_int("distinct").value_or(0),
                settings.get_string("done_marker").value_or("")};
  return std::unique_ptr<hades::Plugin>(std::make_unique<SequenceSource>(std::move(config)));
}

}  // namespace

HADES_PLUGIN(sequence_source, "0.0.1", hades::PluginKind::kSource,
             "made-up typed records from a seed (tests only)", kSettings, create)
