#include "server/client/url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>

namespace gale::client {
namespace urls = boost::urls;

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  auto parsed = urls::parse_uri(text);
  if (!parsed) {
    error = "not an absolute URL";
    return std::nullopt;
  }
  urls::url_view u = *parsed;
  if (u.scheme_id() == urls::scheme::https) {
    error = "https is not supported (http:// only)";
    return std::nullopt;
  }
  if (u.scheme_id() != urls::scheme::http) {
    error = "unsupported scheme \"" + std::string(u.scheme()) + "\"";
    return std::nullopt;
  }
  if (u.has_userinfo()) {
    error = "credentials in the URL are not supported";
    return std::nullopt;
  }
  Url url;
  url.host = u.host_address();  // decoded, IPv6 without its brackets
  if (url.host.empty()) {
    error = "no host";
    return std::nullopt;
  }
  if (u.has_port() && !u.port().empty()) {
    if (u.port_number() == 0) {
      error = "invalid port \"" + std::string(u.port()) + "\"";
      return std::nullopt;
    }
    url.port = u.port_number();
  }
  url.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) url.target.append("?").append(u.encoded_query());
  url.host_field = u.encoded_host_and_port();
  urls::url without_fragment(u);
  without_fragment.remove_fragment();
  url.text = without_fragment.buffer();
  return url;
}

std::optional<std::string> resolve_location(std::string_view base,
                                            std::string_view location,
                                            std::string& error) {
  auto ref = urls::parse_uri_reference(location);
  if (!ref) {
    error = "Location \"" + std::string(location) + "\" is not a URL";
    return std::nullopt;
  }
  auto from = urls::parse_uri(base);
  if (!from) {
    error = "base \"" + std::string(base) + "\" is not an absolute URL";
    return std::nullopt;
  }
  urls::url dest;
  if (auto resolved = urls::resolve(*from, *ref, dest); !resolved) {
    error = "cannot resolve Location \"" + std::string(location) +
            "\": " + resolved.error().message();
    return std::nullopt;
  }
  dest.remove_fragment();
  return std::string(dest.buffer());
}

}  // namespace gale::client
