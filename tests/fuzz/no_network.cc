// The targets that parse replies hand their code an HttpClient of their own (a fake that answers
// with the fuzzer's bytes); this stands in for the real client of hades::net, which they never
// call, so that the fuzz build does not compile Boost.Beast.
#include <cstdlib>

#include "hades/http.h"

namespace hades {

std::unique_ptr<HttpClient> make_http_client(HttpClientOptions /*options*/) { std::abort(); }

}  // namespace hades
