// StaticFileHandler over an in-memory response channel: each test parses a
// raw request, routes it through "/static/{path:path}" as the connection
// would (so percent-decoding happens exactly once, in the router), runs the
// handler and looks at the status, the fields and the file range queued.
#include "server/static/static_file_handler.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <ctime>
#include <map>
#include <string>
#include <thread>

#include "server/http/date_cache.hpp"
#include "server/web/application.hpp"
#include "server/web/testing/handler_harness.hpp"
#include "tests/server/static/static_tree.hpp"
#include "tests/support/unprivileged.hpp"

namespace gale {
namespace {

using testing::kSecret;
using testing::StaticTree;

// What the handler produced.
struct Response {
  int status = 0;
  std::map<std::string, std::string> fields;  // lower-cased names
  std::optional<std::uint64_t> content_length;
  std::string body;       // memory body (error pages)
  std::string file_body;  // bytes of the file ranges queued
  int file_ranges = 0;
  bool ended = false;

  bool has(const std::string& name) const { return fields.count(name) > 0; }
  std::string field(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string() : it->second;
  }
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The Response of what the harness recorded: repeated fields are an error,
// and the file ranges queued are read back.
Response received(const testing::SentResponse& sent) {
  Response r;
  r.status = sent.status;
  for (const auto& [name, value] : sent.fields) {
    EXPECT_EQ(r.fields.count(lower(name)), 0u) << "repeated " << name;
    r.fields[lower(name)] = value;
  }
  r.content_length = sent.length;
  r.body = sent.body();
  for (const testing::SentResponse::File& f : sent.files) {
    ++r.file_ranges;
    std::string buf(f.length, '\0');
    ssize_t n = ::pread(f.file->get(), buf.data(), f.length,
                        static_cast<off_t>(f.offset));
    EXPECT_EQ(n, static_cast<ssize_t>(f.length));
    r.file_body += buf;
  }
  r.ended = sent.ends == 1;
  EXPECT_EQ(sent.aborts, 0) << "aborted";
  return r;
}

class StaticFileHandlerTest : public ::testing::Test {
 protected:
  StaticFileHandlerTest() {
    tree.file("index.html", "<h1>home</h1>");
    tree.file("hello.txt", "Hello, static world\n");
    tree.file("css/site.css", "body { color: red }\n");
    tree.file("digits.bin", "0123456789");
    tree.file("empty.txt", "");
    tree.dir("noindex");
    tree.file("docs/index.html", "<h1>docs</h1>");
  }

  // Serves `target` (as sent on the wire, still encoded) with `fields`.
  Response get(const std::string& target, const std::string& fields = "",
               const std::string& method = "GET") {
    return request(method + " " + target + " HTTP/1.1\r\nHost: x\r\n" + fields +
                   "\r\n");
  }
  Response head(const std::string& target, const std::string& fields = "") {
    return get(target, fields, "HEAD");
  }

  // Routes `raw` through "/static/{path:path}" as the connection would (no
  // route: the 404 the connection answers).
  Response request(const std::string& raw) {
    if (!root) root = std::make_shared<const StaticRoot>(options());
    Application app;
    app.add({"/static/{path:path}", handler<StaticFileHandler>(root)});
    Response r = received(testing::fetch(app, raw));
    EXPECT_TRUE(r.ended);
    EXPECT_EQ(r.body.find(kSecret), std::string::npos);
    EXPECT_EQ(r.file_body.find(kSecret), std::string::npos);
    return r;
  }

  StaticFileOptions options() const {
    StaticFileOptions o = base;
    o.root = tree.root().string();
    return o;
  }
  // Changes options for the requests that follow.
  void reconfigure(StaticFileOptions o) {
    base = std::move(o);
    root.reset();
  }

  struct stat stat_of(const std::string& name) const {
    struct stat st {};
    EXPECT_EQ(::stat((tree.root() / name).c_str(), &st), 0);
    return st;
  }
  static std::string http_date(std::time_t t) {
    char buf[32];
    format_http_date(t, buf);
    return buf;
  }

