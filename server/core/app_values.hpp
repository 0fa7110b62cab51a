// The values of an application's own settings (the `app:` section of the
// config, see config/app_keys.hpp), by their dotted name, typed.
//
//   int page_size = settings().get<int>("app.page_size");
//
// Filled in the master from the loaded configuration before the workers
// start, and read-only after: a handler reads them, nothing writes them.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace gale {

// string, integer, boolean, number, list of strings.
using AppValue = std::variant<std::string, std::int64_t, bool, double,
                              std::vector<std::string>>;

// "a string", "an integer", ... for messages.
std::string_view app_value_kind(const AppValue& value);

class AppValues {
 public:
  void set(std::string name, AppValue value) {
    values_.insert_or_assign(std::move(name), std::move(value));
  }
  // nullptr when there is no setting `name`.
  const AppValue* find(std::string_view name) const {
    auto found = values_.find(name);
    return found == values_.end() ? nullptr : &found->second;
  }
  bool contains(std::string_view name) const { return find(name) != nullptr; }

  // The value of `name` as T: std::string, bool, double,
  // std::vector<std::string>, or any integer type it fits in. A name never
  // declared, or asked for as another type, is a bug in the application:
  // std::invalid_argument (std::out_of_range for an integer too wide).
  template <typename T>
  T get(std::string_view name) const {
    const AppValue* value = find(name);
    if (value == nullptr) throw_missing(name);
    if constexpr (std::is_same_v<T, bool>) {
      return as<bool>(name, *value);
    } else if constexpr (std::is_integral_v<T>) {
      const std::int64_t n = as<std::int64_t>(name, *value);
      if (!std::in_range<T>(n))
        throw std::out_of_range("setting " + std::string(name) + " = " +
                                std::to_string(n) + " does not fit the type");
      return static_cast<T>(n);
    } else {
      return as<T>(name, *value);
    }
  }
  // The same, or `fallback` when there is no setting `name`.
  template <typename T>
  T get_or(std::string_view name, T fallback) const {
    return contains(name) ? get<T>(name) : std::move(fallback);
  }

  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }
  bool empty() const { return values_.empty(); }
  bool operator==(const AppValues&) const = default;

 private:
  template <typename T>
  static const T& as(std::string_view name, const AppValue& value) {
    if (const T* typed = std::get_if<T>(&value)) return *typed;
    throw std::invalid_argument("setting " + std::string(name) + " is " +
                                std::string(app_value_kind(value)) +
                                ", asked for " +
                                std::string(app_value_kind(AppValue(T{}))));
  }
  [[noreturn]] static void throw_missing(std::string_view name) {
    throw std::invalid_argument("no setting " + std::string(name) +
                                " (declare it with gale::AppKeys::define)");
  }

  std::map<std::string, AppValue, std::less<>> values_;
};

inline std::string_view app_value_kind(const AppValue& value) {
  switch (value.index()) {
    case 0:
      return "a string";
    case 1:
      return "an integer";
    case 2:
      return "true or false";
    case 3:
      return "a number";
    default:
      return "a list of strings";
  }
}

}  // namespace gale
