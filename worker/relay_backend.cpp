// RelayBackend: publish records out, message/resync/ack records in, ack
// timeouts, and resync requests when the ids show a gap (relay_backend.hpp
// has the contract).
#include "worker/relay_backend.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "server/core/log.hpp"
#include "server/pubsub/id.hpp"
#include "server/pubsub/local_backend.hpp"
#include "server/pubsub/relay_codec.hpp"

namespace gale {

using pubsub::PublishResult;
using pubsub::PublishStatus;

RelayBackend::RelayBackend(pubsub::Hub& hub, SendFrame send, Defer defer,
                           After after, std::chrono::milliseconds ack_timeout)
    : hub_(hub),
      send_(std::move(send)),
      defer_(std::move(defer)),
      after_(std::move(after)),
      ack_timeout_(ack_timeout) {}

RelayBackend::~RelayBackend() {
  *alive_ = false;
}

void RelayBackend::publish(std::string channel, std::string body,
                           pubsub::PublishCompletion done) {
  if (!pubsub::valid_publish(channel, body))
    return fail_later(std::move(done), PublishStatus::invalid);
  if (gone_) return fail_later(std::move(done), PublishStatus::unavailable);
  std::uint64_t ref = next_ref_++;
  pubsub::encode_publish(batch_, ref, channel, body);
  waiting_.emplace(ref, std::move(done));
  if (after_) {
    Clock::time_point now = Clock::now();
    deadlines_.push_back({ref, now + ack_timeout_});
    if (!timer_armed_) arm_timer(now);
  }
  schedule_flush();
}

bool RelayBackend::ahead(std::string_view, std::string_view cursor) const {
  auto id = pubsub::parse_local_id(cursor);
  if (!id) return false;
  if (!synced_) return true;
  return id->epoch == epoch_ && id->seq > last_seq_;
}

// One flush per loop turn: a burst of publishes shares frames.
void RelayBackend::schedule_flush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  defer_([this, alive = alive_] {
    if (*alive) flush();
  });
}

void RelayBackend::flush() {
  flush_posted_ = false;
  if (gone_ || batch_.empty()) return;
  std::vector<std::string> frames;
  pubsub::split_frames(batch_, pubsub::kMaxRelayPayload, frames);
  batch_.clear();
  for (std::string& f : frames)
    send_(std::move(f));
}

void RelayBackend::fail_later(pubsub::PublishCompletion done,
                              PublishStatus why) {
  defer_([done = std::move(done), why] { done(PublishResult{why, {}}); });
}

void RelayBackend::on_frame(std::string_view payload) {
  std::vector<pubsub::RelayRecord> records;
  if (auto e = reassembler_.feed(payload, records);
      e != pubsub::RelayError::none) {
    if (!warned_input_)
      log::warning("relay: a bad frame from the master: ", pubsub::describe(e));
    warned_input_ = true;
    request_resync("a bad frame");  // records were lost
  }
  for (const pubsub::RelayRecord& r : records) {
    switch (r.kind) {
      case pubsub::RecordKind::message:
        on_message(r);
        break;
      case pubsub::RecordKind::resync:
        on_resync(r);
        break;
      case pubsub::RecordKind::ack:
        on_ack(r);
        break;
      default:
        break;  // publish, resync_request, fragments never come this way
    }
  }
}

// Every ready worker gets every message, so after the first resync (or the
// first message, when the master had no history to send) the next id is
// the one after the newest: a jump means frames were lost. An id at or
// below the newest is a message the hub already has (a resync overtook it)
// and is ignored by the hub.
void RelayBackend::on_message(const pubsub::RelayRecord& r) {
  auto id = pubsub::parse_local_id(r.id);
  if (id) {
    if (!synced_ || id->epoch != epoch_) {
      synced_ = true;
      epoch_ = id->epoch;
      last_seq_ = id->seq;
    } else if (id->seq > last_seq_ + 1) {
      request_resync("a gap in the message ids");
    }
    last_seq_ = std::max(last_seq_, id->seq);
  }
  hub_.deliver(pubsub::Message{std::string(r.channel), std::string(r.id),
                               std::string(r.body)});
}

void RelayBackend::on_resync(const pubsub::RelayRecord& r) {
  std::vector<pubsub::Message> history;
  history.reserve(r.entries.size());
  for (const pubsub::ResyncEntry& e : r.entries) {
    history.push_back({{}, std::string(e.id), std::string(e.body)});
    auto id = pubsub::parse_local_id(e.id);
    if (!id) continue;
    if (!synced_ || id->epoch != epoch_) last_seq_ = 0;
    synced_ = true;
    epoch_ = id->epoch;
    last_seq_ = std::max(last_seq_, id->seq);
  }
  hub_.resync(r.channel, std::move(history));
}

void RelayBackend::on_ack(const pubsub::RelayRecord& r) {
  auto it = waiting_.find(r.ref);
  if (it != waiting_.end()) {
    pubsub::PublishCompletion done = std::move(it->second);
    waiting_.erase(it);
    if (r.id.empty())
      done(PublishResult{PublishStatus::unavailable, {}});
    else
      done(PublishResult{PublishStatus::published, std::string(r.id)});
  }
  // Acks come in order: the answered refs leave the front.
  while (!deadlines_.empty() && !waiting_.contains(deadlines_.front().ref))
    deadlines_.pop_front();
}

void RelayBackend::arm_timer(Clock::time_point now) {
  if (deadlines_.empty() || gone_) return;
  timer_armed_ = true;
  auto delay =
      std::chrono::ceil<std::chrono::milliseconds>(deadlines_.front().at - now);
  after_(std::max(delay, std::chrono::milliseconds(0)), [this, alive = alive_] {
    if (*alive) on_timer();
  });
}

// Fails every publish past its deadline; the timer then waits for the
// next deadline, if any publish still waits.
void RelayBackend::on_timer() {
  timer_armed_ = false;
  Clock::time_point now = Clock::now();
  while (!deadlines_.empty() && !gone_) {
    Deadline d = deadlines_.front();
    auto it = waiting_.find(d.ref);
    if (it != waiting_.end() && d.at > now) break;
    deadlines_.pop_front();
    if (it == waiting_.end()) continue;  // answered meanwhile
    pubsub::PublishCompletion done = std::move(it->second);
    waiting_.erase(it);
    ++timeouts_;
    if (!warned_timeout_)
      log::warning("relay: the master did not acknowledge a publish within ",
                   ack_timeout_.count(), " ms; it fails as unavailable");
    warned_timeout_ = true;
    // A later turn already: the completion may run here (it may publish).
    done(PublishResult{PublishStatus::unavailable, {}});
  }
  if (!timer_armed_) arm_timer(Clock::now());
}

void RelayBackend::request_resync(const char* why) {
  if (gone_) return;
  ++resync_requests_;
  if (!warned_gap_)
    log::warning("relay: ", why, "; asking the master for a resync");
  warned_gap_ = true;
  pubsub::encode_resync_request(batch_);
  schedule_flush();
}

void RelayBackend::on_channel_gone() {
  if (gone_) return;
  gone_ = true;
  batch_.clear();
  deadlines_.clear();
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [ref, done] : waiting)
    fail_later(std::move(done), PublishStatus::unavailable);
}

}  // namespace gale
