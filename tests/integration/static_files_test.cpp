// SPEC §3 GET /static/{path}, end to end: the gale-test binary serving a
// temporary root (--static-root) over real sockets. A secret file is
// planted beside the root; no response may ever contain its bytes.
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "tests/server/static/static_tree.hpp"
#include "tests/support/gale_test.hpp"
#include "tests/support/proc_stat.hpp"

namespace gale::itest {

using namespace gale::test;  // the shared test support

namespace {

using Clock = std::chrono::steady_clock;
using gale::testing::kSecret;
using gale::testing::StaticTree;

// A byte pattern whose every offset is recognisable: a wrong range or an
// off-by-one shows up as different bytes, not just a different length.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

std::string request(const std::string& target, const std::string& fields = "",
                    const std::string& method = "GET") {
  return method + " " + target + " HTTP/1.1\r\nHost: t\r\n" + fields +
         "Connection: close\r\n\r\n";
}

class StaticFilesTest : public GaleTest {
 protected:
  StaticFilesTest() {
    tree.file("index.html", "<h1>home</h1>\n");
    tree.file("hello.txt", "Hello, static world\n");
    tree.file("css/site.css", "body { color: red }\n");
    tree.file("data.bin", pattern(100000));
    tree.dir("noindex");
    tree.file("docs/index.html", "<h1>docs</h1>\n");
    tree.file("app.js", "console.log('plain')\n");
    tree.file("app.js.gz", "GZIPPED-BYTES");
    tree.set_mtime("app.js", 1000000);
    tree.set_mtime("app.js.gz", 1000001);
  }
  ServerOptions options() override {
    ServerOptions o;
    o.extra_args = {"--static-root", tree.root().string()};
    o.workers = 1;
    return o;
  }

  // The response to `req` on a fresh connection, checked never to contain
  // the secret or /etc/passwd.
  HttpResponse fetch(const std::string& req) {
    HttpResponse r = fetch_ok(req);
    EXPECT_EQ(r.raw.find(kSecret), std::string::npos) << req;
    EXPECT_EQ(r.raw.find("root:x:0:0"), std::string::npos) << req;
    return r;
  }
  HttpResponse get(const std::string& target, const std::string& fields = "") {
    return fetch(request(target, fields));
  }
  // Sends `target` exactly as written and expects a refusal.
  void expect_refused(const std::string& target) {
    HttpResponse r = get(target);
    EXPECT_TRUE(r.status == 403 || r.status == 404)
        << target << " -> " << r.status_line;
  }

