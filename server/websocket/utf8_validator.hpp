// Incremental UTF-8 validation (RFC 3629, Unicode Table 3-7), for text
// messages that arrive in fragments and in arbitrary TCP pieces.
//
// RFC 6455 §8.1 wants a text message failed as soon as its bytes prove it
// is not UTF-8, so the validator is a small DFA fed piece by piece: its
// state (continuation bytes still expected, and the byte range the next one
// must fall in) carries a code point across calls. It rejects overlong
// forms, the surrogates U+D800..U+DFFF, code points above U+10FFFF, stray
// or missing continuation bytes, and the bytes 0xC0, 0xC1, 0xF5..0xFF.
// Pure ASCII runs take a word-at-a-time fast path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gale::websocket {

class Utf8Validator {
 public:
  // Validates the next `len` bytes. Returns false as soon as the bytes seen
  // since reset() cannot be the start of valid UTF-8; the failure is
  // sticky until reset().
  bool feed(const char* data, std::size_t len);
  bool feed(std::string_view text) { return feed(text.data(), text.size()); }

  // No failure and no code point left half-open: the text may end here. A
  // message that ends while complete() is false is invalid (truncated).
  bool complete() const { return need_ == 0 && !failed_; }
  bool failed() const { return failed_; }

  void reset() { *this = Utf8Validator{}; }

  // Whole-text convenience: feed(text) && complete() on a fresh validator.
  static bool is_valid(std::string_view text);

 private:
  bool start_sequence(unsigned char lead);
  bool fail() {
    failed_ = true;
    return false;
  }

  std::uint8_t need_ = 0;   // continuation bytes still expected
  std::uint8_t lo_ = 0x80;  // lowest byte allowed as the next continuation
  std::uint8_t hi_ = 0xBF;  // highest byte allowed as the next continuation
  bool failed_ = false;
};

}  // namespace gale::websocket
