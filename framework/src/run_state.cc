#include "run_state.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "hades/migrations.h"

namespace hades {
namespace {

const std::vector<Migration>& run_state_migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "runs, steps, run values and locks",
       {"CREATE TABLE IF NOT EXISTS hades_runs (run_id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT "
        "NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, params TEXT NOT "
        "NULL)",
        "CREATE INDEX IF NOT EXISTS hades_runs_job ON hades_runs (job, run_id)",
        "CREATE TABLE IF NOT EXISTS hades_steps (run_id INTEGER NOT NULL, step TEXT NOT NULL, "
        "status TEXT NOT NULL, checkpoint TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL, "
        "PRIMARY KEY (run_id, step))",
        "CREATE TABLE IF NOT EXISTS hades_run_values (run_id INTEGER NOT NULL, key TEXT NOT NULL, "
        "value TEXT NOT NULL, PRIMARY KEY (run_id, key))",
        "CREATE TABLE IF NOT EXISTS hades_locks (job TEXT PRIMARY KEY, token TEXT NOT NULL, pid "
        "INTEGER NOT NULL, host TEXT NOT NULL, pid_start INTEGER NOT NULL, acquired_at TEXT NOT "
        "NULL)"}},
      {2,
       "the job definition a run started with",
       {"ALTER TABLE hades_runs ADD COLUMN definition TEXT"}},
      {3,
       "the job file a run was started from",
       {"ALTER TABLE hades_runs ADD COLUMN job_file TEXT"}},
  };
  return kMigrations;
}

std::string text_at(const std::vector<Value>& row, std::size_t i) { return to_text(row.at(i)); }
std::int64_t int_at(const std::vector<Value>& row, std::size_t i) {
  return as_int(row.at(i)).value_or(0);
}

std::int64_t process_start_ticks(std::int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::stoll(field);
  }
  return 0;
}

std::string random_token() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << rd() << rd() << rd() << rd();
  return out.str();
}

RunRecord run_from_row(const std::vector<Value>& row) {
  return RunRecord{int_at(row, 0),  text_at(row, 1), text_at(row, 2), text_at(row, 3),
                   text_at(row, 4), text_at(row, 5), text_at(row, 6), text_at(row, 7)};
}

constexpr const char* kRunColumns =
    "run_id, job, status, started_at, ended_at, params, definition, job_file";

}  // namespace

ProcessIdentity ProcessIdentity::current() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  const std::int64_t pid = getpid();
  return ProcessIdentity{pid, host, process_start_ticks(pid)};
}

std::string LockHolder::describe() const {
  return "pid " + std::to_string(process.pid) + " on host " + process.host + " since " +
         acquired_at;
}

bool process_is_alive(const ProcessIdentity& process) {
  if (::kill(static_cast<pid_t>(process.pid), 0) != 0 && errno == ESRCH) return false;
  // The pid exists; it is the holder only if it started when the holder did.
  const std::int64_t start = process_start_ticks(process.pid);
  return start == 0 || process.pid_start == 0 || start == process.pid_start;
}

RunState::RunState(Database& db, ProcessIdentity self, LivenessProbe probe)
    : db_(db), self_(std::move(self)), probe_(std::move(probe)) {}

Status RunState::migrate() {
  return apply_migrations(db_, "hades_run_state", run_state_migrations());
}

Result<std::optional<RunRecord>> RunState::unfinished_run(const std::string& job) {
  auto rows = db_.query(std::string("SELECT ") + kRunColumns +
                            " FROM hades_runs WHERE job = ? AND status IN ('running', 'failed') "
                            "ORDER BY run_id DESC LIMIT 1",
                        {job});
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(run_from_row(rows->rows[0]));
}

Result<RunRecord> RunState::start_run(const std::string& job, const std::string& params_json,
                                      const std::string& definition_digest,
                                      const std::string& started_at, const std::string& job_file) {
  WriteBatch batch;
  batch.add(
      "INSERT INTO hades_runs (job, status, started_at, params, definition, job_file) "
      "VALUES (?, 'running', ?, ?, ?, ?)",
      {job, started_at, params_json, definition_digest, job_file});
  HADES_RETURN_IF_ERROR(db_.apply(batch));
  // The lock is held, so the newest run of the job is the one just inserted.
  auto rows = db_.query(std::string("SELECT ") + kRunColumns +
                            " FROM hades_runs WHERE job = ? ORDER BY run_id DESC LIMIT 1",
                        {job});
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return Status::internal("the new run of " + job + " was not stored");
  return run_from_row(rows->rows[0]);
}

