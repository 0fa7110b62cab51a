// HeadScanner alone: where a head ends, the 414/431 limits counted byte for
// byte, obs-fold, bare CR, the request line's shape and version. Every case
// is ground across every split point and one byte at a time.
#include "server/http/head_scanner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace gale {
namespace {

struct Scan {
  HeadScanner::Result result = HeadScanner::Result::need_more;
  ParseError error = ParseError::none;
  std::size_t head_bytes = 0;  // where the head ends, when complete
  std::uint64_t request_line_end = 0;

  friend bool operator==(const Scan&, const Scan&) = default;
};

std::ostream& operator<<(std::ostream& os, const Scan& s) {
  return os << "{result=" << static_cast<int>(s.result)
            << " error=" << describe(s.error) << " head=" << s.head_bytes
            << " line_end=" << s.request_line_end << "}";
}

Scan scan_pieces(const std::vector<std::string_view>& pieces,
                 std::uint32_t max) {
  HeadScanner scanner(max);
  Scan out;
  std::size_t offset = 0;
  for (std::string_view piece : pieces) {
    if (piece.empty()) continue;
    std::size_t consumed = 0;
    out.result = scanner.scan(piece.data(), piece.size(), consumed);
    out.request_line_end = scanner.request_line_end();
    if (out.result == HeadScanner::Result::error) {
      out.error = scanner.error();
      return out;
    }
    if (out.result == HeadScanner::Result::complete) {
      EXPECT_LE(consumed, piece.size());
      out.head_bytes = offset + consumed;
      EXPECT_EQ(scanner.bytes(), out.head_bytes);
      return out;
    }
    EXPECT_EQ(consumed, piece.size());
    offset += piece.size();
    EXPECT_EQ(scanner.bytes(), offset);
  }
  return out;
}

// Scans whole, split at every byte, and byte by byte; all must agree.
Scan grind(std::string_view in, std::uint32_t max = 1024) {
  Scan whole = scan_pieces({in}, max);
  for (std::size_t k = 0; k <= in.size(); ++k) {
    Scan split = scan_pieces({in.substr(0, k), in.substr(k)}, max);
    if (!(split == whole)) {
      ADD_FAILURE() << "split at " << k << ": " << split << " vs " << whole;
      return whole;
    }
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < in.size(); ++i)
    bytes.push_back(in.substr(i, 1));
  Scan single = scan_pieces(bytes, max);
  EXPECT_EQ(single, whole) << "one byte at a time";
  return whole;
}

void expect_error(std::string_view in, ParseError e, std::uint32_t max = 1024) {
  Scan s = grind(in, max);
  EXPECT_EQ(s.result, HeadScanner::Result::error) << s;
  EXPECT_EQ(s.error, e) << s;
}

TEST(HeadScannerTest, CompleteHeadEndsAfterTheEmptyLine) {
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  Scan s = grind(head + "body bytes");
  EXPECT_EQ(s.result, HeadScanner::Result::complete);
  EXPECT_EQ(s.head_bytes, head.size());
  EXPECT_EQ(s.request_line_end, 16u);
}

TEST(HeadScannerTest, HeadWithoutFieldsEnds) {
  Scan s = grind("GET / HTTP/1.1\r\n\r\nGET");
  EXPECT_EQ(s.result, HeadScanner::Result::complete);
  EXPECT_EQ(s.head_bytes, 18u);
}

TEST(HeadScannerTest, BareLfLinesEndTheHead) {
  Scan s = grind("GET / HTTP/1.1\nA: b\n\nxyz");
  EXPECT_EQ(s.result, HeadScanner::Result::complete);
  EXPECT_EQ(s.head_bytes, 21u);
}

TEST(HeadScannerTest, LeadingEmptyLinesAreSkippedAndCounted) {
  Scan s = grind("\r\n\nGET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(s.result, HeadScanner::Result::complete);
  EXPECT_EQ(s.head_bytes, 21u);
  EXPECT_EQ(s.request_line_end, 19u);
}

TEST(HeadScannerTest, IncompleteHeadNeedsMore) {
  Scan s = grind("GET / HTTP/1.1\r\nHost: a\r\n");
  EXPECT_EQ(s.result, HeadScanner::Result::need_more);
  EXPECT_EQ(s.request_line_end, 16u);
}

TEST(HeadScannerTest, RequestLineEndIsZeroUntilTheLineIsComplete) {
  Scan s = grind("GET / HTTP/1.1");
  EXPECT_EQ(s.result, HeadScanner::Result::need_more);
  EXPECT_EQ(s.request_line_end, 0u);
}

TEST(HeadScannerTest, InRequestLineUntilItsLf) {
  HeadScanner scanner(1024);
  std::size_t consumed = 0;
  EXPECT_TRUE(scanner.in_request_line());
  scanner.scan("\r\n", 2, consumed);
  EXPECT_TRUE(scanner.in_request_line());
  scanner.scan("GET / HTTP/1.1\r", 15, consumed);
  EXPECT_TRUE(scanner.in_request_line());
  scanner.scan("\n", 1, consumed);
  EXPECT_FALSE(scanner.in_request_line());
}

TEST(HeadScannerTest, ResetStartsOverWithANewLimit) {
  HeadScanner scanner(10);
  std::size_t consumed = 0;
  const std::string head = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(scanner.scan(head.data(), head.size(), consumed),
            HeadScanner::Result::error);
  EXPECT_EQ(scanner.error(), ParseError::request_line_too_long);
  scanner.reset(100);
  EXPECT_EQ(scanner.error(), ParseError::none);
  EXPECT_EQ(scanner.bytes(), 0u);
  EXPECT_EQ(scanner.scan(head.data(), head.size(), consumed),
            HeadScanner::Result::complete);
  EXPECT_EQ(consumed, head.size());
}

// ---- limits --------------------------------------------------------------

TEST(HeadScannerTest, HeadOfExactlyTheLimitIsComplete) {
  // 16 + 46 + 2 = 64 bytes.
  std::string head =
      "GET / HTTP/1.1\r\nX: " + std::string(41, 'v') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 64u);
  Scan s = grind(head, 64);
  EXPECT_EQ(s.result, HeadScanner::Result::complete);
  EXPECT_EQ(s.head_bytes, 64u);
}

TEST(HeadScannerTest, HeadOneOverTheLimitIs431) {
  std::string head =
      "GET / HTTP/1.1\r\nX: " + std::string(42, 'v') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 65u);
  expect_error(head, ParseError::headers_too_large, 64);
}

