// AppKeys: declaring an application's keys, and the typing and validation
// of their values (shared by the flags and the YAML file).
#include "config/app_keys.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "config/rules.hpp"

namespace gale {
namespace {

constexpr std::string_view kPrefix = "app.";

bool valid_name(std::string_view name) {
  if (!name.starts_with(kPrefix)) return false;
  const std::string_view key = name.substr(kPrefix.size());
  if (key.empty() || key.front() < 'a' || key.front() > 'z') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string flag_of(std::string_view name) {
  std::string flag = "app-" + std::string(name.substr(kPrefix.size()));
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::optional<bool> parse_bool(std::string_view text) {
  // YAML 1.1's words, as yaml-cpp reads them for the file.
  for (std::string_view yes :
       {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}) {
    if (text == yes) return true;
  }
  for (std::string_view no :
       {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}) {
    if (text == no) return false;
  }
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [next, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || next != end || ec != std::errc() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

// "1..500" or "0.5..2", as the bounds were written.
std::string range_text(double min, double max) {
  auto text = [](double v) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, end);
  };
  return "must be " + text(min) + ".." + text(max);
}

std::string choices_text(const std::vector<std::string>& choices) {
  std::string text = "must be one of ";
  for (std::size_t i = 0; i < choices.size(); ++i)
    text += (i ? "|" : "") + choices[i];
  return text;
}

}  // namespace

AppKey::AppKey(std::string name, AppValue default_value, std::string help)
    : name_(std::move(name)),
      flag_(flag_of(name_)),
      help_(std::move(help)),
      type_(static_cast<AppKeyType>(default_value.index())),
      default_(std::move(default_value)) {}

AppKey& AppKey::range(double min, double max) {
  if (type_ != AppKeyType::integer && type_ != AppKeyType::number)
    throw std::invalid_argument(name_ + ": range() is for numbers");
  range_ = {min, max};
  return *this;
}

AppKey& AppKey::choices(std::vector<std::string> allowed) {
  if (type_ != AppKeyType::string && type_ != AppKeyType::list)
    throw std::invalid_argument(name_ + ": choices() is for strings");
  choices_ = std::move(allowed);
  return *this;
}

AppKey& AppKey::check(Check rule) {
  checks_.push_back(std::move(rule));
  return *this;
}

std::string_view AppKey::yaml_key() const {
  return std::string_view(name_).substr(kPrefix.size());
}

std::optional<AppValue> AppKey::parse(std::string_view text,
                                      std::string& problem) const {
  switch (type_) {
    case AppKeyType::string:
    case AppKeyType::list:  // one item
      return AppValue(std::string(text));
    case AppKeyType::integer: {
      auto checked = check_integer(
          text, {std::numeric_limits<std::int64_t>::min(), kUnbounded});
      if (checked.value) return AppValue(*checked.value);
      problem = checked.problem;
      return std::nullopt;
    }
    case AppKeyType::boolean:
      if (auto b = parse_bool(text)) return AppValue(*b);
      problem = expected(kABool, in_quotes(text));
      return std::nullopt;
    case AppKeyType::number:
      if (auto n = parse_number(text)) return AppValue(*n);
      problem = expected("a number", in_quotes(text));
      return std::nullopt;
  }
  return std::nullopt;
}

std::string AppKey::problem(const AppValue& value) const {
  if (range_) {
    const double n = type_ == AppKeyType::integer
                         ? static_cast<double>(std::get<std::int64_t>(value))
                         : std::get<double>(value);
    if (n < range_->first || n > range_->second)
      return range_text(range_->first, range_->second);
  }
  if (!choices_.empty()) {
    auto allowed = [&](const std::string& s) {
      return std::find(choices_.begin(), choices_.end(), s) != choices_.end();
    };
    if (const auto* s = std::get_if<std::string>(&value); s && !allowed(*s))
      return choices_text(choices_) + ", got " + in_quotes(*s);
    if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
      for (const std::string& item : *list) {
        if (!allowed(item))
          return "every item " + choices_text(choices_) + ", got " +
                 in_quotes(item);
      }
    }
  }
  for (const Check& rule : checks_) {
    if (std::string why = rule(value); !why.empty()) return why;
  }
  return {};
}

AppKey& AppKeys::add(std::string name, AppValue default_value,
                     std::string help) {
  if (!valid_name(name)) {
    throw std::invalid_argument(
        "config key " + in_quotes(name) +
        ": must be \"app.\" and a lowercase name ([a-z][a-z0-9_]*)");
  }
  if (find(name) != nullptr)
    throw std::invalid_argument("config key " + name + " defined twice");
  return keys_.emplace_back(std::move(name), std::move(default_value),
                            std::move(help));
}

const AppKey* AppKeys::find(std::string_view name) const {
  for (const AppKey& key : keys_) {
    if (key.name() == name) return &key;
  }
  return nullptr;
}

const AppKey* AppKeys::find_flag(std::string_view flag) const {
  for (const AppKey& key : keys_) {
    if (key.flag() == flag) return &key;
  }
  return nullptr;
}

AppValues AppKeys::defaults() const {
  AppValues values;
  for (const AppKey& key : keys_)
    values.set(key.name(), key.default_value());
  return values;
}

const AppKeys& AppKeys::none() {
  static const AppKeys empty;
  return empty;
}

}  // namespace gale
