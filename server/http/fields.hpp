// Header fields: the request's (views into the parsed head) and the
// response's (owned by the handler until the response is serialized).
#pragma once

#include <boost/container/small_vector.hpp>

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace gale {

namespace detail {
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c)
    t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();
}  // namespace detail

// RFC 9110 §5.6.2 tchar: what methods and field names are made of.
constexpr bool is_token_char(unsigned char c) {
  return detail::kTokenChars[c];
}

// ASCII case-insensitive equality, for field names and tokens.
bool iequals(std::string_view a, std::string_view b);

// Whether the comma-separated list `value` contains `token` (case-insensitive,
// optional whitespace around elements), e.g. Connection: keep-alive, Upgrade.
bool has_token(std::string_view value, std::string_view token);

// Optional whitespace (SP / HTAB) stripped from both ends.
std::string_view trim_ows(std::string_view s);

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

// The request's fields in arrival order. Names keep their original case;
// lookups ignore it. The views stay valid while the request is being handled.
class RequestHeaders {
 public:
  using Storage = boost::container::small_vector<HeaderView, 16>;

  // The first value of `name`, or `fallback` when absent.
  std::string_view get(std::string_view name,
                       std::string_view fallback = {}) const;
  bool contains(std::string_view name) const;

  Storage::const_iterator begin() const { return fields_.begin(); }
  Storage::const_iterator end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }

  void clear() { fields_.clear(); }
  void add(std::string_view name, std::string_view value) {
    fields_.push_back({name, value});
  }

 private:
  Storage fields_;
};

// The response's fields, as set by the handler. Values may not contain CR or
// LF: set()/add() throw std::invalid_argument, which the handler machinery
// turns into a 500, so a header can never smuggle a second response.
class ResponseHeaders {
 public:
  using Field = std::pair<std::string, std::string>;
  using Storage = boost::container::small_vector<Field, 4>;

  // Replaces every field named `name` with one.
  void set(std::string_view name, std::string_view value);
  // Appends one more field, keeping earlier ones (Set-Cookie, Link).
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);
  // The first value of `name`, or nullptr.
  const std::string* find(std::string_view name) const;

  Storage::const_iterator begin() const { return fields_.begin(); }
  Storage::const_iterator end() const { return fields_.end(); }
  void clear() { fields_.clear(); }

 private:
  Storage fields_;
};

}  // namespace gale
