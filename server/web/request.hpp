// The request as a handler sees it (Tornado's HTTPServerRequest).
//
// Views into the parsed head; valid until the handler's response is
// finished. Arguments and cookies are parsed on first use only, so a
// handler that never asks pays nothing.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/ip_network.hpp"
#include "server/http/fields.hpp"
#include "server/http/request_parser.hpp"
#include "server/http/url.hpp"

namespace gale {

class HttpRequest {
 public:
  HttpRequest() = default;
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

  // Binds to a freshly parsed message; called by the connection.
  void bind(const RequestHead* head, const RequestBody* body,
            const boost::asio::ip::tcp::endpoint* peer);
  // Believes X-Forwarded-For / X-Forwarded-Proto if the peer is in
  // `trusted` (proxy.trusted); called by the connection after bind(), and
  // only when the list is not empty. See server/http/forwarded.hpp.
  void apply_proxy_headers(const IpNetworkList& trusted);

  std::string_view method() const { return head_->method_name; }
  Method method_id() const { return head_->method; }
  std::string_view uri() const { return head_->target; }  // as sent
  std::string_view path() const { return parts_.path; }   // still encoded
  std::string_view query() const { return parts_.query; }
  unsigned version_major() const { return head_->version_major; }
  unsigned version_minor() const { return head_->version_minor; }
  std::string_view version() const;  // "HTTP/1.1"
  const RequestHeaders& headers() const { return head_->headers; }
  std::string_view header(std::string_view name,
                          std::string_view fallback = {}) const {
    return head_->headers.get(name, fallback);
  }
  // The whole body. One past limits.body_buffer_bytes sits in an unnamed
  // temp file and is mapped read-only here on first use (page cache, not
  // the worker's heap); body_file() sends it on without reading it.
  std::string_view body() const { return body_->view(); }
  std::uint64_t body_size() const { return body_->size(); }
  // The file holding a spooled body (for write_file()), else null.
  std::shared_ptr<const FileDescriptor> body_file() const {
    return body_->file();
  }
  // The client's address: the peer's, formatted on first use only, or the
  // one a trusted proxy forwarded (X-Forwarded-For, as sent).
  std::string_view remote_ip() const;
  // "http", or "https" when a trusted proxy says the client used TLS
  // (X-Forwarded-Proto); Tornado's request.protocol.
  std::string_view protocol() const { return protocol_; }
  std::string_view host() const { return header("Host"); }
  bool keep_alive() const { return head_->keep_alive; }
  std::chrono::steady_clock::time_point start_time() const { return start_; }

  // Decoded query arguments, in order, repeats kept.
  const Arguments& query_arguments() const;
  // Decoded application/x-www-form-urlencoded body arguments.
  const Arguments& body_arguments() const;
  // The cookie's value, or nullopt.
  std::optional<std::string_view> cookie(std::string_view name) const;

 private:
  const RequestHead* head_ = nullptr;
  const RequestBody* body_ = nullptr;
  const boost::asio::ip::tcp::endpoint* peer_ = nullptr;
  mutable std::string remote_ip_;
  std::string_view forwarded_ip_;  // from a trusted proxy, else empty
  std::string_view protocol_ = "http";
  TargetParts parts_;
  std::chrono::steady_clock::time_point start_;
  mutable std::optional<Arguments> query_args_;
  mutable std::optional<Arguments> body_args_;
  mutable std::optional<
      std::vector<std::pair<std::string_view, std::string_view>>>
      cookies_;
};

}  // namespace gale
