// The UTF-8 DFA; see utf8_validator.hpp.
//
// The state is (need_, lo_, hi_). Only the first continuation byte after a
// lead byte has a range narrower than 0x80..0xBF (Unicode Table 3-7); that
// narrowing is what rules out overlong forms (E0, F0), surrogates (ED) and
// code points past U+10FFFF (F4).
#include "server/websocket/utf8_validator.hpp"

#include <cstring>

namespace gale::websocket {

namespace {

// Skips the leading run of ASCII bytes eight at a time.
const unsigned char* skip_ascii(const unsigned char* p,
                                const unsigned char* end) {
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if (word & 0x8080808080808080ull) break;
    p += 8;
  }
  return p;
}

}  // namespace

bool Utf8Validator::start_sequence(unsigned char lead) {
  lo_ = 0x80;
  hi_ = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need_ = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need_ = 2;
    if (lead == 0xE0) lo_ = 0xA0;  // below: overlong 3-byte form
    if (lead == 0xED) hi_ = 0x9F;  // above: surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need_ = 3;
    if (lead == 0xF0) lo_ = 0x90;  // below: overlong 4-byte form
    if (lead == 0xF4) hi_ = 0x8F;  // above: past U+10FFFF
  } else {
    // 0x80..0xBF: a continuation byte with no lead; 0xC0/0xC1: overlong
    // 2-byte forms; 0xF5..0xFF: past U+10FFFF or never valid.
    return false;
  }
  return true;
}

bool Utf8Validator::feed(const char* data, std::size_t len) {
  if (failed_) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  const auto* end = p + len;
  while (p < end) {
    if (need_ == 0) {
      p = skip_ascii(p, end);
      if (p == end) break;
      unsigned char b = *p++;
      if (b < 0x80) continue;
      if (!start_sequence(b)) return fail();
    } else {
      unsigned char b = *p++;
      if (b < lo_ || b > hi_) return fail();
      lo_ = 0x80;
      hi_ = 0xBF;
      --need_;
    }
  }
  return true;
}

bool Utf8Validator::is_valid(std::string_view text) {
  Utf8Validator v;
  return v.feed(text) && v.complete();
}

}  // namespace gale::websocket
