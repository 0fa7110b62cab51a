// Number formatting and parsing shared by every layer that writes or reads
// wire text: decimal and hex appended to a string without a locale or a
// temporary (std::to_chars), and one hex digit's value.
#pragma once

#include <charconv>
#include <concepts>
#include <string>

namespace gale {

template <std::integral N>
void append_decimal(std::string& out, N n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

template <std::unsigned_integral N>
void append_hex(std::string& out, N n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n, 16);
  out.append(buf, end);
}

// The value of a hex digit, or -1 when `c` is not one.
constexpr int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace gale
