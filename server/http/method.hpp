// Request methods: the Method a request carries, and the set of methods a
// handler type implements, worked out at compile time from which
// RequestHandler methods it overrides, so a 405 can name the allowed ones
// (RFC 9110 §15.5.6) without running the handler.
#pragma once

#include <cstdint>
#include <string>

namespace gale {

enum class Method : std::uint8_t {
  get,
  head,
  post,
  put,
  delete_,
  patch,
  options,
  connect,
  trace,
  other
};

class MethodSet {
 public:
  constexpr MethodSet() = default;
  constexpr void add(Method m) { bits_ |= bit(m); }
  constexpr bool contains(Method m) const { return (bits_ & bit(m)) != 0; }
  // "GET, HEAD, POST" in a fixed order, for the Allow field.
  std::string allow_value() const;

 private:
  static constexpr std::uint16_t bit(Method m) {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(m));
  }
  std::uint16_t bits_ = 0;
};

}  // namespace gale
