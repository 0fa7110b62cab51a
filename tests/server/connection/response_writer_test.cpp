// ResponseWriter: HTTP/1.1 response framing in memory, byte for byte: the
// status line and common fields, Content-Length vs chunked vs
// close-delimited, HEAD, bodiless statuses, the handler's framing fields
// dropped, and every keep-alive decision.
#include "server/connection/response_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>

namespace gale {
namespace {

constexpr std::string_view kDate = "Wed, 02 Dec 2026 17:00:00 GMT";
constexpr std::string_view kCommon =
    "Server: gale\r\nDate: Wed, 02 Dec 2026 17:00:00 GMT\r\n";

std::string queued(OutputQueue& q) {
  std::string out;
  while (!q.empty()) {
    if (q.front_is_file()) {
      OutputQueue::FileRange f = q.front_file();
      out += "<file " + std::to_string(f.offset) + "+" +
             std::to_string(f.length) + ">";
      q.consume(f.length);
      continue;
    }
    iovec iov[OutputQueue::kMaxIov];
    int n = q.gather(iov);
    std::uint64_t bytes = 0;
    for (int i = 0; i < n; ++i) {
      out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      bytes += iov[i].iov_len;
    }
    q.consume(bytes);
  }
  return out;
}

RequestHead request(Method method = Method::get, unsigned minor = 1,
                    bool keep_alive = true) {
  RequestHead h;
  h.method = method;
  h.version_minor = minor;
  h.keep_alive = keep_alive;
  return h;
}

struct Writer {
  OutputQueue out;
  std::string scratch;
  ResponseWriter writer{out, scratch};
};

std::string head(std::string_view status, std::string_view fields) {
  return "HTTP/1.1 " + std::string(status) + "\r\n" + std::string(kCommon) +
         std::string(fields) + "\r\n";
}

TEST(ResponseWriterTest, FixedLengthResponseKeepsTheConnection) {
  Writer w;
  w.writer.begin(request());
  ResponseHeaders fields;
  fields.set("Content-Type", "text/plain");
  w.writer.start(200, "OK", fields, 5, kDate, true);
  w.writer.body(std::string_view("hello"));
  w.writer.end();
  EXPECT_EQ(
      queued(w.out),
      head("200 OK", "Content-Type: text/plain\r\nContent-Length: 5\r\n") +
          "hello");
  EXPECT_TRUE(w.writer.keep_alive());
  EXPECT_EQ(w.writer.status(), 200);
  EXPECT_EQ(w.writer.body_bytes(), 5u);
}

TEST(ResponseWriterTest, StreamedHttp11BodyIsChunked) {
  Writer w;
  w.writer.begin(request());
  w.writer.start(200, "OK", {}, std::nullopt, kDate, true);
  w.writer.body(std::string_view("hello"));
  w.writer.body(std::string(20, 'x'));
  w.writer.end();
  EXPECT_EQ(queued(w.out), head("200 OK", "Transfer-Encoding: chunked\r\n") +
                               "5\r\nhello\r\n14\r\n" + std::string(20, 'x') +
                               "\r\n0\r\n\r\n");
  EXPECT_TRUE(w.writer.keep_alive());
  EXPECT_EQ(w.writer.body_bytes(), 25u);
}

TEST(ResponseWriterTest, StreamedHttp10BodyIsDelimitedByClose) {
  Writer w;
  w.writer.begin(request(Method::get, 0, true));
  w.writer.start(200, "OK", {}, std::nullopt, kDate, true);
  w.writer.body(std::string_view("abc"));
  w.writer.end();
  EXPECT_EQ(queued(w.out), head("200 OK", "Connection: close\r\n") + "abc");
  EXPECT_FALSE(w.writer.keep_alive());
}

TEST(ResponseWriterTest, Http10KeepAliveIsSaidExplicitly) {
  Writer w;
  w.writer.begin(request(Method::get, 0, true));
  w.writer.start(200, "OK", {}, 0, kDate, true);
  w.writer.end();
  EXPECT_EQ(queued(w.out),
            head("200 OK", "Content-Length: 0\r\nConnection: keep-alive\r\n"));
  EXPECT_TRUE(w.writer.keep_alive());
}

TEST(ResponseWriterTest, HeadGetsTheGetFieldsAndNoBody) {
  Writer w;
  w.writer.begin(request(Method::head));
  w.writer.start(200, "OK", {}, 5, kDate, true);
  w.writer.body(std::string_view("hello"));
  w.writer.end();
  EXPECT_EQ(queued(w.out), head("200 OK", "Content-Length: 5\r\n"));
  EXPECT_EQ(w.writer.body_bytes(), 5u);  // what the access log reports
}

TEST(ResponseWriterTest, HeadOfAStreamedResponseSendsNoChunks) {
  Writer w;
  w.writer.begin(request(Method::head));
  w.writer.start(200, "OK", {}, std::nullopt, kDate, true);
  w.writer.body(std::string_view("hello"));
  w.writer.end();
  EXPECT_EQ(queued(w.out), head("200 OK", "Transfer-Encoding: chunked\r\n"));
}

TEST(ResponseWriterTest, BodilessStatusesSendNoBodyOrFraming) {
  for (int status : {204, 304}) {
    Writer w;
    w.writer.begin(request());
    w.writer.start(status, "X", {}, std::nullopt, kDate, true);
    w.writer.body(std::string_view("ignored"));
    w.writer.end();
    EXPECT_EQ(queued(w.out), head(std::to_string(status) + " X", "")) << status;
    EXPECT_TRUE(w.writer.keep_alive());
  }
}

TEST(ResponseWriterTest, TheHandlersFramingFieldsAreDropped) {
  Writer w;
  w.writer.begin(request());
  ResponseHeaders fields;
  fields.set("Content-Length", "999");
  fields.set("Transfer-Encoding", "gzip");
  fields.set("Connection", "keep-alive");
  fields.set("X-Kept", "1");
  w.writer.start(200, "OK", fields, 2, kDate, true);
  w.writer.body(std::string_view("ok"));
  EXPECT_EQ(queued(w.out),
            head("200 OK", "X-Kept: 1\r\nContent-Length: 2\r\n") + "ok");
}

TEST(ResponseWriterTest, HandlerConnectionCloseEndsKeepAlive) {
  Writer w;
  w.writer.begin(request());
  ResponseHeaders fields;
  fields.set("Connection", "Close");
  w.writer.start(200, "OK", fields, 0, kDate, true);
  EXPECT_EQ(queued(w.out),
            head("200 OK", "Content-Length: 0\r\nConnection: close\r\n"));
  EXPECT_FALSE(w.writer.keep_alive());
}

TEST(ResponseWriterTest, RequestConnectionCloseEndsKeepAlive) {
  Writer w;
  w.writer.begin(request(Method::get, 1, false));
  w.writer.start(200, "OK", {}, 0, kDate, true);
  EXPECT_FALSE(w.writer.keep_alive());
  EXPECT_NE(queued(w.out).find("Connection: close\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, AConnectionThatMayNotContinueSaysClose) {
  // Draining, or max_keepalive_requests reached.
  Writer w;
  w.writer.begin(request());
  w.writer.start(200, "OK", {}, 0, kDate, false);
  EXPECT_FALSE(w.writer.keep_alive());
  EXPECT_NE(queued(w.out).find("Connection: close\r\n"), std::string::npos);
}

TEST(ResponseWriterTest, FileRangesAreQueuedAsFilesAndChunkedWhenStreamed) {
  auto file =
      std::make_shared<const FileDescriptor>(::open("/dev/null", O_RDONLY));
  Writer w;
  w.writer.begin(request());
  w.writer.start(200, "OK", {}, std::nullopt, kDate, true);
  w.writer.file(file, 10, 300);
  w.writer.end();
  EXPECT_EQ(queued(w.out), head("200 OK", "Transfer-Encoding: chunked\r\n") +
                               "12c\r\n<file 10+300>\r\n0\r\n\r\n");
  EXPECT_EQ(w.writer.body_bytes(), 300u);
}

TEST(ResponseWriterTest, ErrorResponseIsCompleteAndCloses) {
  Writer w;
  w.writer.error_response(405, "405 Method Not Allowed\n", kDate,
                          "Allow: GET, HEAD");
  EXPECT_EQ(queued(w.out),
            head("405 Method Not Allowed",
                 "Allow: GET, HEAD\r\nContent-Type: text/plain; "
                 "charset=utf-8\r\nContent-Length: 23\r\nConnection: "
                 "close\r\n") +
                "405 Method Not Allowed\n");
  EXPECT_FALSE(w.writer.keep_alive());
  EXPECT_EQ(w.writer.status(), 405);
}

TEST(ResponseWriterTest, ContinueIsAnInterimResponseWithNoFields) {
  Writer w;
  w.writer.continue_response();
  EXPECT_EQ(queued(w.out), "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST(ResponseWriterTest, BeginForgetsThePreviousResponse) {
  Writer w;
  w.writer.begin(request(Method::head));
  w.writer.start(200, "OK", {}, 3, kDate, false);
  w.writer.body(std::string_view("abc"));
  queued(w.out);
  w.writer.begin(request());
  EXPECT_EQ(w.writer.body_bytes(), 0u);
  EXPECT_EQ(w.writer.status(), 0);
  w.writer.start(200, "OK", {}, 3, kDate, true);
  w.writer.body(std::string_view("abc"));
  EXPECT_EQ(queued(w.out), head("200 OK", "Content-Length: 3\r\n") + "abc");
  EXPECT_TRUE(w.writer.keep_alive());
}

}  // namespace
}  // namespace gale