  StaticTree tree;
};

// ---- what a file gets
// --------------------------------------------------------

TEST_F(StaticFilesTest, FileWithEveryField) {
  HttpResponse r = get("/static/hello.txt");
  EXPECT_EQ(r.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(r.body, "Hello, static world\n");
  EXPECT_EQ(r.header("Content-Length"), "20");
  EXPECT_EQ(r.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.header("Cache-Control"), "public, max-age=3600");
  EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
  EXPECT_FALSE(r.header("Last-Modified").empty());
  EXPECT_TRUE(std::regex_match(r.header("ETag"),
                               std::regex("\"[0-9a-f]+-14-[0-9a-f]+\"")))
      << r.header("ETag");
  expect_date_and_server(r);
}

TEST_F(StaticFilesTest, BinaryFileByteForByte) {
  HttpResponse r = get("/static/data.bin");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/octet-stream");
  EXPECT_TRUE(same_bytes(pattern(100000), r.body));
}

TEST_F(StaticFilesTest, HeadSendsFieldsAndNoBody) {
  HttpClient c = connect();
  ASSERT_TRUE(
      c.send("HEAD /static/data.bin HTTP/1.1\r\nHost: t\r\n\r\n"
             "GET /static/hello.txt HTTP/1.1\r\nHost: t\r\nConnection: "
             "close\r\n\r\n"));
  auto h = c.read_response(5s, /*head_request=*/true);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->header("Content-Length"), "100000");
  EXPECT_EQ(h->body, "");
  // Had a body followed the HEAD, this would parse garbage.
  auto g = c.read_response();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(g->body, "Hello, static world\n");
}

TEST_F(StaticFilesTest, KeepAliveServesSeveralFilesOnOneConnection) {
  HttpClient c = connect();
  std::string reqs;
  for (int i = 0; i < 5; ++i)
    reqs += "GET /static/data.bin HTTP/1.1\r\nHost: t\r\n\r\n";
  ASSERT_TRUE(c.send(reqs));
  for (int i = 0; i < 5; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body.size(), 100000u);
  }
}

// ---- conditional requests
// ----------------------------------------------------

TEST_F(StaticFilesTest, IfNoneMatchIs304WithoutABody) {
  HttpResponse first = get("/static/hello.txt");
  HttpResponse r = get("/static/hello.txt",
                       "If-None-Match: " + first.header("ETag") + "\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 304 Not Modified");
  EXPECT_EQ(r.body, "");
  EXPECT_FALSE(r.has_header("Content-Length"));
  EXPECT_EQ(r.header("ETag"), first.header("ETag"));
  EXPECT_EQ(r.header("Cache-Control"), "public, max-age=3600");
  EXPECT_EQ(get("/static/hello.txt",
                "If-None-Match: \"x\", W/" + first.header("ETag") + "\r\n")
                .status,
            304);
  EXPECT_EQ(get("/static/hello.txt", "If-None-Match: *\r\n").status, 304);
  EXPECT_EQ(get("/static/hello.txt", "If-None-Match: \"x\"\r\n").status, 200);
}

TEST_F(StaticFilesTest, IfModifiedSinceIs304) {
  HttpResponse first = get("/static/hello.txt");
  std::string lm = first.header("Last-Modified");
  EXPECT_EQ(
      get("/static/hello.txt", "If-Modified-Since: " + lm + "\r\n").status,
      304);
  EXPECT_EQ(get("/static/hello.txt",
                "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
                .status,
            200);
  // If-None-Match that does not match wins over a matching date.
  EXPECT_EQ(get("/static/hello.txt",
                "If-None-Match: \"x\"\r\n"
                "If-Modified-Since: " +
                    lm + "\r\n")
                .status,
            200);
}

// ---- ranges
// ------------------------------------------------------------------

TEST_F(StaticFilesTest, SingleRangeIs206) {
  HttpResponse r = get("/static/data.bin", "Range: bytes=1000-1999\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 206 Partial Content");
  EXPECT_EQ(r.header("Content-Range"), "bytes 1000-1999/100000");
  EXPECT_EQ(r.header("Content-Length"), "1000");
  EXPECT_TRUE(same_bytes(pattern(100000).substr(1000, 1000), r.body));
}

TEST_F(StaticFilesTest, SuffixAndOpenRanges) {
  HttpResponse suffix = get("/static/data.bin", "Range: bytes=-500\r\n");
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.header("Content-Range"), "bytes 99500-99999/100000");
  EXPECT_TRUE(same_bytes(pattern(100000).substr(99500), suffix.body));
  HttpResponse open = get("/static/data.bin", "Range: bytes=99000-\r\n");
  EXPECT_EQ(open.status, 206);
  EXPECT_EQ(open.header("Content-Range"), "bytes 99000-99999/100000");
  EXPECT_TRUE(same_bytes(pattern(100000).substr(99000), open.body));
}

TEST_F(StaticFilesTest, UnsatisfiableRangeIs416) {
  HttpResponse r = get("/static/data.bin", "Range: bytes=100000-\r\n");
  EXPECT_EQ(r.status_line, "HTTP/1.1 416 Range Not Satisfiable");
  EXPECT_EQ(r.header("Content-Range"), "bytes */100000");
}

TEST_F(StaticFilesTest, SeveralRangesGetTheWholeFile) {
  HttpResponse r = get("/static/data.bin", "Range: bytes=0-9,100-109\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.has_header("Content-Range"));
  EXPECT_EQ(r.body.size(), 100000u);
}

TEST_F(StaticFilesTest, MalformedRangeIsIgnored) {
  HttpResponse r = get("/static/data.bin", "Range: bytes=9-1\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 100000u);
}

TEST_F(StaticFilesTest, IfRange) {
  std::string etag = get("/static/data.bin").header("ETag");
  EXPECT_EQ(
      get("/static/data.bin", "Range: bytes=0-9\r\nIf-Range: " + etag + "\r\n")
          .status,
      206);
  HttpResponse stale =
      get("/static/data.bin", "Range: bytes=0-9\r\nIf-Range: \"old\"\r\n");
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body.size(), 100000u);
}

// ---- directories
// -------------------------------------------------------------

TEST_F(StaticFilesTest, DirectoryServesItsIndex) {
  EXPECT_EQ(get("/static/").body, "<h1>home</h1>\n");
  HttpResponse r = get("/static/docs/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<h1>docs</h1>\n");
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, DirectoryWithoutSlashRedirects) {
  HttpResponse r = get("/static/docs?x=1");
  EXPECT_EQ(r.status_line, "HTTP/1.1 301 Moved Permanently");
  EXPECT_EQ(r.header("Location"), "/static/docs/?x=1");
}

TEST_F(StaticFilesTest, DirectoryWithoutIndexIs403) {
  EXPECT_EQ(get("/static/noindex/").status, 403);
}

TEST_F(StaticFilesTest, FileWithTrailingSlashIs404) {
  EXPECT_EQ(get("/static/hello.txt/").status, 404);
}

TEST_F(StaticFilesTest, MissingFileIs404) {
  EXPECT_EQ(get("/static/missing.txt").status, 404);
}

// ---- no way out, one spelling per test
// -----------------------------------------

TEST_F(StaticFilesTest, EscapeByDotDot) {
  expect_refused("/static/../secret.txt");
  expect_refused("/static/css/../../secret.txt");
  expect_refused("/static/../../../../../../etc/passwd");
}

TEST_F(StaticFilesTest, EscapeByEncodedDotDot) {
  expect_refused("/static/%2e%2e/secret.txt");
  expect_refused("/static/%2E%2E/%2E%2E/%2E%2E/etc/passwd");
}

TEST_F(StaticFilesTest, EscapeByEncodedSlash) {
  expect_refused("/static/..%2fsecret.txt");
  expect_refused("/static/%2e%2e%2fsecret.txt");
  expect_refused("/static/css%2f..%2f..%2f..%2f..%2fetc%2fpasswd");
}

TEST_F(StaticFilesTest, EscapeByDoubleEncoding) {
  expect_refused("/static/%252e%252e/secret.txt");
  expect_refused("/static/%252e%252e%252fsecret.txt");
}

TEST_F(StaticFilesTest, EscapeByBackslash) {
  expect_refused("/static/..%5csecret.txt");
  expect_refused("/static/..%5c..%5c..%5cetc%5cpasswd");
  expect_refused("/static/..\\secret.txt");  // sent raw
  expect_refused("/static/css\\..\\..\\secret.txt");
}

TEST_F(StaticFilesTest, EscapeByNulByte) {
  expect_refused("/static/hello.txt%00.png");
  expect_refused("/static/..%00/secret.txt");
  expect_refused("/static/%00");
}

TEST_F(StaticFilesTest, EscapeByAbsolutePath) {
  expect_refused("/static//etc/passwd");
  expect_refused("/static/%2fetc%2fpasswd");
  expect_refused("/static/" + tree.secret().string());
}

TEST_F(StaticFilesTest, EscapeBySymlinkPointingOut) {
  tree.symlink("../secret.txt", "leak.txt");
  tree.symlink(tree.secret().string(), "abs-leak.txt");
  tree.symlink("..", "up");
  tree.symlink("/etc", "etc");
  expect_refused("/static/leak.txt");
  expect_refused("/static/abs-leak.txt");
  expect_refused("/static/up/secret.txt");
  expect_refused("/static/etc/passwd");
}

TEST_F(StaticFilesTest, EscapeByOverlongPath) {
  std::string deep = "/static/";
  while (deep.size() < PATH_MAX + 100)
    deep += "aaaaaaaa/";
  HttpResponse r = get(deep + "x");
  EXPECT_EQ(r.status, 414) << r.status_line;
  EXPECT_EQ(get("/static/" + std::string(NAME_MAX + 1, 'a')).status, 404);
}

TEST_F(StaticFilesTest, SymlinkInsideTheRootIsServed) {
  tree.symlink("css/site.css", "alias.css");
  HttpResponse r = get("/static/alias.css");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "body { color: red }\n");
}

TEST_F(StaticFilesTest, DotfilesAreRefused) {
  tree.file(".env", "SECRET=1\n");
  tree.file(".git/config", "[core]\n");
  expect_refused("/static/.env");
  expect_refused("/static/%2eenv");
  expect_refused("/static/.git/config");
}

TEST_F(StaticFilesTest, FifoIsRefusedWithoutBlockingTheWorker) {
  ASSERT_EQ(::mkfifo((tree.root() / "pipe").c_str(), 0644), 0);
  EXPECT_EQ(get("/static/pipe").status, 403);
  EXPECT_EQ(get("/").body, "Hello, world");
}

// ---- precompressed siblings
// ----------------------------------------------------

TEST_F(StaticFilesTest, GzipSiblingForClientsThatAcceptGzip) {
  HttpResponse gz = get("/static/app.js", "Accept-Encoding: gzip, br\r\n");
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(gz.body, "GZIPPED-BYTES");
  EXPECT_EQ(gz.header("Content-Encoding"), "gzip");
  EXPECT_EQ(gz.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(gz.header("Content-Type"), "text/javascript; charset=utf-8");
  HttpResponse plain = get("/static/app.js");
  EXPECT_EQ(plain.body, "console.log('plain')\n");
  EXPECT_FALSE(plain.has_header("Content-Encoding"));
  EXPECT_EQ(plain.header("Vary"), "Accept-Encoding");
  EXPECT_NE(gz.header("ETag"), plain.header("ETag"));
  HttpResponse refused = get("/static/app.js", "Accept-Encoding: gzip;q=0\r\n");
  EXPECT_EQ(refused.body, "console.log('plain')\n");
}

// ---- files that change under a download
// --------------------------------------

// Starts a download of `target` and reads only its head, leaving the body
// queued in the socket buffers.
HttpClient start_download(StaticFilesTest& t, int port,
                          const std::string& target) {
  HttpClient c;
  EXPECT_TRUE(c.connect(port));
  int small = 64 * 1024;
  ::setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  EXPECT_TRUE(c.send(request(target)));
  EXPECT_TRUE(c.receive(5s));
  return c;
}

// Reads the rest of the connection; returns the body bytes received
// (everything after the head).
std::size_t drain(HttpClient& c, Outcome& end) {
  std::string all;
  end = c.read_until_close(all, 20s);
  std::string got = c.leftover() + all;
  std::size_t head = got.find("\r\n\r\n");
  return head == std::string::npos ? 0 : got.size() - head - 4;
}

TEST_F(StaticFilesTest, FileThatShrinksMidSendClosesThatConnectionOnly) {
  constexpr std::size_t kSize = 64 << 20;
  std::filesystem::path big = tree.root() / "big.bin";
  ASSERT_EQ(::truncate(tree.file("big.bin", "").c_str(), kSize), 0);
  std::string before = get("/info").body;
  HttpClient c = start_download(*this, port(), "/static/big.bin");
  ASSERT_NE(c.leftover().find("Content-Length: 67108864"), std::string::npos);
  std::this_thread::sleep_for(100ms);  // the server fills the socket
  ASSERT_EQ(::truncate(big.c_str(), 1 << 20), 0);
  Outcome end;
  std::size_t body = drain(c, end);
  EXPECT_LT(body, kSize) << "the whole body arrived despite the truncation";
  EXPECT_TRUE(end == Outcome::eof || end == Outcome::reset) << describe(end);
  // The worker lives on: same pid, still answering.
  EXPECT_EQ(get("/").body, "Hello, world");
  std::string after = get("/info").body;
  EXPECT_EQ(before.substr(0, before.find(',')),
            after.substr(0, after.find(',')));
}

TEST_F(StaticFilesTest, FileTruncatedToNothingMidSendClosesThatConnection) {
  constexpr std::size_t kSize = 64 << 20;
  std::filesystem::path big = tree.root() / "big.bin";
  ASSERT_EQ(::truncate(tree.file("big.bin", "").c_str(), kSize), 0);
  HttpClient c = start_download(*this, port(), "/static/big.bin");
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(::truncate(big.c_str(), 0), 0);
  Outcome end;
  EXPECT_LT(drain(c, end), kSize);
  EXPECT_EQ(get("/").body, "Hello, world");
}

TEST_F(StaticFilesTest, FileUnlinkedMidSendIsStillSentWhole) {
  // Unlinking removes a name, not the open inode: the download completes
  // with the bytes it started with, as with nginx.
  constexpr std::size_t kSize = 8 << 20;
  std::filesystem::path big = tree.file("big.bin", pattern(kSize));
  HttpClient c = start_download(*this, port(), "/static/big.bin");
  std::this_thread::sleep_for(100ms);
  ASSERT_EQ(::unlink(big.c_str()), 0);
  Outcome end;
  EXPECT_EQ(drain(c, end), kSize);
  EXPECT_EQ(get("/static/big.bin").status, 404);
}

// ---- a 1 GiB download on a one-worker server
// ----------------------------------

TEST_F(StaticFilesTest,
       GigabyteStreamsWithFlatRssWhileTheWorkerStaysResponsive) {
  constexpr std::uint64_t kSize = 1ull << 30;
  ASSERT_EQ(::truncate(tree.file("huge.bin", "").c_str(), kSize), 0);
  std::set<pid_t> workers = server().workers();
  ASSERT_EQ(workers.size(), 1u) << "expected one worker under the master";
  pid_t worker = *workers.begin();
  ASSERT_EQ(get("/").body, "Hello, world");  // warm
  long rss_before = resident_kb(worker);
  ASSERT_GT(rss_before, 0);

  std::atomic<bool> done{false};
  std::uint64_t received = 0;
  std::string head;
  bool timed_out = false;
  auto started = Clock::now();
  Clock::duration took{};
  std::thread download([&] {
    HttpClient c;
    if (!c.connect(port()) || !c.send(request("/static/huge.bin"))) {
      done = true;
      return;
    }
    std::vector<char> buf(1 << 20);
    auto deadline = Clock::now() + 30s;
    bool in_head = true;
    for (;;) {
      if (Clock::now() > deadline) {
        timed_out = true;
        break;
      }
      pollfd p{c.fd(), POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      ssize_t n = ::recv(c.fd(), buf.data(), buf.size(), 0);
      if (n <= 0) break;
      if (in_head) {
        head.append(buf.data(), static_cast<std::size_t>(n));
        std::size_t end = head.find("\r\n\r\n");
        if (end == std::string::npos) continue;
        received = head.size() - end - 4;
        head.resize(end);
        in_head = false;
      } else {
        received += static_cast<std::uint64_t>(n);
      }
    }
    took = Clock::now() - started;
    done = true;
  });

  long rss_max = rss_before;
  Clock::duration worst{};
  int probes = 0;
  while (!done) {
    rss_max = std::max(rss_max, resident_kb(worker));
    auto t0 = Clock::now();
    std::optional<HttpResponse> r = test::get(port(), "/");
    auto latency = Clock::now() - t0;
    if (done) break;  // only probes that overlapped the download count
    ASSERT_TRUE(r) << "GET / got no answer during the download";
    EXPECT_EQ(r->body, "Hello, world");
    worst = std::max(worst, latency);
    ++probes;
    std::this_thread::sleep_for(20ms);
  }
  download.join();

  auto ms = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  EXPECT_FALSE(timed_out) << "the download took over 30 s";
  EXPECT_NE(head.find("HTTP/1.1 200 OK"), std::string::npos) << head;
  EXPECT_EQ(received, kSize);
  EXPECT_GE(probes, 1);
  EXPECT_LT(ms(worst), 200)
      << "GET / took " << ms(worst) << " ms during the download";
  EXPECT_LT(rss_max - rss_before, 20 * 1024)
      << "worker RSS grew from " << rss_before << " kB to " << rss_max << " kB";
  std::printf(
      "[ info     ] 1 GiB in %lld ms; %d probes of GET /, worst %lld "
      "ms; worker RSS %ld -> max %ld kB\n",
      static_cast<long long>(ms(took)), probes,
      static_cast<long long>(ms(worst)), rss_before, rss_max);
}

// ---- the repository's own public/
// ------------------------------------------------

class PublicDirTest : public GaleTest {
 protected:
  ServerOptions options() override {
    std::filesystem::path repo = GALE_SOURCE_DIR;
    ServerOptions o;
    o.extra_args = {"--static-root", (repo / "public").string()};
    return o;
  }
};

TEST_F(PublicDirTest, ServesTheDemoPage) {
  HttpResponse page = fetch_ok(request("/static/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("gale"), std::string::npos);
  EXPECT_NE(page.body.find("/hello/world"), std::string::npos);
  HttpResponse css = fetch_ok(request("/static/style.css"));
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("Content-Type"), "text/css; charset=utf-8");
}

}  // namespace
}  // namespace gale::itest
