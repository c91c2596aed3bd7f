// fuzz_context.h: what fuzz targets that drive a plugin lend it: a Context over a private
// in-memory SQLite database, a logger that keeps nothing, frozen values in memory; and an
// HttpClient that answers from a list of canned replies.
//
// Thread safety: CannedHttp::send() may be called from one thread at a time (HttpClient's
// contract), whichever it is; the rest from the fuzzing thread.

#ifndef HADES_TESTS_FUZZ_FUZZ_CONTEXT_H_
#define HADES_TESTS_FUZZ_FUZZ_CONTEXT_H_

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hades/context.h"
#include "hades/http.h"

namespace hades::fuzzing {

class FuzzContext final : public Context {
 public:
  FuzzContext();
  Database& database() override { return *db_; }
  const RunInfo& run() const override { return info_; }
  Logger& log() override { return logger_; }
  bool cancelled() const override { return false; }
  Result<std::string> frozen_value(
      std::string_view key, const std::function<Result<std::string>(Database&)>& make) override;

 private:
  class NullLogger final : public Logger {
   public:
    void log(LogLevel, std::string_view) override {}
  };
  std::unique_ptr<Database> db_;
  RunInfo info_;
  NullLogger logger_;
  std::map<std::string, std::string, std::less<>> frozen_;
};

// Answers each request with the next reply, then with 204 and no body. Whatever was asked, the
// replies come in order: a parser must cope with any reply to any request.
class CannedHttp final : public HttpClient {
 public:
  explicit CannedHttp(std::vector<HttpResponse> replies);
  Result<HttpResponse> send(const HttpRequest& request) override;

 private:
  std::mutex mu_;
  std::deque<HttpResponse> replies_;
};

// Splits `data` at every 0x1E byte (ASCII record separator) into replies; each reply's first
// byte picks its HTTP status from a short list of the ones that matter (200 most often), the
// rest is its body.
std::vector<HttpResponse> canned_replies(std::string_view data);

}  // namespace hades::fuzzing

#endif  // HADES_TESTS_FUZZ_FUZZ_CONTEXT_H_
