// Message ids of the local backend, where the master orders every message.
//
// An id is "<epoch>-<seq>": 8 lowercase hex digits of an epoch the master
// picks when it starts, then 16 of a sequence number counting from 1 across
// all channels. The epoch makes a cursor from an earlier master run read as
// unknown (so a client gets the whole kept history, SPEC §3) instead of as
// a position in the new run's numbering. Fixed width keeps ids of one run in
// string order, which helps a human reading logs; the hub never relies on
// it, because Redis stream ids, which replace these later, sort otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gale::pubsub {

struct LocalId {
  std::uint32_t epoch = 0;
  std::uint64_t seq = 0;

  friend bool operator==(const LocalId&, const LocalId&) = default;
};

class IdGenerator {
 public:
  explicit IdGenerator(std::uint32_t epoch) : epoch_(epoch) {}

  // The next id: unique and increasing within this generator's life.
  std::string next();

  std::uint32_t epoch() const { return epoch_; }
  std::uint64_t last_seq() const { return seq_; }

 private:
  std::uint32_t epoch_;
  std::uint64_t seq_ = 0;
};

// An epoch unlikely to repeat across master restarts: random_device mixed
// with the wall clock, in case random_device is deterministic.
std::uint32_t fresh_epoch();

std::string format_local_id(LocalId id);

// The parts of a well-formed local id; nullopt for anything else (such as
// a Redis id or a client's made-up cursor).
std::optional<LocalId> parse_local_id(std::string_view id);

}  // namespace gale::pubsub
