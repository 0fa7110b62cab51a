// Connections waiting on the same kind of deadline (header, body, idle,
// write, linger). Every entry of a list waits the same duration, so
// appending keeps it sorted by deadline: arming, disarming and expiring are
// O(1) each, with no timer object per connection (as nginx's and h2o's
// per-duration timeout queues).
#pragma once

#include <boost/intrusive/list.hpp>

#include <chrono>
#include <optional>

namespace gale {

using Clock = std::chrono::steady_clock;

using ListHook = boost::intrusive::list_member_hook<
    boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

template <class T, ListHook T::*Hook>
class TimeoutList {
 public:
  explicit TimeoutList(Clock::duration duration = {}) : duration_(duration) {}

  void set_duration(Clock::duration d) { duration_ = d; }
  Clock::duration duration() const { return duration_; }

  // (Re)arms `item`: it expires `duration` from `now`.
  void arm(T& item, Clock::time_point now) {
    (item.*Hook).unlink();
    item.deadline = now + duration_;
    list_.push_back(item);
  }

  // Arms `item` for a deadline of its own, earlier than `duration` from now
  // (an idle connection that already waited part of its time). The list
  // then is only nearly sorted: an entry behind it may expire up to that
  // difference late, which for idle timeouts is harmless.
  void arm_at(T& item, Clock::time_point deadline) {
    (item.*Hook).unlink();
    item.deadline = deadline;
    list_.push_back(item);
  }

  // Calls `expire(item)` for every item whose deadline has passed, oldest
  // first. `expire` must disarm the item (directly or by closing it).
  template <class F>
  void expire(Clock::time_point now, F&& expire) {
    while (!list_.empty() && list_.front().deadline <= now) {
      T& item = list_.front();
      expire(item);
      if (!list_.empty() && &list_.front() == &item) list_.pop_front();
    }
  }

  bool empty() const { return list_.empty(); }
  // The earliest deadline (the front's), if any.
  std::optional<Clock::time_point> front_deadline() const {
    if (list_.empty()) return std::nullopt;
    return list_.front().deadline;
  }
  std::size_t size() const { return list_.size(); }

 private:
  boost::intrusive::list<T, boost::intrusive::member_hook<T, ListHook, Hook>,
                         boost::intrusive::constant_time_size<false>>
      list_;
  Clock::duration duration_;
};

}  // namespace gale
