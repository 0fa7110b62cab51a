// Parameters captured from the request path by a route, percent-decoded:
// `{name}` pieces by name, regex groups by position.
#pragma once

#include <boost/container/small_vector.hpp>

#include <string>
#include <string_view>

namespace gale {

struct PathArg {
  std::string name;  // empty for an unnamed regex group
  std::string value;
};

class PathArgs {
 public:
  void add(std::string_view name, std::string value) {
    args_.push_back({std::string(name), std::move(value)});
  }
  // The value named `name`, or nullptr.
  const std::string* find(std::string_view name) const {
    for (const PathArg& a : args_)
      if (a.name == name) return &a.value;
    return nullptr;
  }
  const std::string& operator[](std::size_t i) const { return args_[i].value; }
  std::size_t size() const { return args_.size(); }
  bool empty() const { return args_.empty(); }
  void clear() { args_.clear(); }
  auto begin() const { return args_.begin(); }
  auto end() const { return args_.end(); }

 private:
  boost::container::small_vector<PathArg, 2> args_;
};

}  // namespace gale
