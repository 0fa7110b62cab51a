// A free list of reusable objects, one per worker (single-threaded).
//
// Objects that are expensive to build or that keep useful capacity (read
// buffers, parsers) go back here instead of to the heap. How many spares it
// keeps follows the load: always up to `min_free`, and beyond that as many
// as bring the objects in use plus the spares up to the peak in use over
// the last few ticks. A load that releases and re-takes hundreds of objects
// a second (a storm of long-polls, each answered, then polling again) then
// recycles them here instead of through malloc, whose large-chunk paths
// (consolidation, unlinking) cost more than the pool ever does; and once
// the load is gone, tick() lets the spares go within a window, so a burst
// does not pin its peak memory for long.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace gale {

template <class T>
class ObjectPool {
 public:
  struct Deleter {
    ObjectPool* pool;
    void operator()(T* p) const { pool->release(p); }
  };
  using Ptr = std::unique_ptr<T, Deleter>;

  // The spares outlive a drop in load by at most this many tick() calls.
  static constexpr std::size_t kPeakWindowTicks = 10;

  explicit ObjectPool(std::size_t min_free = 256) : min_free_(min_free) {}
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;

  Ptr acquire() {
    ++in_use_;
    tick_peak_ = std::max(tick_peak_, in_use_);
    if (free_.empty()) {
      ++allocated_;
      return Ptr(new T(), Deleter{this});
    }
    T* p = free_.back().release();
    free_.pop_back();
    return Ptr(p, Deleter{this});
  }

  std::size_t free_count() const { return free_.size(); }
  std::size_t in_use() const { return in_use_; }

  // Call at a steady pace (the worker's tick). Lets go of the spares the
  // recent peak no longer justifies, and returns true once a burst is over:
  // at least `min_freed` objects went back to the heap and none came from
  // it since the last call. The caller may then return that memory to the
  // system (malloc_trim). While objects still come from the heap, it would
  // reuse those pages at once, and trimming would only cost madvise calls
  // and the TLB shootdowns they cause.
  bool tick(std::size_t min_freed) {
    peaks_[tick_count_++ % kPeakWindowTicks] = tick_peak_;
    tick_peak_ = in_use_;
    window_peak_ = *std::max_element(peaks_.begin(), peaks_.end());
    while (free_.size() > spare_bound()) {
      free_.pop_back();
      ++freed_;
    }
    const bool ended = freed_ >= min_freed && allocated_ == 0;
    allocated_ = 0;
    if (ended) freed_ = 0;
    return ended;
  }

 private:
  std::size_t spare_bound() const {
    const std::size_t peak = std::max(window_peak_, tick_peak_);
    return std::max(min_free_, peak > in_use_ ? peak - in_use_ : 0);
  }

  void release(T* p) {
    --in_use_;
    p->reset();
    if (free_.size() < spare_bound()) {
      free_.emplace_back(p);
    } else {
      delete p;
      ++freed_;
    }
  }

  std::size_t min_free_;
  std::size_t in_use_ = 0;
  std::size_t tick_peak_ = 0;    // most in use since the last tick()
  std::size_t window_peak_ = 0;  // most in use over the last window
  std::array<std::size_t, kPeakWindowTicks> peaks_{};
  std::size_t tick_count_ = 0;
  std::size_t freed_ = 0;      // to the heap, since the last burst ended
  std::size_t allocated_ = 0;  // from the heap, since the last tick()
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace gale
