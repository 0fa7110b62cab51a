// The access log: one Combined Log Format line per request, to a file or
// to stdout. The worker flushes it every ~100 ms, so lines are polled for.
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

using Clock = std::chrono::steady_clock;

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

// host ident authuser [date] "request" status bytes "referer" "user-agent"
std::string clf(std::string_view request, int status, std::string_view bytes,
                std::string_view referer, std::string_view agent) {
  auto esc = [](std::string_view s) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    return std::regex_replace(std::string(s), special, R"(\$&)");
  };
  return R"(^127\.0\.0\.1 - - \[\d{2}/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] ")" +
         esc(request) + "\" " + std::to_string(status) + " " +
         std::string(bytes) + " \"" + esc(referer) + "\" \"" + esc(agent) +
         "\"$";
}

// Waits until `read()` has a line matching each pattern (in any order);
// returns the patterns never matched.
template <class Read>
std::vector<std::string> wait_for_lines(Read read,
                                        const std::vector<std::string>& want,
                                        std::string& text) {
  auto deadline = Clock::now() + 3s;
  std::vector<std::string> missing;
  do {
    text = read();
    missing.clear();
    auto lines = lines_of(text);
    for (const std::string& pattern : want) {
      std::regex re(pattern);
      bool found = std::any_of(
          lines.begin(), lines.end(),
          [&](const std::string& l) { return std::regex_match(l, re); });
      if (!found) missing.push_back(pattern);
    }
    if (missing.empty()) break;
    std::this_thread::sleep_for(50ms);
  } while (Clock::now() < deadline);
  return missing;
}

class AccessLogFileTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.access_log = (dir_.path() / "access.log").string();
    return o;
  }
  std::string log_text() { return read_text(dir_.path() / "access.log"); }

  TempDir dir_;
};

TEST_F(AccessLogFileTest, EveryRequestIsOneCombinedLogFormatLine) {
  HttpClient c = send(
      "GET /hello/x?y=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: itest/1.0\r\n"
      "Referer: http://ref.example/page\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde"
      "GET /missing HTTP/1.1\r\nHost: t\r\nUser-Agent: quote\"agent\r\n\r\n"
      "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  auto rs = c.read_responses(3);
  ASSERT_EQ(rs.size(), 3u) << describe(c.last_end());
  auto head = c.read_response(5s, true);
  ASSERT_TRUE(head);
  HttpClient bad = send("garbage\r\n\r\n");
  ASSERT_TRUE(bad.read_response());

  std::string text;
  auto missing = wait_for_lines(
      [&] { return log_text(); },
      {clf("GET /hello/x?y=1 HTTP/1.1", 200, "8", "http://ref.example/page",
           "itest/1.0"),
       clf("POST /echo HTTP/1.1", 200, "5", "-", "-"),
       clf("GET /missing HTTP/1.1", 404, "\\d+", "-", "quote\\x22agent"),
       // HEAD: the length the body would have had, as nginx logs 0 and
       // Apache logs the length; both are digits.
       clf("HEAD / HTTP/1.0", 200, "\\d+", "-", "-"),
       R"(^127\.0\.0\.1 - - \[[^\]]+\] "-" 400 \d+ "-" "-"$)"},
      text);
  for (const std::string& m : missing)
    ADD_FAILURE() << "no line matches " << m;
  if (!missing.empty()) ADD_FAILURE() << "the log:\n" << text;
  // Nothing but CLF lines: one per request, the readiness probe included.
  auto lines = lines_of(text);
  EXPECT_EQ(lines.size(), 6u) << text;
  std::regex any_clf(
      R"(^\S+ - - \[[^\]]+\] "[^"]*" \d{3} \d+ "[^"]*" "[^"]*"$)");
  for (const std::string& l : lines)
    EXPECT_TRUE(std::regex_match(l, any_clf)) << l;
}

TEST_F(AccessLogFileTest, LinesAreFlushedWhileTheServerRuns) {
  ASSERT_TRUE(get(port(), "/hello/flush"));
  std::string text;
  auto missing = wait_for_lines(
      [&] { return log_text(); },
      {clf("GET /hello/flush HTTP/1.1", 200, "12", "-", "-")}, text);
  EXPECT_TRUE(missing.empty()) << "not flushed within 3 s:\n" << text;
}

TEST_F(AccessLogFileTest, RequestsInFlightAtStopAreLogged) {
  HttpClient c = send("GET /sleep?ms=300 HTTP/1.1\r\nHost: t\r\n\r\n");
  std::this_thread::sleep_for(50ms);
  ExitStatus s = server().stop(5s);
  EXPECT_TRUE(s.exited && s.code == 0) << s.describe();
  auto r = c.read_response(1s);
  ASSERT_TRUE(r) << "the in-flight request was dropped at SIGTERM";
  EXPECT_NE(log_text().find("\"GET /sleep?ms=300 HTTP/1.1\" 200 "),
            std::string::npos)
      << log_text();
}

class AccessLogStdoutTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.access_log = "-";
    return o;
  }
};

TEST_F(AccessLogStdoutTest, DashMeansStdout) {
  ASSERT_TRUE(get(port(), "/hello/out"));
  std::string text;
  auto missing = wait_for_lines(
      [&] { return server().stdout_text(); },
      {clf("GET /hello/out HTTP/1.1", 200, "10", "-", "-")}, text);
  EXPECT_TRUE(missing.empty()) << "stdout:\n" << text;
}

class AccessLogOffTest : public GaleTest {};  // the default: off

TEST_F(AccessLogOffTest, OffWritesNothing) {
  ASSERT_TRUE(get(port(), "/hello/quiet"));
  server().stop(5s);
  EXPECT_EQ(server().stdout_text(), "");
  EXPECT_EQ(server().stderr_text().find("/hello/quiet HTTP/1.1\" 200"),
            std::string::npos);
}

}  // namespace
}  // namespace gale::itest
