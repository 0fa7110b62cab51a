// A free list of reusable objects, one per worker (single-threaded).
//
// Objects that are expensive to build or that keep useful capacity (read
// buffers, parsers) go back here instead of to the heap; the pool keeps at
// most `max_free` spares so a burst does not pin its peak memory forever.
#pragma once

#include <memory>
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
    if (free_.empty()) return Ptr(new T(), Deleter{this});
    T* p = free_.back().release();
    free_.pop_back();
    return Ptr(p, Deleter{this});
  }

  std::size_t free_count() const { return free_.size(); }

 private:
  void release(T* p) {
    p->reset();
    if (free_.size() < max_free_)
      free_.emplace_back(p);
    else
      delete p;
  }

  std::size_t max_free_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace gale
