#include "leads/icp_changes.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>

#include "leads/icp_config.h"
#include "leads/text_diff.h"

namespace hades::domain {
namespace {

// The columns both tables share, in this order everywhere.
constexpr const char* kColumns =
    "token, kind, applied_at, applied_by, icp_path, report_path, report_inputs_hash, rolls_back, "
    "sha256_before, sha256_after, items, text_before, text_after, run_id, step";
constexpr const char* kSelectChange =
    "SELECT id, kind, applied_at, applied_by, icp_path, report_path, report_inputs_hash, "
    "rolls_back, sha256_before, sha256_after, items, text_before, text_after, run_id, step "
    "FROM icp_changes ";

// The two tables differ only in their key: a change gets its id when it is complete.
std::string table_columns() {
  return "token TEXT NOT NULL UNIQUE, "
         "kind TEXT NOT NULL CHECK (kind IN ('apply', 'rollback')), "
         "applied_at TEXT NOT NULL, "
         "applied_by TEXT NOT NULL, "
         "icp_path TEXT NOT NULL, "
         "report_path TEXT, "
         "report_inputs_hash TEXT, "
         "rolls_back INTEGER, "
         "sha256_before TEXT NOT NULL, "
         "sha256_after TEXT NOT NULL, "
         "items TEXT NOT NULL, "
         "text_before TEXT NOT NULL, "
         "text_after TEXT NOT NULL, "
         "run_id INTEGER, "
         "step TEXT";
}

Migration icp_changes_v1() {
  return Migration{
      1,
      "icp_changes, icp_change_journal",
      {"CREATE TABLE IF NOT EXISTS icp_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, " +
           table_columns() + ")",
       "CREATE INDEX IF NOT EXISTS icp_changes_by_file ON icp_changes (icp_path, id)",
       "CREATE INDEX IF NOT EXISTS icp_changes_by_run ON icp_changes (run_id, step)",
       "CREATE TABLE IF NOT EXISTS icp_change_journal (" + table_columns() + ")"}};
}

std::string random_token() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 4; ++i) {
    char part[9];
    std::snprintf(part, sizeof part, "%08x", static_cast<unsigned>(device()));
    token += part;
  }
  return token;
}

Value text_or_null(const std::string& text) { return text.empty() ? Value() : Value(text); }
Value int_or_null(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }
std::string text_of(const Value& v) { return is_null(v) ? std::string() : to_text(v); }

Status ensure_tables(Database& db) {
  return apply_migrations(db, kIcpChangesComponent, icp_change_migrations());
}

Result<IcpChangeRecord> record_of(const std::vector<Value>& row) {
  IcpChangeRecord r;
  r.id = as_int(row[0]).value_or(0);
  r.kind = text_of(row[1]);
  r.applied_at = text_of(row[2]);
  r.applied_by = text_of(row[3]);
  r.icp_path = text_of(row[4]);
  r.report_path = text_of(row[5]);
  r.report_inputs_hash = text_of(row[6]);
  r.rolls_back = as_int(row[7]);
  r.sha256_before = text_of(row[8]);
  r.sha256_after = text_of(row[9]);
  Result<std::vector<IcpChange>> items = changes_from_json(text_of(row[10]));
  if (!items.ok()) return items.status().with_context("icp_changes row " + std::to_string(r.id));
  r.items = std::move(items).value();
  r.text_before = text_of(row[11]);
  r.text_after = text_of(row[12]);
  r.run_id = as_int(row[13]);
  r.step = text_of(row[14]);
  return r;
}

Result<std::vector<IcpChangeRecord>> query_changes(Database& db, const std::string& where,
                                                   const std::vector<Value>& args) {
  Result<QueryResult> rows = db.query(kSelectChange + where, args);
  if (!rows.ok()) return rows.status().with_context("reading icp_changes");
  std::vector<IcpChangeRecord> out;
  for (const std::vector<Value>& row : rows->rows) {
    Result<IcpChangeRecord> r = record_of(row);
    if (!r.ok()) return r.status();
    out.push_back(std::move(r).value());
  }
  return out;
}

