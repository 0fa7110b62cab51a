#include "server/static/safe_open.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <system_error>

#include "tests/server/static/static_tree.hpp"

namespace gale {
namespace {

using testing::kSecret;
using testing::StaticTree;

std::string read_all(const FileDescriptor& fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  off_t off = 0;
  while ((n = ::pread(fd.get(), buf, sizeof buf, off)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    off += n;
  }
  return out;
}

// Every case runs under both strategies: openat2 and the realpath
// fallback for kernels without it.
class SafeOpen : public ::testing::TestWithParam<SafeRoot::Strategy> {
 protected:
  SafeOpen() {
    tree.file("index.html", "<h1>home</h1>");
    tree.file("css/site.css", "body{}");
    tree.dir("empty");
  }
  SafeRoot root() const { return SafeRoot(tree.root().string(), GetParam()); }

  // Opens `rel`; returns the errno (0 on success) and the content read.
  int open(const std::string& rel, std::string* content = nullptr) const {
    SafeRoot r = root();
    int error = -1;
    FileDescriptor fd = r.open(rel, O_RDONLY, error);
    if (!fd.valid()) {
      EXPECT_NE(error, 0);
      return error;
    }
    EXPECT_EQ(error, 0);
    std::string data = read_all(fd);
    EXPECT_EQ(data.find(kSecret), std::string::npos) << rel;
    if (content) *content = data;
    return 0;
  }

  StaticTree tree;
};

TEST_P(SafeOpen, FilesInsideTheRoot) {
  std::string content;
  EXPECT_EQ(open("index.html", &content), 0);
  EXPECT_EQ(content, "<h1>home</h1>");
  EXPECT_EQ(open("css/site.css", &content), 0);
  EXPECT_EQ(content, "body{}");
  EXPECT_EQ(open("missing.txt"), ENOENT);
  EXPECT_EQ(open("index.html/x"), ENOTDIR);
}

TEST_P(SafeOpen, TheRootAndDirectories) {
  SafeRoot r = root();
  int error = 0;
  FileDescriptor fd = r.open(".", O_RDONLY, error);
  ASSERT_TRUE(fd.valid()) << error;
  struct stat st {};
  ASSERT_EQ(::fstat(fd.get(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  fd = r.open("empty/", O_RDONLY, error);
  EXPECT_TRUE(fd.valid());
}

TEST_P(SafeOpen, DotDotOutOfTheRootIsRefused) {
  EXPECT_NE(open("../secret.txt"), 0);
  EXPECT_NE(open("css/../../secret.txt"), 0);
}

TEST_P(SafeOpen, AbsolutePathIsRefused) {
  // Never an open of the absolute path itself.
  EXPECT_NE(open(tree.secret().string()), 0);
}

TEST_P(SafeOpen, RelativeSymlinkOutOfTheRootIsRefused) {
  tree.symlink("../secret.txt", "leak.txt");
  EXPECT_EQ(open("leak.txt"), EXDEV);
}

TEST_P(SafeOpen, AbsoluteSymlinkOutOfTheRootIsRefused) {
  tree.symlink(tree.secret().string(), "leak.txt");
  EXPECT_EQ(open("leak.txt"), EXDEV);
  tree.symlink("/etc/passwd", "passwd");
  EXPECT_EQ(open("passwd"), EXDEV);
}

TEST_P(SafeOpen, DirectorySymlinkOutOfTheRootIsRefused) {
  tree.symlink("..", "up");
  EXPECT_EQ(open("up/secret.txt"), EXDEV);
  tree.symlink("/", "slash");
  EXPECT_EQ(open("slash/etc/passwd"), EXDEV);
}

TEST_P(SafeOpen, ChainOfSymlinksThatEndsOutsideIsRefused) {
  tree.symlink("b", "a");
  tree.symlink("css/../../secret.txt", "b");
  EXPECT_EQ(open("a"), EXDEV);
}

TEST_P(SafeOpen, RelativeSymlinkInsideTheRootIsFollowed) {
  tree.symlink("css/site.css", "alias.css");
  tree.symlink("../index.html", "css/home.html");
  tree.symlink("css", "styles");
  std::string content;
  EXPECT_EQ(open("alias.css", &content), 0);
  EXPECT_EQ(content, "body{}");
  EXPECT_EQ(open("css/home.html", &content), 0);
  EXPECT_EQ(content, "<h1>home</h1>");
  EXPECT_EQ(open("styles/site.css", &content), 0);
  EXPECT_EQ(content, "body{}");
}

TEST_P(SafeOpen, DanglingSymlinkIsNotFound) {
  tree.symlink("nowhere.txt", "dangling.txt");
  EXPECT_EQ(open("dangling.txt"), ENOENT);
}

TEST_P(SafeOpen, SymlinkLoopFails) {
  tree.symlink("loop2", "loop1");
  tree.symlink("loop1", "loop2");
  EXPECT_EQ(open("loop1"), ELOOP);
}

TEST_P(SafeOpen, ProcMagicLinksAreRefused) {
  // /proc/self/root is an absolute symlink out of the root in any case;
  // through a relative path the magic link itself must not be followed.
  tree.symlink("/proc/self/root/etc/passwd", "magic");
  EXPECT_NE(open("magic"), 0);
}

TEST_P(SafeOpen, OverlongNamesFail) {
  EXPECT_EQ(open(std::string(NAME_MAX + 1, 'a')), ENAMETOOLONG);
}

TEST_P(SafeOpen, RootThatIsAlsoReachedThroughASymlink) {
  // The root given through a symlink: containment is checked against the
  // real directory, so files inside still open.
  std::filesystem::create_directory_symlink(tree.root(), tree.base() / "www");
  SafeRoot r((tree.base() / "www").string(), GetParam());
  int error = 0;
  EXPECT_TRUE(r.open("index.html", O_RDONLY, error).valid()) << error;
  EXPECT_FALSE(r.open("../secret.txt", O_RDONLY, error).valid());
}

INSTANTIATE_TEST_SUITE_P(Strategies, SafeOpen,
                         ::testing::Values(SafeRoot::Strategy::openat2,
                                           SafeRoot::Strategy::realpath),
                         [](const auto& info) {
                           return info.param == SafeRoot::Strategy::openat2
                                      ? "openat2"
                                      : "realpath";
                         });

TEST(SafeRoot, AutomaticPicksOpenat2OnThisKernel) {
  StaticTree tree;
  SafeRoot r(tree.root().string());
  EXPECT_EQ(r.strategy(), SafeRoot::Strategy::openat2);
}

TEST(SafeRoot, MissingRootThrowsNamingIt) {
  StaticTree tree;
  std::string missing = (tree.base() / "nope").string();
  try {
    SafeRoot r(missing);
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
  }
}

TEST(SafeRoot, FileAsRootThrows) {
  StaticTree tree;
  EXPECT_THROW(SafeRoot(tree.secret().string()), std::system_error);
}

}  // namespace
}  // namespace gale