TEST(HeadScannerTest, HeadEndingInBareLfOneOverTheLimitIs431) {
  std::string head = "GET / HTTP/1.1\r\nX: " + std::string(43, 'v') + "\r\n\n";
  ASSERT_EQ(head.size(), 65u);
  expect_error(head, ParseError::headers_too_large, 64);
  Scan s = grind(head, 65);
  EXPECT_EQ(s.result, HeadScanner::Result::complete);
}

TEST(HeadScannerTest, RequestLineOfExactlyTheLimitIsNot414) {
  std::string line = "GET /" + std::string(48, 'a') + " HTTP/1.1\r\n";
  ASSERT_EQ(line.size(), 64u);
  Scan s = grind(line, 64);
  EXPECT_EQ(s.result, HeadScanner::Result::need_more);
  expect_error(line + "\r\n", ParseError::headers_too_large, 64);
}

TEST(HeadScannerTest, RequestLineOneOverTheLimitIs414) {
  std::string line = "GET /" + std::string(49, 'a') + " HTTP/1.1\r\n";
  ASSERT_EQ(line.size(), 65u);
  expect_error(line, ParseError::request_line_too_long, 64);
}

TEST(HeadScannerTest, UnfinishedRequestLineOverTheLimitIs414) {
  expect_error("GET /" + std::string(100, 'a'),
               ParseError::request_line_too_long, 64);
}

TEST(HeadScannerTest, EmptyLinesAloneOverTheLimitAre414) {
  expect_error(std::string(65, '\n'), ParseError::request_line_too_long, 64);
  Scan s = grind(std::string(64, '\n'), 64);
  EXPECT_EQ(s.result, HeadScanner::Result::need_more);
}

