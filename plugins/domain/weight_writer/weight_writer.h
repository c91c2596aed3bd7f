// weight_writer.h: the weight_writer plugin, a Task that applies approved calibration suggestions
// to icp.yaml in place, or rolls an applied change back, with an audit row per change.
//
// The work is done by the shared library code the calibration page also calls:
// leads/icp_edit.h (the plan: which numbers change, the new text, the diff) and
// leads/icp_changes.h (the lock, the journal, the durable replace, icp_changes). This task adds
// the settings, the run's identity (so a resumed run finds the change it made instead of making
// it twice), the run's date for the comments, and what it prints: the items and the unified diff.
//
//   action: apply     plan `select` of the report `report` against `icp`; with dry_run, print it
//                     and change nothing; else apply it. An empty `select` lists what the report
//                     suggests (as `all` would take it) and changes nothing, so that the shipped
//                     job validates and a bare run is a menu, not a failed run to --fresh away.
//   action: rollback  restore the text before change `change` (or the latest), byte for byte.
//   action: set_method  set icp.yaml's `scoring_method` to `use` (model or weights) and `model`
//                     (leads/icp_method.h): the person's approval of the lead model, refused
//                     unless lead_model::load_usable_model() accepts the model; rolled back like
//                     any change. An empty `use` says what icp.yaml and the newest model say and
//                     changes nothing, so that the shipped job validates and a bare run informs.
//
// Settings are checked when the step is created (`hades validate`); files are read only in run().
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_WEIGHT_WRITER_WEIGHT_WRITER_H_
#define HADES_PLUGINS_WEIGHT_WRITER_WEIGHT_WRITER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "hades/plugin.h"
#include "hades/settings.h"
#include "leads/icp_changes.h"
#include "leads/icp_edit.h"
#include "leads/icp_file.h"
#include "leads/icp_method.h"

namespace hades::weight_writer {

// The `with:` keys; also the source of the README's settings table.
extern const SettingSpec kSettings[10];

inline constexpr std::int64_t kMaxLockWaitSeconds = 3600;
// The environment variable of the crash tests (tests/weight_writer_e2e_test.cc): when it names a
// stage ("after_journal", "after_temp", "after_rename", "after_commit"), the process kills itself
// with SIGKILL right after that stage. Unset in production.
inline constexpr const char* kCrashAtEnv = "HADES_TEST_CRASH_AT";

enum class Action { kApply, kRollback, kSetMethod };

struct WeightWriterConfig {
  Action action = Action::kApply;
  std::string icp;
  std::string report;           // apply
  domain::Selection selection;  // apply
  // apply with an empty `select`: list the suggestions; set_method with an empty `use`: say what
  // icp.yaml and the newest model say. Either way change nothing.
  bool list_only = false;
  std::optional<std::int64_t> change;  // rollback; nullopt = the latest
  std::string applied_by;
  bool dry_run = false;
  std::chrono::milliseconds lock_wait{0};
  domain::MethodChoice method;  // set_method
};

// Binds and checks the settings. kInvalidConfig naming the key.
Result<WeightWriterConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

// The hook that kills the process after the stage named by HADES_TEST_CRASH_AT; null when unset.
domain::StageHook crash_hook_from_environment();

class WeightWriter : public Task {
 public:
  explicit WeightWriter(WeightWriterConfig config);
  Status run(Context& ctx) override;

  // What the last run() printed, for tests.
  const std::string& printed() const { return printed_; }

 private:
  Status apply(Context& ctx);
  Status rollback(Context& ctx);
  Status set_method(Context& ctx);
  Status method_menu(Context& ctx);
  // Who and when, this run's step, the lock wait and the crash seam: every change's context.
  domain::ChangeContext change_context(const Context& ctx) const;
  void print(const std::string& text);

  const WeightWriterConfig config_;
  std::string printed_;
};

}  // namespace hades::weight_writer

#endif  // HADES_PLUGINS_WEIGHT_WRITER_WEIGHT_WRITER_H_
