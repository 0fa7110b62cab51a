// read_yaml_text() and read_yaml_file(), and the machinery of the Reader
// (yaml_reader.hpp): walking mappings, typed scalars and every message. The
// key tables of SPEC §2's sections are in yaml_sections.cpp.
#include "config/yaml_file.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "config/did_you_mean.hpp"
#include "config/rules.hpp"
#include "config/yaml_reader.hpp"

namespace gale {
namespace yaml_detail {
namespace {

std::string join(std::string_view section, std::string_view key) {
  if (section.empty()) return std::string(key);
  return std::string(section) + "." + std::string(key);
}

}  // namespace

std::string position(const std::string& shown_name, const YAML::Mark& mark) {
  if (mark.is_null()) return shown_name;
  return shown_name + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return in_quotes(node.Scalar());
    default:
      return "an undefined value";
  }
}

// --- reporting ------------------------------------------------------------

void Reader::error(const YAML::Node& where, std::string_view name,
                   std::string_view problem) {
  std::string line = position(source_.shown_name, where.Mark()) + ": ";
  if (!name.empty()) line += std::string(name) + ": ";
  errors_.push_back(line + std::string(problem));
}

std::string Reader::origin(const Entry& e) const {
  return position(source_.shown_name, e.where.Mark()) + ": " + e.name;
}

// --- structure ------------------------------------------------------------

void Reader::read_mapping(const Entry& section, const std::vector<Key>& keys) {
  if (section.value.IsNull()) return;
  if (!section.value.IsMap()) {
    error(section, expected("a mapping of keys", describe(section.value)));
    return;
  }
  // yaml-cpp keeps both entries of a repeated key and node["k"] silently
  // picks one, so repeats are caught here while walking the pairs.
  std::map<std::string, int> first_line;
  for (const auto& pair : section.value) {
    const YAML::Node& key = pair.first;
    if (!key.IsScalar()) {
      error(key, section.name, expected("a key name", describe(key)));
      continue;
    }
    const std::string dotted = join(section.name, key.Scalar());
    const auto [first, fresh] =
        first_line.emplace(key.Scalar(), key.Mark().line + 1);
    if (!fresh) {
      error(key, "",
            "duplicate key " + in_quotes(dotted) + " (first on line " +
                std::to_string(first->second) + ")");
      continue;
    }
    const Key* known = find_key(keys, key.Scalar());
    if (known == nullptr) {
      report_unknown_key(key, section.name, keys);
      continue;
    }
    known->read(Entry{key, pair.second, dotted});
  }
}

const Reader::Key* Reader::find_key(const std::vector<Key>& keys,
                                    std::string_view name) {
  for (const Key& key : keys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

void Reader::report_unknown_key(const YAML::Node& key, std::string_view section,
                                const std::vector<Key>& keys) {
  std::vector<std::string_view> names;
  for (const Key& known : keys)
    names.push_back(known.name);
  std::string problem = "unknown key " + in_quotes(join(section, key.Scalar()));
  if (auto near = closest_match(key.Scalar(), names)) {
    problem += " (did you mean " + in_quotes(join(section, *near)) + "?)";
  }
  error(key, "", problem);
}

// --- values ---------------------------------------------------------------

std::optional<std::string> Reader::scalar_text(const Entry& e,
                                               std::string_view noun) {
  if (e.value.IsScalar()) return e.value.Scalar();
  error(e, expected(noun, describe(e.value)));
  return std::nullopt;
}

void Reader::read_seconds(const Entry& e, bool zero_allowed, double& target) {
  const auto text = scalar_text(e, kANumber);
  if (!text) return;
  const auto checked = check_seconds(*text, zero_allowed);
  if (!checked.value) return error(e, checked.problem);
  target = *checked.value;
}

void Reader::read_bool(const Entry& e, bool& target) {
  bool value = false;
  if (!e.value.IsScalar() || !YAML::convert<bool>::decode(e.value, value)) {
    return error(e, expected(kABool, describe(e.value)));
  }
  target = value;
}

void Reader::read_string(const Entry& e,
                         Checked<std::string> (*check)(std::string_view),
                         std::string& target) {
  const auto text = scalar_text(e, kAString);
  if (!text) return;
  auto checked = check(*text);
  if (!checked.value) return error(e, checked.problem);
  target = std::move(*checked.value);
}

}  // namespace yaml_detail

void read_yaml_text(std::string_view text, const YamlSource& source,
                    Config& config, Origins& origins,
                    std::vector<std::string>& errors, const AppKeys& app_keys) {
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
    if (documents.empty()) return;  // an empty file: all defaults
    if (documents.size() > 1) {
      errors.push_back(
          yaml_detail::position(source.shown_name, documents[1].Mark()) +
          ": expected one YAML document, found " +
          std::to_string(documents.size()));
    }
    yaml_detail::Reader(source, config, origins, errors, app_keys)
        .read_document(documents[0]);
  } catch (const YAML::Exception& e) {
    // Syntax errors (and anything yaml-cpp throws while walking) carry the
    // position of the trouble.
    errors.push_back(yaml_detail::position(source.shown_name, e.mark) + ": " +
                     e.msg);
  }
}

void read_yaml_file(const YamlSource& source, Config& config, Origins& origins,
                    std::vector<std::string>& errors, const AppKeys& app_keys) {
  const std::string flag = "--config " + source.shown_name;
  std::error_code ec;
  if (std::filesystem::is_directory(source.path, ec)) {
    errors.push_back(flag + ": is a directory, not a YAML file");
    return;
  }
  std::ifstream in(source.path, std::ios::binary);
  if (!in) {
    errors.push_back(flag + ": cannot read: " + std::strerror(errno));
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    errors.push_back(flag + ": cannot read: " + std::strerror(errno));
    return;
  }
  read_yaml_text(text.str(), source, config, origins, errors, app_keys);
}

}  // namespace gale
