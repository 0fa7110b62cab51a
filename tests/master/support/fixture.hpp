// The fixture every master test uses: one GaleServer, killed at teardown,
// whose stderr is printed when the test failed and whose sanitizer reports
// fail the test.
#pragma once

#include <gtest/gtest.h>

#include "tests/master/support/process.hpp"

namespace gale::mtest {

class MasterTest : public ::testing::Test {
 protected:
  void TearDown() override;

  GaleServer server_;
};

// Milliseconds since `start`.
double elapsed_ms(std::chrono::steady_clock::time_point start);

}  // namespace gale::mtest
