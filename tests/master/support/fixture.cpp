#include "tests/master/support/fixture.hpp"

#include <iostream>

namespace gale::mtest {

void MasterTest::TearDown() {
  server_.kill_all();
  if (std::string report = server_.sanitizer_report(); !report.empty())
    ADD_FAILURE() << "sanitizer report in the server's stderr:\n" << report;
  if (HasFailure()) {
    std::string log = server_.stderr_text();
    if (log.size() > 12000) log = "...\n" + log.substr(log.size() - 12000);
    std::cerr << "---- server stderr ----\n" << log << "---- end ----\n";
  }
}

double elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace gale::mtest
