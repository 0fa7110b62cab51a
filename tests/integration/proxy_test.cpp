// SPEC §7, proxy.trusted: behind a proxy we trust, the client address and
// scheme that the access log and handlers see are the forwarded ones; from
// anyone else, X-Forwarded-For and X-Forwarded-Proto are ignored. The test
// client connects from 127.0.0.1, so "[127.0.0.0/8]" makes it the proxy.
// GET /test/client (tests/support/test_routes.cpp) answers what a handler
// sees: "<remote_ip> <protocol>".
#include <fstream>
#include <sstream>

#include "tests/support/gale_test.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

using Clock = std::chrono::steady_clock;

// What the test's nginx would send for a client at 203.0.113.9 that
// claimed to be 198.51.100.1, over TLS.
constexpr std::string_view kForwarded =
    "X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\n"
    "X-Forwarded-Proto: https\r\n";

std::string request(std::string_view target, std::string_view fields) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" +
         std::string(fields) + "\r\n";
}

class ProxyTest : public GaleTest {
 protected:
  virtual std::string trusted() const = 0;

  ServerOptions options() override {
    ServerOptions o;
    o.yaml = "proxy:\n  trusted: " + trusted() + "\n";
    o.access_log = (dir_.path() / "access.log").string();
    return o;
  }

  // What the handler says for a request with these extra fields.
  std::string client_seen(std::string_view fields) {
    const HttpResponse r = fetch_ok(request("/test/client", fields));
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }

  // The access log's line for `target`, once the worker has flushed it.
  std::string log_line(std::string_view target) {
    const std::string needle = " " + std::string(target) + " HTTP/1.1\"";
    const auto deadline = Clock::now() + 3s;
    do {
      std::ifstream in(dir_.path() / "access.log");
      for (std::string line; std::getline(in, line);)
        if (line.find(needle) != std::string::npos) return line;
      std::this_thread::sleep_for(50ms);
    } while (Clock::now() < deadline);
    ADD_FAILURE() << "no access log line for " << target;
    return "";
  }

  TempDir dir_;
};

class TrustedProxyTest : public ProxyTest {
  std::string trusted() const override { return "[127.0.0.0/8]"; }
};

TEST_F(TrustedProxyTest, HandlerAndLogSeeTheForwardedClient) {
  EXPECT_EQ(client_seen(kForwarded), "203.0.113.9 https");
  EXPECT_EQ(client_seen(""), "127.0.0.1 http");
  EXPECT_EQ(client_seen("X-Forwarded-Proto: HTTP\r\n"), "127.0.0.1 http");
  fetch_ok(request("/hello/proxied", kForwarded));
  EXPECT_EQ(log_line("/hello/proxied").rfind("203.0.113.9 - - [", 0), 0u)
      << log_line("/hello/proxied");
}

TEST_F(TrustedProxyTest, SeveralLinesAndTrustedHops) {
  // Two field lines are one list; 127.0.0.2 is one of ours, skipped.
  EXPECT_EQ(client_seen("X-Forwarded-For: 2001:db8::7\r\n"
                        "X-Forwarded-For: 127.0.0.2\r\n"),
            "2001:db8::7 http");
  // Every hop trusted: the leftmost.
  EXPECT_EQ(client_seen("X-Forwarded-For: 127.0.0.9, 127.0.0.2\r\n"),
            "127.0.0.9 http");
  // Garbage stops the walk: the trusted hop to its right stands.
  EXPECT_EQ(client_seen("X-Forwarded-For: 203.0.113.9, unknown, 127.0.0.2\r\n"
                        "X-Forwarded-Proto: http, https\r\n"),
            "127.0.0.2 https");
}

TEST_F(TrustedProxyTest, RepliesBeforeTheHandlerAreLoggedForwarded) {
  const HttpResponse r = fetch_ok(request("/no/such/route", kForwarded));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(log_line("/no/such/route").rfind("203.0.113.9 - - [", 0), 0u)
      << log_line("/no/such/route");
}

class NoTrustedProxyTest : public ProxyTest {
  std::string trusted() const override { return "[]"; }
};

TEST_F(NoTrustedProxyTest, ForwardedFieldsAreIgnored) {
  EXPECT_EQ(client_seen(kForwarded), "127.0.0.1 http");
  fetch_ok(request("/hello/direct", kForwarded));
  EXPECT_EQ(log_line("/hello/direct").rfind("127.0.0.1 - - [", 0), 0u)
      << log_line("/hello/direct");
}

class OtherTrustedProxyTest : public ProxyTest {
  std::string trusted() const override { return "[10.0.0.0/8, \"fd00::/8\"]"; }
};

TEST_F(OtherTrustedProxyTest, AnUntrustedPeerIsNotBelieved) {
  EXPECT_EQ(client_seen(kForwarded), "127.0.0.1 http");
  // Even when it names a trusted hop.
  EXPECT_EQ(client_seen("X-Forwarded-For: 10.0.0.2\r\n"), "127.0.0.1 http");
  fetch_ok(request("/hello/elsewhere", kForwarded));
  EXPECT_EQ(log_line("/hello/elsewhere").rfind("127.0.0.1 - - [", 0), 0u)
      << log_line("/hello/elsewhere");
}

// --check-config: a bad entry is one line with file:line:column, exit 2;
// a good list is printed normalized.
TEST(ProxyConfigTest, CheckConfigReportsAndPrintsTrustedProxies) {
  TempDir dir;
  const auto bad = dir.write("bad.yaml",
                             "proxy:\n  trusted:\n    - 10.0.0.0/8\n"
                             "    - 10.0.0.0/40\n");
  const RunResult r = run_binary(
      {"--config", bad.string(), "--static-root", "", "--check-config"});
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe();
  // One line, naming the file as given, then line and column.
  EXPECT_EQ(r.err, "gale: " + bad.string() +
                       ":4:7: proxy.trusted[1]: the prefix length of "
                       "\"10.0.0.0/40\" must be 0..32\n");
  EXPECT_EQ(r.out, "");

  const auto good = dir.write(
      "good.yaml", "proxy:\n  trusted: [127.0.0.1, 10.9.8.7/8, \"::1\"]\n");
  const RunResult g = run_binary(
      {"--config", good.string(), "--static-root", "", "--check-config"});
  EXPECT_TRUE(g.status.exited && g.status.code == 0)
      << g.status.describe() << "\n"
      << g.err;
  EXPECT_NE(g.out.find("proxy:\n  trusted: [\"127.0.0.1/32\", \"10.0.0.0/8\", "
                       "\"::1/128\"]\n"),
            std::string::npos)
      << g.out;
}

}  // namespace
}  // namespace gale::itest
