// permessage-deflate's compressor and decompressor over zlib (RFC 7692
// §7.2): whole messages in, whole messages out, raw deflate, with the
// 0x00 0x00 0xFF 0xFF tail each message drops on the wire (§7.2.1)
// removed when compressing and put back when decompressing (§7.2.2).
//
// What they cost (zlib's own formulas, memLevel 8): a compressor with a
// 2^w-byte window holds about 2^(w+2) + 2^(8+9) bytes — 256 KiB at w=15 —
// which is why the server never keeps one per socket (it answers
// server_no_context_takeover and a worker's sessions share one). A
// decompressor holds about 7 KiB plus its 2^w window (32 KiB at w=15),
// allocated on first use: per socket only when the client keeps its
// context, else shared too.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace gale::websocket {

class MessageDeflater {
 public:
  // `window_bits` 9..15 (agreed server_max_window_bits).
  explicit MessageDeflater(int window_bits = 15, int level = 6);
  ~MessageDeflater();
  MessageDeflater(const MessageDeflater&) = delete;
  MessageDeflater& operator=(const MessageDeflater&) = delete;

  // `out` = `message` compressed, tail removed. The context is reset
  // afterwards (no context takeover), so any socket may use it next.
  void compress(std::string_view message, std::string& out);

 private:
  z_stream z_{};
};

class MessageInflater {
 public:
  enum class Result : std::uint8_t { ok, too_big, corrupt };

  MessageInflater();
  ~MessageInflater();
  MessageInflater(const MessageInflater&) = delete;
  MessageInflater& operator=(const MessageInflater&) = delete;

  // `out` = `compressed` (one message, tail removed) decompressed, failing
  // with too_big as soon as it would pass `max_bytes`. With context
  // takeover the next message may refer back to this one's bytes.
  Result inflate(std::string_view compressed, std::uint64_t max_bytes,
                 std::string& out);
  // Forgets the context (client_no_context_takeover, after each message).
  void reset();

 private:
  z_stream z_{};
};

}  // namespace gale::websocket
