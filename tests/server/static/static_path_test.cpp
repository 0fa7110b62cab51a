#include "server/static/static_path.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <string>

namespace gale {
namespace {

using V = StaticPathVerdict;

TEST(StaticPath, OrdinaryPathsPass) {
  EXPECT_EQ(check_static_path("index.html"), V::ok);
  EXPECT_EQ(check_static_path("css/site.css"), V::ok);
  EXPECT_EQ(check_static_path("a/b/c/d.txt"), V::ok);
  EXPECT_EQ(check_static_path("docs/"), V::ok);
  EXPECT_EQ(check_static_path(""), V::ok);  // the root itself
  EXPECT_EQ(check_static_path("file..txt"), V::ok);
  EXPECT_EQ(check_static_path("..file"), V::not_found);  // a dotfile
  EXPECT_EQ(check_static_path("a b/%2e%2e"), V::ok);  // literal '%': no decode
  EXPECT_EQ(check_static_path("caf\xc3\xa9.txt"), V::ok);
}

// One traversal spelling per test, as it arrives after the router's single
// percent-decoding.
TEST(StaticPath, DotDotSegment) {
  EXPECT_EQ(check_static_path(".."), V::not_found);
  EXPECT_EQ(check_static_path("../etc/passwd"), V::not_found);
  EXPECT_EQ(check_static_path("a/../../etc/passwd"), V::not_found);
  EXPECT_EQ(check_static_path("a/.."), V::not_found);
  EXPECT_EQ(check_static_path("a/../"), V::not_found);
  EXPECT_EQ(check_static_path("a/../b"), V::not_found);  // even inside
}

TEST(StaticPath, DotSegment) {
  EXPECT_EQ(check_static_path("."), V::not_found);
  EXPECT_EQ(check_static_path("./a"), V::not_found);
  EXPECT_EQ(check_static_path("a/./b"), V::not_found);
}

TEST(StaticPath, AbsolutePath) {
  EXPECT_EQ(check_static_path("/etc/passwd"), V::not_found);
  EXPECT_EQ(check_static_path("/"), V::not_found);
}

TEST(StaticPath, EmptySegment) {
  EXPECT_EQ(check_static_path("a//b"), V::not_found);
  EXPECT_EQ(check_static_path("a//"), V::not_found);
}

TEST(StaticPath, Backslash) {
  EXPECT_EQ(check_static_path("..\\etc\\passwd"), V::not_found);
  EXPECT_EQ(check_static_path("a\\b"), V::not_found);
}

TEST(StaticPath, NulAndControlBytes) {
  EXPECT_EQ(check_static_path(std::string("a.txt\0.png", 10)), V::not_found);
  EXPECT_EQ(check_static_path(std::string("\0", 1)), V::not_found);
  EXPECT_EQ(check_static_path("a\nb"), V::not_found);
  EXPECT_EQ(check_static_path("a\x7f"), V::not_found);
}

TEST(StaticPath, Dotfiles) {
  EXPECT_EQ(check_static_path(".env"), V::not_found);
  EXPECT_EQ(check_static_path(".git/config"), V::not_found);
  EXPECT_EQ(check_static_path("a/.hidden/b"), V::not_found);
  StaticPathRules allow{.allow_dotfiles = true};
  EXPECT_EQ(check_static_path(".well-known/security.txt", allow), V::ok);
  EXPECT_EQ(check_static_path(".env", allow), V::ok);
  // Allowing dotfiles never allows the two special names.
  EXPECT_EQ(check_static_path("..", allow), V::not_found);
  EXPECT_EQ(check_static_path("a/../b", allow), V::not_found);
  EXPECT_EQ(check_static_path("./a", allow), V::not_found);
}

TEST(StaticPath, OverlongPath) {
  EXPECT_EQ(check_static_path(std::string(PATH_MAX, 'a')), V::too_long);
  std::string deep;
  while (deep.size() < PATH_MAX + 10)
    deep += "abcdefg/";
  EXPECT_EQ(check_static_path(deep), V::too_long);
  EXPECT_EQ(check_static_path(std::string(PATH_MAX - 1, 'a')),
            V::not_found);  // one segment over NAME_MAX
}

TEST(StaticPath, OverlongSegment) {
  EXPECT_EQ(check_static_path(std::string(NAME_MAX, 'a')), V::ok);
  EXPECT_EQ(check_static_path(std::string(NAME_MAX + 1, 'a')), V::not_found);
  EXPECT_EQ(check_static_path("d/" + std::string(NAME_MAX + 1, 'a') + "/x"),
            V::not_found);
}

}  // namespace
}  // namespace gale
