// Cutting an encoded relay batch into control frames, and joining it back.
//
// The control socket carries frames of at most 64 KiB, header included
// (worker/control_protocol.cpp), and SOCK_SEQPACKET could not carry much
// more anyway: a datagram past the socket's send buffer (about 208 KiB by
// default, raised only to 2 x net.core.wmem_max without CAP_NET_ADMIN)
// fails with EMSGSIZE. Yet one record can be far larger: a WebSocket
// message may be 1 MiB, and the resync of a default chat room holds 200
// bodies of up to 4 KiB each. So split_frames() packs whole records into
// frames, and cuts a record larger than a frame into fragment records, one
// frame each; a RelayReassembler on the other end joins them. The socket
// keeps frames in order, which is all the joining needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "server/pubsub/relay_codec.hpp"

namespace gale::pubsub {

// The payload room of one control frame: 64 KiB less the 8-byte
// ControlHeader.
inline constexpr std::size_t kMaxRelayPayload = 64 * 1024 - 8;
// split_frames() treats a smaller max_payload as this: a fragment needs 9
// bytes of framing and must still carry some of its record.
inline constexpr std::size_t kMinRelayPayload = 16;
// What a reassembler joins by default: a 200-message resync of 1 MiB
// bodies fits, with room for the framing.
inline constexpr std::size_t kMaxJoinedRecord = 256 * 1024 * 1024;

// Appends to `frames` the payloads that carry `batch`, in order, none over
// max_payload: as many whole records as fit per frame, and a record larger
// than a frame as fragments. `batch` must be well-formed (our own encoder's
// output); if it is not, returns the decoder's error and appends nothing.
RelayError split_frames(std::string_view batch, std::size_t max_payload,
                        std::vector<std::string>& frames);

// Turns the frames of one peer, in arrival order, back into whole records.
class RelayReassembler {
 public:
  explicit RelayReassembler(std::size_t max_record = kMaxJoinedRecord)
      : max_record_(max_record) {}

  // Decodes one frame's payload into `out` (replaced): its whole records,
  // plus any record its fragments complete, in order. The views stay valid
  // until the next feed() or the payload's end of life, whichever is first.
  // On an error `out` is empty and any half-joined record is dropped: the
  // stream lost records, so the caller should treat its hub as stale (a
  // resync repairs it).
  RelayError feed(std::string_view payload, std::vector<RelayRecord>& out);

  // True when no fragmented record is half joined.
  bool idle() const { return expected_ == 0; }

 private:
  RelayError join(const RelayRecord& fragment, std::vector<RelayRecord>& out);
  RelayError fail(RelayError e, std::vector<RelayRecord>& out);

  std::size_t max_record_;
  std::string pending_;             // pieces so far
  std::uint32_t expected_ = 0;      // the whole record's size; 0 when idle
  std::deque<std::string> joined_;  // records completed by this feed()
};

}  // namespace gale::pubsub
