// The base fixture of every test that runs gale-test as a process (the
// end-to-end tests in tests/integration, the process tests in
// tests/master): it owns the servers a test starts, ends them in
// TearDown() and checks them there.
//
// TearDown() fails the test when a server's stderr holds a sanitizer
// report, and (unless told otherwise) when SIGTERM does not make it exit 0:
// a crash or a hang during the test shows up there even if every response
// looked right. When the test failed, it prints the tail of each server's
// stderr.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/gale_process.hpp"
#include "tests/support/http_client.hpp"

namespace gale::test {

class GaleTest : public ::testing::Test {
 protected:
  // The options SetUp() starts the first server with; suites override this.
  virtual ServerOptions options() { return {}; }

  void SetUp() override;
  void TearDown() override;

  // Starts one more server (ended and checked in TearDown()).
  GaleProcess& start_server(ServerOptions options);
  // One more server, not started yet (for launch() or start_basic()).
  GaleProcess& add_server();

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
  // TearDown() SIGKILLs each server's group (GaleProcess::kill_all())
  // instead of stopping it with SIGTERM; no exit status is expected then.
  bool kill_at_teardown_ = false;

 private:
  std::vector<std::unique_ptr<GaleProcess>> servers_;
};

// Checks a server after it stopped: no sanitizer report, and (when
// `expect_clean_exit`) exit status 0.
void check_stopped(GaleProcess& p, const ExitStatus& status,
                   bool expect_clean_exit);

// Asserts the common shape of every gale response.
void expect_date_and_server(const HttpResponse& r);

// `n` bytes of every value, a multiplicative hash of their offset (no short
// period), so a dropped, doubled or shifted piece of a body shows.
std::string patterned_bytes(std::size_t n);

// Compares raw bytes and prints where they differ (not megabytes of them).
::testing::AssertionResult same_bytes(const std::string& expected,
                                      const std::string& actual);

}  // namespace gale::test
