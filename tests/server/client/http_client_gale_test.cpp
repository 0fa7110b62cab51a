// gale::HttpClient against the real gale-test binary (started by the
// GaleTest fixture): the built-in app's routes, and keep-alive reuse as
// the server counts it.
#include <gtest/gtest.h>

#include "server/client/http_client.hpp"
#include "tests/server/client/run_fetch.hpp"
#include "tests/support/gale_test.hpp"

namespace gale::test {
namespace {

class HttpClientGaleTest : public GaleTest {
 protected:
  std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }
  boost::asio::io_context loop_;
  gale::HttpClient client_{loop_.get_executor()};
};

TEST_F(HttpClientGaleTest, GetsTheRoot) {
  HttpClientResponse r = run_fetch(loop_, client_, url("/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.reason, "OK");
  EXPECT_EQ(r.body, "Hello, world");
  EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(r.header("Date").empty());
}

TEST_F(HttpClientGaleTest, PostsABodyToEcho) {
  HttpClientRequest request;
  request.url = url("/echo");
  request.method = "POST";
  request.headers = {{"Content-Type", "application/octet-stream"}};
  request.body = patterned_bytes(300000);
  HttpClientResponse r = run_fetch(loop_, client_, request);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(same_bytes(request.body, r.body));
  EXPECT_EQ(r.header("Content-Type"), "application/octet-stream");
}

TEST_F(HttpClientGaleTest, ReusesOneConnectionAsTheServerCountsIt) {
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(run_fetch(loop_, client_, url("/")).status, 200);
  HttpClientResponse info = run_fetch(loop_, client_, url("/info"));
  EXPECT_NE(info.body.find("\"connections\":1"), std::string::npos)
      << info.body;
  EXPECT_EQ(client_.idle_connections(), 1u);
}

TEST_F(HttpClientGaleTest, A404IsAResponse) {
  HttpClientResponse r = run_fetch(loop_, client_, url("/no/such/route"));
  EXPECT_EQ(r.status, 404);
}

}  // namespace
}  // namespace gale::test
