#include "tests/support/gale_test.hpp"

#include <iostream>
#include <regex>

namespace gale::test {
namespace {

std::string tail(std::string text, std::size_t n) {
  return text.size() > n ? "...\n" + text.substr(text.size() - n) : text;
}

}  // namespace

void GaleTest::SetUp() {
  start_server(options());
}

void GaleTest::TearDown() {
  for (auto& p : servers_) {
    ExitStatus status = kill_at_teardown_ ? p->kill_all() : p->stop(5s);
    check_stopped(*p, status, expect_clean_exit_ && !kill_at_teardown_);
    if (HasFailure() && p->pid() > 0)
      std::cerr << "---- server " << p->pid() << " stderr ----\n"
                << tail(p->stderr_text(), 12000) << "---- end ----\n";
  }
  servers_.clear();
}

GaleProcess& GaleTest::add_server() {
  servers_.push_back(std::make_unique<GaleProcess>());
  return *servers_.back();
}

GaleProcess& GaleTest::start_server(ServerOptions options) {
  GaleProcess& p = add_server();
  if (!p.start(std::move(options))) {
    ADD_FAILURE() << "cannot start " << test_binary() << ": " << p.why();
    // Later steps fail on their own; a fatal failure here would be
    // swallowed by the helper's void return anyway.
  }
  return p;
}

HttpClient GaleTest::connect() {
  HttpClient c;
  EXPECT_TRUE(c.connect(port())) << c.error();
  return c;
}

HttpClient GaleTest::send(std::string_view bytes) {
  HttpClient c = connect();
  EXPECT_TRUE(c.send(bytes)) << c.error();
  return c;
}

HttpResponse GaleTest::fetch_ok(std::string_view request) {
  HttpClient c = send(request);
  auto r = c.read_response(5s, request.substr(0, 5) == "HEAD ");
  if (!r) {
    ADD_FAILURE() << "no response to " << ::testing::PrintToString(request)
                  << ": " << describe(c.last_end())
                  << "; got: " << ::testing::PrintToString(c.leftover());
    return {};
  }
  return *r;
}

void check_stopped(GaleProcess& p, const ExitStatus& status,
                   bool expect_clean_exit) {
  std::string report = p.sanitizer_report();
  EXPECT_TRUE(report.empty()) << "sanitizer report in the server's stderr:\n"
                              << report;
  if (expect_clean_exit) {
    EXPECT_TRUE(status.exited && status.code == 0 && !status.timed_out)
        << "after SIGTERM the server " << status.describe()
        << "; the tail of its stderr:\n"
        << tail(p.stderr_text(), 3000);
  }
}

void expect_date_and_server(const HttpResponse& r) {
  EXPECT_EQ(r.header_count("Date"), 1) << r.raw;
  EXPECT_EQ(r.header_count("Server"), 1) << r.raw;
  // IMF-fixdate (RFC 9110 §5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT".
  static const std::regex kImfFixdate(
      R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d )"
      R"((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} )"
      R"(\d\d:\d\d:\d\d GMT)");
  EXPECT_TRUE(std::regex_match(r.header("Date"), kImfFixdate))
      << "Date: " << r.header("Date");
  EXPECT_FALSE(r.header("Server").empty());
}

::testing::AssertionResult same_bytes(const std::string& expected,
                                      const std::string& actual) {
  if (expected == actual) return ::testing::AssertionSuccess();
  std::size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i])
    ++i;
  auto around = [&](const std::string& s) {
    std::size_t from = i < 16 ? 0 : i - 16;
    return ::testing::PrintToString(s.substr(from, 48));
  };
  return ::testing::AssertionFailure()
         << "sizes " << expected.size() << " (expected) and " << actual.size()
         << " (actual); first difference at byte " << i
         << "\n  expected: " << around(expected)
         << "\n  actual:   " << around(actual);
}

std::string patterned_bytes(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>((i * 2654435761u) >> 13);
  return s;
}

}  // namespace gale::test
