#include "exit_code.h"

#include <boost/test/unit_test.hpp>

#include "test_support.h"

namespace hades {
namespace {

BOOST_AUTO_TEST_SUITE(exit_codes)

// The documented contract (docs/exit-codes.md): a scheduler branches on these numbers.
BOOST_AUTO_TEST_CASE(map_each_status_to_its_documented_code) {
  BOOST_TEST(exit_code_for(Status::ok_status()) == 0);
  BOOST_TEST(exit_code_for(Status::io("disk")) == 1);
  BOOST_TEST(exit_code_for(Status::remote("503", true)) == 1);
  BOOST_TEST(exit_code_for(Status::cancelled("SIGTERM")) == 1);
  BOOST_TEST(exit_code_for(Status::internal("bug")) == 1);
  BOOST_TEST(exit_code_for(Status::rejected("row")) == 1);
  BOOST_TEST(exit_code_for(Status::invalid_config("bad key")) == 2);
  BOOST_TEST(exit_code_for(Status::locked("held")) == 3);
  BOOST_TEST(exit_code_for(Status::plugin_abi("api 99")) == 4);
  BOOST_TEST(exit_code_for(Status::budget_exceeded("101 > 100")) == 5);
  BOOST_TEST(exit_code_for(Status::corruption("checkpoint")) == 6);
}

BOOST_AUTO_TEST_CASE(context_is_prepended_and_ok_stays_ok) {
  const Status s = Status::io("disk full").with_context("step 'load'");
  BOOST_TEST(s.message() == "step 'load': disk full");
  BOOST_TEST(s.code() == StatusCode::kIo);
  BOOST_TEST(Status::ok_status().with_context("x").ok());
  BOOST_TEST(Status::remote("429", true).retryable());
  BOOST_TEST(!Status::remote("400").retryable());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
