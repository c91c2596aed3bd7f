#include "sql_source.h"

#include <algorithm>
#include <set>
#include <utility>

#include "hades/plugin_export.h"

namespace hades::sql_source {

const SettingSpec kSettings[6] = {
    {"query", SettingType::kString, true, nullptr, false,
     "One SELECT (or WITH ... SELECT) on the job's database. Parameters are written `:name`. "
     "Without `key`, it must have an ORDER BY that fixes the order of every row."},
    {"params", SettingType::kStringMap, false, nullptr, false,
     "Parameter name -> value. Canonical decimal integers (`42`, `-7`) bind as integers, "
     "anything else as text. `:run_id` and `:run_started_at` are always available."},
    {"key", SettingType::kStringList, false, nullptr, false,
     "Keyset paging: result columns that identify a row, each `column`, `column ASC` or "
     "`column DESC`. Rows are read in this order, page after page, in time independent of how "
     "far the read has got (with an index on these columns). Leave ORDER BY out of the query."},
    {"row_number", SettingType::kString, false, nullptr, false,
     "Adds a column of this name holding each row's 1-based number in the read order."},
    {"limit", SettingType::kInt, false, nullptr, false,
     "Reads at most this many rows in all (0 reads none). Default: every row."},
    {"init_statements", SettingType::kStringList, false, nullptr, false,
     "Statements applied in one transaction when the step opens, before the query, e.g. "
     "`CREATE INDEX IF NOT EXISTS ...` for `key`. They run again on every (re)start: make "
     "them idempotent."},
};

namespace {

Status invalid(const std::string& message) {
  return Status::invalid_config("sql_source: " + message);
}

bool is_builtin_param(std::string_view name) {
  return name == kRunIdParam || name == kRunStartedAtParam;
}

bool is_identifier(std::string_view name) {
  const auto start = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  return !name.empty() && start(name.front()) && std::all_of(name.begin(), name.end(), [&](char c) {
    return start(c) || (c >= '0' && c <= '9');
  });
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// Every `:name` in the query must be a builtin or a declared parameter.
Status check_params(const SqlSourceConfig& config) {
  std::vector<std::string> declared = {std::string(kRunIdParam), std::string(kRunStartedAtParam)};
  for (const auto& [name, value] : config.params) {
    if (is_builtin_param(name)) {
      return invalid("`params` may not set '" + name + "': the run provides it");
    }
    declared.push_back(name);
  }
  for (const std::string& name : config.query.names) {
    if (std::find(declared.begin(), declared.end(), name) == declared.end()) {
      return invalid("`query` uses :" + name +
                     ", which `params` does not set; known: " + join(declared));
    }
  }
  return Status::ok_status();
}

}  // namespace

Result<SqlSourceConfig> bind_config(const Settings& settings) {
  SqlSourceConfig config;
  Result<PositionalQuery> query = translate_named_params(settings.get_string("query").value_or(""));
  if (!query.ok()) return query.status();
  config.query = std::move(query).value();
  if (config.query.sql.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid("`query` is empty");
  }
  config.params = settings.get_string_map("params");
  HADES_RETURN_IF_ERROR(check_params(config));
  std::set<std::string, std::less<>> key_names;
  for (const std::string& text : settings.get_string_list("key")) {
    Result<KeyColumn> column = parse_key_column(text);
    if (!column.ok()) return column.status();
    if (!key_names.insert(column->name).second) {
      return invalid("`key` names '" + column->name + "' twice");
    }
    config.key.push_back(std::move(column).value());
  }
  config.row_number = settings.get_string("row_number").value_or("");
  if (settings.has("row_number") && !is_identifier(config.row_number)) {
    return invalid("`row_number` must match [A-Za-z_][A-Za-z0-9_]*; got '" + config.row_number +
                   "'");
  }
  config.limit = settings.get_int("limit");
  if (config.limit && *config.limit < 0) return invalid("`limit` must be 0 or more");
  config.init_statements = settings.get_string_list("init_statements");
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<SqlSourceConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<SqlSource>(std::move(config).value()));
}

SqlSource::SqlSource(SqlSourceConfig config) : config_(std::move(config)) {}

Status SqlSource::open(Context& ctx, std::string_view cursor) {
  cursor_ = SqlCursor{};
  exhausted_ = false;
  if (!cursor.empty()) {
    Result<SqlCursor> decoded = decode_cursor(cursor);
    if (!decoded.ok()) return decoded.status();
    cursor_ = std::move(decoded).value();
    if (!cursor_.after.empty() && cursor_.after.size() != config_.key.size()) {
      return Status::corruption(
          "sql_source: the cursor holds " + std::to_string(cursor_.after.size()) +
          " key values but `key` has " + std::to_string(config_.key.size()) + " columns");
    }
  }
  db_ = &ctx.database();
  if (!config_.init_statements.empty()) {
    WriteBatch batch;
    for (const std::string& sql : config_.init_statements) batch.add(sql);
    HADES_RETURN_IF_ERROR(db_->apply(batch).with_context("sql_source: init_statements"));
  }
  HADES_RETURN_IF_ERROR(bind_args(ctx.run()));
  const Result<QueryResult> probe = db_->query(probe_sql(config_.query.sql), args_);
  if (!probe.ok()) return probe.status().with_context("sql_source: query");
  return build_schema(probe->columns);
}

Status SqlSource::bind_args(const RunInfo& run) {
  args_.clear();
  for (const std::string& name : config_.query.names) {
    if (name == kRunIdParam) {
      args_.emplace_back(run.run_id);
    } else if (name == kRunStartedAtParam) {
      args_.emplace_back(run.started_at);
    } else {
      const auto it = std::find_if(config_.params.begin(), config_.params.end(),
                                   [&](const auto& param) { return param.first == name; });
      if (it == config_.params.end()) return invalid("no value for :" + name);
      args_.push_back(param_value(it->second));
    }
  }
  return Status::ok_status();
}

Status SqlSource::build_schema(const std::vector<std::string>& columns) {
  std::set<std::string, std::less<>> seen;
  for (const std::string& column : columns) {
    if (!seen.insert(column).second) {
      return invalid("the query's result has two columns named '" + column +
                     "'; give them distinct names with AS");
    }
  }
  key_index_.clear();
  for (const KeyColumn& key : config_.key) {
    const auto at = std::find(columns.begin(), columns.end(), key.name);
    if (at == columns.end()) {
      return invalid("`key` column '" + key.name +
                     "' is not in the result; its columns are: " + join(columns));
    }
    key_index_.push_back(static_cast<std::size_t>(at - columns.begin()));
  }
  std::vector<std::string> names = columns;
  if (!config_.row_number.empty()) {
    if (seen.contains(config_.row_number)) {
      return invalid("`row_number` column '" + config_.row_number + "' is already in the result");
    }
    names.push_back(config_.row_number);
  }
  query_columns_ = columns.size();
  schema_ = std::make_shared<const Schema>(std::move(names));
  return Status::ok_status();
}

Result<QueryResult> SqlSource::fetch(std::size_t rows) {
  std::vector<Value> args = args_;
  const auto count = static_cast<std::int64_t>(rows);
  if (config_.key.empty()) {
    args.emplace_back(count);
    args.emplace_back(cursor_.rows);
    return db_->query(offset_page_sql(config_.query.sql), args);
  }
  const bool after = !cursor_.after.empty();
  if (after) {
    for (Value& value : keyset_args(cursor_.after)) args.push_back(std::move(value));
  }
  args.emplace_back(count);
  return db_->query(keyset_page_sql(config_.query.sql, config_.key, after), args);
}

Result<std::vector<std::vector<Value>>> SqlSource::page_keys(
    const std::vector<std::vector<Value>>& rows) const {
  std::vector<std::vector<Value>> keys;
  keys.reserve(rows.size());
  const std::vector<Value>* previous = &cursor_.after;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::int64_t row_number = cursor_.rows + static_cast<std::int64_t>(r) + 1;
    std::vector<Value> key;
    key.reserve(key_index_.size());
    for (const std::size_t i : key_index_) {
      if (is_null(rows[r][i])) {
        return invalid("`key` column '" + schema_->columns()[i] + "' is null in row " +
                       std::to_string(row_number) + "; key columns must not be null");
      }
      key.push_back(rows[r][i]);
    }
    // A repeated key would make the next page skip rows: fail loudly instead.
    if (key == *previous) {
      return invalid("rows " + std::to_string(row_number - 1) + " and " +
                     std::to_string(row_number) + " have the same `key`; it must be unique");
    }
    keys.push_back(std::move(key));
    previous = &keys.back();
  }
  return keys;
}

