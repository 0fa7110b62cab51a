#include "server/http/method.hpp"

namespace gale {

std::string MethodSet::allow_value() const {
  static constexpr std::pair<Method, const char*> kOrder[] = {
      {Method::get, "GET"},        {Method::head, "HEAD"},
      {Method::post, "POST"},      {Method::put, "PUT"},
      {Method::patch, "PATCH"},    {Method::delete_, "DELETE"},
      {Method::options, "OPTIONS"}};
  std::string out;
  for (auto [m, name] : kOrder) {
    if (!contains(m)) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace gale
