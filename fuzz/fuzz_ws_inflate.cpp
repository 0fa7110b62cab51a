// libFuzzer target: permessage-deflate's decompressor (MessageInflater)
// over arbitrary compressed bytes, and the codec's round trip.
//
// Input: byte 0 picks the bound (max_bytes, 0..64 KiB in steps) and whether
// to reset between messages; the rest is split at 0xFF bytes into
// messages, inflated one after the other on one inflater (context kept, as
// a client that keeps its context sends them).
//
// Invariants: ok never yields more than max_bytes; too_big only when the
// output passed max_bytes; after corrupt a reset inflater works again; and
// for any message, deflate then inflate gives it back exactly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server/websocket/deflate_codec.hpp"

using gale::websocket::MessageDeflater;
using gale::websocket::MessageInflater;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size < 1) return 0;
  const std::uint64_t max_bytes = (data[0] & 0x7F) * 512u;
  const bool reset_each = (data[0] & 0x80) != 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  MessageInflater inflater;
  std::string out;
  while (!rest.empty()) {
    const std::size_t cut = rest.find('\xFF');
    const std::string_view message = rest.substr(0, cut);
    rest = cut == std::string_view::npos ? std::string_view{}
                                         : rest.substr(cut + 1);
    const MessageInflater::Result r = inflater.inflate(message, max_bytes, out);
    if (r == MessageInflater::Result::ok) check(out.size() <= max_bytes);
    if (r == MessageInflater::Result::too_big) check(out.size() > max_bytes);
    if (r != MessageInflater::Result::ok || reset_each) inflater.reset();
  }

  // The round trip, on the raw input as a message.
  static MessageDeflater deflater;
  std::string packed, unpacked;
  deflater.compress(std::string_view(reinterpret_cast<const char*>(data), size),
                    packed);
  MessageInflater fresh;
  check(fresh.inflate(packed, size, unpacked) == MessageInflater::Result::ok);
  check(unpacked ==
        std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
