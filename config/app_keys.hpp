// An application's own config keys, read by gale's config machinery (after
// tornado.options.define), so an application on gale needs no second
// config system.
//
//   gale::AppKeys keys;
//   keys.define("app.page_size", 20, "items per page").range(1, 500);
//   keys.define("app.theme", "light", "colour scheme").choices({"light",
//   "dark"}); return gale::run(app, argc, argv, keys);
//
// Each key lives under the YAML section `app:` (`app.page_size` is
// `app: {page_size: 20}`) and has a flag (`--app-page-size 50`); a flag
// wins over the file, the file over the default. Unknown keys, wrong types
// and refused values are errors in gale's words, with file:line:column;
// --help lists the flags and --check-config prints the values. Handlers
// read them as settings().get<int>("app.page_size").
//
// Types, chosen by the default's type: string, integer (any integer type,
// held as int64), bool, double, and list of strings (std::vector<
// std::string>; in YAML a list, or one string for a list of one; as flags,
// the flag repeated, once per item). A bool flag alone means true
// (`--app-debug`); `--app-debug=false` says false.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "server/core/app_values.hpp"

namespace gale {

enum class AppKeyType : std::uint8_t { string, integer, boolean, number, list };

class AppKey {
 public:
  // Returns "" when the value is fine, else the problem ("must be 1..500").
  using Check = std::function<std::string(const AppValue&)>;

  AppKey(std::string name, AppValue default_value, std::string help);

  // Inclusive bounds, for integer and double keys.
  AppKey& range(double min, double max);
  // The values allowed, for a string key or every item of a list key.
  AppKey& choices(std::vector<std::string> allowed);
  // Any other rule; runs after the type, range and choices are checked.
  AppKey& check(Check rule);

  const std::string& name() const { return name_; }  // "app.page_size"
  std::string_view yaml_key() const;                 // "page_size"
  const std::string& flag() const { return flag_; }  // "app-page-size"
  const std::string& help() const { return help_; }
  AppKeyType type() const { return type_; }
  const AppValue& default_value() const { return default_; }

  // The text of one flag value, or of one YAML scalar (one item of a list),
  // as this key's type: the typed value, or what is wrong with it.
  std::optional<AppValue> parse(std::string_view text,
                                std::string& problem) const;
  // What the validators say about a value of the right type ("" = fine).
  std::string problem(const AppValue& value) const;

 private:
  std::string name_;
  std::string flag_;
  std::string help_;
  AppKeyType type_;
  AppValue default_;
  std::optional<std::pair<double, double>> range_;
  std::vector<std::string> choices_;
  std::vector<Check> checks_;
};

class AppKeys {
 public:
  // Declares a key. `name` is "app." then a lowercase identifier
  // ([a-z][a-z0-9_]*); a bad or repeated name is a bug, and throws
  // std::invalid_argument at once, before anything is served.
  template <typename T>
  AppKey& define(std::string name, T default_value, std::string help) {
    return add(std::move(name), to_value(std::move(default_value)),
               std::move(help));
  }

  const std::deque<AppKey>& keys() const { return keys_; }
  const AppKey* find(std::string_view name) const;
  const AppKey* find_flag(std::string_view flag) const;
  bool empty() const { return keys_.empty(); }

  // The defaults, as a config starts before the file and the flags.
  AppValues defaults() const;

  // No keys: what a program that declares none passes.
  static const AppKeys& none();

 private:
  template <typename T>
  static AppValue to_value(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      return AppValue(value);
    } else if constexpr (std::is_integral_v<T>) {
      return AppValue(static_cast<std::int64_t>(value));
    } else if constexpr (std::is_floating_point_v<T>) {
      return AppValue(static_cast<double>(value));
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      return AppValue(std::move(value));
    } else {
      return AppValue(std::string(value));
    }
  }
  AppKey& add(std::string name, AppValue default_value, std::string help);

  // A deque: define() hands out references that later keys do not move.
  std::deque<AppKey> keys_;
};

}  // namespace gale
