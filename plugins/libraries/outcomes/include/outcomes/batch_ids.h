// batch_ids.h: export batch IDs, `HADES-YYYYMMDD-NNN`, allocated from the job's database.
//
// One batch ID per export run. allocate_batch_id() takes the next sequence number of the day in
// one INSERT ... SELECT MAX(seq) + 1 statement, which the database runs inside its write
// transaction (SQLite's write lock, a Turso batch), so two processes exporting at the same
// moment get different numbers. The row is keyed on (job, run_id) as well: allocating again for
// the same run (a resumed run whose frozen value was not yet stored) returns the same ID.
//
// The sequence is at least three digits and simply grows past 999: the 1000th export of a day
// is `HADES-20260211-1000`. Readers should match IDs with kBatchIdPattern, not by length.
//
// Each batch has a state (hades_batch_ids.state):
//   allocated  the export run holds the ID; its CSV is not published (yet)
//   published  the CSV reached output_dir: its lead_outcomes rows are leads the dialer got
//   abandoned  the run will never publish it (`run --fresh`, or a newer run of the same job
//              started): its rows are kept for audit and count nowhere
// Only published batches' rows count in calibration, the backtest and the batch check
// (published_batch_sql() in outcome_tables.h). A run that fails stays resumable, so its batch stays
// allocated until the run resumes and publishes it, or is abandoned.
//
// The table (hades_batch_ids) is created by the outcome_tables migrations (outcome_tables.h).
//
// Thread safety: pure functions, except allocate_batch_id(), which uses `db` as Database allows.

#ifndef HADES_OUTCOMES_BATCH_IDS_H_
#define HADES_OUTCOMES_BATCH_IDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/database.h"
#include "hades/status.h"

namespace hades::domain {

// What batch IDs look like, as an ECMAScript regular expression, for readers that extract the
// ID from a longer text such as Import Notes.
inline constexpr std::string_view kBatchIdPattern = "HADES-[0-9]{8}-[0-9]{3,}";

// "HADES-<day>-<seq>", seq zero-padded to three digits and longer when it needs more.
// REQUIRES: day is YYYYMMDD, seq >= 1.
std::string format_batch_id(std::string_view day, std::int64_t seq);

// The UTC day "YYYYMMDD" of an ISO-8601 UTC timestamp such as the run's started_at
// ("2026-02-11T06:00:00Z" -> "20260211"). Fails with kInvalidConfig on anything else.
Result<std::string> batch_day(std::string_view started_at);

// The first batch ID in `text` ("Batch: HADES-20260211-001 | Score: 85" -> the ID), or nullopt.
std::optional<std::string> find_batch_id(std::string_view text);

struct BatchIdRequest {
  std::string day;           // YYYYMMDD, from batch_day(run's started_at)
  std::string job;           // the job's name
  std::int64_t run_id = 0;   // the run the batch belongs to
  std::string allocated_at;  // ISO-8601 UTC, recorded with the row
};

// The run-level (frozen) value under which an export run keeps its batch ID, so that every
// plugin of the run reads the same one (Context::frozen_value).
inline constexpr std::string_view kBatchIdFrozenKey = "batch_id";

// Returns the batch ID of (request.job, request.run_id), allocating the next one of
// request.day, in state `allocated`, if that run has none. Retries a busy database a few
// times; other failures come back as the database reported them.
// REQUIRES: the outcome_tables migrations have run.
Result<std::string> allocate_batch_id(Database& db, const BatchIdRequest& request);

// Records where the batch's CSV is being written (its final path), so that the .partial file
// of a batch that is later abandoned can be found and removed.
Status record_batch_output(Database& db, std::string_view batch_id, std::string_view output_file);

// Marks `batch_id` published, its CSV at `output_file`. Idempotent: a published batch is left
// as it is, so a resumed run that publishes again changes nothing.
Status publish_batch(Database& db, std::string_view batch_id, std::string_view output_file,
                     std::string_view published_at);

struct AbandonedBatch {
  std::string batch_id;
  std::string output_file;  // "" when the run never opened its CSV
};

// Marks abandoned every batch of `job` still allocated by a run other than `live_run_id`: one
// run per job holds the lock, and a run that is not the job's live (resumed or new) run can
// never publish again. Returns them, so the caller can remove their partial files.
Result<std::vector<AbandonedBatch>> abandon_dead_batches(Database& db, std::string_view job,
                                                         std::int64_t live_run_id,
                                                         std::string_view abandoned_at);

}  // namespace hades::domain

#endif  // HADES_OUTCOMES_BATCH_IDS_H_
