// The zoho_source test module: pure functions (zoho_query_test.cc), the plugin against the
// simulator over real HTTP (zoho_source_test.cc) and the hades binary (zoho_job_test.cc).
#define BOOST_TEST_MODULE zoho_source_test
#include <boost/test/unit_test.hpp>
