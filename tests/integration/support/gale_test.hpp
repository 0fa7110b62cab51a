// The fixture of every end-to-end test: one gale-test server per test,
// started in SetUp() with the suite's options, stopped in TearDown().
//
// TearDown() fails the test when the server's stderr holds a sanitizer
// report, and when SIGTERM does not make it exit 0 (a crash or a hang
// during the test shows up there even if every response looked right).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support/gale_process.hpp"
#include "tests/integration/support/http_client.hpp"

namespace gale::itest {

class GaleTest : public ::testing::Test {
 protected:
  // The options SetUp() starts the server with; suites override this.
  virtual ServerOptions options() { return {}; }

  void SetUp() override;
  void TearDown() override;

  // Starts one more server (stopped and checked in TearDown()).
  GaleProcess& start_server(ServerOptions options);

  GaleProcess& server() { return *servers_.front(); }
  int port() { return server().port(); }

  // A connected client to the server (fails the test when it cannot).
  HttpClient connect();
  // A connected client whose request `bytes` has been sent.
  HttpClient send(std::string_view bytes);
  // One response to `request` on a fresh connection; a failure with the
  // reason otherwise.
  HttpResponse fetch_ok(std::string_view request);

  // When a test stops a server in an unusual way, TearDown() should not
  // insist on a clean exit.
  bool expect_clean_exit_ = true;

 private:
  std::vector<std::unique_ptr<GaleProcess>> servers_;
};

// Checks a server after it stopped: no sanitizer report, and (when
// `expect_clean_exit`) exit status 0.
void check_stopped(GaleProcess& p, const ExitStatus& status,
                   bool expect_clean_exit);

// Asserts the common shape of every gale response.
void expect_date_and_server(const HttpResponse& r);

// Compares raw bytes and prints where they differ (not megabytes of them).
::testing::AssertionResult same_bytes(const std::string& expected,
                                      const std::string& actual);

}  // namespace gale::itest
