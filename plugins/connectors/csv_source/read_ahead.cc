#include "read_ahead.h"

#include <exception>
#include <utility>

namespace hades::csv_source {
namespace {

// Records per batch and batches ahead: about a thousand rows of a few hundred bytes each, far
// ahead enough to keep the worker busy and little enough to be nothing beside a step's chunks.
constexpr std::size_t kBatchItems = 256;
constexpr std::size_t kBatchesAhead = 4;

}  // namespace

ReadAhead::ReadAhead(std::unique_ptr<CsvReader> reader, MakeItem make)
    : reader_(std::move(reader)), make_(std::move(make)), worker_([this] { run(); }) {}

ReadAhead::~ReadAhead() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

bool ReadAhead::push(Batch batch) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return stopping_ || queue_.size() < kBatchesAhead; });
  if (stopping_) return false;
  queue_.push_back(std::move(batch));
  lock.unlock();
  changed_.notify_all();
  return true;
}

void ReadAhead::run() {
  CsvRecord record;
  for (bool more = true; more;) {
    Batch batch;
    batch.items.reserve(kBatchItems);
    try {
      while (batch.items.size() < kBatchItems) {
        const Result<bool> read = reader_->next(&record);
        if (!read.ok()) {
          batch.error = read.status();
          break;
        }
        if (!*read) {
          batch.end = true;
          break;
        }
        ReadItem& item = batch.items.emplace_back();
        make_(record, &item);
        item.offset_after = reader_->offset();
        item.line_after = reader_->line();
      }
    } catch (const std::exception& e) {
      batch.error = Status::internal(std::string("csv_source: reading ahead threw: ") + e.what());
    }
    more = !batch.end && batch.error.ok();
    if (!push(std::move(batch))) return;
  }
}

Result<bool> ReadAhead::next(ReadItem* item) {
  while (taken_ == current_.items.size()) {
    if (!current_.error.ok()) return current_.error;
    if (done_ || current_.end) {
      done_ = true;
      return false;
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return !queue_.empty(); });
      current_ = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();
    taken_ = 0;
  }
  *item = std::move(current_.items[taken_++]);
  return true;
}

}  // namespace hades::csv_source
