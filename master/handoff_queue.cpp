#include "master/handoff_queue.hpp"

#include "worker/control_protocol.hpp"

namespace gale {

void HandoffQueue::send(const std::vector<int>& adopters) {
  while (!waiting_.empty() && offer(waiting_.front().get(), adopters))
    waiting_.pop_front();  // the adopter has its own copy now
}

// A full channel (would_block) is skipped, and so is a broken one (its
// worker is exiting; the master reaps it): the connection stays ours.
bool HandoffQueue::offer(int connection, const std::vector<int>& adopters) {
  std::size_t n = adopters.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t k = (next_ + i) % n;
    if (send_control(adopters[k], ControlType::adopt, {}, connection) ==
        IoResult::ok) {
      next_ = k + 1;
      return true;
    }
  }
  return false;
}

}  // namespace gale
