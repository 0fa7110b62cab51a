// Request bodies past limits.body_buffer_bytes live in unnamed temp files,
// not in the worker's memory; past limits.body_memory_bytes bodies wait
// their turn rather than being refused (issue 14).
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/gale_test.hpp"
#include "tests/support/proc_stat.hpp"
#include "tests/support/wait.hpp"

namespace gale::itest {

using namespace gale::test;

namespace {

std::string post_head(std::size_t length) {
  return "POST /echo HTTP/1.1\r\nHost: t\r\n"
         "Content-Type: application/octet-stream\r\nContent-Length: " +
         std::to_string(length) + "\r\n\r\n";
}

// The worker's open files that are unnamed temp files in `dir`.
int spooled_files(pid_t worker, const std::string& dir) {
  int n = 0;
  std::error_code ec;
  const std::string proc = "/proc/" + std::to_string(worker) + "/fd";
  for (const auto& e : std::filesystem::directory_iterator(proc, ec)) {
    std::error_code link_ec;
    std::string target = std::filesystem::read_symlink(e.path(), link_ec);
    if (!link_ec && target.rfind(dir + "/", 0) == 0 &&
        target.find("(deleted)") != std::string::npos)
      ++n;
  }
  return n;
}

class BodySpoolingTest : public GaleTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.yaml =
        "limits:\n"
        "  body_buffer_bytes: 65536\n"
        "  body_memory_bytes: 131072\n"
        "  body_temp_dir: " +
        spool_.string() + "\n";
    return o;
  }
  void SetUp() override {
    spool_ = std::filesystem::temp_directory_path() /
             ("gale-spool-" + std::to_string(::getpid()));
    std::filesystem::create_directories(spool_);
    GaleTest::SetUp();
  }
  void TearDown() override {
    GaleTest::TearDown();
    std::filesystem::remove_all(spool_);
  }
  pid_t worker() { return *server().workers().begin(); }

  std::filesystem::path spool_;
};

TEST_F(BodySpoolingTest, ALongBodyGoesToAnUnnamedFileAndComesBackWhole) {
  const std::string body = patterned_bytes(3 << 20);
  HttpClient c = connect();
  ASSERT_TRUE(c.send(post_head(body.size()) + body.substr(0, 1 << 20)));
  // Half sent: the worker holds it in a file with no name in the spool.
  ASSERT_TRUE(
      wait_until([&] { return spooled_files(worker(), spool_) == 1; }, 5s));
  EXPECT_TRUE(std::filesystem::is_empty(spool_));
  ASSERT_TRUE(c.send(body.substr(1 << 20)));
  auto r = c.read_response(10s);
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(same_bytes(body, r->body));
  // Answered: the file is gone though the connection stays open.
  EXPECT_TRUE(
      wait_until([&] { return spooled_files(worker(), spool_) == 0; }, 5s));
}

TEST_F(BodySpoolingTest, ChunkedBodiesAreSpooledToo) {
  const std::string body = patterned_bytes(300000);
  std::string chunked;
  for (std::size_t at = 0; at < body.size(); at += 70000) {
    std::string piece = body.substr(at, 70000);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    chunked += size + piece + "\r\n";
  }
  chunked += "0\r\n\r\n";
  auto r = fetch_ok(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
      chunked);
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(same_bytes(body, r.body));
}

TEST_F(BodySpoolingTest, StalledUploadsCostTheWorkerFilesNotMemory) {
  const long rss_before = resident_kb(worker());
  const std::string part = patterned_bytes(4 << 20);
  std::vector<HttpClient> clients;
  for (int i = 0; i < 16; ++i) {
    clients.push_back(connect());
    ASSERT_TRUE(clients.back().send(post_head(8 << 20) + part));
  }
  // 16 x 4 MiB = 64 MiB arrived; in memory it would be at least that.
  ASSERT_TRUE(
      wait_until([&] { return spooled_files(worker(), spool_) == 16; }, 20s));
  const long rss_during = resident_kb(worker());
  EXPECT_LT(rss_during, rss_before + 16 * 1024)
      << "RSS " << rss_before << " kB -> " << rss_during << " kB";
  clients.clear();  // the clients go: so do the files
  EXPECT_TRUE(
      wait_until([&] { return spooled_files(worker(), spool_) == 0; }, 5s));
}

TEST_F(BodySpoolingTest, PastTheBodyMemoryBudgetABodyWaitsItsTurn) {
  // Two bodies of 60,000 bytes reserve 120,000 of 131,072; a third waits.
  const std::string body = patterned_bytes(60000);
  HttpClient a = connect();
  HttpClient b = connect();
  ASSERT_TRUE(a.send(post_head(body.size()) + body.substr(0, 1000)));
  ASSERT_TRUE(b.send(post_head(body.size()) + body.substr(0, 1000)));
  std::this_thread::sleep_for(200ms);  // both heads read and reserved
  HttpClient c = connect();
  ASSERT_TRUE(c.send(post_head(body.size()) + body));
  EXPECT_FALSE(c.read_response(700ms)) << "answered past the budget";
  ASSERT_TRUE(a.send(body.substr(1000)));  // a finishes: c goes on
  auto ra = a.read_response(5s);
  auto rc = c.read_response(5s);
  ASSERT_TRUE(ra && rc) << a.error() << c.error();
  EXPECT_EQ(ra->status, 200);
  EXPECT_EQ(rc->status, 200);
  EXPECT_TRUE(same_bytes(body, rc->body));
  ASSERT_TRUE(b.send(body.substr(1000)));
  auto rb = b.read_response(5s);
  ASSERT_TRUE(rb) << b.error();
  EXPECT_TRUE(same_bytes(body, rb->body));
}

TEST_F(BodySpoolingTest, ABodyThatCannotBeStoredIs500AndHarmsNoOther) {
  std::filesystem::remove_all(spool_);  // the spool vanished under us
  HttpClient c = connect();
  const std::string body = patterned_bytes(200000);
  ASSERT_TRUE(c.send(post_head(body.size()) + body));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r) << c.error();
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, "cannot store the request body\n");
  auto small = fetch_ok(post_head(5) + "hello");
  EXPECT_EQ(small.status, 200);
  EXPECT_EQ(small.body, "hello");
  std::filesystem::create_directories(spool_);  // for TearDown
}

}  // namespace
}  // namespace gale::itest
