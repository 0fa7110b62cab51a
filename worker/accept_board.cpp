#include "worker/accept_board.hpp"

#include <algorithm>

#include "server/core/shared_page.hpp"

namespace gale {
namespace {

// A worker refreshes its line every tick (100 ms); one not refreshed for
// this long is stuck, starved or gone, and nobody waits for it.
constexpr std::int64_t kAliveMs = 350;

}  // namespace

AcceptBoard* AcceptBoard::create() {
  return map_shared<AcceptBoard>();
}

int AcceptBoard::claim_line() {
  for (unsigned i = 0; i < kLines; ++i) {
    AcceptLine& l = lines[i];
    std::int32_t free = 0;
    if (!l.owner.compare_exchange_strong(free, -1)) continue;  // -1: claimed
    l.accepted.store(0);
    l.accepting_until_ms.store(0);
    l.waiting.store(false);
    if (i + 1 > lines_in_use.load()) lines_in_use.store(i + 1);
    return static_cast<int>(i);
  }
  return -1;
}

void AcceptBoard::release_line(int line) {
  if (line < 0) return;
  lines[line].accepting_until_ms.store(0);
  lines[line].waiting.store(false);
  lines[line].owner.store(0);
}

AcceptShare::AcceptShare(AcceptBoard* board, int line)
    : board_(line >= 0 ? board : nullptr), line_(line) {}

std::int64_t AcceptShare::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <class F>
void AcceptShare::for_each_live_peer(F f) const {
  std::int64_t now = now_ms();
  unsigned n = board_->lines_in_use.load(std::memory_order_relaxed);
  for (unsigned i = 0; i < n; ++i) {
    const AcceptLine& l = board_->lines[i];
    if (static_cast<int>(i) != line_ &&
        l.accepting_until_ms.load(std::memory_order_relaxed) >= now)
      f(l);
  }
}

void AcceptShare::join() {
  if (!board_) return;
  std::uint64_t floor = UINT64_MAX;
  for_each_live_peer([&](const AcceptLine& l) {
    floor = std::min(floor, l.accepted.load(std::memory_order_relaxed));
  });
  board_->lines[line_].accepted.store(floor == UINT64_MAX ? 0 : floor,
                                      std::memory_order_relaxed);
  refresh(true);
}

void AcceptShare::refresh(bool accepting) {
  if (!board_) return;
  board_->lines[line_].accepting_until_ms.store(
      accepting ? now_ms() + kAliveMs : 0, std::memory_order_relaxed);
}

bool AcceptShare::ahead_of_a_peer() const {
  if (!board_) return false;
  std::uint64_t mine =
      board_->lines[line_].accepted.load(std::memory_order_relaxed);
  bool ahead = false;
  for_each_live_peer([&](const AcceptLine& l) {
    std::uint64_t slack =
        l.waiting.load(std::memory_order_relaxed) ? kSlack : kBusySlack;
    ahead |= l.accepted.load(std::memory_order_relaxed) + slack <= mine;
  });
  return ahead;
}

void AcceptShare::set_waiting(bool waiting) {
  if (board_)
    board_->lines[line_].waiting.store(waiting, std::memory_order_relaxed);
}

void AcceptShare::count_accepted() {
  if (board_)
    board_->lines[line_].accepted.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace gale
