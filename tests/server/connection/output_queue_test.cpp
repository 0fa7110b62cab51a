// OutputQueue: coalescing, zero-copy large pieces, file ranges, partial
// writes, and the iovec limit.
#include "server/connection/output_queue.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace gale {
namespace {

std::string gathered(const OutputQueue& q) {
  iovec iov[OutputQueue::kMaxIov];
  int n = q.gather(iov);
  std::string out;
  for (int i = 0; i < n; ++i)
    out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
  return out;
}

int pieces(const OutputQueue& q) {
  iovec iov[OutputQueue::kMaxIov];
  return q.gather(iov);
}

std::shared_ptr<const FileDescriptor> dev_null() {
  return std::make_shared<const FileDescriptor>(::open("/dev/null", O_RDONLY));
}

TEST(OutputQueueTest, StartsEmpty) {
  OutputQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(pieces(q), 0);
  EXPECT_FALSE(q.front_is_file());
  EXPECT_FALSE(q.file_follows());
}

TEST(OutputQueueTest, SmallPiecesAreCoalescedIntoOne) {
  OutputQueue q;
  q.append(std::string_view("HTTP/1.1 200 OK\r\n\r\n"));
  q.append(std::string_view("Hello"));
  q.append(std::string("world"));
  EXPECT_EQ(pieces(q), 1);
  EXPECT_EQ(gathered(q), "HTTP/1.1 200 OK\r\n\r\nHelloworld");
  EXPECT_EQ(q.size(), 29u);
}

TEST(OutputQueueTest, EmptyAppendsAreIgnored) {
  OutputQueue q;
  q.append(std::string_view());
  q.append(std::string());
  q.append_file(dev_null(), 0, 0);
  EXPECT_TRUE(q.empty());
}

TEST(OutputQueueTest, LargeMovedStringIsNotCopied) {
  OutputQueue q;
  q.append(std::string_view("head"));
  std::string body(OutputQueue::kCoalesceLimit + 1, 'b');
  const char* original = body.data();
  q.append(std::move(body));
  iovec iov[OutputQueue::kMaxIov];
  ASSERT_EQ(q.gather(iov), 2);
  EXPECT_EQ(iov[1].iov_base, original);
  EXPECT_EQ(q.size(), 4 + OutputQueue::kCoalesceLimit + 1);
}

TEST(OutputQueueTest, PartialConsumeAdvancesWithinAndAcrossPieces) {
  OutputQueue q;
  q.append(std::string_view("abc"));
  q.append(std::string(OutputQueue::kCoalesceLimit + 1, 'x'));
  q.append(std::string_view("tail"));  // coalesced into the large piece
  q.consume(2);
  EXPECT_EQ(gathered(q).substr(0, 3), "cxx");
  q.consume(1 + OutputQueue::kCoalesceLimit + 1);
  EXPECT_EQ(gathered(q), "tail");
  EXPECT_EQ(q.size(), 4u);
  q.consume(4);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
}

TEST(OutputQueueTest, AppendAfterAPartialWriteKeepsTheOrder) {
  OutputQueue q;
  q.append(std::string_view("0123456789"));
  q.consume(7);
  q.append(std::string_view("abc"));
  EXPECT_EQ(gathered(q), "789abc");
  EXPECT_EQ(q.size(), 6u);
}

TEST(OutputQueueTest, GatherStopsAtAFileRange) {
  OutputQueue q;
  auto file = dev_null();
  q.append(std::string_view("head"));
  q.append_file(file, 100, 50);
  q.append(std::string_view("after"));
  EXPECT_EQ(q.size(), 59u);
  EXPECT_FALSE(q.front_is_file());
  EXPECT_TRUE(q.file_follows());
  EXPECT_EQ(gathered(q), "head");

  q.consume(4);
  ASSERT_TRUE(q.front_is_file());
  OutputQueue::FileRange r = q.front_file();
  EXPECT_EQ(r.fd, file->get());
  EXPECT_EQ(r.offset, 100u);
  EXPECT_EQ(r.length, 50u);
  EXPECT_EQ(pieces(q), 0);

  q.consume(20);  // a partial sendfile
  r = q.front_file();
  EXPECT_EQ(r.offset, 120u);
  EXPECT_EQ(r.length, 30u);
  q.consume(30);
  EXPECT_FALSE(q.front_is_file());
  EXPECT_FALSE(q.file_follows());
  EXPECT_EQ(gathered(q), "after");
}

TEST(OutputQueueTest, ConsumeAcrossAFileAndMemoryAtOnce) {
  OutputQueue q;
  q.append(std::string_view("ab"));
  q.append_file(dev_null(), 0, 3);
  q.append(std::string_view("cd"));
  q.consume(6);
  EXPECT_EQ(gathered(q), "d");
  EXPECT_EQ(q.size(), 1u);
}

TEST(OutputQueueTest, GatherFillsAtMostMaxIovEntries) {
  OutputQueue q;
  for (int i = 0; i < OutputQueue::kMaxIov + 4; ++i)
    q.append(std::string(OutputQueue::kCoalesceLimit + 1, 'a' + i % 26));
  EXPECT_EQ(pieces(q), OutputQueue::kMaxIov);
  q.append_file(dev_null(), 0, 1);
  // The file lies beyond what one gather returns: no MSG_MORE yet.
  EXPECT_FALSE(q.file_follows());
}

TEST(OutputQueueTest, ClearEmptiesEverything) {
  OutputQueue q;
  q.append(std::string_view("x"));
  q.append_file(dev_null(), 0, 10);
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  q.append(std::string_view("y"));
  EXPECT_EQ(gathered(q), "y");
}

TEST(OutputQueueTest, SteadyTrafficReusesTheWrittenBuffer) {
  OutputQueue q;
  std::string response(1000, 'r');
  q.append(std::string_view(response));
  iovec iov[OutputQueue::kMaxIov];
  q.gather(iov);
  void* first = iov[0].iov_base;
  q.consume(q.size());
  q.append(std::string_view(response));
  q.gather(iov);
  EXPECT_EQ(iov[0].iov_base, first);
}

}  // namespace
}  // namespace gale
