// icp_changes.h: applying a plan to icp.yaml, rolling a change back, and the audit history.
//
// Every change to icp.yaml made by HADES is one row of `icp_changes` in the job's database: who,
// when, from which report, the items with their old and new values, the sha256 and the whole
// text before and after. A rollback restores a change's text before, byte for byte, and is a row
// of its own. The weight_writer plugin (jobs/apply_weights.yaml, jobs/rollback_weights.yaml) and
// the calibration page call these functions; docs/weights.md is the user's view.
//
// Serialised: every apply, rollback and recovery holds the IcpFileLock of the file
// (icp_file.h: flock on "<icp.yaml>.lock"), so two writers of one file, through any mix of
// jobs and the page, take turns; one that cannot get the lock within `lock_wait` fails with
// kLocked (exit 3).
//
// Crash safety. Replacing the file and committing the row cannot be one atomic action, so a
// change goes through a journal:
//   1. a row in icp_change_journal (the whole change, sha256 before and after) is committed;
//   2. the new text is written to "<icp.yaml>.hades-tmp", fsync'd, renamed over icp.yaml, and
//      the directory fsync'd (icp_file.h);
//   3. one batch moves the row from the journal to icp_changes.
// recover_icp_changes() settles what a kill left: a journal row whose sha256_after is the file's
// sha256 is completed (the rename happened), any other is discarded (it did not: the file is
// the old one), and a left-over temporary file is removed. Every apply, rollback and history
// read runs it first, under the lock. So once recovered, the state is either the old file and no
// icp_changes row, or the new file and its row; never a mix.
//
// Resumed runs. A change made by a hades run records its run id and step; an apply or rollback
// with the same origin finds that row (after recovery) and returns it instead of changing the
// file again. The row is the task step's checkpoint: a run killed after it resumes to success.
//
// Thread safety: as the Database passed in; the lock also serialises threads of one process.

#ifndef HADES_LEADS_ICP_CHANGES_H_
#define HADES_LEADS_ICP_CHANGES_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/migrations.h"
#include "hades/status.h"
#include "leads/icp_edit.h"
#include "leads/icp_file.h"
#include "leads/icp_method.h"

namespace hades::domain {

// The migration component of icp_changes and icp_change_journal in hades_migrations.
inline constexpr std::string_view kIcpChangesComponent = "icp_changes";

// Every migration of the two tables, in order. Released migrations never change.
const std::vector<Migration>& icp_change_migrations();

// One row of icp_changes.
struct IcpChangeRecord {
  std::int64_t id = 0;
  std::string kind;        // "apply" or "rollback"
  std::string applied_at;  // ISO-8601 UTC
  std::string applied_by;
  std::string icp_path;                    // canonical absolute path (canonical_icp_path)
  std::string report_path;                 // apply: the report's path as given; rollback: ""
  std::string report_inputs_hash;          // apply: the report's inputs_hash; rollback: ""
  std::optional<std::int64_t> rolls_back;  // rollback: the id of the change undone
  std::string sha256_before;
  std::string sha256_after;
  std::vector<IcpChange> items;  // a rollback's items are the undone change's, old and new swapped
  std::string text_before;
  std::string text_after;
  std::optional<std::int64_t> run_id;  // the hades run that made it; none from the page
  std::string step;
};

// Who makes a change and how long to wait for the lock.
struct ChangeContext {
  std::string icp_path;  // as given; resolved with canonical_icp_path()
  std::string applied_by;
  std::string applied_at;              // ISO-8601 UTC, the caller's clock
  std::optional<std::int64_t> run_id;  // a hades run's id and step, so a resumed run finds the
  std::string step;                    // change it made; none (nullopt) from the page
  std::chrono::milliseconds lock_wait{0};
  // Test seam: called after each durable stage ("after_journal", "after_temp", "after_rename",
  // "after_commit"); the weight_writer's crash tests kill the process there. Null in production.
  StageHook after_stage;
};

// What an apply or rollback did.
struct ChangeOutcome {
  // The change made; nullopt when there was nothing to change (every item already at its
  // suggestion).
  std::optional<IcpChangeRecord> change;
  bool resumed = false;  // the run had made this change before it was interrupted: nothing redone
  std::string diff;      // unified diff of the change (a resumed one included)
  std::vector<SkippedItem> skipped;  // apply: what the selection left out, and why
};

struct ApplyRequest {
  ChangeContext context;
  std::string report_path;  // recorded in the row; the caller reads the file
  std::string report_json;
  Selection selection;
  std::string calibrated_on;  // YYYY-MM-DD for the comments (the run's date)
};

// What apply_icp_changes() would do now, without the lock and without writing: the plan on the
// file as it is (its diff, its changes, what it skips). The same refusals. The page's preview
// and the job's dry run.
Result<IcpEditPlan> preview_icp_changes(const ApplyRequest& request);

// Recovers, then plans (icp_edit.h: the report guard, the selection, the loader check) on the
// file as it is now and applies the plan through the journal. Errors: kInvalidConfig for the
// plan's refusals (nothing changed), kLocked, kIo for the file, the database's status for the
// database. A failure after the rename (the row could not be committed) leaves the new file and
// a journal row that the next recovery completes; the message says so.
Result<ChangeOutcome> apply_icp_changes(Database& db, const ApplyRequest& request);

// Switching icp.yaml's scoring_method (icp_method.h): the same lock, journal and audit as a
// weight change. The row's report_path is the model's source ("lead_models id 12" or its file),
// its report_inputs_hash the model's SHA-256; a rollback restores the text before, as for any
// change. The caller decides whether the model may be approved (lead_model's
// load_usable_model()); this only edits and records.
struct MethodRequest {
  ChangeContext context;
  MethodChoice choice;
  MethodEvidence evidence;
  std::string model_source;
  std::string model_sha256;
};

// What apply_method_change() would do now, without the lock and without writing.
Result<IcpEditPlan> preview_method_change(const MethodRequest& request);

// Recovers, plans on the file as it is now and applies the plan through the journal. No change
// (and no row) when the file already says so. Errors as apply_icp_changes().
Result<ChangeOutcome> apply_method_change(Database& db, const MethodRequest& request);

struct RollbackRequest {
  ChangeContext context;
  std::optional<std::int64_t> change_id;  // nullopt: the latest change of this icp.yaml
};

// Recovers, then restores the text before the change, byte for byte, as a new "rollback" row.
// kInvalidConfig (nothing changed) when there is no such change, it was made to another file,
// or the file is not exactly what the change left (sha256_after): later changes are rolled back
// first, and a hand edit since is never overwritten.
Result<ChangeOutcome> rollback_icp_change(Database& db, const RollbackRequest& request);

// What rollback_icp_change() would do, without the lock and without writing: the change it
// would undo and the diff. The same refusals.
Result<ChangeOutcome> preview_rollback(Database& db, const RollbackRequest& request);

// The newest `limit` changes of the file `icp_path` (all files when empty), newest first. Runs
// recovery first when it can take the lock at once; when another writer holds it, reads as is
// (that writer settles its own change).
Result<std::vector<IcpChangeRecord>> icp_change_history(Database& db, const std::string& icp_path,
                                                        int limit);

// Settles what an interrupted apply or rollback of `icp_path` left (see the file comment).
// Takes the lock itself. Returns how many journal rows it completed or discarded.
Result<int> recover_icp_changes(Database& db, const std::string& icp_path,
                                std::chrono::milliseconds lock_wait);

}  // namespace hades::domain

#endif  // HADES_LEADS_ICP_CHANGES_H_
