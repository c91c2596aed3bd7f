#include "lead_model/model_store.h"

#include "leads/icp_config.h"
#include "leads/icp_file.h"

namespace hades::lead_model {
namespace {

// Version 1: one row per trained model. The JSON is the model; the other columns repeat what
// lists and guards read first. (run_id, step) is unique so that a resumed training run replaces
// its own row; rows written outside a run (NULL run_id) never collide.
Migration lead_models_v1() {
  return Migration{1, "lead_models", {R"sql(CREATE TABLE IF NOT EXISTS lead_models (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  run_id INTEGER,
  step TEXT,
  format_version INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  feature_set_sha256 TEXT NOT NULL,
  data_sha256 TEXT NOT NULL,
  c REAL NOT NULL,
  historical_outcomes INTEGER NOT NULL,
  hades_outcomes INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  file TEXT,
  model_json TEXT NOT NULL,
  UNIQUE (run_id, step)))sql"}};
}

constexpr std::string_view kSelect =
    "SELECT id, created_at, run_id, step, sha256, verdict, file, model_json FROM lead_models ";

std::string text_of(const Value& v) { return is_null(v) ? std::string() : to_text(v); }

Result<std::optional<StoredModel>> first_row(Database& db, const std::string& rest,
                                             const std::vector<Value>& args) {
  Result<QueryResult> rows = db.query(std::string(kSelect) + rest, args);
  if (!rows.ok()) return rows.status().with_context("reading lead_models");
  if (rows->rows.empty()) return std::optional<StoredModel>();
  const std::vector<Value>& r = rows->rows.front();
  StoredModel m;
  m.id = as_int(r[0]).value_or(0);
  m.created_at = text_of(r[1]);
  m.run_id = as_int(r[2]);
  m.step = text_of(r[3]);
  m.sha256 = text_of(r[4]);
  m.verdict = text_of(r[5]);
  m.file = text_of(r[6]);
  m.json = text_of(r[7]);
  return std::optional<StoredModel>(std::move(m));
}

Value text_or_null(const std::string& text) { return text.empty() ? Value() : Value(text); }
Value int_or_null(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }

}  // namespace

const std::vector<Migration>& lead_model_migrations() {
  static const std::vector<Migration> kMigrations = {lead_models_v1()};
  return kMigrations;
}

Status apply_lead_model_migrations(Database& db) {
  return apply_migrations(db, kLeadModelsComponent, lead_model_migrations());
}

Result<std::int64_t> store_model(Database& db, const LeadModel& model, const std::string& json,
                                 const std::string& step, const std::string& file) {
  HADES_RETURN_IF_ERROR(apply_lead_model_migrations(db));
  const std::string sha = domain::sha256_hex(json);
  WriteBatch batch;
  if (model.run_id) {
    batch.add("DELETE FROM lead_models WHERE run_id = ? AND step = ?",
              {Value(*model.run_id), Value(step)});
  }
  batch.add(
      "INSERT INTO lead_models (created_at, run_id, step, format_version, sha256, "
      "feature_set_sha256, data_sha256, c, historical_outcomes, hades_outcomes, verdict, file, "
      "model_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {Value(model.created_at), int_or_null(model.run_id), text_or_null(step),
       Value(std::int64_t{model.format_version}), Value(sha), Value(model.feature_set_sha256),
       Value(model.training.data_sha256), Value(model.c), Value(model.training.historical),
       Value(model.training.hades_leads), Value(model.evaluation.verdict), text_or_null(file),
       Value(json)});
  const Status applied = db.apply(batch);
  if (!applied.ok()) return applied.with_context("storing the model in lead_models");
  Result<QueryResult> id =
      db.query("SELECT max(id) FROM lead_models WHERE sha256 = ?", {Value(sha)});
  if (!id.ok()) return id.status().with_context("reading lead_models");
  if (id->rows.empty() || !as_int(id->rows[0][0])) {
    return Status::internal("the lead_models row just written is not there");
  }
  return *as_int(id->rows[0][0]);
}

Result<std::optional<StoredModel>> stored_model(Database& db, std::int64_t id) {
  HADES_RETURN_IF_ERROR(apply_lead_model_migrations(db));
  return first_row(db, "WHERE id = ?", {Value(id)});
}

Result<std::optional<StoredModel>> latest_model(Database& db) {
  HADES_RETURN_IF_ERROR(apply_lead_model_migrations(db));
  return first_row(db, "ORDER BY id DESC LIMIT 1", {});
}

std::string ModelReference::text() const { return id ? std::to_string(*id) : path; }

ModelReference parse_model_reference(std::string_view text) {
  ModelReference r;
  const bool digits = !text.empty() && text.size() <= 18 &&
                      text.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits) {
    r.id = std::stoll(std::string(text));
  } else {
    r.path = std::string(text);
  }
  return r;
}

Result<LoadedModel> load_model(Database& db, const ModelReference& reference) {
  LoadedModel out;
  std::string json;
  if (reference.id) {
    Result<std::optional<StoredModel>> row = stored_model(db, *reference.id);
    if (!row.ok()) return row.status();
    if (!*row) {
      return Status::invalid_config("there is no model " + std::to_string(*reference.id) +
                                    " in lead_models");
    }
    out.source = "lead_models id " + std::to_string(*reference.id);
    json = std::move((*row)->json);
  } else {
    Result<std::string> bytes = domain::read_file_bytes(reference.path);
    if (!bytes.ok()) {
      return Status::invalid_config("the model file is missing or unreadable: " +
                                    bytes.status().message());
    }
    out.source = reference.path;
    json = std::move(bytes).value();
  }
  Result<LeadModel> model = model_from_json(json, out.source);
  if (!model.ok()) return model.status();
  out.model = std::move(model).value();
  out.sha256 = domain::sha256_hex(json);
  return out;
}

Result<LoadedModel> load_usable_model(Database& db, const ModelReference& reference,
                                      const domain::IcpConfig& icp) {
  Result<LoadedModel> loaded = load_model(db, reference);
  if (!loaded.ok()) return loaded.status();
  const BucketRules rules(icp);
  if (loaded->model.feature_set_sha256 != rules.definition_sha256()) {
    return Status::invalid_config(
        loaded->source + " was trained on another feature set than " + icp.source +
        " defines (its tiers or signal strengths changed since): train the model again");
  }
  const Evaluation& e = loaded->model.evaluation;
  if (!e.model_better()) {
    return Status::invalid_config(loaded->source +
                                  " is not better than the weights on its holdout (" + e.verdict +
                                  (e.reason.empty() ? "" : ": " + e.reason) + ")");
  }
  return loaded;
}

}  // namespace hades::lead_model
