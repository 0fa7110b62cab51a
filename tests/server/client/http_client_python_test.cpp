// gale::HttpClient against a server it did not grow up with: Python's own
// http.server (`python3 -m http.server`), started by the test. It answers
// HTTP/1.0 and closes after each response, redirects a directory without
// its slash with a relative Location, and sends its own 404 page: the
// client follows, reads and does not pool what it must not.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "server/client/http_client.hpp"
#include "tests/server/client/run_fetch.hpp"
#include "tests/support/net.hpp"
#include "tests/support/spawn.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace gale::test {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

class HttpClientPythonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kPython, X_OK) != 0) GTEST_SKIP() << "no " << kPython;
    std::filesystem::create_directory(dir_ / "docs");
    std::ofstream(dir_ / "docs" / "index.html") << "<p>the docs</p>";
    std::ofstream(dir_ / "hello.txt") << "hello from python";
    port_ = free_port();
    SpawnOptions o;
    o.argv = {kPython,  "-m",        "http.server", std::to_string(port_),
              "--bind", "127.0.0.1", "--directory", dir_.path().string()};
    o.cwd = dir_.path();
    o.out = dir_ / "server.out";
    o.err = dir_ / "server.err";
    pid_ = spawn(o);
    ASSERT_TRUE(wait_until([&] { return port_accepts(port_); }, 10s))
        << "python3 -m http.server did not start";
  }
  void TearDown() override {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  TempDir dir_{"gale-client-python"};
  int port_ = 0;
  pid_t pid_ = -1;
  boost::asio::io_context loop_;
  gale::HttpClient client_{loop_.get_executor()};
};

TEST_F(HttpClientPythonTest, ReadsAFileFromAnHttp10Server) {
  HttpClientResponse r = run_fetch(loop_, client_, url("/hello.txt"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello from python");
  EXPECT_EQ(r.header("Content-Length"), "17");
  EXPECT_NE(r.header("Server").find("Python"), std::string::npos);
  // HTTP/1.0 without keep-alive: the connection is not kept.
  EXPECT_EQ(client_.idle_connections(), 0u);
  // And the next fetch works on a new one.
  EXPECT_EQ(run_fetch(loop_, client_, url("/hello.txt")).status, 200);
}

TEST_F(HttpClientPythonTest, FollowsItsRelativeRedirectToADirectory) {
  HttpClientResponse r = run_fetch(loop_, client_, url("/docs"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<p>the docs</p>");
  EXPECT_EQ(r.effective_url, url("/docs/"));
}

TEST_F(HttpClientPythonTest, ItsNotFoundPageIsAResponse) {
  HttpClientResponse r = run_fetch(loop_, client_, url("/missing"));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("404"), std::string::npos);
}

}  // namespace
}  // namespace gale::test
