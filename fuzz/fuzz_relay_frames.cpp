// libFuzzer target: arbitrary bytes as the payload of a relay frame
// (server/pubsub/relay_codec.hpp, relay_frames.hpp).
//
// Invariants: the decoder never reads past the end (ASan) and stops only at
// a record boundary; every decoded field is within its bound; re-encoding
// the decoded records gives back exactly the bytes they were decoded from;
// decode_batch is all or nothing and agrees with the iterating decoder; a
// well-formed batch split into frames of any size has no frame over that
// size and rejoins to itself; and the reassembler survives any sequence of
// frames, handing out only records within bounds.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "server/pubsub/relay_codec.hpp"
#include "server/pubsub/relay_frames.hpp"

namespace {

using namespace gale::pubsub;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

void check_bounds(const RelayRecord& r) {
  check(r.channel.size() <= kMaxChannelBytes, "channel over its bound");
  check(r.id.size() <= kMaxIdBytes, "id over its bound");
  check(r.body.size() <= kMaxBodyBytes, "body over its bound");
  for (const ResyncEntry& e : r.entries) {
    check(!e.id.empty() && e.id.size() <= kMaxIdBytes, "resync id bound");
    check(e.body.size() <= kMaxBodyBytes, "resync body bound");
  }
  bool has_channel = r.kind == RecordKind::publish ||
                     r.kind == RecordKind::message ||
                     r.kind == RecordKind::resync;
  check(has_channel == !r.channel.empty(), "channel presence");
  if (r.kind == RecordKind::message) check(!r.id.empty(), "empty message id");
  if (r.kind == RecordKind::fragment)
    check(r.total > 0 && !r.body.empty() && r.body.size() <= r.total,
          "fragment piece and total");
}

// Returns whether the whole input is a batch without fragments.
bool decode_and_reencode(std::string_view in) {
  RelayDecoder decoder(in);
  RelayRecord r;
  std::size_t records = 0;
  bool fragments = false;
  std::size_t before = 0;
  while (decoder.next(r)) {
    ++records;
    check(decoder.consumed() > before, "a record of no bytes");
    check(decoder.consumed() <= in.size(), "consumed past the end");
    check_bounds(r);
    fragments |= r.kind == RecordKind::fragment;
    std::string again;
    check(encode_record(again, r) == RelayError::none, "re-encoding failed");
    check(again == in.substr(before, decoder.consumed() - before),
          "re-encoding differs from the decoded bytes");
    before = decoder.consumed();
  }
  check(decoder.consumed() == before, "consumed moved on an error");
  std::vector<RelayRecord> batch;
  RelayError e = decode_batch(in, batch);
  check(e == decoder.error(), "decode_batch disagrees with the decoder");
  check(e == RelayError::none ? batch.size() == records : batch.empty(),
        "decode_batch is not all or nothing");
  check((e == RelayError::none) == decoder.done(), "done() and error()");
  return e == RelayError::none && !fragments;
}

void split_and_rejoin(std::string_view batch, std::size_t max) {
  std::vector<std::string> frames;
  check(split_frames(batch, max, frames) == RelayError::none,
        "a valid batch did not split");
  RelayReassembler joiner;
  std::string rejoined;
  std::vector<RelayRecord> out;
  for (const std::string& f : frames) {
    check(!f.empty() && f.size() <= std::max(max, kMinRelayPayload),
          "frame over max");
    check(joiner.feed(f, out) == RelayError::none, "own frames do not join");
    for (const RelayRecord& r : out)
      encode_record(rejoined, r);
  }
  check(joiner.idle(), "a record left half joined");
  check(rejoined == batch, "split and rejoin changed the batch");
}

// Any bytes, cut into frames at positions the input picks, fed in order.
void feed_as_frames(std::string_view in) {
  RelayReassembler joiner(4096);
  std::vector<RelayRecord> out;
  std::size_t at = 0;
  while (at < in.size()) {
    std::size_t n = 1 + static_cast<unsigned char>(in[at]) % 97;
    std::string_view frame = in.substr(at + 1, n);
    RelayError e = joiner.feed(frame, out);
    if (e != RelayError::none)
      check(out.empty() && joiner.idle(), "failed feed left state");
    for (const RelayRecord& r : out) {
      check(r.kind != RecordKind::fragment, "a fragment handed out");
      check_bounds(r);
    }
    at += 1 + n;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (decode_and_reencode(in) && size > 0) {
    split_and_rejoin(in, 8 + static_cast<unsigned char>(in.back()));
    split_and_rejoin(in, kMaxRelayPayload);
  }
  feed_as_frames(in);
  return 0;
}