Result<bool> SqlSource::read(std::size_t max_rows, Chunk* out, Rejects& /*rejects*/) {
  if (db_ == nullptr) return Status::internal("sql_source: read() before open()");
  std::size_t wanted = max_rows;
  bool last_page = false;
  if (config_.limit) {
    const std::int64_t left = std::max<std::int64_t>(0, *config_.limit - cursor_.rows);
    if (static_cast<std::uint64_t>(left) <= wanted) {
      wanted = static_cast<std::size_t>(left);
      last_page = true;
    }
  }
  if (exhausted_ || wanted == 0) return false;
  // One row more than wanted tells whether another page follows, and lets the key check see
  // across the page boundary.
  Result<QueryResult> page = fetch(wanted + 1);
  if (!page.ok()) {
    return page.status().with_context("sql_source: reading rows after " +
                                      std::to_string(cursor_.rows));
  }
  if (page->columns.size() != query_columns_) {
    return Status::internal("sql_source: the query's columns changed while reading");
  }
  std::vector<std::vector<Value>>& rows = page->rows;
  const bool more = rows.size() > wanted;
  std::vector<std::vector<Value>> keys;
  if (!config_.key.empty()) {
    // Every key, the extra row's included, is checked before any row is handed on.
    Result<std::vector<std::vector<Value>>> checked = page_keys(rows);
    if (!checked.ok()) return checked.status();
    keys = std::move(checked).value();
  }
  for (std::size_t i = 0; i < std::min(wanted, rows.size()); ++i) {
    if (!keys.empty()) cursor_.after = std::move(keys[i]);
    ++cursor_.rows;
    if (!config_.row_number.empty()) rows[i].emplace_back(cursor_.rows);
    out->append(std::move(rows[i]), "sql:row " + std::to_string(cursor_.rows));
  }
  exhausted_ = !more || last_page;
  return !exhausted_;
}

}  // namespace hades::sql_source

HADES_PLUGIN(sql_source, "1.0.0", hades::PluginKind::kSource,
             "Reads the rows of one SELECT on the job's database, page by page, resumable",
             hades::sql_source::kSettings, hades::sql_source::create)
