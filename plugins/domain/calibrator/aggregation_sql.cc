// The in-database path of aggregation.h: GROUP BY in SQL, only the groups are read.

#include <cstddef>
#include <memory>
#include <vector>

#include "aggregation.h"
#include "leads/scoring.h"
#include "outcomes/outcome_tables.h"

namespace hades::calibrator {
namespace {

// The matured leads per scoring rules version, and those whose recorded score is outdated.
Status load_scoring_rules(Database& db, const GroupingInput& in, OutcomeData& data) {
  static_assert(domain::kScoringRulesVersion == 2,
                "a new rules version: say here which recorded scores it makes outdated");
  Result<QueryResult> rules = db.query(
      "SELECT coalesce(scoring_rules, 1), count(*), coalesce(sum(coalesce(scoring_rules, 1) < 2 "
      "AND workflow_type = 'geography' AND employee_count IS NULL), 0) "
      "FROM lead_outcomes WHERE exported_at < ? AND " +
          domain::published_batch_sql("batch_id") + " GROUP BY 1",
      {Value(in.matured_before)});
  if (!rules.ok()) return query_error(rules.status(), "lead_outcomes scoring rules");
  for (const std::vector<Value>& r : rules->rows) {
    data.volume.leads_by_scoring_rules[int_of(r[0])] += int_of(r[1]);
    data.volume.leads_with_outdated_scores += int_of(r[2]);
  }
  return Status::ok_status();
}

// The database groups the leads (lead_cells_sql(), scoring_sql()): only the groups are read.
class InDatabaseGrouping final : public LeadGrouping {
 public:
  Status group(Database& db, const GroupingInput& in, const GroupRow& row,
               OutcomeData& data) override {
    const std::vector<Value> args = {Value(in.holdout_date), Value(in.matured_before)};
    Result<QueryResult> rows = db.query(lead_cells_sql(in.icp, in.layout), args);
    if (!rows.ok()) return query_error(rows.status(), "lead_outcomes");
    for (const std::vector<Value>& r : rows->rows) row(r);
    Result<QueryResult> scoring =
        db.query(scoring_sql(in.change_times), {Value(in.matured_before)});
    if (!scoring.ok()) return query_error(scoring.status(), "lead_outcomes per score");
    for (const std::vector<Value>& r : scoring->rows) {
      data.scoring.push_back({static_cast<std::size_t>(int_of(r[0])), int_of(r[1]), int_of(r[2]),
                              int_of(r[3]), int_of(r[4])});
    }
    return load_scoring_rules(db, in, data);
  }
};

}  // namespace

std::unique_ptr<LeadGrouping> make_in_database_grouping() {
  return std::make_unique<InDatabaseGrouping>();
}

}  // namespace hades::calibrator
