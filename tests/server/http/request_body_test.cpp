// RequestBody: in memory up to its limit, past it in an unnamed temp file,
// the same bytes either way, whatever the split they arrive in.
#include "server/http/request_body.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "server/http/request_parser.hpp"

namespace gale {
namespace {

class TempDirectory {
 public:
  TempDirectory() {
    char pattern[] = "/tmp/gale-body-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDirectory() { ::rmdir(path_.c_str()); }
  const std::string& path() const { return path_; }
  // Entries with a name: an unnamed file never shows here.
  int entries() const {
    int n = 0;
    DIR* d = ::opendir(path_.c_str());
    while (dirent* e = ::readdir(d))
      n += std::string(e->d_name) != "." && std::string(e->d_name) != "..";
    ::closedir(d);
    return n;
  }

 private:
  std::string path_;
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

std::string read_file(int fd, std::size_t n) {
  std::string s(n, '\0');
  EXPECT_EQ(::pread(fd, s.data(), n, 0), static_cast<ssize_t>(n));
  return s;
}

TEST(RequestBodyTest, WithoutSpoolingEverythingStaysInMemory) {
  RequestBody body;
  std::string data = pattern(200000);
  ASSERT_TRUE(body.append(data.data(), data.size()));
  EXPECT_FALSE(body.in_file());
  EXPECT_EQ(body.file(), nullptr);
  EXPECT_EQ(body.size(), data.size());
  EXPECT_EQ(body.view(), data);
}

TEST(RequestBodyTest, UpToTheLimitInMemoryOneByteMoreInAFile) {
  TempDirectory dir;
  std::string data = pattern(101);
  RequestBody body;
  body.set_spooling(100, &dir.path());
  ASSERT_TRUE(body.append(data.data(), 100));
  EXPECT_FALSE(body.in_file());
  ASSERT_TRUE(body.append(data.data() + 100, 1));
  ASSERT_TRUE(body.in_file());
  EXPECT_LT(body.memory_bytes(), 100u);  // the memory went with the move
  EXPECT_EQ(body.size(), 101u);
  EXPECT_EQ(read_file(body.file()->get(), 101), data);
  EXPECT_EQ(body.view(), data);
  EXPECT_EQ(dir.entries(), 0);  // the file has no name
}

TEST(RequestBodyTest, SameBytesAtEverySplitPoint) {
  TempDirectory dir;
  std::string data = pattern(3000);
  for (std::size_t split = 0; split <= data.size(); split += 97) {
    RequestBody body;
    body.set_spooling(1000, &dir.path());
    ASSERT_TRUE(body.append(data.data(), split));
    ASSERT_TRUE(body.append(data.data() + split, data.size() - split));
    EXPECT_TRUE(body.in_file()) << split;
    EXPECT_EQ(body.view(), data) << split;
    EXPECT_EQ(read_file(body.file()->get(), data.size()), data) << split;
  }
}

TEST(RequestBodyTest, ClearClosesTheFileUnlessSomeoneStillSendsIt) {
  TempDirectory dir;
  std::string data = pattern(5000);
  RequestBody body;
  body.set_spooling(10, &dir.path());
  ASSERT_TRUE(body.append(data.data(), data.size()));
  ASSERT_EQ(body.view(), data);  // mapped
  auto kept = body.file();       // a response still sending it
  int fd = kept->get();
  body.clear();
  EXPECT_EQ(body.size(), 0u);
  EXPECT_FALSE(body.in_file());
  EXPECT_EQ(body.view(), "");
  EXPECT_NE(::fcntl(fd, F_GETFD), -1);
  kept.reset();
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);  // closed with its last owner
  // Reused for the next request, in memory again.
  ASSERT_TRUE(body.append("abc", 3));
  EXPECT_FALSE(body.in_file());
  EXPECT_EQ(body.view(), "abc");
}

TEST(RequestBodyTest, AMissingDirectoryFailsTheAppendWithItsReason) {
  const std::string missing = "/tmp/gale-body-test-missing/none";
  RequestBody body;
  body.set_spooling(4, &missing);
  EXPECT_TRUE(body.append("abcd", 4));
  EXPECT_FALSE(body.append("e", 1));
  EXPECT_EQ(body.error_number(), ENOENT);
}

TEST(RequestBodyTest, ReserveNeverPassesTheMemoryLimit) {
  TempDirectory dir;
  RequestBody body;
  body.set_spooling(4096, &dir.path());
  body.reserve(16u << 20);  // a declared 16 MiB
  EXPECT_LT(body.memory_bytes(), 8192u);
}

TEST(RequestBodyTest, ParserSpoolsALongBodyAndReportsAFailedOne) {
  TempDirectory dir;
  std::string data = pattern(10000);
  std::string request =
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10000\r\n\r\n" + data;
  RequestParser parser;
  parser.body().set_spooling(512, &dir.path());
  parser.reset();
  std::size_t used = 0;
  RequestParser::Step step{};
  do {
    step = parser.feed(request.data() + used, request.size() - used);
    used += step.consumed;
  } while (step.event == RequestParser::Event::head_complete);
  ASSERT_EQ(step.event, RequestParser::Event::message_complete);
  EXPECT_TRUE(parser.body().in_file());
  EXPECT_EQ(parser.body().view(), data);

  const std::string missing = "/tmp/gale-body-test-missing/none";
  parser.body().set_spooling(512, &missing);
  parser.reset();
  used = 0;
  do {
    step = parser.feed(request.data() + used, request.size() - used);
    used += step.consumed;
  } while (step.event == RequestParser::Event::head_complete);
  ASSERT_EQ(step.event, RequestParser::Event::error);
  EXPECT_EQ(parser.error(), ParseError::body_not_stored);
  EXPECT_EQ(status_for(parser.error()), 500);
}

}  // namespace
}  // namespace gale
