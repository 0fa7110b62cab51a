// Signed cookies in the handler (request_handler_secure.cpp), in memory:
// what set_signed_cookie() sends verifies; get_signed_cookie() reads what
// one of the secrets signed and reads everything else as absent; using
// them with no secret set is a 500 that says why.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/signed_value.hpp"
#include "server/web/testing/handler_harness.hpp"

namespace gale {
namespace {

using testing::SentResponse;

// GET /set?v sets the signed cookie "user" to v; GET /get answers its
// value, or "(absent)"; GET /get?60 reads it with a 60-day limit.
struct Cookies : RequestHandler {
  void get() override {
    if (request().path() == "/set") {
      CookieOptions options;
      options.http_only = true;
      set_signed_cookie("user", request().query(), options);
      return;
    }
    int days = request().query().empty() ? 31 : 60;
    std::optional<std::string> user = get_signed_cookie("user", days);
    write(user ? *user : "(absent)");
  }
};

std::chrono::sys_seconds now() {
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now());
}

class SignedCookieTest : public ::testing::Test {
 protected:
  SignedCookieTest() {
    app_.add({"/set", handler<Cookies>()});
    app_.add({"/get", handler<Cookies>()});
    app_.settings().cookie_secrets = secrets_;
  }

  SentResponse get(const std::string& target, const std::string& cookie = "",
                   std::string* log = nullptr) {
    std::string raw = "GET " + target + " HTTP/1.1\r\nHost: t\r\n";
    if (!cookie.empty()) raw += "Cookie: " + cookie + "\r\n";
    ::testing::internal::CaptureStderr();
    SentResponse r = testing::fetch(app_, raw + "\r\n");
    std::string captured = ::testing::internal::GetCapturedStderr();
    if (log) *log = captured;
    return r;
  }
  std::string read(const std::string& cookie, const std::string& query = "") {
    return get("/get" + query, cookie).body();
  }

  std::vector<std::string> secrets_ = {"new secret", "old secret"};
  Application app_;
};

TEST_F(SignedCookieTest, SetSendsAValueThatVerifies) {
  SentResponse r = get("/set?alice");
  ASSERT_EQ(r.values("Set-Cookie").size(), 1u);
  const std::string set = r.values("Set-Cookie")[0];
  ASSERT_TRUE(set.starts_with("user=2|1:0|")) << set;
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos) << set;  // options kept
  const std::string value = set.substr(5, set.find(';') - 5);
  EXPECT_EQ(signed_value::verify(secrets_, "user", value, std::chrono::hours(1),
                                 now()),
            "alice");
  EXPECT_EQ(read("user=" + value), "alice");
}

TEST_F(SignedCookieTest, AnOldSecretStillVerifies) {
  const std::vector<std::string> old = {"old secret"};
  EXPECT_EQ(read("user=" + signed_value::sign(old, "user", "bob", now())),
            "bob");
}

TEST_F(SignedCookieTest, AnythingElseReadsAsAbsent) {
  const std::vector<std::string> unknown = {"someone else's"};
  std::string good = signed_value::sign(secrets_, "user", "alice", now());
  std::string tampered = good;
  tampered[good.find("YWxpY2U=")] = 'Z';
  for (const std::string& cookie : {
           std::string(),
           std::string("user=alice"),
           std::string("user=") + tampered,
           std::string("user=") + good.substr(0, good.size() - 1),
           std::string("user=") +
               signed_value::sign(unknown, "user", "alice", now()),
           std::string("user=") +
               signed_value::sign(secrets_, "admin", "alice", now()),
           std::string("admin=") + good,
       })
    EXPECT_EQ(read(cookie), "(absent)") << cookie;
}

TEST_F(SignedCookieTest, MaxAgeDays) {
  std::string forty_days_old = signed_value::sign(
      secrets_, "user", "carol", now() - std::chrono::days(40));
  EXPECT_EQ(read("user=" + forty_days_old), "(absent)");
  EXPECT_EQ(read("user=" + forty_days_old, "?60"), "carol");
}

TEST_F(SignedCookieTest, WithoutASecretSetAndGetAre500sThatSayWhy) {
  app_.settings().cookie_secrets.clear();
  for (const char* target : {"/set?alice", "/get"}) {
    std::string log;
    SentResponse r = get(target, "user=x", &log);
    EXPECT_EQ(r.status, 500) << target;
    EXPECT_FALSE(r.has("Set-Cookie"));
    EXPECT_NE(log.find("cookie_secrets is not set"), std::string::npos) << log;
  }
}

}  // namespace
}  // namespace gale
