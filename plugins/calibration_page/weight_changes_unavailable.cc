// The build without the weight_writer library: the page shows the report and the history is
// empty, and Apply / Roll back say why they cannot work. Replaced by the adapter over the
// weight_writer library (weight_writer_adapter.cc) once that library is in the tree.
#include "weight_changes.h"

namespace hades::calibration_page {
namespace {

constexpr const char* kWhy =
    "Apply and Roll back need the weight_writer library, which this build of hades does not "
    "include yet: nothing was changed";

class UnavailableWeightChanges final : public WeightChanges {
 public:
  Status available() const override { return Status::invalid_config(kWhy); }
  Result<WeightChangePlan> preview(const std::string&, const std::vector<std::string>&) override {
    return Status::invalid_config(kWhy);
  }
  Result<WeightChangeRecord> apply(const std::string&, const std::vector<std::string>&,
                                   const std::string&, const std::string&) override {
    return Status::invalid_config(kWhy);
  }
  Result<WeightChangeRecord> rollback(std::int64_t, const std::string&) override {
    return Status::invalid_config(kWhy);
  }
  Result<std::vector<WeightChangeRecord>> history(std::size_t) override {
    return std::vector<WeightChangeRecord>{};
  }
  Result<WeightChangePlan> preview_method(bool, const std::string&) override {
    return Status::invalid_config(kWhy);
  }
  Result<WeightChangeRecord> set_method(bool, const std::string&, const std::string&,
                                        const std::string&) override {
    return Status::invalid_config(kWhy);
  }
};

}  // namespace

std::unique_ptr<WeightChanges> make_weight_changes(Database&, const std::string&) {
  return std::make_unique<UnavailableWeightChanges>();
}

}  // namespace hades::calibration_page