  StaticTree tree;
  StaticFileOptions base;
  std::shared_ptr<const StaticRoot> root;
};

// ---- 200 ------------------------------------------------------------------

TEST_F(StaticFileHandlerTest, ServesAFileWithEveryField) {
  tree.set_mtime("hello.txt", 784111777, 123);
  Response r = get("/static/hello.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_body, "Hello, static world\n");
  EXPECT_EQ(r.file_ranges, 1);
  EXPECT_EQ(r.content_length, 20u);
  EXPECT_EQ(r.field("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r.field("last-modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(r.field("cache-control"), "public, max-age=3600");
  EXPECT_EQ(r.field("accept-ranges"), "bytes");
  struct stat st = stat_of("hello.txt");
  char expected[96];
  std::snprintf(expected, sizeof expected, "\"%llx-14-%llx\"",
                static_cast<unsigned long long>(st.st_ino),
                784111777ULL * 1000000000ULL + 123);
  EXPECT_EQ(r.field("etag"), expected);
  EXPECT_FALSE(r.has("vary"));
  EXPECT_FALSE(r.has("content-encoding"));
}

TEST_F(StaticFileHandlerTest, ContentTypeComesFromTheExtension) {
  EXPECT_EQ(get("/static/css/site.css").field("content-type"),
            "text/css; charset=utf-8");
  EXPECT_EQ(get("/static/digits.bin").field("content-type"),
            "application/octet-stream");
}

TEST_F(StaticFileHandlerTest, EmptyFile) {
  Response r = get("/static/empty.txt");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_length, 0u);
  EXPECT_EQ(r.file_body, "");
  // A range of nothing is answered with the (empty) whole.
  EXPECT_EQ(get("/static/empty.txt", "Range: bytes=0-\r\n").status, 200);
}

TEST_F(StaticFileHandlerTest, HeadSendsTheSameFields) {
  Response g = get("/static/hello.txt");
  Response h = head("/static/hello.txt");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.fields, g.fields);
  EXPECT_EQ(h.content_length, 20u);
  // The connection drops a HEAD's body; the handler queues it the same.
}

TEST_F(StaticFileHandlerTest, CacheControlIsConfigurableAndCanBeOff) {
  StaticFileOptions o;
  o.cache_control = "no-cache";
  reconfigure(o);
  EXPECT_EQ(get("/static/hello.txt").field("cache-control"), "no-cache");
  o.cache_control = "";
  reconfigure(o);
  EXPECT_FALSE(get("/static/hello.txt").has("cache-control"));
}

TEST_F(StaticFileHandlerTest, EtagChangesWhenTheFileChanges) {
  std::string before = get("/static/hello.txt").field("etag");
  tree.file("hello.txt", "Hello, static world\n");  // same bytes, new mtime
  tree.set_mtime("hello.txt", 1000, 1);
  std::string after = get("/static/hello.txt").field("etag");
  EXPECT_NE(before, after);
}

TEST_F(StaticFileHandlerTest, ChangesAreSeenDespiteTheOpenFileCache) {
  EXPECT_EQ(get("/static/hello.txt").file_body, "Hello, static world\n");
  // Rewritten in place: the cached descriptor is re-stat'ed.
  tree.file("hello.txt", "v2");
  Response r = get("/static/hello.txt");
  EXPECT_EQ(r.file_body, "v2");
  EXPECT_EQ(r.content_length, 2u);
  // Replaced by a rename: the old inode has no name left.
  tree.file("tmp.txt", "v3");
  std::filesystem::rename(tree.root() / "tmp.txt", tree.root() / "hello.txt");
  EXPECT_EQ(get("/static/hello.txt").file_body, "v3");
  // Deleted: 404 at once, not a second later.
  std::filesystem::remove(tree.root() / "hello.txt");
  EXPECT_EQ(get("/static/hello.txt").status, 404);
  EXPECT_GT(root->cache().hits(), 0u);
}

TEST_F(StaticFileHandlerTest, ANewFileAppearsWithinTheCacheValidity) {
  StaticFileOptions o;
  o.open_file_cache_valid = std::chrono::milliseconds(50);
  reconfigure(o);
  EXPECT_EQ(get("/static/new.txt").status, 404);
  tree.file("new.txt", "new");
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(get("/static/new.txt").file_body, "new");
}

TEST_F(StaticFileHandlerTest, WithoutTheCacheEveryRequestLooksAgain) {
  StaticFileOptions o;
  o.open_file_cache_slots = 0;
  reconfigure(o);
  EXPECT_EQ(get("/static/new.txt").status, 404);
  tree.file("new.txt", "new");
  EXPECT_EQ(get("/static/new.txt").file_body, "new");
  EXPECT_EQ(root->cache().hits(), 0u);
}

TEST_F(StaticFileHandlerTest, PostIsNotAllowed) {
  Response r = get("/static/hello.txt", "", "DELETE");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.field("allow"), "GET, HEAD");
}

// ---- conditional requests ---------------------------------------------------

TEST_F(StaticFileHandlerTest, IfNoneMatchGives304WithValidatorsAndNoBody) {
  Response first = get("/static/hello.txt");
  std::string etag = first.field("etag");
  Response r = get("/static/hello.txt", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.file_ranges, 0);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.field("etag"), etag);
  EXPECT_EQ(r.field("last-modified"), first.field("last-modified"));
  EXPECT_EQ(r.field("cache-control"), first.field("cache-control"));
  EXPECT_FALSE(r.has("content-type"));
}

TEST_F(StaticFileHandlerTest, IfNoneMatchListWeakAndStar) {
  std::string etag = get("/static/hello.txt").field("etag");
  EXPECT_EQ(
      get("/static/hello.txt", "If-None-Match: \"nope\", W/" + etag + "\r\n")
          .status,
      304);
  EXPECT_EQ(get("/static/hello.txt", "If-None-Match: *\r\n").status, 304);
  EXPECT_EQ(get("/static/hello.txt", "If-None-Match: \"nope\"\r\n").status,
            200);
  EXPECT_EQ(head("/static/hello.txt", "If-None-Match: " + etag + "\r\n").status,
            304);
}

TEST_F(StaticFileHandlerTest, IfModifiedSince) {
  tree.set_mtime("hello.txt", 784111777, 999999999);
  EXPECT_EQ(get("/static/hello.txt",
                "If-Modified-Since: " + http_date(784111777) + "\r\n")
                .status,
            304);
  EXPECT_EQ(get("/static/hello.txt",
                "If-Modified-Since: " + http_date(784111776) + "\r\n")
                .status,
            200);
  EXPECT_EQ(get("/static/hello.txt", "If-Modified-Since: garbage\r\n").status,
            200);
}

TEST_F(StaticFileHandlerTest, IfNoneMatchTakesPrecedenceOverIfModifiedSince) {
  tree.set_mtime("hello.txt", 784111777);
  Response r = get("/static/hello.txt",
                   "If-None-Match: \"stale\"\r\nIf-Modified-Since: " +
                       http_date(784111777 + 100) + "\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_body, "Hello, static world\n");
}

TEST_F(StaticFileHandlerTest, IfMatchFailureIs412) {
  Response r = get("/static/hello.txt", "If-Match: \"other\"\r\n");
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(r.file_ranges, 0);
}

// ---- ranges -----------------------------------------------------------------

TEST_F(StaticFileHandlerTest, SingleRangeIs206) {
  Response r = get("/static/digits.bin", "Range: bytes=2-5\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.file_body, "2345");
  EXPECT_EQ(r.content_length, 4u);
  EXPECT_EQ(r.field("content-range"), "bytes 2-5/10");
  EXPECT_EQ(r.field("content-type"), "application/octet-stream");
  EXPECT_TRUE(r.has("etag"));
}

TEST_F(StaticFileHandlerTest, SuffixAndOpenRanges) {
  Response suffix = get("/static/digits.bin", "Range: bytes=-3\r\n");
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.file_body, "789");
  EXPECT_EQ(suffix.field("content-range"), "bytes 7-9/10");
  Response open = get("/static/digits.bin", "Range: bytes=6-\r\n");
  EXPECT_EQ(open.status, 206);
  EXPECT_EQ(open.file_body, "6789");
  EXPECT_EQ(open.field("content-range"), "bytes 6-9/10");
  Response clamped = get("/static/digits.bin", "Range: bytes=8-100\r\n");
  EXPECT_EQ(clamped.file_body, "89");
  EXPECT_EQ(clamped.field("content-range"), "bytes 8-9/10");
  Response all = get("/static/digits.bin", "Range: bytes=-100\r\n");
  EXPECT_EQ(all.status, 206);
  EXPECT_EQ(all.file_body, "0123456789");
}

TEST_F(StaticFileHandlerTest, UnsatisfiableRangeIs416WithTheSize) {
  Response r = get("/static/digits.bin", "Range: bytes=10-\r\n");
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.field("content-range"), "bytes */10");
  EXPECT_EQ(r.file_ranges, 0);
  EXPECT_EQ(get("/static/digits.bin", "Range: bytes=-0\r\n").status, 416);
}

TEST_F(StaticFileHandlerTest, SeveralRangesGetTheWholeFile) {
  Response r = get("/static/digits.bin", "Range: bytes=0-1,4-5\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_body, "0123456789");
  EXPECT_FALSE(r.has("content-range"));
}

TEST_F(StaticFileHandlerTest, MalformedRangeIsIgnored) {
  for (const char* range : {"bytes=5-2", "bytes=x-", "lines=1-2", "bytes"}) {
    Response r =
        get("/static/digits.bin", std::string("Range: ") + range + "\r\n");
    EXPECT_EQ(r.status, 200) << range;
    EXPECT_EQ(r.file_body, "0123456789") << range;
  }
}

TEST_F(StaticFileHandlerTest, HeadIgnoresRange) {
  Response r = head("/static/digits.bin", "Range: bytes=0-1\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_length, 10u);
}

TEST_F(StaticFileHandlerTest, IfRangeWithTheCurrentEtagHonoursTheRange) {
  std::string etag = get("/static/digits.bin").field("etag");
  Response r = get("/static/digits.bin",
                   "Range: bytes=0-1\r\nIf-Range: " + etag + "\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.file_body, "01");
}

TEST_F(StaticFileHandlerTest, IfRangeWithAnOldEtagSendsTheWholeFile) {
  Response r =
      get("/static/digits.bin", "Range: bytes=0-1\r\nIf-Range: \"old\"\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_body, "0123456789");
}

TEST_F(StaticFileHandlerTest, IfRangeWithADate) {
  tree.set_mtime("digits.bin", 784111777);
  Response same =
      get("/static/digits.bin",
          "Range: bytes=0-1\r\nIf-Range: " + http_date(784111777) + "\r\n");
  EXPECT_EQ(same.status, 206);
  Response other =
      get("/static/digits.bin",
          "Range: bytes=0-1\r\nIf-Range: " + http_date(784111778) + "\r\n");
  EXPECT_EQ(other.status, 200);
}

// ---- directories ------------------------------------------------------------

TEST_F(StaticFileHandlerTest, DirectoryServesItsIndex) {
  Response r = get("/static/docs/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_body, "<h1>docs</h1>");
  EXPECT_EQ(r.field("content-type"), "text/html; charset=utf-8");
  Response top = get("/static/");
  EXPECT_EQ(top.status, 200);
  EXPECT_EQ(top.file_body, "<h1>home</h1>");
}

TEST_F(StaticFileHandlerTest, DirectoryWithoutSlashIsRedirected) {
  Response r = get("/static/docs");
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(r.field("location"), "/static/docs/");
  Response q = get("/static/docs?lang=en&x=%20");
  EXPECT_EQ(q.status, 301);
  EXPECT_EQ(q.field("location"), "/static/docs/?lang=en&x=%20");
  // The encoded spelling is kept in the Location.
  tree.dir("a b");
  EXPECT_EQ(get("/static/a%20b").field("location"), "/static/a%20b/");
}

TEST_F(StaticFileHandlerTest, DirectoryWithoutIndexIs403) {
  EXPECT_EQ(get("/static/noindex/").status, 403);
  StaticFileOptions o;
  o.index = "";
  reconfigure(o);
  EXPECT_EQ(get("/static/docs/").status, 403);
}

TEST_F(StaticFileHandlerTest, IndexNameIsConfigurable) {
  tree.file("docs/default.htm", "<p>default</p>");
  StaticFileOptions o;
  o.index = "default.htm";
  reconfigure(o);
  EXPECT_EQ(get("/static/docs/").file_body, "<p>default</p>");
}

TEST_F(StaticFileHandlerTest, IndexThatIsADirectoryIs403) {
  tree.dir("weird/index.html");
  EXPECT_EQ(get("/static/weird/").status, 403);
}

TEST_F(StaticFileHandlerTest, FileWithTrailingSlashIs404) {
  EXPECT_EQ(get("/static/hello.txt/").status, 404);
}

TEST_F(StaticFileHandlerTest, MissingFileIs404) {
  EXPECT_EQ(get("/static/nope.txt").status, 404);
  EXPECT_EQ(get("/static/nope/").status, 404);
  EXPECT_EQ(get("/static/hello.txt/more").status, 404);
}

TEST_F(StaticFileHandlerTest, FifoIs403AndDoesNotBlock) {
  ASSERT_EQ(::mkfifo((tree.root() / "pipe").c_str(), 0644), 0);
  EXPECT_EQ(get("/static/pipe").status, 403);
}

TEST_F(StaticFileHandlerTest, UnreadableFileIs403) {
  tree.file("private.txt", "x");
  ::chmod((tree.root() / "private.txt").c_str(), 0);
  // Root reads every file: as root the check runs as user nobody.
  tree.make_traversable();
  std::string why_not = test::run_unprivileged(
      [&] { EXPECT_EQ(get("/static/private.txt").status, 403); },
      {tree.root() / "private.txt"});
  if (!why_not.empty()) GTEST_SKIP() << why_not;
}

// ---- escapes, one spelling per test ----------------------------------------

class StaticEscapeTest : public StaticFileHandlerTest {
 protected:
  // Never 200 and never 500, and never the secret's bytes (checked in
  // request()).
  void expect_refused(const std::string& target) {
    Response r = get(target);
    EXPECT_TRUE(r.status == 403 || r.status == 404 || r.status == 414)
        << target << " -> " << r.status;
    EXPECT_EQ(r.file_ranges, 0) << target;
  }
};

TEST_F(StaticEscapeTest, DotDot) {
  expect_refused("/static/../secret.txt");
  expect_refused("/static/css/../../secret.txt");
}

TEST_F(StaticEscapeTest, EncodedDotDot) {
  expect_refused("/static/%2e%2e/secret.txt");
  expect_refused("/static/%2E%2E/secret.txt");
  expect_refused("/static/.%2e/secret.txt");
}

TEST_F(StaticEscapeTest, EncodedSlash) {
  expect_refused("/static/..%2fsecret.txt");
  expect_refused("/static/%2e%2e%2fsecret.txt");
  expect_refused("/static/css%2f..%2f..%2fsecret.txt");
}

TEST_F(StaticEscapeTest, DoubleEncodingIsDecodedOnlyOnce) {
  // %252e%252e decodes once to the literal name "%2e%2e", not to "..".
  expect_refused("/static/%252e%252e/secret.txt");
  expect_refused("/static/%252e%252e%252fsecret.txt");
}

TEST_F(StaticEscapeTest, ADoubleEncodedDotDotIsALiteralName) {
  // A file really named "%2e%2e" is served: it is a name, not a climb.
  tree.file("%2e%2e/secret.txt", "decoy");
  EXPECT_EQ(get("/static/%252e%252e/secret.txt").file_body, "decoy");
}

TEST_F(StaticEscapeTest, Backslash) {
  expect_refused("/static/..\\secret.txt");
  expect_refused("/static/..%5csecret.txt");
  expect_refused("/static/css%5c..%5c..%5csecret.txt");
}

TEST_F(StaticEscapeTest, NulByte) {
  expect_refused("/static/hello.txt%00.png");
  expect_refused("/static/%00");
  expect_refused("/static/../secret.txt%00");
}

TEST_F(StaticEscapeTest, AbsolutePath) {
  expect_refused("/static//etc/passwd");
  expect_refused("/static/%2fetc/passwd");
  expect_refused("/static/" + tree.secret().string());
  expect_refused("/static/%2f" + tree.secret().string().substr(1));
}

TEST_F(StaticEscapeTest, OverlongPath) {
  std::string deep = "/static/";
  while (deep.size() < PATH_MAX + 100)
    deep += "aaaaaaaa/";
  EXPECT_EQ(get(deep + "x").status, 414);
  EXPECT_EQ(get("/static/" + std::string(NAME_MAX + 1, 'a')).status, 404);
}

TEST_F(StaticEscapeTest, SymlinkOutOfTheRoot) {
  tree.symlink("../secret.txt", "leak.txt");
  tree.symlink(tree.secret().string(), "abs-leak.txt");
  tree.symlink("..", "up");
  expect_refused("/static/leak.txt");
  expect_refused("/static/abs-leak.txt");
  expect_refused("/static/up/secret.txt");
  expect_refused("/static/up/");
}

TEST_F(StaticEscapeTest, SymlinkOutOfTheRootWithTheRealpathFallback) {
  tree.symlink("../secret.txt", "leak.txt");
  tree.symlink("..", "up");
  StaticFileOptions o;
  o.open_strategy = SafeRoot::Strategy::realpath;
  reconfigure(o);
  expect_refused("/static/leak.txt");
  expect_refused("/static/up/secret.txt");
  EXPECT_EQ(get("/static/hello.txt").status, 200);
}

TEST_F(StaticEscapeTest, SymlinkInsideTheRootIsServed) {
  tree.symlink("css/site.css", "alias.css");
  tree.symlink("docs", "manual");
  Response r = get("/static/alias.css");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_body, "body { color: red }\n");
  EXPECT_EQ(r.field("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(get("/static/manual/").file_body, "<h1>docs</h1>");
}

TEST_F(StaticEscapeTest, DotfilesAreRefusedByDefault) {
  tree.file(".env", "SECRET=1");
  tree.file(".git/config", "[core]");
  tree.file(".well-known/security.txt", "Contact: x");
  expect_refused("/static/.env");
  expect_refused("/static/%2eenv");
  expect_refused("/static/.git/config");
  expect_refused("/static/.well-known/security.txt");
  StaticFileOptions o;
  o.dotfiles = Dotfiles::allow;
  reconfigure(o);
  EXPECT_EQ(get("/static/.well-known/security.txt").file_body, "Contact: x");
  expect_refused("/static/../secret.txt");
}

// ---- precompressed siblings -------------------------------------------------

class StaticGzipTest : public StaticFileHandlerTest {
 protected:
  StaticGzipTest() {
    tree.file("app.js", "console.log('plain')");
    tree.file("app.js.gz", "GZIPPED-BYTES");
    tree.set_mtime("app.js", 1000000);
    tree.set_mtime("app.js.gz", 1000001);
  }
};

TEST_F(StaticGzipTest, ClientThatAcceptsGzipGetsTheSibling) {
  Response r = get("/static/app.js", "Accept-Encoding: gzip, br\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.file_body, "GZIPPED-BYTES");
  EXPECT_EQ(r.content_length, 13u);
  EXPECT_EQ(r.field("content-encoding"), "gzip");
  EXPECT_EQ(r.field("vary"), "Accept-Encoding");
  EXPECT_EQ(r.field("content-type"), "text/javascript; charset=utf-8");
}

TEST_F(StaticGzipTest, OtherClientsGetThePlainFileWithVary) {
  for (const char* fields :
       {"", "Accept-Encoding: br\r\n", "Accept-Encoding: gzip;q=0\r\n",
        "Accept-Encoding: identity\r\n"}) {
    Response r = get("/static/app.js", fields);
    EXPECT_EQ(r.file_body, "console.log('plain')") << fields;
    EXPECT_FALSE(r.has("content-encoding")) << fields;
    EXPECT_EQ(r.field("vary"), "Accept-Encoding") << fields;
  }
}

TEST_F(StaticGzipTest, TheTwoVariantsHaveDifferentEtags) {
  Response gz = get("/static/app.js", "Accept-Encoding: gzip\r\n");
  Response plain = get("/static/app.js");
  EXPECT_NE(gz.field("etag"), plain.field("etag"));
  // Each validates only itself.
  EXPECT_EQ(get("/static/app.js", "Accept-Encoding: gzip\r\nIf-None-Match: " +
                                      gz.field("etag") + "\r\n")
                .status,
            304);
  EXPECT_EQ(get("/static/app.js", "If-None-Match: " + gz.field("etag") + "\r\n")
                .status,
            200);
}

TEST_F(StaticGzipTest, RangesApplyToTheGzipBytes) {
  Response r =
      get("/static/app.js", "Accept-Encoding: gzip\r\nRange: bytes=0-3\r\n");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.file_body, "GZIP");
  EXPECT_EQ(r.field("content-range"), "bytes 0-3/13");
}

TEST_F(StaticGzipTest, AnOlderSiblingIsIgnored) {
  tree.set_mtime("app.js.gz", 999999);
  Response r = get("/static/app.js", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(r.file_body, "console.log('plain')");
  EXPECT_FALSE(r.has("content-encoding"));
  EXPECT_FALSE(r.has("vary"));
}

TEST_F(StaticGzipTest, ASiblingThatIsNotARegularFileIsIgnored) {
  tree.file("lib.js", "plain");
  tree.dir("lib.js.gz");
  Response r = get("/static/lib.js", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(r.file_body, "plain");
  EXPECT_FALSE(r.has("vary"));
}

TEST_F(StaticGzipTest, ASiblingSymlinkedOutOfTheRootIsIgnored) {
  tree.file("lib.js", "plain");
  tree.symlink("../secret.txt", "lib.js.gz");
  Response r = get("/static/lib.js", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(r.file_body, "plain");
  EXPECT_FALSE(r.has("content-encoding"));
}

TEST_F(StaticGzipTest, NoSiblingNoVary) {
  Response r = get("/static/hello.txt", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(r.file_body, "Hello, static world\n");
  EXPECT_FALSE(r.has("vary"));
}

TEST_F(StaticGzipTest, TheGzFileItselfIsServedAsIs) {
  Response r = get("/static/app.js.gz", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(r.file_body, "GZIPPED-BYTES");
  EXPECT_EQ(r.field("content-type"), "application/gzip");
  EXPECT_FALSE(r.has("content-encoding"));
}

TEST_F(StaticGzipTest, DirectoryIndexHasASiblingToo) {
  tree.file("docs/index.html.gz", "GZ-INDEX");
  Response r = get("/static/docs/", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(r.file_body, "GZ-INDEX");
  EXPECT_EQ(r.field("content-type"), "text/html; charset=utf-8");
}

TEST_F(StaticGzipTest, CanBeTurnedOff) {
  StaticFileOptions o;
  o.gzip_static = false;
  reconfigure(o);
  Response r = get("/static/app.js", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(r.file_body, "console.log('plain')");
  EXPECT_FALSE(r.has("vary"));
}

// ---- the API ----------------------------------------------------------------

TEST(StaticRoot, MissingRootThrowsAtConstruction) {
  StaticFileOptions o;
  o.root = "/nonexistent/gale/static/root";
  EXPECT_THROW(static_files(o), std::system_error);
}

TEST(StaticRoot, AnyPrefixAndSeveralRoots) {
  StaticTree a, b;
  a.file("x.txt", "from a");
  b.file("x.txt", "from b");
  Application app;
  StaticFileOptions oa, ob;
  oa.root = a.root().string();
  ob.root = b.root().string();
  app.add({"/a/{path:path}", static_files(oa)});
  app.add({"/deep/b/{path:path}", static_files(ob)});
  PathArgs args;
  EXPECT_NE(app.router().match("/a/x.txt", args), nullptr);
  EXPECT_EQ(*args.find("path"), "x.txt");
  EXPECT_NE(app.router().match("/deep/b/x.txt", args), nullptr);
  EXPECT_TRUE(app.router()
                  .match("/a/x.txt", args)
                  ->factory()
                  .methods.contains(Method::head));
}

}  // namespace
}  // namespace gale