Status RunState::finish_run(std::int64_t run_id, const std::string& status,
                            const std::string& ended_at) {
  WriteBatch batch;
  batch.add("UPDATE hades_runs SET status = ?, ended_at = ? WHERE run_id = ?",
            {status, ended_at, run_id});
  return db_.apply(batch);
}

Result<std::vector<RunRecord>> RunState::runs(const std::string& job, int limit) {
  auto rows = db_.query(std::string("SELECT ") + kRunColumns +
                            " FROM hades_runs WHERE job = ? ORDER BY run_id DESC LIMIT ?",
                        {job, static_cast<std::int64_t>(limit)});
  if (!rows.ok()) return rows.status();
  std::vector<RunRecord> out;
  for (const auto& row : rows->rows) out.push_back(run_from_row(row));
  return out;
}

Result<std::optional<std::pair<std::int64_t, std::string>>> RunState::last_success_checkpoint(
    const std::string& job, const std::string& step) {
  using Found = std::optional<std::pair<std::int64_t, std::string>>;
  auto rows = db_.query(
      "SELECT r.run_id, s.checkpoint FROM hades_runs r JOIN hades_steps s ON s.run_id = r.run_id "
      "WHERE r.job = ? AND r.status = 'succeeded' AND s.step = ? AND s.status = 'completed' "
      "ORDER BY r.run_id DESC LIMIT 1",
      {job, step});
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return Found();
  return Found(std::pair(int_at(rows->rows[0], 0), text_at(rows->rows[0], 1)));
}

Result<std::optional<RunRecord>> RunState::find_run(const std::string& job, std::int64_t run_id) {
  auto rows = db_.query(
      std::string("SELECT ") + kRunColumns + " FROM hades_runs WHERE job = ? AND run_id = ?",
      {job, run_id});
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return std::optional<RunRecord>();
  return std::optional<RunRecord>(run_from_row(rows->rows[0]));
}

Result<std::vector<StepRecord>> RunState::steps(std::int64_t run_id) {
  auto rows = db_.query(
      "SELECT step, status, checkpoint, updated_at FROM hades_steps WHERE run_id = ?", {run_id});
  if (!rows.ok()) return rows.status();
  std::vector<StepRecord> out;
  for (const auto& row : rows->rows) {
    out.push_back({text_at(row, 0), text_at(row, 1), text_at(row, 2), text_at(row, 3)});
  }
  return out;
}

Status RunState::set_step_status(std::int64_t run_id, const std::string& step,
                                 const std::string& status, const std::string& now) {
  WriteBatch batch;
  batch.add(
      "INSERT INTO hades_steps (run_id, step, status, updated_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (run_id, step) DO UPDATE SET status = excluded.status, "
      "updated_at = excluded.updated_at",
      {run_id, step, status, now});
  return db_.apply(batch);
}

void RunState::add_checkpoint(WriteBatch& batch, std::int64_t run_id, const std::string& step,
                              const std::string& checkpoint_json, const std::string& now) {
  batch.add(
      "INSERT INTO hades_steps (run_id, step, status, checkpoint, updated_at) "
      "VALUES (?, ?, 'running', ?, ?) ON CONFLICT (run_id, step) DO UPDATE SET "
      "checkpoint = excluded.checkpoint, updated_at = excluded.updated_at",
      {run_id, step, checkpoint_json, now});
}

Status RunState::reset_step(std::int64_t run_id, const std::string& step) {
  WriteBatch batch;
  batch.add("DELETE FROM hades_steps WHERE run_id = ? AND step = ?", {run_id, step});
  return db_.apply(batch);
}

Result<std::optional<std::string>> RunState::run_value(std::int64_t run_id,
                                                       const std::string& key) {
  auto rows =
      db_.query("SELECT value FROM hades_run_values WHERE run_id = ? AND key = ?", {run_id, key});
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(text_at(rows->rows[0], 0));
}

