// What a worker's loop is executing right now, published for the master.
//
// The master maps one slot per worker (shared, anonymous) before forking
// it; only the worker writes, only the master reads, so workers still share
// nothing with each other. A heartbeat cannot say which handler blocked the
// loop (a blocked loop sends none); this can, as Apache's scoreboard does.
// A seqlock keeps the master from reading a half-written line.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gale {

class ActivitySlot {
 public:
  // Worker side: a handler starts running `method target` on the loop.
  void begin(std::string_view method, std::string_view target) {
    write([&] {
      std::size_t n = 0;
      append(n, method);
      append(n, " ");
      append(n, target);
      length_ = static_cast<std::uint32_t>(n);
      started_ns_ = now_ns();
    });
  }
  // Worker side: the handler returned to the loop.
  void end() {
    write([&] { started_ns_ = 0; });
  }

  // Master side: the request being executed and for how long, or false
  // when the loop is between handlers.
  bool read(std::string& request, double& seconds) const {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::uint64_t before = sequence_.load(std::memory_order_acquire);
      if (before & 1) continue;
      std::int64_t started = started_ns_;
      std::string copy(text_, std::min<std::size_t>(length_, sizeof text_));
      std::atomic_thread_fence(std::memory_order_acquire);
      if (sequence_.load(std::memory_order_relaxed) != before) continue;
      if (started == 0) return false;
      request = std::move(copy);
      seconds = static_cast<double>(now_ns() - started) / 1e9;
      return true;
    }
    return false;
  }

 private:
  template <class F>
  void write(F f) {
    sequence_.fetch_add(1, std::memory_order_relaxed);  // odd: writing
    std::atomic_thread_fence(std::memory_order_release);
    f();
    sequence_.fetch_add(1, std::memory_order_release);  // even: stable
  }
  void append(std::size_t& n, std::string_view s) {
    std::size_t k = std::min(s.size(), sizeof text_ - n);
    std::memcpy(text_ + n, s.data(), k);
    n += k;
  }
  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  std::atomic<std::uint64_t> sequence_{0};
  std::int64_t started_ns_ = 0;
  std::uint32_t length_ = 0;
  char text_[200] = {};
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the slot is shared between processes");

}  // namespace gale
