// A free list of reusable objects, one per worker (single-threaded).
//
// Objects that are expensive to build or that keep useful capacity (read
// buffers, parsers) go back here instead of to the heap; the pool keeps at
// most `max_free` spares so a burst does not pin its peak memory forever.
#pragma once

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

  explicit ObjectPool(std::size_t max_free = 256) : max_free_(max_free) {}
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;

  Ptr acquire() {
    ++in_use_;
    if (free_.empty()) return Ptr(new T(), Deleter{this});
    T* p = free_.back().release();
    free_.pop_back();
    return Ptr(p, Deleter{this});
  }

  std::size_t free_count() const { return free_.size(); }
  std::size_t in_use() const { return in_use_; }
  // Objects given back to the heap since the last call: after a burst the
  // caller may return that memory to the system (malloc_trim).
  std::size_t take_freed_count() { return std::exchange(freed_, 0); }

 private:
  void release(T* p) {
    --in_use_;
    p->reset();
    if (free_.size() < max_free_) {
      free_.emplace_back(p);
    } else {
      delete p;
      ++freed_;
    }
  }

  std::size_t max_free_;
  std::size_t in_use_ = 0;
  std::size_t freed_ = 0;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace gale
