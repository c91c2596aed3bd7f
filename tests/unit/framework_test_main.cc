#define BOOST_TEST_MODULE framework_test
#include <boost/test/unit_test.hpp>
