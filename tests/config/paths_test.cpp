#include "config/paths.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace gale {
namespace {

using testing::TempDir;

TEST(AbsolutePath, ReadsRelativePathsAgainstTheBase) {
  TempDir dir;
  dir.mkdir("etc/www");
  EXPECT_EQ(absolute_path("www", dir.path() / "etc"),
            (dir.path() / "etc/www").string());
  EXPECT_EQ(absolute_path("../etc/./www/", dir.path() / "etc"),
            (dir.path() / "etc/www").string());
}

TEST(AbsolutePath, KeepsAbsolutePaths) {
  TempDir dir;
  EXPECT_EQ(absolute_path(dir.path().string(), "/somewhere/else"),
            dir.path().string());
}

TEST(AbsolutePath, AcceptsPathsThatDoNotExistYet) {
  TempDir dir;
  EXPECT_EQ(absolute_path("logs/access.log", dir.path()),
            (dir.path() / "logs/access.log").string());
}

TEST(AbsolutePath, ResolvesSymlinks) {
  TempDir dir;
  dir.mkdir("real");
  std::filesystem::create_directory_symlink(dir.path() / "real",
                                            dir.path() / "link");
  EXPECT_EQ(absolute_path("link", dir.path()), (dir.path() / "real").string());
}

}  // namespace
}  // namespace gale
