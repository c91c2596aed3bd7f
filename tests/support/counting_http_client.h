// counting_http_client.h: an HttpClient that forwards to the real one and counts round trips.
//
// Tests and benchmarks of the Turso backend check how many HTTP requests a write takes (at most
// ceil(rows/chunk) + 2); they pass this to open_hrana_database() in place of the real client.
// Requires linking hades::net (hades::sqld_support does).
//
// Thread safety: as the wrapped client; `count` must outlive it.

#ifndef HADES_TESTS_SUPPORT_COUNTING_HTTP_CLIENT_H_
#define HADES_TESTS_SUPPORT_COUNTING_HTTP_CLIENT_H_

#include <memory>

#include "hades/http.h"

namespace hades::testing {

class CountingClient : public HttpClient {
 public:
  explicit CountingClient(int* count) : count_(count), inner_(make_http_client()) {}
  Result<HttpResponse> send(const HttpRequest& request) override {
    ++*count_;
    return inner_->send(request);
  }

 private:
  int* count_;
  std::unique_ptr<HttpClient> inner_;
};

}  // namespace hades::testing

#endif  // HADES_TESTS_SUPPORT_COUNTING_HTTP_CLIENT_H_
