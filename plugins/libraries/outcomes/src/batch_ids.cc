#include "outcomes/batch_ids.h"

#include <chrono>
#include <cstdio>
#include <regex>
#include <thread>

namespace hades::domain {
namespace {

// One statement, so the read of MAX(seq) and the insert happen under the same write lock. The
// database takes positional arguments only (Turso's Hrana has no numbered ones), hence the day
// appears three times. A second call for the same run hits UNIQUE (job, run_id) and does nothing.
constexpr const char* kAllocateSql =
    "INSERT INTO hades_batch_ids (batch_id, day, seq, run_id, job, allocated_at, state, state_at) "
    "SELECT 'HADES-' || ? || '-' || printf('%03d', COALESCE(MAX(seq), 0) + 1), ?, "
    "COALESCE(MAX(seq), 0) + 1, ?, ?, ?, 'allocated', ? FROM hades_batch_ids WHERE day = ? "
    "ON CONFLICT (job, run_id) DO NOTHING";

constexpr const char* kLookupSql =
    "SELECT batch_id FROM hades_batch_ids WHERE job = ? AND run_id = ?";

// A busy database normally clears within the backend's own busy timeout; these retries cover a
// lost reply or a long checkpoint in another process.
constexpr int kAttempts = 5;

bool is_digits(std::string_view text) {
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

Status apply_with_retries(Database& db, const WriteBatch& batch) {
  Status status;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    status = db.apply(batch);
    if (status.ok() || !status.retryable()) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
  }
  return status;
}

}  // namespace

std::string format_batch_id(std::string_view day, std::int64_t seq) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%03lld", static_cast<long long>(seq));
  std::string id = "HADES-";
  id += day;
  id += '-';
  id += digits;
  return id;
}

Result<std::string> batch_day(std::string_view started_at) {
  // "YYYY-MM-DDT..." with digits where digits belong; the runner writes exactly this form.
  const bool shaped = started_at.size() >= 10 && is_digits(started_at.substr(0, 4)) &&
                      started_at[4] == '-' && is_digits(started_at.substr(5, 2)) &&
                      started_at[7] == '-' && is_digits(started_at.substr(8, 2)) &&
                      (started_at.size() == 10 || started_at[10] == 'T');
  if (!shaped) {
    return Status::invalid_config("run start time '" + std::string(started_at) +
                                  "' is not an ISO-8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)");
  }
  std::string day;
  day += started_at.substr(0, 4);
  day += started_at.substr(5, 2);
  day += started_at.substr(8, 2);
  return day;
}

std::optional<std::string> find_batch_id(std::string_view text) {
  static const std::regex kPattern{std::string(kBatchIdPattern)};
  std::cmatch match;
  if (!std::regex_search(text.data(), text.data() + text.size(), match, kPattern)) {
    return std::nullopt;
  }
  return match.str(0);
}

Result<std::string> allocate_batch_id(Database& db, const BatchIdRequest& request) {
  if (request.day.size() != 8 || !is_digits(request.day)) {
    return Status::internal("batch day '" + request.day + "' is not YYYYMMDD");
  }
  WriteBatch batch;
  batch.add(kAllocateSql, {request.day, request.day, request.run_id, request.job,
                           request.allocated_at, request.allocated_at, request.day});
  HADES_RETURN_IF_ERROR(
      apply_with_retries(db, batch).with_context("allocating a batch ID in hades_batch_ids"));
  const Result<QueryResult> rows = db.query(kLookupSql, {request.job, request.run_id});
  if (!rows.ok()) return rows.status().with_context("reading back the batch ID");
  if (rows->rows.empty() || rows->rows[0].empty()) {
    return Status::internal("hades_batch_ids has no row for job '" + request.job + "' run " +
                            std::to_string(request.run_id) + " after allocating one");
  }
  return to_text(rows->rows[0][0]);
}

Status publish_batch(Database& db, std::string_view batch_id, std::string_view output_file,
                     std::string_view published_at) {
  WriteBatch batch;
  batch.add(
      "UPDATE hades_batch_ids SET state = 'published', state_at = ?, output_file = ? "
      "WHERE batch_id = ? AND state <> 'published'",
      {std::string(published_at), std::string(output_file), std::string(batch_id)});
  return apply_with_retries(db, batch).with_context("marking batch " + std::string(batch_id) +
                                                    " published");
}

Status record_batch_output(Database& db, std::string_view batch_id, std::string_view output_file) {
  WriteBatch batch;
  batch.add("UPDATE hades_batch_ids SET output_file = ? WHERE batch_id = ?",
            {std::string(output_file), std::string(batch_id)});
  return apply_with_retries(db, batch).with_context("recording the output file of batch " +
                                                    std::string(batch_id));
}

Result<std::vector<AbandonedBatch>> abandon_dead_batches(Database& db, std::string_view job,
                                                         std::int64_t live_run_id,
                                                         std::string_view abandoned_at) {
  const Result<QueryResult> rows = db.query(
      "SELECT batch_id, output_file FROM hades_batch_ids "
      "WHERE job = ? AND run_id <> ? AND state = 'allocated' ORDER BY batch_id",
      {std::string(job), live_run_id});
  if (!rows.ok()) return rows.status().with_context("reading unpublished batches");
  std::vector<AbandonedBatch> abandoned;
  WriteBatch batch;
  for (const std::vector<Value>& r : rows->rows) {
    abandoned.push_back({to_text(r[0]), to_text(r[1])});
    batch.add(
        "UPDATE hades_batch_ids SET state = 'abandoned', state_at = ? "
        "WHERE batch_id = ? AND state = 'allocated'",
        {std::string(abandoned_at), to_text(r[0])});
  }
  if (batch.empty()) return abandoned;
  HADES_RETURN_IF_ERROR(apply_with_retries(db, batch).with_context("marking batches abandoned"));
  return abandoned;
}

}  // namespace hades::domain
