// The payload of ControlType::relay frames (worker/control_protocol.hpp):
// pub/sub records between the master and its workers, many per frame.
//
// A payload is a sequence of records, each a u8 kind then its fields. A
// string field is a little-endian u32 length then that many bytes; `ref`
// is a little-endian u64; `count` and `total` are little-endian u32s. There
// is one encoding per record (fixed widths, no padding), so decoding then
// re-encoding gives back the same bytes, which the fuzz target checks.
//
//   publish  = 1 ref channel body          worker -> master
//   message  = 2 channel id body           master -> every worker
//   resync   = 3 channel count (id body)*  master -> a worker: the channel's
//                                          whole kept history, oldest first
//   ack      = 4 ref id                    master -> the publisher
//   fragment = 5 total piece               a cut of a record too big for a
//                                          frame (relay_frames.hpp)
//   resync_request = 6                     worker -> master: my hub may be
//                                          stale, resync me
//
// `ref` is the publisher's own number for a publish; the master answers
// with an ack carrying it and the assigned id (empty id: refused), which is
// how `POST /chat/new` learns the id it returns. Untrusted bytes never
// crash the decoder: it stops at the first bad record with a RelayError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/pubsub/message.hpp"

namespace gale::pubsub {

enum class RecordKind : std::uint8_t {
  publish = 1,
  message = 2,
  resync = 3,
  ack = 4,
  fragment = 5,
  resync_request = 6,
};

// Largest piece one fragment record carries.
inline constexpr std::size_t kMaxFragmentBytes = 1024 * 1024;

enum class RelayError : std::uint8_t {
  none = 0,
  // The payload ends inside a record (or a length prefix).
  truncated,
  // A kind byte this version does not know.
  unknown_kind,
  // A field over its bound: channel 256, id 64, body 1 MiB, fragment
  // piece 1 MiB (or a piece longer than its record's total).
  field_too_long,
  // An empty channel, an empty message or resync id, an empty fragment
  // piece, or a fragment whose total is 0.
  empty_field,
  // Fragments that do not join into exactly one whole, non-fragment
  // record, or another record arriving while one is half joined.
  bad_fragment,
  // Joined fragments would exceed the reassembler's limit.
  record_too_large,
};

// A short English description, for logs.
const char* describe(RelayError e);

struct ResyncEntry {
  std::string_view id;
  std::string_view body;

  friend bool operator==(const ResyncEntry&, const ResyncEntry&) = default;
};

// One decoded record. Views point into the decoded payload. Fields a kind
// does not have stay empty.
struct RelayRecord {
  RecordKind kind = RecordKind::message;
  std::uint64_t ref = 0;             // publish, ack
  std::string_view channel;          // publish, message, resync
  std::string_view id;               // message, ack
  std::string_view body;             // publish, message; fragment: the piece
  std::uint32_t total = 0;           // fragment: bytes of the whole record
  std::vector<ResyncEntry> entries;  // resync

  friend bool operator==(const RelayRecord&, const RelayRecord&) = default;
};

// Each encoder appends one record to `out` and returns none, or returns the
// bound its arguments break and leaves `out` as it was.
RelayError encode_publish(std::string& out, std::uint64_t ref,
                          std::string_view channel, std::string_view body);
RelayError encode_message(std::string& out, std::string_view channel,
                          std::string_view id, std::string_view body);
RelayError encode_resync(std::string& out, std::string_view channel,
                         std::span<const MessagePtr> history);
RelayError encode_resync(std::string& out, std::string_view channel,
                         std::span<const ResyncEntry> history);
RelayError encode_ack(std::string& out, std::uint64_t ref, std::string_view id);
RelayError encode_fragment(std::string& out, std::uint32_t total,
                           std::string_view piece);
RelayError encode_resync_request(std::string& out);
// Any decoded record, by its kind.
RelayError encode_record(std::string& out, const RelayRecord& record);

// Decodes the record at the start of `in`. On none, `consumed` is its size;
// otherwise `out` is unspecified and `consumed` 0. Never reads past `in`.
RelayError decode_record(std::string_view in, RelayRecord& out,
                         std::size_t& consumed);

// Walks a payload record by record.
class RelayDecoder {
 public:
  explicit RelayDecoder(std::string_view payload) : payload_(payload) {}

  // The next record into `out`: false at the end of the payload or at the
  // first bad record (error() then says which).
  bool next(RelayRecord& out);

  RelayError error() const { return error_; }
  std::size_t consumed() const { return consumed_; }  // whole records
  bool done() const { return consumed_ == payload_.size(); }

 private:
  std::string_view payload_;
  std::size_t consumed_ = 0;
  RelayError error_ = RelayError::none;
};

// Every record of a payload, all or nothing: on an error `out` is empty.
RelayError decode_batch(std::string_view payload,
                        std::vector<RelayRecord>& out);

}  // namespace gale::pubsub
