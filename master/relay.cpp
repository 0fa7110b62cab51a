// The master's relay: ordering, batching, bounded per-worker queues and
// resync on overflow (relay.hpp has the contract).
#include "master/relay.hpp"

#include <algorithm>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "server/core/log.hpp"
#include "server/pubsub/relay_codec.hpp"
#include "server/pubsub/relay_frames.hpp"
#include "worker/control_protocol.hpp"

namespace gale {

namespace {

// A frame is shared by every worker it goes to: a busy round's batch is
// cut once, never copied per worker.
struct Frame {
  std::shared_ptr<const std::string> payload;
  // A fragment with more of its record to follow: the queue may not be cut
  // after it, or the worker's reassembler would lose the next frame too.
  bool continues = false;
};

// Cuts `batch` into frames and marks the ones inside a fragmented record.
std::vector<Frame> cut(std::string_view batch) {
  std::vector<std::string> pieces;
  pubsub::split_frames(batch, pubsub::kMaxRelayPayload, pieces);
  std::vector<Frame> frames;
  frames.reserve(pieces.size());
  std::size_t joined = 0;
  for (std::string& piece : pieces) {
    Frame f{std::make_shared<const std::string>(std::move(piece))};
    pubsub::RelayRecord r;
    std::size_t used = 0;
    if (static_cast<pubsub::RecordKind>((*f.payload)[0]) ==
            pubsub::RecordKind::fragment &&
        pubsub::decode_record(*f.payload, r, used) ==
            pubsub::RelayError::none) {
      joined += r.body.size();
      f.continues = joined < r.total;
      if (!f.continues) joined = 0;
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

}  // namespace

struct Relay::Peer {
  pubsub::RelayReassembler reassembler;
  std::deque<Frame> queue;
  std::size_t queued = 0;        // bytes in `queue`
  std::size_t allowance = 0;     // resync bytes still queued: not counted
  std::string acks;              // this round's acks, or the ones kept
                                 // through an overflow until the resync
  bool ready = false;            // gets live messages
  bool resync_due = false;       // overflowed: resync once the queue drains
  bool broken = false;           // a send failed: the channel is closing
  bool warned_input = false;     // a bad frame was logged
  bool warned_overflow = false;  // an overflow was logged
  bool warned_request = false;   // a resync request was logged
};

Relay::Relay(std::size_t history, std::size_t queue_limit, std::uint32_t epoch)
    : hub_(history), ids_(epoch), queue_limit_(queue_limit) {}

Relay::~Relay() = default;

Relay::Peer& Relay::peer(int fd) {
  return peers_[fd];
}

void Relay::on_frame(int fd, std::string_view payload) {
  Peer& p = peer(fd);
  std::vector<pubsub::RelayRecord> records;
  if (auto e = p.reassembler.feed(payload, records);
      e != pubsub::RelayError::none) {
    // Its publishes in that frame are lost; their publishers time out.
    if (!p.warned_input)
      log::warning("relay: a bad frame from a worker: ", pubsub::describe(e));
    p.warned_input = true;
  }
  for (const pubsub::RelayRecord& r : records) {
    if (r.kind == pubsub::RecordKind::publish)
      publish(p, r.ref, r.channel, r.body);
    else if (r.kind == pubsub::RecordKind::resync_request)
      request_resync(fd, p);
  }
}

// The worker's hub may be stale. What is queued for it still goes (the hub
// ignores what it has); then the resync, as after an overflow, and live
// messages after that. A worker not ready yet gets its resync when it is.
void Relay::request_resync(int fd, Peer& p) {
  if (!p.ready || p.resync_due || p.broken) return;
  ++resync_requests_;
  if (!p.warned_request)
    log::warning("relay: a worker (channel ", fd, ") asked for a resync");
  p.warned_request = true;
  p.resync_due = true;
}

void Relay::publish(Peer& from, std::uint64_t ref, std::string_view channel,
                    std::string_view body) {
  std::string id = ids_.next();
  hub_.deliver(pubsub::Message{std::string(channel), id, std::string(body)});
  pubsub::encode_message(round_, channel, id, body);
  pubsub::encode_ack(from.acks, ref, id);
}

void Relay::on_ready(int fd) {
  Peer& p = peer(fd);
  if (p.ready) return;
  p.ready = true;
  resync(p);
  send(fd, p);
}

void Relay::forget(int fd) {
  peers_.erase(fd);
}

void Relay::flush() {
  std::vector<Frame> live;
  if (!round_.empty()) live = cut(round_);
  round_.clear();
  for (auto& [fd, p] : peers_) {
    if (p.broken) continue;
    if (p.ready && !p.resync_due)
      for (const Frame& f : live) {
        p.queued += f.payload->size();
        p.queue.push_back(f);
      }
    // The ack follows its message. Through an overflow the acks wait for
    // the resync, which holds their messages.
    if (!p.resync_due && !p.acks.empty()) {
      enqueue(p, p.acks, true);
      p.acks.clear();
    }
    if (p.queued > queue_limit_ + p.allowance) overflow(fd, p);
    send(fd, p);
  }
}

void Relay::enqueue(Peer& p, std::string_view batch, bool counted) {
  for (Frame& f : cut(batch)) {
    p.queued += f.payload->size();
    if (!counted) p.allowance += f.payload->size();
    p.queue.push_back(std::move(f));
  }
}

// Drops what the worker has not been sent, except the rest of a record
// whose first fragments it already has, and keeps the acks for later.
void Relay::overflow(int fd, Peer& p) {
  ++overflows_;
  // Once per worker: a worker that stays slow overflows again and again.
  if (!p.warned_overflow)
    log::warning("relay: a worker (channel ", fd, ") fell ", p.queued,
                 " bytes behind; dropping its queue and resyncing it");
  p.warned_overflow = true;
  std::deque<Frame> kept;
  bool inside = false;  // the front frames finish a half-sent record
  if (!p.queue.empty() && p.queue.front().continues) inside = true;
  std::size_t kept_bytes = 0;
  for (Frame& f : p.queue) {
    if (inside) {
      kept_bytes += f.payload->size();
      inside = f.continues;
      kept.push_back(std::move(f));
      continue;
    }
    pubsub::RelayDecoder decoder(*f.payload);
    pubsub::RelayRecord r;
    while (decoder.next(r))
      if (r.kind == pubsub::RecordKind::ack)
        pubsub::encode_ack(p.acks, r.ref, r.id);
  }
  p.queue = std::move(kept);
  p.queued = kept_bytes;
  p.allowance = 0;
  p.resync_due = true;
}

void Relay::resync(Peer& p) {
  std::string batch;
  for (const pubsub::ChannelHistory& h : hub_.snapshot())
    pubsub::encode_resync(batch, h.channel, h.messages);
  enqueue(p, batch, false);
  if (!p.acks.empty()) enqueue(p, p.acks, true);
  p.acks.clear();
  p.resync_due = false;
}

bool Relay::wants_write(int fd) const {
  auto it = peers_.find(fd);
  return it != peers_.end() && !it->second.broken && !it->second.queue.empty();
}

void Relay::on_writable(int fd) {
  auto it = peers_.find(fd);
  if (it != peers_.end()) send(fd, it->second);
}

void Relay::send(int fd, Peer& p) {
  for (;;) {
    while (!p.queue.empty() && !p.broken) {
      const Frame& f = p.queue.front();
      IoResult r = send_control(fd, ControlType::relay, *f.payload);
      if (r == IoResult::would_block) return;
      if (r != IoResult::ok) {
        // The worker is exiting; the master reaps it and forgets it.
        p.broken = true;
        break;
      }
      std::size_t n = f.payload->size();
      p.queued -= n;
      p.allowance -= std::min(p.allowance, n);
      p.queue.pop_front();
    }
    if (p.broken) {
      p.queue.clear();
      p.queued = p.allowance = 0;
      return;
    }
    if (!p.resync_due) return;
    resync(p);  // drained after an overflow: now its hub is put right
  }
}

std::size_t Relay::queued_bytes(int fd) const {
  auto it = peers_.find(fd);
  return it == peers_.end() ? 0 : it->second.queued;
}

}  // namespace gale
