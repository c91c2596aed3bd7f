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
// The table (hades_batch_ids) is created by the outcome_tables migrations (outcome_tables.h).
//
// Thread safety: pure functions, except allocate_batch_id(), which uses `db` as Database allows.

#ifndef HADES_PLUGINS_COMMON_BATCH_IDS_H_
#define HADES_PLUGINS_COMMON_BATCH_IDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hades/database.h"
#include "hades/status.h"

namespace hades::plugin_common {

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

// Returns the batch ID of (request.job, request.run_id), allocating the next one of
// request.day if that run has none. Retries a busy database a few times; other failures come
// back as the database reported them. REQUIRES: the outcome_tables migrations have run.
Result<std::string> allocate_batch_id(Database& db, const BatchIdRequest& request);

}  // namespace hades::plugin_common

#endif  // HADES_PLUGINS_COMMON_BATCH_IDS_H_
