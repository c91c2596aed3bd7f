#include "fuzz_context.h"

#include <array>
#include <cstdlib>

#include "sqlite_database.h"

namespace hades::fuzzing {

FuzzContext::FuzzContext() {
  auto db = open_sqlite_database(":memory:");
  if (!db.ok()) std::abort();  // the harness, not the input, is broken
  db_ = std::move(db).value();
  info_.run_id = 1;
  info_.job_name = "fuzz";
  info_.step_name = "fuzz";
  info_.started_at = "2026-02-11T06:00:00Z";
}

Result<std::string> FuzzContext::frozen_value(
    std::string_view key, const std::function<Result<std::string>(Database&)>& make) {
  if (const auto it = frozen_.find(key); it != frozen_.end()) return it->second;
  auto made = make(*db_);
  if (!made.ok()) return made.status();
  frozen_.emplace(std::string(key), *made);
  return made;
}

CannedHttp::CannedHttp(std::vector<HttpResponse> replies)
    : replies_(std::make_move_iterator(replies.begin()), std::make_move_iterator(replies.end())) {}

Result<HttpResponse> CannedHttp::send(const HttpRequest& /*request*/) {
  const std::lock_guard lock(mu_);
  if (replies_.empty()) return HttpResponse{204, {}, ""};
  HttpResponse reply = std::move(replies_.front());
  replies_.pop_front();
  return reply;
}

std::vector<HttpResponse> canned_replies(std::string_view data) {
  static constexpr std::array<int, 12> kStatuses = {200, 200, 200, 200, 204, 304,
                                                    400, 401, 403, 429, 500, 503};
  std::vector<HttpResponse> replies;
  while (!data.empty()) {
    const std::size_t end = data.find('\x1e');
    const std::string_view part = data.substr(0, end);
    if (!part.empty()) {
      const auto selector = static_cast<unsigned char>(part.front());
      replies.push_back(
          HttpResponse{kStatuses[selector % kStatuses.size()], {}, std::string(part.substr(1))});
    }
    if (end == std::string_view::npos) break;
    data.remove_prefix(end + 1);
  }
  return replies;
}

}  // namespace hades::fuzzing
