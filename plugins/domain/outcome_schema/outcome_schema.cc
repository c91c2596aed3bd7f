// outcome_schema: a task that creates and upgrades the outcome tables (outcomes/outcome_tables.h)
// in the job's database. Safe to run any number of times, and by two processes at once: each
// migration is recorded with its version and applied once (hades/migrations.h).
#include <array>
#include <memory>
#include <string>

#include "hades/plugin_export.h"
#include "outcomes/outcome_tables.h"

namespace hades::outcome_schema {

// No settings: the tables and their versions are fixed by this build.
const std::array<SettingSpec, 0> kSettings{};

class OutcomeSchema final : public Task {
 public:
  Status run(Context& ctx) override {
    const auto& migrations = domain::outcome_migrations();
    HADES_RETURN_IF_ERROR(domain::apply_outcome_migrations(ctx.database()));
    ctx.log().info("outcome tables at version " + std::to_string(migrations.back().version));
    return Status::ok_status();
  }
};

Result<std::unique_ptr<Plugin>> create(const Settings& /*settings*/) {
  return std::unique_ptr<Plugin>(std::make_unique<OutcomeSchema>());
}

}  // namespace hades::outcome_schema

HADES_PLUGIN(outcome_schema, "1.0.0", hades::PluginKind::kTask,
             "Creates and upgrades the outcome tables (lead_outcomes, historical_outcomes, "
             "hades_batch_ids) by versioned migrations",
             hades::outcome_schema::kSettings, hades::outcome_schema::create)
