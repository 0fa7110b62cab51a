// A connection's read buffer: bytes read but not yet parsed sit in
// [begin, end); reads append at end. It lives in a pooled ConnectionBuffers,
// so an idle connection holds none.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace gale {

class InputBuffer {
 public:
  // Most request heads fit (nginx starts with 1 KiB); a larger one grows
  // the buffer for that request only.
  static constexpr std::size_t kDefaultCapacity = 4096;

  InputBuffer() : data_(new char[kDefaultCapacity]), cap_(kDefaultCapacity) {}

  std::string_view unparsed() const {
    return {data_.get() + begin_, end_ - begin_};
  }
  bool empty() const { return begin_ == end_; }
  std::size_t size() const { return end_ - begin_; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;  // cheapest compaction there is
  }

  char* write_ptr() { return data_.get() + end_; }
  std::size_t write_space() const { return cap_ - end_; }
  void commit(std::size_t n) { end_ += n; }

  // Makes room for at least `min_space` more bytes, moving unparsed bytes
  // to the front and growing up to `max_capacity`. False if it cannot.
  bool reserve(std::size_t min_space, std::size_t max_capacity) {
    if (write_space() >= min_space) return true;
    if (begin_ > 0) {
      std::memmove(data_.get(), data_.get() + begin_, size());
      end_ -= begin_;
      begin_ = 0;
      if (write_space() >= min_space) return true;
    }
    std::size_t want = end_ + min_space;
    if (want > max_capacity) return false;
    std::size_t cap = cap_;
    while (cap < want)
      cap *= 2;
    if (cap > max_capacity) cap = max_capacity;
    std::unique_ptr<char[]> grown(new char[cap]);
    std::memcpy(grown.get(), data_.get(), end_);
    data_ = std::move(grown);
    cap_ = cap;
    return true;
  }

  // Back to the default size and empty, for reuse by another connection.
  void reset() {
    begin_ = end_ = 0;
    if (cap_ != kDefaultCapacity) {
      data_.reset(new char[kDefaultCapacity]);
      cap_ = kDefaultCapacity;
    }
  }
  std::size_t capacity() const { return cap_; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t cap_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
};

}  // namespace gale
