// The zoho_sim test module: COQL and criteria (coql_test.cc), fault specs and time formats
// (faults_test.cc), form bodies (form_test.cc), and everything over real HTTP (http_test.cc).
#define BOOST_TEST_MODULE zoho_sim
#include <boost/test/unit_test.hpp>
