#include "server/websocket/send_queue.hpp"

#include <utility>

namespace gale::websocket {

void SendQueue::push(SharedFrame frame) {
  if (!frame || frame->empty()) return;
  bytes_ += frame->size();
  frames_.push_back(std::move(frame));
}

void SendQueue::push_copy(std::string_view head, std::string_view payload) {
  auto frame = std::make_shared<std::string>();
  frame->reserve(head.size() + payload.size());
  frame->append(head).append(payload);
  push(std::move(frame));
}

std::size_t SendQueue::gather(std::span<iovec> out) const {
  std::size_t used = 0;
  for (std::size_t i = head_; i < frames_.size() && used < out.size(); ++i) {
    const std::string& f = *frames_[i];
    const std::size_t skip = i == head_ ? offset_ : 0;
    out[used].iov_base = const_cast<char*>(f.data() + skip);
    out[used].iov_len = f.size() - skip;
    ++used;
  }
  return used;
}

void SendQueue::consume(std::size_t n) {
  bytes_ -= n;
  while (n > 0 && head_ < frames_.size()) {
    const std::size_t left = frames_[head_]->size() - offset_;
    if (n < left) {
      offset_ += n;
      return;
    }
    n -= left;
    frames_[head_].reset();
    ++head_;
    offset_ = 0;
  }
  if (head_ == frames_.size()) clear();
}

void SendQueue::drop_unstarted() {
  const std::size_t keep = head_ + (offset_ > 0 ? 1 : 0);
  for (std::size_t i = keep; i < frames_.size(); ++i)
    bytes_ -= frames_[i]->size();
  frames_.resize(keep);
  if (head_ == frames_.size()) clear();
}

void SendQueue::clear() {
  frames_.clear();
  frames_.shrink_to_fit();  // back to the inline slot: idle holds nothing
  head_ = 0;
  offset_ = 0;
  bytes_ = 0;
}

}  // namespace gale::websocket