Result<std::optional<IcpChangeRecord>> first_change(Database& db, const std::string& where,
                                                    const std::vector<Value>& args) {
  Result<std::vector<IcpChangeRecord>> rows = query_changes(db, where + " LIMIT 1", args);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<IcpChangeRecord>();
  return std::optional<IcpChangeRecord>(std::move(rows->front()));
}

// The sha256 of the file now; "" when it does not exist.
Result<std::string> file_sha256(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) return std::string();
  Result<std::string> bytes = read_file_bytes(path);
  if (!bytes.ok()) return bytes.status();
  return sha256_hex(*bytes);
}

// recover_icp_changes() for a caller that holds the lock.
Result<int> recover_locked(Database& db, const std::string& path) {
  Result<QueryResult> pending = db.query(
      "SELECT token, sha256_after FROM icp_change_journal WHERE icp_path = ? ORDER BY token",
      {Value(path)});
  if (!pending.ok()) return pending.status().with_context("reading icp_change_journal");
  int settled = 0;
  if (!pending->rows.empty()) {
    Result<std::string> now = file_sha256(path);
    if (!now.ok()) return now.status();
    for (const std::vector<Value>& row : pending->rows) {
      const Value token = row[0];
      WriteBatch batch;
      if (text_of(row[1]) == *now) {  // renamed: the change is made, record it
        batch.add("INSERT OR IGNORE INTO icp_changes (" + std::string(kColumns) + ") SELECT " +
                      kColumns + " FROM icp_change_journal WHERE token = ?",
                  {token});
      }
      batch.add("DELETE FROM icp_change_journal WHERE token = ?", {token});
      const Status applied = db.apply(batch);
      if (!applied.ok()) return applied.with_context("settling an interrupted change of " + path);
      ++settled;
    }
  }
  const std::string temp = temp_path_of(path);
  if (::unlink(temp.c_str()) != 0 && errno != ENOENT) {
    return Status::io("cannot remove " + temp + ": " + std::strerror(errno));
  }
  return settled;
}

struct Locked {
  std::string path;  // canonical
  IcpFileLock lock;
};

// Resolves the path, takes its lock, creates the tables and recovers.
Result<Locked> lock_and_recover(Database& db, const ChangeContext& context) {
  Result<std::string> path = canonical_icp_path(context.icp_path);
  if (!path.ok()) return path.status();
  Result<IcpFileLock> lock = IcpFileLock::acquire(*path, context.lock_wait);
  if (!lock.ok()) return lock.status();
  HADES_RETURN_IF_ERROR(ensure_tables(db));
  Result<int> recovered = recover_locked(db, *path);
  if (!recovered.ok()) return recovered.status();
  return Locked{std::move(path).value(), std::move(lock).value()};
}

// The change this run's step made before it was interrupted, if any.
Result<std::optional<IcpChangeRecord>> made_by_run(Database& db, const ChangeContext& context,
                                                   const std::string& path) {
  if (!context.run_id) return std::optional<IcpChangeRecord>();
  return first_change(db, "WHERE run_id = ? AND step = ? AND icp_path = ? ORDER BY id",
                      {Value(*context.run_id), Value(context.step), Value(path)});
}

std::string change_diff(const IcpChangeRecord& record, const std::string& name) {
  return unified_diff(record.text_before, record.text_after, diff_label('a', name),
                      diff_label('b', name));
}

// The lock taken and recovery done; `done` is the change this run made before it was
// interrupted, when it made one.
struct Prepared {
  Locked locked;
  std::optional<ChangeOutcome> done;
};

