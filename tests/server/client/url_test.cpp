// The client's URLs: what parse_url() accepts and takes apart, and
// redirect Locations resolved against the URL they answered.
#include "server/client/url.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gale::client {
namespace {

Url parsed(std::string_view text) {
  std::string error;
  std::optional<Url> url = parse_url(text, error);
  EXPECT_TRUE(url) << text << ": " << error;
  return url.value_or(Url{});
}

std::string refused(std::string_view text) {
  std::string error;
  EXPECT_FALSE(parse_url(text, error)) << text;
  return error;
}

std::string resolved(std::string_view base, std::string_view location) {
  std::string error;
  std::optional<std::string> url = resolve_location(base, location, error);
  EXPECT_TRUE(url) << location << ": " << error;
  return url.value_or("");
}

TEST(ClientUrlTest, TakesAnHttpUrlApart) {
  Url u = parsed("http://example.com:8080/a/b?x=1&y=%20#frag");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.target, "/a/b?x=1&y=%20");
  EXPECT_EQ(u.host_field, "example.com:8080");
  EXPECT_EQ(u.text, "http://example.com:8080/a/b?x=1&y=%20");
  EXPECT_EQ(u.origin(), "example.com:8080");
}

TEST(ClientUrlTest, DefaultsPortAndPath) {
  Url u = parsed("http://127.0.0.1");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.target, "/");
  EXPECT_EQ(u.host_field, "127.0.0.1");
  EXPECT_EQ(parsed("http://h:/x").port, 80);  // an empty port is the default
  EXPECT_EQ(parsed("http://h?q").target, "/?q");
}

TEST(ClientUrlTest, Ipv6HostsLoseTheirBracketsButNotInHost) {
  Url u = parsed("http://[::1]:9000/");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 9000);
  EXPECT_EQ(u.host_field, "[::1]:9000");
}

TEST(ClientUrlTest, RefusesWhatItCannotFetch) {
  EXPECT_NE(refused("https://example.com/").find("https is not supported"),
            std::string::npos);
  EXPECT_NE(refused("ftp://example.com/").find("unsupported scheme"),
            std::string::npos);
  EXPECT_EQ(refused("/relative/path"), "not an absolute URL");
  EXPECT_EQ(refused("http:///no-host"), "no host");
  EXPECT_EQ(refused("http://user:pw@h/"),
            "credentials in the URL are not supported");
  EXPECT_NE(refused("http://h:0/").find("invalid port"), std::string::npos);
  EXPECT_NE(refused("http://h:70000/").find("invalid port"), std::string::npos);
  EXPECT_EQ(refused("http://exa mple.com/"), "not an absolute URL");
  EXPECT_EQ(refused(""), "not an absolute URL");
}

TEST(ClientUrlTest, ResolvesRelativeLocations) {
  const std::string base = "http://h:1/a/b/c?q=1";
  EXPECT_EQ(resolved(base, "/x"), "http://h:1/x");
  EXPECT_EQ(resolved(base, "d"), "http://h:1/a/b/d");
  EXPECT_EQ(resolved(base, "../d"), "http://h:1/a/d");
  EXPECT_EQ(resolved(base, "?z=2"), "http://h:1/a/b/c?z=2");
  EXPECT_EQ(resolved(base, "//other:2/y"), "http://other:2/y");
  EXPECT_EQ(resolved(base, "http://third/z#frag"), "http://third/z");
  EXPECT_EQ(resolved(base, "/x/../y/./z"), "http://h:1/y/z");
}

TEST(ClientUrlTest, RefusesALocationThatIsNoUrl) {
  std::string error;
  EXPECT_FALSE(resolve_location("http://h/", "http://bad host/", error));
  EXPECT_NE(error.find("is not a URL"), std::string::npos);
}

}  // namespace
}  // namespace gale::client
