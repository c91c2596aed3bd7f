// weight_changes.h: what the page needs from the weight writer, and nothing more.
//
// Apply selected and Roll back change icp.yaml. The page does not edit the file itself: the
// weight_writer library (issue #14: edits in place keeping every comment, checks the report's
// icp.yaml hash as a guard, holds a lock, audits every change in icp_changes) does. This
// interface is the seam between the two, so the page and its tests do not depend on how the
// writer works, and a test can hand the page a fake.
//
// Items are the report's `dimension:bucket` names ("sic:8062", "employee_tier:101-500").
//
// Errors (the page turns each into a reply that says why and that nothing changed):
//   kInvalidConfig  the request cannot be carried out as asked: the guard failed (icp.yaml
//                   changed since the report), an item is not in the report, no such change
//   kLocked         another apply or rollback is running
//   anything else   the file or the database failed; the writer guarantees nothing changed
//
// Thread safety: used from the page's handler thread only.

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_WEIGHT_CHANGES_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_WEIGHT_CHANGES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"

namespace hades::calibration_page {

// One value of icp.yaml that a change sets.
struct WeightChangeItem {
  std::string item;    // "sic:8062"
  std::string place;   // where in icp.yaml: "onsite_likelihood.sic_scores.8062"
  std::string before;  // the value as the file had it ("33"); "" for a new entry
  std::string after;   // the value as written ("41")
};

// What applying a selection would do, before anything is written.
struct WeightChangePlan {
  std::vector<WeightChangeItem> items;
  std::string diff;        // unified diff of icp.yaml
  std::string icp_sha256;  // of the file the plan was made against
};

// One audited change (an apply or a rollback), as recorded.
struct WeightChangeRecord {
  std::int64_t id = 0;
  std::string applied_at;  // ISO-8601 UTC
  std::string applied_by;
  std::string kind;    // "apply" or "rollback"
  std::string report;  // the report applied (path), "" for a rollback
  std::string sha256_before;
  std::string sha256_after;
  std::vector<WeightChangeItem> items;
  std::optional<std::int64_t> rolls_back;  // a rollback: the change it undid
  bool rolled_back = false;                // a later rollback undid this change
  std::string diff;
};

class WeightChanges {
 public:
  virtual ~WeightChanges() = default;

  // OK when Apply and Roll back can work; otherwise why not (the page shows it and disables
  // the buttons, but still shows the report).
  virtual Status available() const = 0;

  // The diff that applying `items` of the report at `report_path` would make. Writes nothing.
  virtual Result<WeightChangePlan> preview(const std::string& report_path,
                                           const std::vector<std::string>& items) = 0;

  // Applies `items`, refusing (kInvalidConfig) when icp.yaml's SHA-256 is no longer
  // `expected_icp_sha256` (the report's). Records `applied_by`. Returns the recorded change.
  virtual Result<WeightChangeRecord> apply(const std::string& report_path,
                                           const std::vector<std::string>& items,
                                           const std::string& expected_icp_sha256,
                                           const std::string& applied_by) = 0;

  // Restores icp.yaml to what it was before change `change_id`, refusing when the file changed
  // since. The rollback is itself a recorded change, returned.
  virtual Result<WeightChangeRecord> rollback(std::int64_t change_id,
                                              const std::string& applied_by) = 0;

  // The latest `limit` changes, newest first.
  virtual Result<std::vector<WeightChangeRecord>> history(std::size_t limit) = 0;

  // The Model tab (docs/model.md): icp.yaml's `scoring_method` set to the lead model
  // `model_reference` (a lead_models id) when `use_model`, else back to the weights; the same
  // lock, journal and audit as a weight change (leads/icp_method.h). A model that may not score
  // (lead_model::load_usable_model) is refused with kInvalidConfig. These sit last because they
  // came last: the Model tab came after Apply and Roll back.
  //
  // The diff the switch would make; writes nothing.
  virtual Result<WeightChangePlan> preview_method(bool use_model,
                                                  const std::string& model_reference) = 0;
  // Makes the switch, refusing (kInvalidConfig) when icp.yaml's SHA-256 is no longer
  // `expected_icp_sha256` (what the page showed) or the file already says so.
  virtual Result<WeightChangeRecord> set_method(bool use_model, const std::string& model_reference,
                                                const std::string& expected_icp_sha256,
                                                const std::string& applied_by) = 0;
};

// The implementation this build has, over the job database `db` and the icp.yaml at
// `icp_path`. REQUIRES: `db` outlives the result.
std::unique_ptr<WeightChanges> make_weight_changes(Database& db, const std::string& icp_path);

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_WEIGHT_CHANGES_H_