Result<Prepared> prepare(Database& db, const ChangeContext& context) {
  Result<Locked> locked = lock_and_recover(db, context);
  if (!locked.ok()) return locked.status();
  Result<std::optional<IcpChangeRecord>> earlier = made_by_run(db, context, locked->path);
  if (!earlier.ok()) return earlier.status();
  Prepared out{std::move(locked).value(), std::nullopt};
  if (*earlier) {
    ChangeOutcome done;
    done.resumed = true;
    done.diff = change_diff(**earlier, context.icp_path);
    done.change = std::move(**earlier);
    out.done = std::move(done);
  }
  return out;
}

void stage(const ChangeContext& context, std::string_view name) {
  if (context.after_stage) context.after_stage(name);
}

// Steps 1-3 of the file comment for `record` (id not yet set). REQUIRES: the lock is held.
Result<IcpChangeRecord> commit_change(Database& db, IcpChangeRecord record,
                                      const ChangeContext& context) {
  const std::string token = random_token();
  WriteBatch journal;
  journal.add("INSERT OR IGNORE INTO icp_change_journal (" + std::string(kColumns) +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {Value(token), Value(record.kind), Value(record.applied_at), Value(record.applied_by),
               Value(record.icp_path), text_or_null(record.report_path),
               text_or_null(record.report_inputs_hash), int_or_null(record.rolls_back),
               Value(record.sha256_before), Value(record.sha256_after),
               Value(changes_to_json(record.items)), Value(record.text_before),
               Value(record.text_after), int_or_null(record.run_id), text_or_null(record.step)});
  const Status journaled = db.apply(journal);
  if (!journaled.ok()) {
    return journaled.with_context("journaling the change of " + record.icp_path +
                                  " (nothing changed)");
  }
  stage(context, "after_journal");
  const Status replaced =
      replace_file_durably(record.icp_path, record.text_after, context.after_stage);
  if (!replaced.ok()) {
    // The file is either untouched or already renamed: recovery tells which and records it.
    (void)recover_locked(db, record.icp_path);
    return replaced;
  }
  WriteBatch complete;
  complete.add("INSERT OR IGNORE INTO icp_changes (" + std::string(kColumns) + ") SELECT " +
                   kColumns + " FROM icp_change_journal WHERE token = ?",
               {Value(token)});
  complete.add("DELETE FROM icp_change_journal WHERE token = ?", {Value(token)});
  const Status completed = db.apply(complete);
  if (!completed.ok()) {
    return completed.with_context(record.icp_path +
                                  " was changed, but its icp_changes row could not be written; "
                                  "the next apply, rollback or history read records it");
  }
  stage(context, "after_commit");
  Result<std::optional<IcpChangeRecord>> stored =
      first_change(db, "WHERE token = ?", {Value(token)});
  if (!stored.ok()) return stored.status();
  if (!*stored) return Status::internal("icp_changes row " + token + " vanished after its commit");
  return std::move(**stored);
}

// Plans an "apply" change on the file as it is now (`plan_of` its bytes) and makes it, under the
// lock and after recovery; returns the change this run's step made before, if it made one.
using Planner = std::function<Result<IcpEditPlan>(std::string_view text)>;
Result<ChangeOutcome> plan_and_commit(Database& db, const ChangeContext& context,
                                      const std::string& report_path, const Planner& plan_of) {
  Result<Prepared> prepared = prepare(db, context);
  if (!prepared.ok()) return prepared.status();
  if (prepared->done) return std::move(*prepared->done);
  const std::string& path = prepared->locked.path;
  Result<std::string> text = read_file_bytes(path);
  if (!text.ok()) return text.status();
  Result<IcpEditPlan> plan = plan_of(*text);
  if (!plan.ok()) return plan.status();
  ChangeOutcome out;
  out.skipped = plan->skipped;
  if (plan->empty()) return out;
  IcpChangeRecord r;
  r.kind = "apply";
  r.applied_at = context.applied_at;
  r.applied_by = context.applied_by;
  r.icp_path = path;
  r.report_path = report_path;
  r.report_inputs_hash = plan->report_inputs_hash;
  r.sha256_before = plan->sha256_before;
  r.sha256_after = plan->sha256_after;
  r.items = plan->changes;
  r.text_before = std::move(text).value();
  r.text_after = plan->text_after;
  r.run_id = context.run_id;
  r.step = context.step;
  Result<IcpChangeRecord> made = commit_change(db, std::move(r), context);
  if (!made.ok()) return made.status();
  out.diff = plan->diff;
  out.change = std::move(made).value();
  return out;
}

