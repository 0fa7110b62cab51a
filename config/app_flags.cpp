// The --app-* flags: described for Program_options and --help, typed and
// checked by their AppKey.
#include "config/app_flags.hpp"

#include <boost/program_options.hpp>

#include <charconv>
#include <variant>

#include "config/rules.hpp"

namespace gale {
namespace {

namespace po = boost::program_options;

std::string value_name(AppKeyType type) {
  switch (type) {
    case AppKeyType::integer:
      return "N";
    case AppKeyType::number:
      return "X";
    case AppKeyType::boolean:
      return "=true|false";
    case AppKeyType::list:
      return "ITEM";
    case AppKeyType::string:
      break;
  }
  return "TEXT";
}

std::string default_text(const AppValue& value) {
  struct Text {
    std::string operator()(const std::string& s) { return in_quotes(s); }
    std::string operator()(std::int64_t n) { return std::to_string(n); }
    std::string operator()(bool b) { return b ? "true" : "false"; }
    std::string operator()(double d) {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
      return std::string(buffer, end);
    }
    std::string operator()(const std::vector<std::string>& list) {
      std::string text = "[";
      for (std::size_t i = 0; i < list.size(); ++i)
        text += (i ? ", " : "") + in_quotes(list[i]);
      return text + "]";
    }
  };
  return std::visit(Text{}, value);
}

}  // namespace

po::options_description describe_app_flags(const AppKeys& app_keys) {
  po::options_description app("Application options (YAML section app:)");
  for (const AppKey& key : app_keys.keys()) {
    auto* value = po::value<std::string>()->value_name(value_name(key.type()));
    // A bool flag alone means true; `--app-x=false` says false.
    if (key.type() == AppKeyType::boolean) value->implicit_value("true");
    std::string help = key.help() + " (" + key.name() +
                       ", default: " + default_text(key.default_value()) + ")";
    if (key.type() == AppKeyType::list) help += "; repeat the flag per item";
    app.add_options()(key.flag().c_str(), value, help.c_str());
  }
  return app;
}

std::string store_app_flag(const AppKey& key, std::string_view text,
                           AppFlagValues& app) {
  std::string problem;
  std::optional<AppValue> value = key.parse(text, problem);
  if (!value) return problem;
  if (key.type() == AppKeyType::list) {
    auto [it, fresh] = app.try_emplace(key.name(), std::vector<std::string>{});
    std::get<std::vector<std::string>>(it->second)
        .push_back(std::get<std::string>(*value));
    return {};
  }
  problem = key.problem(*value);
  if (problem.empty()) app.insert_or_assign(key.name(), std::move(*value));
  return problem;
}

void check_app_lists(const AppKeys& app_keys, const AppFlagValues& app,
                     std::vector<std::string>& errors) {
  for (const auto& [name, value] : app) {
    const AppKey* key = app_keys.find(name);
    if (key == nullptr || key->type() != AppKeyType::list) continue;
    if (std::string why = key->problem(value); !why.empty())
      errors.push_back("--" + key->flag() + ": " + why);
  }
}

}  // namespace gale
