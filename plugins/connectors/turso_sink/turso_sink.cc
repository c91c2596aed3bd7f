#include "turso_sink.h"

#include <algorithm>
#include <set>

#include "hades/plugin_export.h"

namespace hades::turso_sink {

const SettingSpec kSettings[5] = {
    {"table", SettingType::kString, true, nullptr, false,
     "The table to write, an identifier: `[A-Za-z_][A-Za-z0-9_]*`."},
    {"columns", SettingType::kStringMap, false, nullptr, false,
     "Table column -> record field. Default: every input field under its own name."},
    {"key", SettingType::kStringList, false, nullptr, false,
     "The natural key columns. When set, rows are upserted on them; otherwise plainly inserted."},
    {"create_table", SettingType::kBool, false, "true", false,
     "Create the table (untyped columns) and, with a key, its unique index when missing."},
    {"types", SettingType::kStringMap, false, nullptr, false,
     "Column -> `integer`, `real` or `text`: values are converted before they are written, and "
     "a row with a value that does not convert is rejected."},
};

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// SQLite compares identifiers case-insensitively (ASCII only).
bool same_identifier(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

Status invalid(const std::string& message) {
  return Status::invalid_config("turso_sink: " + message);
}

// Every name of `names` must be one of `columns`; `what` says which setting `names` came from.
Status check_subset(const std::vector<std::string>& names, const std::vector<std::string>& columns,
                    std::string_view what) {
  for (const std::string& name : names) {
    if (!contains(columns, name)) {
      return invalid(std::string(what) + " names column '" + name +
                     "', which is not written; the columns are: " + join(columns));
    }
  }
  return Status::ok_status();
}

std::vector<std::string> type_columns(const TursoSinkConfig& config) {
  std::vector<std::string> names;
  for (const auto& [column, type] : config.types) names.push_back(column);
  return names;
}

Status unknown_type(const std::string& column, const std::string& type_name) {
  return invalid("`types`: column '" + column + "' has type '" + type_name +
                 "'; use integer, real or text");
}

Status missing_field(const std::string& field, const std::string& column, const Schema& schema) {
  return invalid("field '" + field + "' (for column '" + column +
                 "') is not in the input; its fields are: " + join(schema.columns()));
}

}  // namespace

Result<TursoSinkConfig> bind_config(const Settings& settings) {
  TursoSinkConfig config;
  config.table = settings.get_string("table").value_or("");
  if (!is_identifier(config.table)) {
    return invalid("`table` must match [A-Za-z_][A-Za-z0-9_]*; got '" + config.table + "'");
  }
  config.columns = settings.get_string_map("columns");
  std::set<std::string, std::less<>> seen;
  for (const auto& [column, field] : config.columns) {
    if (column.empty() || field.empty()) {
      return invalid("`columns` entries need a column and a field");
    }
    if (!seen.insert(column).second) return invalid("`columns` names '" + column + "' twice");
  }
  config.key = settings.get_string_list("key");
  std::set<std::string, std::less<>> key_seen;
  for (const std::string& column : config.key) {
    if (column.empty()) return invalid("`key` has an empty column name");
    if (!key_seen.insert(column).second) return invalid("`key` names '" + column + "' twice");
  }
  config.create_table = settings.get_bool("create_table").value_or(true);
  for (const auto& [column, type_name] : settings.get_string_map("types")) {
    const std::optional<ColumnType> type = parse_column_type(type_name);
    if (!type) {
      return unknown_type(column, type_name);
    }
    config.types.emplace_back(column, *type);
  }
  // With explicit columns everything can be checked now; otherwise open() does, once the input
  // schema is known.
  if (!config.columns.empty()) {
    std::vector<std::string> columns;
    for (const auto& [column, field] : config.columns) columns.push_back(column);
    HADES_RETURN_IF_ERROR(check_subset(config.key, columns, "`key`"));
    HADES_RETURN_IF_ERROR(check_subset(type_columns(config), columns, "`types`"));
  }
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<TursoSinkConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<TursoSink>(std::move(config).value()));
}

TursoSink::TursoSink(TursoSinkConfig config) : config_(std::move(config)) {}

Status TursoSink::open(Context& ctx, const std::shared_ptr<const Schema>& schema,
                       std::string_view /*token*/) {
  if (!schema || schema->size() == 0) return invalid("the input has no fields");
  HADES_RETURN_IF_ERROR(resolve_columns(*schema));
  Database& database = ctx.database();
  if (config_.create_table) {
    WriteBatch ddl;
    ddl.add(create_table_sql(spec_));
    if (!spec_.key.empty()) ddl.add(create_key_index_sql(spec_));
    HADES_RETURN_IF_ERROR(database.apply(ddl).with_context("turso_sink: creating " + spec_.table));
  }
  HADES_RETURN_IF_ERROR(check_table(database));
  insert_sql_ = insert_sql(spec_);
  max_rows_ = max_rows_per_statement(spec_);
  schema_ = schema;
  return Status::ok_status();
}