PlanOptions method_options(const MethodRequest& request) {
  PlanOptions options;
  options.icp_name = request.context.icp_path;
  return options;
}

// The method plan of `text`, recording the model's SHA-256 as the change's inputs hash.
Result<IcpEditPlan> plan_method(const MethodRequest& request, std::string_view text) {
  Result<IcpEditPlan> plan =
      plan_method_edit(text, request.choice, request.evidence, method_options(request));
  if (plan.ok()) plan->report_inputs_hash = request.model_sha256;
  return plan;
}

PlanOptions plan_options(const ApplyRequest& request) {
  PlanOptions options;
  options.calibrated_on = request.calibrated_on;
  options.icp_name = request.context.icp_path;
  return options;
}

// The change a rollback undoes and the guard on the file; with the lock or without.
Result<IcpChangeRecord> rollback_target(Database& db, const RollbackRequest& request,
                                        const std::string& path, std::string* current_text) {
  Result<std::optional<IcpChangeRecord>> target =
      request.change_id ? first_change(db, "WHERE id = ?", {Value(*request.change_id)})
                        : first_change(db, "WHERE icp_path = ? ORDER BY id DESC", {Value(path)});
  if (!target.ok()) return target.status();
  if (!*target) {
    return Status::invalid_config(
        request.change_id ? "no change " + std::to_string(*request.change_id) + " in icp_changes"
                          : "no change of " + path + " in icp_changes to roll back");
  }
  IcpChangeRecord& t = **target;
  if (t.icp_path != path) {
    return Status::invalid_config("change " + std::to_string(t.id) + " was made to " + t.icp_path +
                                  ", not " + path);
  }
  Result<std::string> text = read_file_bytes(path);
  if (!text.ok()) return text.status();
  if (sha256_hex(*text) != t.sha256_after) {
    return Status::invalid_config(
        path + " changed since change " + std::to_string(t.id) +
        " (it is not the text that change left): roll back the later changes first; a hand "
        "edit is never overwritten");
  }
  *current_text = std::move(text).value();
  return std::move(t);
}

IcpChangeRecord rollback_record(const IcpChangeRecord& target, const ChangeContext& context,
                                const std::string& path, std::string current_text) {
  IcpChangeRecord r;
  r.kind = "rollback";
  r.applied_at = context.applied_at;
  r.applied_by = context.applied_by;
  r.icp_path = path;
  r.rolls_back = target.id;
  r.sha256_before = target.sha256_after;
  r.sha256_after = target.sha256_before;
  for (IcpChange item : target.items) {
    std::swap(item.old_value, item.new_value);
    std::swap(item.old_score, item.new_score);
    r.items.push_back(std::move(item));
  }
  r.text_before = std::move(current_text);
  r.text_after = target.text_before;
  r.run_id = context.run_id;
  r.step = context.step;
  return r;
}

}  // namespace

const std::vector<Migration>& icp_change_migrations() {
  static const std::vector<Migration> kMigrations = {icp_changes_v1()};
  return kMigrations;
}

Result<IcpEditPlan> preview_icp_changes(const ApplyRequest& request) {
  Result<std::string> text = read_file_bytes(request.context.icp_path);
  if (!text.ok()) return text.status();
  return plan_icp_edit(request.report_json, *text, request.selection, plan_options(request));
}

Result<ChangeOutcome> apply_icp_changes(Database& db, const ApplyRequest& request) {
  return plan_and_commit(db, request.context, request.report_path, [&](std::string_view text) {
    return plan_icp_edit(request.report_json, text, request.selection, plan_options(request));
  });
}

