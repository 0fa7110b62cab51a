// A small JSON value for handler responses: build it, dump() it.
//
//   write(Json::object({{"pid", getpid()}, {"ok", true}}));
//
// Only serialization: gale's handlers produce JSON; parsing request bodies
// is left to whatever library the application prefers.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace gale {

class Json {
 public:
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;  // keeps insertion order

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool b) : v_(b) {}
  template <class I>
  requires(std::is_integral_v<I> && !std::is_same_v<I, bool>) Json(I i) {
    if constexpr (std::is_signed_v<I>)
      v_ = static_cast<std::int64_t>(i);
    else
      v_ = static_cast<std::uint64_t>(i);
  }
  Json(double d) : v_(d) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string_view s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}

  static Json object(std::initializer_list<Member> members = {}) {
    Json j;
    j.v_ = Object(members);
    return j;
  }
  static Json array(std::initializer_list<Json> items = {}) {
    Json j;
    j.v_ = Array(items);
    return j;
  }
  static Json array(Array items) {
    Json j;
    j.v_ = std::move(items);
    return j;
  }

  // Appends to an object (must be one) / an array (must be one).
  Json& set(std::string key, Json value);
  Json& push_back(Json value);

  std::string dump() const;
  void dump_to(std::string& out) const;

 private:
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double,
               std::string, Array, Object>
      v_{nullptr};
};

// Appends `s` as a quoted JSON string, escaping as RFC 8259 requires (and
// '<', '>', '&' as \u escapes, so JSON embedded in HTML cannot close a
// <script> element).
void append_json_string(std::string& out, std::string_view s);

}  // namespace gale
