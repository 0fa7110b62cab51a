#include "server/http/chunk_scanner.hpp"

#include <algorithm>

#include "server/core/format.hpp"

namespace gale {
namespace {

// A chunk-size line of up to 16 hex digits and CRLF costs nothing extra;
// every byte beyond (extensions, leading zeros) and every trailer byte is
// counted against max_header_bytes, since http-parser skips them unbounded.
constexpr std::uint32_t kPlainSizeLine = 18;

}  // namespace

void ChunkScanner::reset(std::uint64_t max_extra_bytes) {
  state_ = State::head_lf;
  size_ = 0;
  line_ = 0;
  extra_ = 0;
  max_extra_ = max_extra_bytes;
}

ChunkScanner::Result ChunkScanner::scan(const char* data, std::size_t len,
                                        std::size_t& consumed) {
  consumed = len;
  for (std::size_t i = 0; i < len; ++i) {
    if (state_ == State::data) {
      std::uint64_t n = std::min<std::uint64_t>(size_, len - i);
      size_ -= n;
      i += n - 1;
      if (size_ == 0) state_ = State::data_cr;
      continue;
    }
    bool size_line = state_ >= State::size_start && state_ <= State::size_lf;
    bool counted =
        size_line ? ++line_ > kPlainSizeLine : state_ >= State::trailer_start;
    if (counted && ++extra_ > max_extra_) return Result::error;
    const auto c = static_cast<unsigned char>(data[i]);
    switch (state_) {
      case State::head_lf:
        if (c != '\n') return Result::error;
        state_ = State::size_start;
        break;
      case State::size_start: {
        int h = hex_value(c);
        if (h < 0) return Result::error;
        size_ = static_cast<std::uint64_t>(h);
        state_ = State::size;
        break;
      }
      case State::size:
        if (int h = hex_value(c); h >= 0) {
          if (size_ >> 60) return Result::error;  // over 64 bits
          size_ = size_ << 4 | static_cast<std::uint64_t>(h);
        } else if (c == ';') {
          state_ = State::extension;
        } else if (c == ' ' || c == '\t') {
          state_ = State::size_ws;
        } else if (c == '\r') {
          state_ = State::size_lf;
        } else {
          return Result::error;
        }
        break;
      case State::size_ws:
        if (c == ';')
          state_ = State::extension;
        else if (c == '\r')
          state_ = State::size_lf;
        else if (c != ' ' && c != '\t')
          return Result::error;
        break;
      case State::extension:
        // Tokens and quoted strings: no control character but HTAB.
        if (c == '\r')
          state_ = State::size_lf;
        else if ((c < 0x20 && c != '\t') || c == 0x7f)
          return Result::error;
        break;
      case State::size_lf:
        if (c != '\n') return Result::error;
        line_ = 0;
        state_ = size_ == 0 ? State::trailer_start : State::data;
        break;
      case State::data_cr:
        if (c != '\r') return Result::error;
        state_ = State::data_lf;
        break;
      case State::data_lf:
        if (c != '\n') return Result::error;
        state_ = State::size_start;
        break;
      case State::trailer_start:
        if (c == '\n') {
          state_ = State::done;
          consumed = i + 1;
          return Result::complete;
        }
        state_ = c == '\r' ? State::final_lf : State::trailer;
        break;
      case State::trailer:
        if (c == '\r')
          state_ = State::trailer_lf;
        else if (c == '\n')
          state_ = State::trailer_start;
        break;
      case State::trailer_lf:
        if (c != '\n') return Result::error;
        state_ = State::trailer_start;
        break;
      case State::final_lf:
        if (c != '\n') return Result::error;
        state_ = State::done;
        consumed = i + 1;
        return Result::complete;
      case State::data:
      case State::done:
        return Result::error;
    }
  }
  return Result::need_more;
}

}  // namespace gale
