// The fixture every master test uses: the shared GaleTest (tests/support)
// with one server, server_, that each test launches itself. TearDown()
// SIGKILLs its whole group, fails the test on a sanitizer report and
// prints its stderr when the test failed.
#pragma once

#include <gtest/gtest.h>

#include "tests/master/support/info.hpp"
#include "tests/support/gale_test.hpp"
#include "tests/support/net.hpp"
#include "tests/support/proc_stat.hpp"
#include "tests/support/wait.hpp"

namespace gale::mtest {

class MasterTest : public test::GaleTest {
 protected:
  MasterTest() : server_(add_server()) { kill_at_teardown_ = true; }
  // No server at SetUp(): each test launches server_ its own way.
  void SetUp() override {}

  test::GaleProcess& server_;
};

}  // namespace gale::mtest
