// A worker's budget for request bodies held in memory
// (limits.body_memory_bytes).
//
// A body's in-memory share is at most limits.body_buffer_bytes (past that
// it is spooled to a file), so thousands of uploads at once could still
// hold gigabytes. Each body reserves its share when its head arrives; past
// the budget, the connection waits with its socket unread, so the client
// meets TCP backpressure rather than a refusal, and connections resume in
// arrival order as bodies finish or move to their files.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <deque>
#include <functional>

namespace gale {

class BodyMemory {
 public:
  // Called when memory comes back: true if the waiter went on (or is
  // gone), false if what came back is still not enough for it.
  using Waiter = std::function<bool()>;

  BodyMemory(boost::asio::io_context& loop, std::uint64_t limit)
      : loop_(loop), limit_(limit) {}
  BodyMemory(const BodyMemory&) = delete;
  BodyMemory& operator=(const BodyMemory&) = delete;

  // Whether `bytes` more fit now. When nothing is reserved anything fits,
  // so a body larger than the whole budget still goes through, alone. A
  // newcomer never overtakes a waiter.
  bool try_reserve(std::uint64_t bytes) {
    if (!waiters_.empty() && !resuming_) return false;
    if (used_ > 0 && used_ + bytes > limit_) return false;
    used_ += bytes;
    return true;
  }
  void release(std::uint64_t bytes) {
    used_ -= bytes;
    if (!waiters_.empty() && !resume_posted_) {
      resume_posted_ = true;
      boost::asio::post(loop_, [this] { resume_waiters(); });
    }
  }
  // Queues `waiter` behind the others.
  void wait(Waiter waiter) { waiters_.push_back(std::move(waiter)); }

  std::uint64_t used() const { return used_; }
  std::uint64_t limit() const { return limit_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  void resume_waiters() {
    resume_posted_ = false;
    resuming_ = true;
    while (!waiters_.empty()) {
      if (!waiters_.front()()) break;
      waiters_.pop_front();
    }
    resuming_ = false;
  }

  boost::asio::io_context& loop_;
  std::uint64_t limit_;
  std::uint64_t used_ = 0;
  std::deque<Waiter> waiters_;
  bool resume_posted_ = false;
  bool resuming_ = false;  // a waiter being resumed may reserve
};

// One body's share of the budget, given back exactly once.
class BodyReservation {
 public:
  BodyReservation() = default;
  BodyReservation(const BodyReservation&) = delete;
  BodyReservation& operator=(const BodyReservation&) = delete;
  ~BodyReservation() { release(); }

  void hold(BodyMemory& memory, std::uint64_t bytes) {
    release();
    memory_ = &memory;
    bytes_ = bytes;
  }
  void release() {
    if (bytes_ == 0) return;
    memory_->release(bytes_);
    bytes_ = 0;
  }
  bool held() const { return bytes_ != 0; }

 private:
  BodyMemory* memory_ = nullptr;
  std::uint64_t bytes_ = 0;
};

}  // namespace gale