Result<std::vector<std::pair<std::string, std::string>>> RunState::run_values(std::int64_t run_id) {
  auto rows =
      db_.query("SELECT key, value FROM hades_run_values WHERE run_id = ? ORDER BY key", {run_id});
  if (!rows.ok()) return rows.status();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : rows->rows) out.emplace_back(text_at(row, 0), text_at(row, 1));
  return out;
}

Result<std::string> RunState::database_id() {
  char id[9];
  std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(std::random_device{}()));
  return freeze_run_value(0, "database_id", id);
}

Result<std::string> RunState::freeze_run_value(std::int64_t run_id, const std::string& key,
                                               const std::string& value) {
  WriteBatch batch;
  batch.add(
      "INSERT INTO hades_run_values (run_id, key, value) VALUES (?, ?, ?) "
      "ON CONFLICT (run_id, key) DO NOTHING",
      {run_id, key, value});
  HADES_RETURN_IF_ERROR(db_.apply(batch));
  auto stored = run_value(run_id, key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return Status::internal("run value " + key + " was not stored");
  return **stored;
}

Result<LockHolder> RunState::read_lock_row(const std::string& job) {
  auto rows = db_.query(
      "SELECT token, pid, host, pid_start, acquired_at FROM hades_locks WHERE job = ?", {job});
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) return Status::internal("no lock row");
  const auto& row = rows->rows[0];
  return LockHolder{text_at(row, 0),
                    ProcessIdentity{int_at(row, 1), text_at(row, 2), int_at(row, 3)},
                    text_at(row, 4)};
}

Result<LockHolder> RunState::acquire_lock(const std::string& job, const std::string& now) {
  const LockHolder mine{random_token(), self_, now};
  const std::vector<Value> args = {
      job, mine.token, mine.process.pid, mine.process.host, mine.process.pid_start, now};
  WriteBatch insert;
  insert.add(
      "INSERT INTO hades_locks (job, token, pid, host, pid_start, acquired_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job) DO NOTHING",
      args);
  HADES_RETURN_IF_ERROR(db_.apply(insert));
  auto holder = read_lock_row(job);
  if (!holder.ok()) return holder.status();
  if (holder->token == mine.token) return mine;

  const bool same_host = holder->process.host == self_.host;
  if (!same_host || probe_(holder->process)) {
    return Status::locked("job '" + job + "' is locked by " + holder->describe() +
                          (same_host ? "" : "; if that process is gone, run `hades unlock`"));
  }
  // The holder died on this host: take the lock over, but only if nobody else did meanwhile.
  WriteBatch takeover;
  takeover.add(
      "UPDATE hades_locks SET token = ?, pid = ?, host = ?, pid_start = ?, "
      "acquired_at = ? WHERE job = ? AND token = ?",
      {mine.token, mine.process.pid, mine.process.host, mine.process.pid_start, now, job,
       holder->token});
  HADES_RETURN_IF_ERROR(db_.apply(takeover));
  auto after = read_lock_row(job);
  if (!after.ok()) return after.status();
  if (after->token != mine.token) {
    return Status::locked("job '" + job + "' is locked by " + after->describe());
  }
  return mine;
}

Status RunState::release_lock(const std::string& job, const std::string& token) {
  WriteBatch batch;
  batch.add("DELETE FROM hades_locks WHERE job = ? AND token = ?", {job, token});
  return db_.apply(batch);
}

Result<std::optional<LockHolder>> RunState::lock_holder(const std::string& job) {
  auto rows = db_.query("SELECT count(*) FROM hades_locks WHERE job = ?", {job});
  if (!rows.ok()) return rows.status();
  if (int_at(rows->rows.at(0), 0) == 0) return std::optional<LockHolder>();
  auto holder = read_lock_row(job);
  if (!holder.ok()) return holder.status();
  return std::optional<LockHolder>(*holder);
}

Status RunState::force_unlock(const std::string& job) {
  WriteBatch batch;
  batch.add("DELETE FROM hades_locks WHERE job = ?", {job});
  return db_.apply(batch);
}

}  // namespace hades