TEST(HeadScannerTest, UnfinishedFieldOverTheLimitIs431) {
  expect_error("GET / HTTP/1.1\r\nX: " + std::string(100, 'v'),
               ParseError::headers_too_large, 64);
}

// ---- line syntax ---------------------------------------------------------

TEST(HeadScannerTest, ObsFoldIsRejected) {
  expect_error("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", ParseError::obs_fold);
  expect_error("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", ParseError::obs_fold);
}

TEST(HeadScannerTest, WhitespaceRightAfterTheRequestLineIsObsFold) {
  expect_error("GET / HTTP/1.1\r\n\tA: b\r\n\r\n", ParseError::obs_fold);
}

TEST(HeadScannerTest, BareCrInTheRequestLineIsRejected) {
  expect_error("GET /a\rb HTTP/1.1\r\n\r\n", ParseError::bad_request_line);
}

TEST(HeadScannerTest, CrNotFollowedByLfAtTheEndOfTheRequestLineIsRejected) {
  expect_error("GET / HTTP/1.1\rX", ParseError::bad_request_line);
}

TEST(HeadScannerTest, BareCrInAFieldIsRejected) {
  expect_error("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", ParseError::bad_header);
  expect_error("GET / HTTP/1.1\r\nA: b\r\r\n\r\n", ParseError::bad_header);
}

TEST(HeadScannerTest, CrNotFollowedByLfAtTheEndOfTheHeadIsRejected) {
  expect_error("GET / HTTP/1.1\r\n\rX", ParseError::bad_header);
}

TEST(HeadScannerTest, BareCrAmongLeadingEmptyLinesIsLeftToTheParser) {
  // Leading CR/LF bytes are skipped by http-parser too; they agree.
  Scan s = grind("\r\rGET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(s.result, HeadScanner::Result::complete);
}

// ---- request line shape and version ------------------------------------

TEST(HeadScannerTest, RequestLineWithoutVersionIsRejected) {
  expect_error("GET /\r\n\r\n", ParseError::bad_request_line);
  expect_error("GET /HTTP/1.1\r\n\r\n", ParseError::bad_request_line);
  expect_error("GET / HTTP/1\r\n\r\n", ParseError::bad_request_line);
  expect_error("GET / HTTP/1.1x\r\n\r\n", ParseError::bad_request_line);
  expect_error("GET / HTTP/a.1\r\n\r\n", ParseError::bad_request_line);
  expect_error("X\r\n\r\n", ParseError::bad_request_line);
}

TEST(HeadScannerTest, Http1VersionsPass) {
  for (const char* v : {"1.0", "1.1", "1.9", "0.9"}) {
    SCOPED_TRACE(v);
    Scan s = grind("GET / HTTP/" + std::string(v) + "\r\n\r\n");
    EXPECT_EQ(s.result, HeadScanner::Result::complete);
  }
}

TEST(HeadScannerTest, VersionTwoAndAboveIs505) {
  for (const char* v : {"2.0", "3.0", "9.9", "2.1"}) {
    SCOPED_TRACE(v);
    expect_error("GET / HTTP/" + std::string(v) + "\r\n\r\n",
                 ParseError::version_not_supported);
  }
}

TEST(HeadScannerTest, Http2PrefaceIs505AtTheEndOfItsFirstLine) {
  expect_error("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
               ParseError::version_not_supported);
  expect_error("PRI * HTTP/2.0\r\n", ParseError::version_not_supported);
}

TEST(HeadScannerTest, VersionSplitAcrossManyPiecesIsStillSeen) {
  HeadScanner scanner(1024);
  std::size_t consumed = 0;
  const std::string line = "GET /" + std::string(30, 'a') + " HTTP/2.0\r\n";
  HeadScanner::Result r = HeadScanner::Result::need_more;
  for (std::size_t i = 0; i < line.size(); i += 3) {
    std::string_view piece = std::string_view(line).substr(i, 3);
    r = scanner.scan(piece.data(), piece.size(), consumed);
    if (r != HeadScanner::Result::need_more) break;
  }
  EXPECT_EQ(r, HeadScanner::Result::error);
  EXPECT_EQ(scanner.error(), ParseError::version_not_supported);
}

}  // namespace
}  // namespace gale
