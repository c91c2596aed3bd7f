// hades/record.h: schemas, rows and chunks, the units a pipeline moves.
//
// A Chunk holds a shared, immutable Schema, its rows, and for each row the position it came from
// in its source ("leads.csv:42", "Leads id=4150868000001234567"). Positions travel with rows so a
// reject anywhere in the pipeline can name where the bad record is. Chunks are moved, not copied.
//
// Thread safety: a value type; a Schema is immutable once shared.

#ifndef HADES_RECORD_H_
#define HADES_RECORD_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/value.h"

namespace hades {

class Schema {
 public:
  explicit Schema(std::vector<std::string> columns);

  const std::vector<std::string>& columns() const { return columns_; }
  std::size_t size() const { return columns_.size(); }
  // Index of `name`, or nullopt when the schema has no such column.
  std::optional<std::size_t> index_of(std::string_view name) const;

 private:
  std::vector<std::string> columns_;
};

using Row = std::vector<Value>;

class Chunk {
 public:
  Chunk() = default;
  explicit Chunk(std::shared_ptr<const Schema> schema) : schema_(std::move(schema)) {}
  Chunk(Chunk&&) = default;
  Chunk& operator=(Chunk&&) = default;
  // Copies are explicit (Clone) so that an accidental copy of 500 rows does not compile.
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;

  Chunk clone() const;

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  std::size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }

  // REQUIRES: row.size() == schema()->size()
  void append(Row row, std::string position);

  const Row& row(std::size_t i) const { return rows_[i]; }
  Row& mutable_row(std::size_t i) { return rows_[i]; }
  const std::string& position(std::size_t i) const { return positions_[i]; }

  // The value of column `name` in row i, or null when the schema has no such column.
  const Value& get(std::size_t i, std::string_view name) const;

  void reserve(std::size_t n);
  void clear();

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<Row> rows_;
  std::vector<std::string> positions_;
};

}  // namespace hades

#endif  // HADES_RECORD_H_
