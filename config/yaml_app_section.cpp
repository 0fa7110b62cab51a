// The `app:` section: the keys an application declared (config/app_keys.hpp),
// read with the same machinery and messages as gale's own sections.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "config/app_keys.hpp"
#include "config/rules.hpp"
#include "config/yaml_reader.hpp"

namespace gale::yaml_detail {
namespace {

std::string_view noun_of(AppKeyType type) {
  switch (type) {
    case AppKeyType::string:
      return kAString;
    case AppKeyType::integer:
      return kAnInteger;
    case AppKeyType::boolean:
      return kABool;
    case AppKeyType::number:
      return "a number";
    case AppKeyType::list:
      break;
  }
  return "a list of strings (or one string)";
}

}  // namespace

// Without declared keys the table is empty, so anything under `app:` is an
// unknown key.
std::vector<Reader::Key> Reader::app_keys() {
  std::vector<Key> keys;
  for (const AppKey& key : app_keys_.keys()) {
    keys.push_back({key.yaml_key(),
                    [this, &key](const Entry& e) { read_app_value(e, key); }});
  }
  return keys;
}

void Reader::read_app_value(const Entry& e, const AppKey& key) {
  std::optional<AppValue> value;
  if (key.type() == AppKeyType::list) {
    value = read_app_list(e, key);
  } else if (key.type() == AppKeyType::boolean) {
    // yaml-cpp's booleans, exactly as gale's own keys read them.
    bool b = false;
    if (!e.value.IsScalar() || !YAML::convert<bool>::decode(e.value, b))
      return error(e, expected(kABool, describe(e.value)));
    value = b;
  } else {
    const auto text = scalar_text(e, noun_of(key.type()));
    if (!text) return;
    std::string problem;
    value = key.parse(*text, problem);
    if (!value) return error(e, problem);
  }
  if (!value) return;  // reported
  if (std::string why = key.problem(*value); !why.empty()) return error(e, why);
  config_.app.set(key.name(), std::move(*value));
}

// A list of strings, or one string for a list of one (`cookie_secrets:
// "s3cret"`); nothing at all is the empty list.
std::optional<AppValue> Reader::read_app_list(const Entry& e,
                                              const AppKey& key) {
  std::vector<std::string> items;
  if (e.value.IsNull()) return AppValue(items);
  if (e.value.IsScalar()) return AppValue(std::vector{e.value.Scalar()});
  if (!e.value.IsSequence()) {
    error(e, expected(noun_of(key.type()), describe(e.value)));
    return std::nullopt;
  }
  bool fine = true;
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const Entry entry{item, item, e.name + "[" + std::to_string(i) + "]"};
    const auto text = scalar_text(entry, kAString);
    if (!text) {
      fine = false;
      continue;
    }
    items.push_back(*text);
  }
  if (!fine) return std::nullopt;
  return AppValue(std::move(items));
}

}  // namespace gale::yaml_detail
