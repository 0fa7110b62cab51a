// Fair shares of a listener shared by several workers.
//
// Every worker's loop waits on its own epoll set holding the shared
// listening socket, and the kernel wakes them all for each new connection
// (Asio's reactor cannot ask for EPOLLEXCLUSIVE, and even exclusive
// wake-ups leave the connections to whichever worker is running). On two
// cores, the one running took most of a burst: 64 connections over 4
// workers split as unevenly as 55/8/1/0.
//
// The fix is a small page the master maps before forking, one line per
// worker process: how many connections it accepted, and until when it is
// alive and accepting, and whether it is waiting on the listener now. A
// woken worker that is ahead of a waiting peer leaves the connection to it,
// once, for at most kDeferral; the peer was woken too, and takes it. So a
// burst splits evenly, a busy peer is never waited for (steady load runs
// at full speed), and a stuck or starved one (it stops refreshing its
// line) delays nobody for long. Workers
// still share nothing on the request path: only accepting reads the page.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gale {

struct alignas(64) AcceptLine {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::int64_t> accepting_until_ms{0};  // 0: not accepting
  std::atomic<std::int32_t> owner{0};               // pid, 0 = free
  std::atomic<bool> waiting{false};  // armed on the listener, idle
};

struct AcceptBoard {
  static constexpr unsigned kLines = 2048;  // two generations of 1024 workers
  std::atomic<std::uint32_t> lines_in_use{0};  // high-water mark
  AcceptLine lines[kLines];

  // Maps a board shared with every process forked afterwards. Null on
  // failure (workers then accept as the kernel wakes them).
  static AcceptBoard* create();
  // For the master: a free line for a new worker (its pid set after fork),
  // or -1 when the board is full.
  int claim_line();
  void release_line(int line);
};

// A worker's view of the board.
class AcceptShare {
 public:
  // How long a worker leaves a connection to a peer that is behind; and
  // how far ahead it may run before it does (a lead of one is the normal
  // state of two workers taking turns, and waiting on it would serialize
  // them).
  static constexpr auto kDeferral = std::chrono::microseconds(250);
  static constexpr std::uint64_t kSlack = 2;
  // The lead over a peer that is busy (or preempted) before waiting for it
  // anyway: large enough that steady load never waits, small enough that a
  // peer the scheduler left behind in a burst still gets its share.
  static constexpr std::uint64_t kBusySlack = 4;

  AcceptShare(AcceptBoard* board, int line);

  bool active() const { return board_ != nullptr; }
  // Starts level with the slowest live peer, so a newcomer neither floods
  // nor is flooded.
  void join();
  // Refreshed from the worker's tick: accepting now, or not (draining, at
  // the connection limit).
  void refresh(bool accepting);
  // Whether a live peer waiting on the listener right now has accepted
  // kSlack fewer connections or more: it was woken too and can take this
  // one at once. A busy peer is not waited for.
  bool ahead_of_a_peer() const;
  // Around the wait on the listener.
  void set_waiting(bool waiting);
  void count_accepted();

 private:
  static std::int64_t now_ms();
  // f(line) for every other worker's line that is alive and accepting.
  template <class F>
  void for_each_live_peer(F f) const;
  AcceptBoard* board_;
  int line_;
};

}  // namespace gale