Result<IcpEditPlan> preview_method_change(const MethodRequest& request) {
  Result<std::string> text = read_file_bytes(request.context.icp_path);
  if (!text.ok()) return text.status();
  return plan_method(request, *text);
}

Result<ChangeOutcome> apply_method_change(Database& db, const MethodRequest& request) {
  return plan_and_commit(db, request.context, request.model_source,
                         [&](std::string_view text) { return plan_method(request, text); });
}

Result<ChangeOutcome> rollback_icp_change(Database& db, const RollbackRequest& request) {
  Result<Prepared> prepared = prepare(db, request.context);
  if (!prepared.ok()) return prepared.status();
  if (prepared->done) return std::move(*prepared->done);
  const std::string& path = prepared->locked.path;

  std::string current;
  Result<IcpChangeRecord> target = rollback_target(db, request, path, &current);
  if (!target.ok()) return target.status();
  Result<IcpConfig> loads = parse_icp_config(target->text_before, request.context.icp_path);
  if (!loads.ok()) {
    return Status::invalid_config(
        "the text before change " + std::to_string(target->id) +
        " does not load any more, so nothing changed: " + loads.status().message());
  }
  IcpChangeRecord r = rollback_record(*target, request.context, path, std::move(current));
  ChangeOutcome out;
  out.diff = change_diff(r, request.context.icp_path);
  Result<IcpChangeRecord> made = commit_change(db, std::move(r), request.context);
  if (!made.ok()) return made.status();
  out.change = std::move(made).value();
  return out;
}

Result<ChangeOutcome> preview_rollback(Database& db, const RollbackRequest& request) {
  Result<std::string> path = canonical_icp_path(request.context.icp_path);
  if (!path.ok()) return path.status();
  HADES_RETURN_IF_ERROR(ensure_tables(db));
  std::string current;
  Result<IcpChangeRecord> target = rollback_target(db, request, *path, &current);
  if (!target.ok()) return target.status();
  IcpChangeRecord r = rollback_record(*target, request.context, *path, std::move(current));
  ChangeOutcome out;
  out.diff = change_diff(r, request.context.icp_path);
  out.change = std::move(r);
  return out;
}

Result<std::vector<IcpChangeRecord>> icp_change_history(Database& db, const std::string& icp_path,
                                                        int limit) {
  HADES_RETURN_IF_ERROR(ensure_tables(db));
  std::string path;
  if (!icp_path.empty()) {
    Result<std::string> canonical = canonical_icp_path(icp_path);
    if (!canonical.ok()) return canonical.status();
    path = std::move(canonical).value();
    Result<IcpFileLock> lock = IcpFileLock::acquire(path, std::chrono::milliseconds(0));
    if (lock.ok()) {
      Result<int> recovered = recover_locked(db, path);
      if (!recovered.ok()) return recovered.status();
    } else if (lock.status().code() != StatusCode::kLocked) {
      return lock.status();
    }
  }
  const std::vector<Value> args = path.empty()
                                      ? std::vector<Value>{Value(std::int64_t{limit})}
                                      : std::vector<Value>{Value(path), Value(std::int64_t{limit})};
  return query_changes(
      db, (path.empty() ? "" : "WHERE icp_path = ? ") + std::string("ORDER BY id DESC LIMIT ?"),
      args);
}

Result<int> recover_icp_changes(Database& db, const std::string& icp_path,
                                std::chrono::milliseconds lock_wait) {
  Result<std::string> path = canonical_icp_path(icp_path);
  if (!path.ok()) return path.status();
  Result<IcpFileLock> lock = IcpFileLock::acquire(*path, lock_wait);
  if (!lock.ok()) return lock.status();
  HADES_RETURN_IF_ERROR(ensure_tables(db));
  return recover_locked(db, *path);
}

}  // namespace hades::domain