Status TursoSink::resolve_columns(const Schema& schema) {
  spec_ = TableSpec{config_.table, {}, config_.key};
  field_of_column_.clear();
  if (config_.columns.empty()) {
    spec_.columns = schema.columns();
    for (std::size_t i = 0; i < schema.size(); ++i) field_of_column_.push_back(i);
  } else {
    for (const auto& [column, field] : config_.columns) {
      const std::optional<std::size_t> index = schema.index_of(field);
      if (!index) {
        return missing_field(field, column, schema);
      }
      spec_.columns.push_back(column);
      field_of_column_.push_back(*index);
    }
  }
  HADES_RETURN_IF_ERROR(check_subset(spec_.key, spec_.columns, "`key`"));
  HADES_RETURN_IF_ERROR(check_subset(type_columns(config_), spec_.columns, "`types`"));
  type_of_column_.assign(spec_.columns.size(), ColumnType::kAsIs);
  for (const auto& [column, type] : config_.types) {
    const auto at = std::find(spec_.columns.begin(), spec_.columns.end(), column);
    type_of_column_[static_cast<std::size_t>(at - spec_.columns.begin())] = type;
  }
  return Status::ok_status();
}

// Fails before any row is read when the table is missing or lacks a column, rather than at the
// first commit.
Status TursoSink::check_table(Database& database) const {
  const Result<QueryResult> info =
      database.query("SELECT name FROM pragma_table_info(?)", {Value(spec_.table)});
  if (!info.ok())
    return info.status().with_context("turso_sink: reading the columns of " + spec_.table);
  if (info->rows.empty()) {
    return invalid("table " + spec_.table + " does not exist; create it or set create_table: true");
  }
  std::vector<std::string> existing;
  for (const std::vector<Value>& row : info->rows) existing.push_back(to_text(row.at(0)));
  for (const std::string& column : spec_.columns) {
    const bool found = std::any_of(existing.begin(), existing.end(), [&](const std::string& e) {
      return same_identifier(e, column);
    });
    if (!found) {
      return invalid("table " + spec_.table + " has no column '" + column +
                     "'; its columns are: " + join(existing));
    }
  }
  return Status::ok_status();
}

Result<std::vector<Value>> TursoSink::row_args(const Row& row) const {
  std::vector<Value> args;
  args.reserve(spec_.columns.size());
  for (std::size_t c = 0; c < spec_.columns.size(); ++c) {
    const Value& value = row[field_of_column_[c]];
    if (type_of_column_[c] == ColumnType::kAsIs) {
      args.push_back(value);
      continue;
    }
    Result<Value> converted = convert_value(value, type_of_column_[c], spec_.columns[c]);
    if (!converted.ok()) return converted.status();
    args.push_back(std::move(converted).value());
  }
  return args;
}

Status TursoSink::write(const Chunk& chunk, WriteBatch& batch, Rejects& rejects) {
  if (!schema_) return Status::internal("turso_sink: write() before open()");
  if (chunk.schema() != schema_ && chunk.schema()->columns() != schema_->columns()) {
    return Status::internal("turso_sink: a chunk's schema differs from the one open() was given");
  }
  // One statement for the chunk's rows (a few when there are more than one statement may take):
  // one VM run instead of one per row, and on Turso the SQL text is sent once, not per row.
  std::vector<Value> args;
  std::size_t rows = 0;
  const auto add_statement = [&] {
    if (rows == 0) return;
    batch.add(rows == 1 ? insert_sql_ : insert_sql(spec_, rows), std::move(args));
    args = {};
    rows = 0;
  };
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    Result<std::vector<Value>> row = row_args(chunk.row(i));
    if (!row.ok()) {
      rejects.reject(chunk.position(i), row.status().message(),
                     row_to_json(*chunk.schema(), chunk.row(i)));
      continue;
    }
    if (rows == max_rows_) add_statement();
    if (rows == 0) args.reserve(std::min(chunk.size() - i, max_rows_) * row->size());
    for (Value& v : *row) args.push_back(std::move(v));
    ++rows;
  }
  add_statement();
  return Status::ok_status();
}

}  // namespace hades::turso_sink

HADES_PLUGIN(turso_sink, "1.0.0", hades::PluginKind::kSink,
             "Writes rows into a table of the job's database (insert or upsert on a natural key)",
             hades::turso_sink::kSettings, hades::turso_sink::create)
