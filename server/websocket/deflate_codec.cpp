#include "server/websocket/deflate_codec.hpp"

#include <array>
#include <new>

namespace gale::websocket {

namespace {

constexpr std::array<unsigned char, 4> kTail = {0x00, 0x00, 0xFF, 0xFF};
constexpr std::size_t kChunk = 16 * 1024;

Bytef* bytes(std::string_view s) {
  return reinterpret_cast<Bytef*>(const_cast<char*>(s.data()));
}

}  // namespace

MessageDeflater::MessageDeflater(int window_bits, int level) {
  // Negative window bits: raw deflate, no zlib header (RFC 7692 §7.2.1).
  if (deflateInit2(&z_, level, Z_DEFLATED, -window_bits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::bad_alloc();
}

MessageDeflater::~MessageDeflater() {
  deflateEnd(&z_);
}

void MessageDeflater::compress(std::string_view message, std::string& out) {
  out.clear();
  z_.next_in = bytes(message);
  z_.avail_in = static_cast<uInt>(message.size());
  // Z_SYNC_FLUSH ends the output on a byte boundary with an empty stored
  // block: the 00 00 FF FF tail that is then cut off.
  do {
    const std::size_t used = out.size();
    const std::size_t room = deflateBound(&z_, z_.avail_in) + kChunk / 4;
    out.resize(used + room);
    z_.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    z_.avail_out = static_cast<uInt>(room);
    deflate(&z_, Z_SYNC_FLUSH);
    out.resize(used + (room - z_.avail_out));
  } while (z_.avail_in > 0 || z_.avail_out == 0);
  if (out.size() >= 4 &&
      out.compare(out.size() - 4, 4,
                  reinterpret_cast<const char*>(kTail.data()), 4) == 0)
    out.resize(out.size() - 4);
  deflateReset(&z_);
}

MessageInflater::MessageInflater() {
  if (inflateInit2(&z_, -15) != Z_OK) throw std::bad_alloc();
}

MessageInflater::~MessageInflater() {
  inflateEnd(&z_);
}

void MessageInflater::reset() {
  inflateReset(&z_);
}

MessageInflater::Result MessageInflater::inflate(std::string_view compressed,
                                                 std::uint64_t max_bytes,
                                                 std::string& out) {
  out.clear();
  const std::string_view tail(reinterpret_cast<const char*>(kTail.data()), 4);
  for (std::string_view input : {compressed, tail}) {
    z_.next_in = bytes(input);
    z_.avail_in = static_cast<uInt>(input.size());
    while (z_.avail_in > 0) {
      const std::size_t used = out.size();
      out.resize(used + kChunk);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      z_.avail_out = static_cast<uInt>(kChunk);
      const int rc = ::inflate(&z_, Z_SYNC_FLUSH);
      out.resize(used + (kChunk - z_.avail_out));
      if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
        return Result::corrupt;
      if (out.size() > max_bytes) return Result::too_big;
      if (rc == Z_STREAM_END) {
        // A final block (BFINAL): legal, but nothing may follow it within
        // the message, and the next message starts a fresh stream.
        const bool trailing = z_.avail_in > 0 && input.data() != tail.data();
        inflateReset(&z_);
        return trailing ? Result::corrupt : Result::ok;
      }
      if (rc == Z_BUF_ERROR && z_.avail_out > 0) break;  // needs more input
    }
  }
  return Result::ok;
}

}  // namespace gale::websocket
