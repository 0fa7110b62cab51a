// Connections on their way from a retiring worker to a serving one
// (issue 14). A retiring worker sends each idle keep-alive connection to
// the master over its control channel; the master passes it on in an
// `adopt` frame to the serving workers, round robin.
//
// A serving worker's channel can be full: thousands of connections handed
// over at once while that worker runs a handler. The connection then goes
// to the next worker whose channel takes it, and when none does (or none
// is ready yet) it waits here, in order, until one does (the master polls
// those channels for POLLOUT meanwhile). It is never closed on the way:
// its client may already have sent its next request, which a close would
// answer with a reset.
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "server/core/file_descriptor.hpp"

namespace gale {

class HandoffQueue {
 public:
  void push(FileDescriptor connection) {
    waiting_.push_back(std::move(connection));
  }
  // Sends what waits, oldest first, each to the next of `adopters` (the
  // control channels of the workers that may adopt) whose channel takes
  // it; stops at the first connection none of them takes now.
  void send(const std::vector<int>& adopters);
  bool empty() const { return waiting_.empty(); }
  std::size_t size() const { return waiting_.size(); }
  // Closes what waits (the server is stopping).
  void clear() { waiting_.clear(); }

 private:
  bool offer(int connection, const std::vector<int>& adopters);

  std::deque<FileDescriptor> waiting_;
  std::size_t next_ = 0;  // round robin over the adopters
};

}  // namespace gale
