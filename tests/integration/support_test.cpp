// The support library checks itself: a sanitizer report or an unclean exit
// in the server must fail the test, and the client must read responses
// exactly as framed. (No server is started here.)
#include <gtest/gtest-spi.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

TEST(SupportTest, FindsAddressSanitizerReports) {
  std::string err =
      "2026-11-25T07:51:26Z [info] worker 0: listening\n"
      "=================================================================\n"
      "==123==ERROR: AddressSanitizer: heap-use-after-free on address 0x6\n"
      "READ of size 8 at 0x6 thread T0\n"
      "    #0 0x55 in gale::Connection::run() server/connection.cpp:90\n";
  std::string report = find_sanitizer_report(err);
  EXPECT_EQ(report.rfind("==123==ERROR: AddressSanitizer", 0), 0u) << report;
  EXPECT_NE(report.find("connection.cpp:90"), std::string::npos) << report;
}

TEST(SupportTest, FindsUndefinedBehaviourReports) {
  EXPECT_NE(find_sanitizer_report(
                "server/date_cache.cpp:40:12: runtime error: signed integer "
                "overflow: 2147483647 + 1\n"),
            "");
  EXPECT_NE(find_sanitizer_report("==9==ERROR: LeakSanitizer: detected "
                                  "memory leaks\n"),
            "");
}

TEST(SupportTest, IgnoresOrdinaryLogLines) {
  EXPECT_EQ(find_sanitizer_report(
                "2026-11-25T07:51:30Z [debug] worker 0: bad request from "
                "127.0.0.1: malformed request line\n"
                "2026-11-25T07:51:30Z [error] uncaught exception in handler "
                "for GET /test/throw: deliberate failure\n"),
            "");
}

TEST(SupportTest, CheckStoppedFailsOnASanitizerReport) {
  GaleProcess p;
  p.dir().write("stderr", "==1==ERROR: AddressSanitizer: stack-overflow\n");
  ExitStatus clean;
  clean.exited = true;
  clean.code = 0;
  EXPECT_NONFATAL_FAILURE(check_stopped(p, clean, true), "sanitizer report");
}

TEST(SupportTest, CheckStoppedFailsOnACrashOrAHang) {
  GaleProcess p;
  p.dir().write("stderr", "");
  ExitStatus crashed;
  crashed.signal = 6;
  EXPECT_NONFATAL_FAILURE(check_stopped(p, crashed, true),
                          "killed by signal 6");
  ExitStatus hung;
  hung.signal = 9;
  hung.timed_out = true;
  EXPECT_NONFATAL_FAILURE(check_stopped(p, hung, true), "after timing out");
  ExitStatus failed;
  failed.exited = true;
  failed.code = 1;
  EXPECT_NONFATAL_FAILURE(check_stopped(p, failed, true), "exited with 1");
  check_stopped(p, crashed, /*expect_clean_exit=*/false);  // no failure
}

// A socket pair stands in for the server: the test writes exact bytes.
class ClientParsing : public ::testing::Test {
 protected:
  void SetUp() override {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ASSERT_TRUE(client_.adopt(sv[0]));
    peer_ = sv[1];
  }
  void TearDown() override {
    if (peer_ >= 0) ::close(peer_);
  }
  void reply(std::string_view bytes) {
    ASSERT_EQ(::write(peer_, bytes.data(), bytes.size()),
              static_cast<ssize_t>(bytes.size()));
  }
  void hang_up() {
    ::close(peer_);
    peer_ = -1;
  }

  HttpClient client_;
  int peer_ = -1;
};

TEST_F(ClientParsing, ContentLengthBody) {
  reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: a\r\n\r\nhelloEXTRA");
  auto r = client_.read_response(1s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->reason, "OK");
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->header("x"), "a");
  EXPECT_EQ(client_.leftover(), "EXTRA");
}

TEST_F(ClientParsing, ChunkedBodyWithExtensionsAndTrailers) {
  reply(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n");
  auto r = client_.read_response(1s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->chunks, (std::vector<std::string>{"abc", "0123456789"}));
  EXPECT_EQ(r->body, "abc0123456789");
  EXPECT_EQ(client_.leftover(), "");
}

TEST_F(ClientParsing, CloseDelimitedBody) {
  reply("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
  hang_up();
  auto r = client_.read_response(1s);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->close_delimited);
  EXPECT_EQ(r->body, "until the end");
}

TEST_F(ClientParsing, HeadAndInterimResponsesHaveNoBody) {
  reply(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
  auto interim = client_.read_response(1s);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  auto head = client_.read_response(1s, /*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->body, "");
}

TEST_F(ClientParsing, TruncatedBodyIsAFailure) {
  reply("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  hang_up();
  EXPECT_FALSE(client_.read_response(1s));
  EXPECT_EQ(client_.last_end(), Outcome::eof);
}

TEST_F(ClientParsing, SilenceIsATimeoutNotAHang) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(client_.read_response(200ms));
  EXPECT_EQ(client_.last_end(), Outcome::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(ClientParsing, GarbageIsReported) {
  reply("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  EXPECT_FALSE(client_.read_response(1s));
  EXPECT_EQ(client_.last_end(), Outcome::malformed);
}

}  // namespace
}  // namespace gale::itest
