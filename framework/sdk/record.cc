#include "hades/record.h"

#include <cassert>

namespace hades {

Schema::Schema(std::vector<std::string> columns) : columns_(std::move(columns)) {}

std::optional<std::size_t> Schema::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == name) return i;
  }
  return std::nullopt;
}

Chunk Chunk::clone() const {
  Chunk copy(schema_);
  copy.rows_ = rows_;
  copy.positions_ = positions_;
  return copy;
}

void Chunk::append(Row row, std::string position) {
  assert(schema_ && row.size() == schema_->size());
  rows_.push_back(std::move(row));
  positions_.push_back(std::move(position));
}

const Value& Chunk::get(std::size_t i, std::string_view name) const {
  static const Value kNull;
  const auto index = schema_ ? schema_->index_of(name) : std::nullopt;
  return index ? rows_[i][*index] : kNull;
}

void Chunk::reserve(std::size_t n) {
  rows_.reserve(n);
  positions_.reserve(n);
}

void Chunk::clear() {
  rows_.clear();
  positions_.clear();
}

}  // namespace hades
