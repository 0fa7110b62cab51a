#include "server/web/request.hpp"

#include "server/http/forwarded.hpp"

namespace gale {

void HttpRequest::bind(const RequestHead* head, const RequestBody* body,
                       const boost::asio::ip::tcp::endpoint* peer) {
  head_ = head;
  body_ = body;
  peer_ = peer;
  remote_ip_.clear();
  forwarded_ip_ = {};
  protocol_ = "http";
  parts_ = split_target(head->target);
  start_ = std::chrono::steady_clock::now();
  query_args_.reset();
  body_args_.reset();
  cookies_.reset();
}

void HttpRequest::apply_proxy_headers(const IpNetworkList& trusted) {
  if (!peer_) return;
  const boost::asio::ip::address& address = peer_->address();
  const IpAddress peer = address.is_v4()
                             ? IpAddress::from_v4(address.to_v4().to_bytes())
                             : IpAddress::from_v6(address.to_v6().to_bytes());
  if (!trusted.contains(peer)) return;
  forwarded_ip_ = forwarded_client(head_->headers, trusted);
  if (const std::string_view proto = forwarded_proto(head_->headers);
      !proto.empty())
    protocol_ = proto;
}

std::string_view HttpRequest::remote_ip() const {
  if (!forwarded_ip_.empty()) return forwarded_ip_;
  if (remote_ip_.empty() && peer_) remote_ip_ = peer_->address().to_string();
  return remote_ip_;
}

std::string_view HttpRequest::version() const {
  if (head_->version_major == 1 && head_->version_minor == 1) return "HTTP/1.1";
  if (head_->version_major == 1 && head_->version_minor == 0) return "HTTP/1.0";
  return "HTTP/0.9";
}

const Arguments& HttpRequest::query_arguments() const {
  if (!query_args_) {
    query_args_.emplace();
    parse_form_urlencoded(parts_.query, *query_args_);
  }
  return *query_args_;
}

const Arguments& HttpRequest::body_arguments() const {
  if (!body_args_) {
    body_args_.emplace();
    std::string_view type = header("Content-Type");
    std::string_view media = trim_ows(type.substr(0, type.find(';')));
    if (iequals(media, "application/x-www-form-urlencoded"))
      parse_form_urlencoded(body_->view(), *body_args_);
  }
  return *body_args_;
}

// Cookie: a=1; b="two" (RFC 6265 §5.4). Quotes around a value are removed,
// nothing is decoded, as browsers send what servers set.
std::optional<std::string_view> HttpRequest::cookie(
    std::string_view name) const {
  if (!cookies_) {
    cookies_.emplace();
    for (const HeaderView& h : head_->headers) {
      if (!iequals(h.name, "cookie")) continue;
      std::string_view rest = h.value;
      while (!rest.empty()) {
        std::size_t semi = rest.find(';');
        std::string_view pair = trim_ows(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view()
                                              : rest.substr(semi + 1);
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view k = trim_ows(pair.substr(0, eq));
        std::string_view v = trim_ows(pair.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
          v = v.substr(1, v.size() - 2);
        cookies_->emplace_back(k, v);
      }
    }
  }
  for (const auto& [k, v] : *cookies_)
    if (k == name) return v;
  return std::nullopt;
}

}  // namespace gale
