// The handler's signed cookies and XSRF protection, after Tornado's
// set_signed_cookie/get_signed_cookie, xsrf_token and check_xsrf_cookie.
// The formats and the cryptography live in signed_value.cpp and
// xsrf_token.cpp; this file only ties them to the request and response.
#include <chrono>
#include <stdexcept>

#include "server/web/application.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/signed_value.hpp"
#include "server/web/xsrf_token.hpp"

namespace gale {
namespace {

std::chrono::sys_seconds now_s() {
  return std::chrono::floor<std::chrono::seconds>(
      std::chrono::system_clock::now());
}

const std::vector<std::string>& require_secrets(const Settings& settings) {
  if (settings.cookie_secrets.empty())
    throw std::logic_error(
        "cookie_secrets is not set: signed cookies need "
        "Settings::cookie_secrets");
  return settings.cookie_secrets;
}

void append_html_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

// Tornado's messages; the detail is for the client.
[[noreturn]] void refuse(const char* why) {
  throw HttpError(403, why, why);
}

}  // namespace

// ---- signed cookies --------------------------------------------------------

void RequestHandler::set_signed_cookie(std::string_view name,
                                       std::string_view value,
                                       const CookieOptions& options) {
  set_cookie(
      name,
      signed_value::sign(require_secrets(settings()), name, value, now_s()),
      options);
}

std::optional<std::string> RequestHandler::get_signed_cookie(
    std::string_view name, int max_age_days) const {
  const auto& secrets = require_secrets(settings());
  std::optional<std::string_view> cookie = get_cookie(name);
  if (!cookie) return std::nullopt;
  return signed_value::verify(secrets, name, *cookie,
                              std::chrono::days(max_age_days), now_s());
}

// ---- XSRF ------------------------------------------------------------------

bool RequestHandler::xsrf_check_due() const {
  if (!binding_.application || !binding_.application->settings().xsrf_cookies)
    return false;
  // Tornado's rule: the methods that change state. Any other method is
  // safe or is answered 405 anyway.
  switch (request().method_id()) {
    case Method::post:
    case Method::put:
    case Method::patch:
    case Method::delete_:
      return true;
    default:
      return false;
  }
}

void RequestHandler::check_xsrf_cookie() {
  std::optional<std::string> field;
  if (!streams_body_) field = get_body_argument(xsrf::kFieldName);
  std::string_view sent = field ? std::string_view(*field) : "";
  if (sent.empty()) sent = request().header("X-XSRFToken");
  if (sent.empty()) sent = request().header("X-CSRFToken");
  if (sent.empty()) refuse("'_xsrf' argument missing from POST");
  std::optional<xsrf::Token> token = xsrf::decode(sent);
  if (!token) refuse("'_xsrf' argument has invalid format");
  std::optional<std::string_view> cookie = get_cookie(xsrf::kCookieName);
  std::optional<xsrf::Token> expected =
      cookie ? xsrf::decode(*cookie) : std::nullopt;
  if (!expected || !xsrf::same(*token, *expected))
    refuse("XSRF cookie does not match POST argument");
}

const std::string& RequestHandler::xsrf_token() {
  if (!xsrf_token_.empty()) return xsrf_token_;
  std::optional<std::string_view> cookie = get_cookie(xsrf::kCookieName);
  std::optional<xsrf::Token> token =
      cookie ? xsrf::decode(*cookie) : std::nullopt;
  const bool fresh = !token;
  if (fresh) token = xsrf::random_token();
  xsrf_token_ = xsrf::encode(*token, xsrf::random_mask(),
                             now_s().time_since_epoch().count());
  if (fresh) {
    // Not HttpOnly: a page's script reads it to send X-XSRFToken.
    CookieOptions options;
    options.same_site = "Lax";
    set_cookie(xsrf::kCookieName, xsrf_token_, options);
  }
  return xsrf_token_;
}

std::string RequestHandler::xsrf_form_html() {
  std::string html = R"(<input type="hidden" name="_xsrf" value=")";
  append_html_escaped(html, xsrf_token());
  html += R"(">)";
  return html;
}

}  // namespace gale
