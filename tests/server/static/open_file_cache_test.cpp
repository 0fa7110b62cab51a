#include "server/static/open_file_cache.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "tests/server/static/static_tree.hpp"

namespace gale {
namespace {

using namespace std::chrono_literals;
using testing::StaticTree;

std::string read_all(const OpenFileCache::File& f) {
  std::string out(static_cast<std::size_t>(f.st.st_size), '\0');
  ssize_t n = ::pread(f.fd->get(), out.data(), out.size(), 0);
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

class OpenFileCacheTest : public ::testing::Test {
 protected:
  OpenFileCacheTest() { tree.file("a.txt", "alpha"); }
  OpenFileCache::File open(OpenFileCache& c, const std::string& rel) {
    return c.open(root, rel, O_RDONLY);
  }
  StaticTree tree;
  SafeRoot root{tree.root().string()};
};

TEST_F(OpenFileCacheTest, SecondOpenIsAHitWithTheSameDescriptor) {
  OpenFileCache c(16, 1s);
  OpenFileCache::File first = open(c, "a.txt");
  ASSERT_EQ(first.error, 0);
  OpenFileCache::File second = open(c, "a.txt");
  EXPECT_EQ(second.fd, first.fd);
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(c.misses(), 1u);
  EXPECT_EQ(read_all(second), "alpha");
}

TEST_F(OpenFileCacheTest, AHitSeesTheCurrentSizeAndMtime) {
  OpenFileCache c(16, 1s);
  open(c, "a.txt");
  tree.file("a.txt", "alpha, longer");
  tree.set_mtime("a.txt", 12345);
  OpenFileCache::File f = open(c, "a.txt");
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(f.st.st_size, 13);
  EXPECT_EQ(f.st.st_mtim.tv_sec, 12345);
}

TEST_F(OpenFileCacheTest, ADeletedFileIsLookedUpAgain) {
  OpenFileCache c(16, 1s);
  open(c, "a.txt");
  std::filesystem::remove(tree.root() / "a.txt");
  EXPECT_EQ(open(c, "a.txt").error, ENOENT);
}

TEST_F(OpenFileCacheTest, AFileReplacedByARenameIsReopened) {
  OpenFileCache c(16, 1s);
  open(c, "a.txt");
  tree.file("new.txt", "beta");
  std::filesystem::rename(tree.root() / "new.txt", tree.root() / "a.txt");
  EXPECT_EQ(read_all(open(c, "a.txt")), "beta");
}

TEST_F(OpenFileCacheTest, FailuresAreRememberedForTheValidity) {
  OpenFileCache c(16, 50ms);
  EXPECT_EQ(open(c, "b.txt").error, ENOENT);
  tree.file("b.txt", "late");
  EXPECT_EQ(open(c, "b.txt").error, ENOENT);  // within the validity
  std::this_thread::sleep_for(60ms);
  OpenFileCache::File f = open(c, "b.txt");
  ASSERT_EQ(f.error, 0);
  EXPECT_EQ(read_all(f), "late");
}

TEST_F(OpenFileCacheTest, EscapesAreRememberedAsFailuresToo) {
  tree.symlink("../secret.txt", "leak");
  OpenFileCache c(16, 1s);
  EXPECT_EQ(open(c, "leak").error, EXDEV);
  EXPECT_EQ(open(c, "leak").error, EXDEV);
  EXPECT_EQ(c.hits(), 1u);
}

TEST_F(OpenFileCacheTest, EntriesExpire) {
  OpenFileCache c(16, 20ms);
  open(c, "a.txt");
  std::this_thread::sleep_for(30ms);
  open(c, "a.txt");
  EXPECT_EQ(c.misses(), 2u);
}

TEST_F(OpenFileCacheTest, CollidingPathsEvictEachOtherAndStayCorrect) {
  tree.file("b.txt", "bravo");
  OpenFileCache c(1, 1s);  // one slot: every path collides
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(read_all(open(c, "a.txt")), "alpha");
    EXPECT_EQ(read_all(open(c, "b.txt")), "bravo");
  }
  EXPECT_EQ(c.hits(), 0u);
}

TEST_F(OpenFileCacheTest, AnEvictedDescriptorStaysOpenForItsHolder) {
  tree.file("b.txt", "bravo");
  OpenFileCache c(1, 1s);
  OpenFileCache::File held = open(c, "a.txt");
  open(c, "b.txt");  // evicts a.txt
  EXPECT_EQ(read_all(held), "alpha");
}

TEST_F(OpenFileCacheTest, OffMeansNoCaching) {
  OpenFileCache none(0, 1s), zero(16, 0s);
  for (OpenFileCache* c : {&none, &zero}) {
    OpenFileCache::File a = open(*c, "a.txt");
    OpenFileCache::File b = open(*c, "a.txt");
    EXPECT_NE(a.fd, b.fd);
    EXPECT_EQ(c->hits(), 0u);
  }
}

TEST_F(OpenFileCacheTest, BoundedDescriptors) {
  for (int i = 0; i < 100; ++i)
    tree.file("f" + std::to_string(i), "x");
  OpenFileCache c(8, 1s);
  for (int i = 0; i < 100; ++i)
    open(c, "f" + std::to_string(i));
  int open_fds = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(e.path(), ec);
    if (!ec && target.string().rfind(tree.root().string(), 0) == 0 &&
        target != tree.root())
      ++open_fds;
  }
  EXPECT_LE(open_fds, 8);
}

}  // namespace
}  // namespace gale
