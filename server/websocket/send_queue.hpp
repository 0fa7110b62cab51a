// The frames a WebSocket session has not yet written, oldest first.
//
// Each entry is a whole encoded frame shared by reference: a broadcast
// encodes its frame once and every socket's queue holds the same bytes
// (SharedFrame), so a message to 5,000 sockets costs one copy, not 5,000.
// Only the front entry may be partly written. gather() fills an iovec
// array for one sendmsg of many frames; consume() drops what it sent.
// No I/O here, so every split of a partial write can be unit-tested.
//
// An empty queue holds no heap memory (an idle socket pays nothing for
// it): a backlog's storage is released when its last byte goes out.
#pragma once

#include <sys/uio.h>

#include <boost/container/small_vector.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gale::websocket {

// One encoded frame (header + payload), immutable once shared.
using SharedFrame = std::shared_ptr<const std::string>;

class SendQueue {
 public:
  bool empty() const { return frames_.empty(); }
  // Unsent bytes, the front frame's written part excluded.
  std::size_t bytes() const { return bytes_; }
  std::size_t frames() const { return frames_.size(); }
  // Whether the front frame has been partly written: it must then go out
  // whole before anything else may (the peer is mid-frame).
  bool front_started() const { return offset_ > 0; }

  void push(SharedFrame frame);
  // Copies `head` + `payload` into a frame of its own (a frame for one
  // socket that could not be written at once).
  void push_copy(std::string_view head, std::string_view payload);

  // Fills `out` with the unsent bytes, front first; returns how many
  // entries it used (0 when empty).
  std::size_t gather(std::span<iovec> out) const;
  // `n` bytes were written from the front.
  void consume(std::size_t n);
  // Drops every frame not yet started (a slow consumer being closed):
  // the front one stays if started, so the peer never sees half a frame.
  void drop_unstarted();
  void clear();

 private:
  // One frame inline: the common case (a message to a socket that keeps
  // up) allocates nothing.
  boost::container::small_vector<SharedFrame, 1> frames_;
  std::size_t head_ = 0;    // index of the front frame in frames_
  std::size_t offset_ = 0;  // bytes of the front frame already written
  std::size_t bytes_ = 0;
};

}  // namespace gale::websocket
