// worker/accept_board: when a woken worker leaves a connection to a peer.
#include "worker/accept_board.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace gale {
namespace {

class AcceptBoardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    board_ = AcceptBoard::create();
    ASSERT_NE(board_, nullptr);
  }
  // A worker whose line is claimed, live and at `accepted`.
  AcceptShare worker(std::uint64_t accepted, bool waiting) {
    int line = board_->claim_line();
    EXPECT_GE(line, 0);
    AcceptShare share(board_, line);
    share.refresh(true);
    board_->lines[line].accepted = accepted;
    share.set_waiting(waiting);
    return share;
  }
  AcceptBoard* board_ = nullptr;
};

TEST_F(AcceptBoardTest, WithoutABoardNobodyDefers) {
  AcceptShare none(nullptr, 0);
  EXPECT_FALSE(none.active());
  EXPECT_FALSE(none.ahead_of_a_peer());
}

TEST_F(AcceptBoardTest, TwoAheadOfAWaitingPeerDefers) {
  AcceptShare me = worker(10, false);
  worker(8, true);
  EXPECT_TRUE(me.ahead_of_a_peer());
}

TEST_F(AcceptBoardTest, OneAheadIsTakingTurnsAndDoesNotDefer) {
  AcceptShare me = worker(10, false);
  worker(9, true);
  EXPECT_FALSE(me.ahead_of_a_peer());
}

TEST_F(AcceptBoardTest, ABusyPeerIsWaitedForOnlyFourBehind) {
  AcceptShare me = worker(10, false);
  worker(7, false);  // a busy peer, line 1
  EXPECT_FALSE(me.ahead_of_a_peer());
  board_->lines[1].accepted = 6;
  EXPECT_TRUE(me.ahead_of_a_peer());
}

TEST_F(AcceptBoardTest, AStuckOrStoppedPeerIsNotWaitedFor) {
  AcceptShare me = worker(10, false);
  AcceptShare stopped = worker(0, true);
  stopped.refresh(false);  // draining, or at its connection limit
  EXPECT_FALSE(me.ahead_of_a_peer());
  stopped.refresh(true);
  board_->lines[1].accepting_until_ms = 1;  // not refreshed for long: stuck
  EXPECT_FALSE(me.ahead_of_a_peer());
}

TEST_F(AcceptBoardTest, ANewcomerStartsLevelWithTheSlowestLivePeer) {
  worker(40, true);
  worker(25, true);
  int line = board_->claim_line();
  AcceptShare newcomer(board_, line);
  newcomer.join();
  EXPECT_EQ(board_->lines[line].accepted.load(), 25u);
  EXPECT_FALSE(newcomer.ahead_of_a_peer());
}

TEST_F(AcceptBoardTest, CountingMovesAWorkerAhead) {
  AcceptShare me = worker(5, false);
  worker(5, true);
  me.count_accepted();
  EXPECT_FALSE(me.ahead_of_a_peer());
  me.count_accepted();
  EXPECT_TRUE(me.ahead_of_a_peer());
}

TEST_F(AcceptBoardTest, ReleasedLinesAreReusedAndIgnored) {
  AcceptShare me = worker(10, false);
  int gone = board_->claim_line();
  board_->lines[gone].accepted = 0;
  AcceptShare(board_, gone).refresh(true);
  board_->release_line(gone);
  EXPECT_FALSE(me.ahead_of_a_peer());
  EXPECT_EQ(board_->claim_line(), gone);
}

}  // namespace
}  // namespace gale
