#include "server/connection/response_writer.hpp"

#include "server/core/format.hpp"
#include "server/http/status.hpp"

namespace gale {

using namespace std::string_view_literals;

void ResponseWriter::begin(const RequestHead& request) {
  http11_ = request.version_major == 1 && request.version_minor >= 1;
  request_keep_alive_ = request.keep_alive;
  head_ = request.method == Method::head;
  mode_ = BodyMode::none;
  keep_alive_ = false;
  status_ = 0;
  body_bytes_ = 0;
}

void ResponseWriter::start(int status, std::string_view reason,
                           const ResponseHeaders& headers,
                           std::optional<std::uint64_t> content_length,
                           std::string_view date, bool may_keep_alive) {
  bool keep = request_keep_alive_ && may_keep_alive;
  if (const std::string* c = headers.find("Connection");
      c && has_token(*c, "close"))
    keep = false;
  if (!status_allows_body(status)) {
    mode_ = BodyMode::none;
  } else if (content_length) {
    mode_ = BodyMode::fixed;
  } else if (http11_) {
    mode_ = BodyMode::chunked;
  } else {
    mode_ = BodyMode::until_close;  // HTTP/1.0 has no chunked coding
    keep = false;
  }
  keep_alive_ = keep;
  status_ = status;

  std::string& s = begin_head(status, reason, date);
  for (const auto& [name, value] : headers) {
    // Framing is the connection's business, never the handler's.
    if (iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
        iequals(name, "Connection"))
      continue;
    s += name;
    s += ": "sv;
    s += value;
    s += "\r\n"sv;
  }
  if (mode_ == BodyMode::fixed) {
    s += "Content-Length: "sv;
    append_decimal(s, *content_length);
    s += "\r\n"sv;
  } else if (mode_ == BodyMode::chunked) {
    s += "Transfer-Encoding: chunked\r\n"sv;
  }
  if (!keep)
    s += "Connection: close\r\n"sv;
  else if (!http11_)
    s += "Connection: keep-alive\r\n"sv;
  s += "\r\n"sv;
  out_.append(std::string_view(s));
}

void ResponseWriter::chunk_size_line(std::uint64_t size) {
  scratch_.clear();
  append_hex(scratch_, size);
  scratch_ += "\r\n"sv;
  out_.append(std::string_view(scratch_));
}

void ResponseWriter::body(std::string_view data) {
  if (data.empty()) return;
  body_bytes_ += data.size();
  if (head_ || mode_ == BodyMode::none) return;
  if (mode_ == BodyMode::chunked) {
    chunk_size_line(data.size());
    out_.append(data);
    out_.append("\r\n"sv);
    return;
  }
  out_.append(data);
}

void ResponseWriter::body(std::string&& data) {
  if (data.empty()) return;
  if (mode_ == BodyMode::chunked || head_ || mode_ == BodyMode::none)
    return body(std::string_view(data));
  body_bytes_ += data.size();
  out_.append(std::move(data));
}

void ResponseWriter::file(std::shared_ptr<const FileDescriptor> file,
                          std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return;
  body_bytes_ += length;
  if (head_ || mode_ == BodyMode::none) return;
  if (mode_ == BodyMode::chunked) {
    chunk_size_line(length);
    out_.append_file(std::move(file), offset, length);
    out_.append("\r\n"sv);
    return;
  }
  out_.append_file(std::move(file), offset, length);
}

void ResponseWriter::end() {
  if (mode_ == BodyMode::chunked && !head_) out_.append("0\r\n\r\n"sv);
}

void ResponseWriter::error_response(int status, std::string_view body,
                                    std::string_view date,
                                    std::string_view extra_field) {
  std::string& s = begin_head(status, reason_phrase(status), date);
  if (!extra_field.empty()) {
    s += extra_field;
    s += "\r\n"sv;
  }
  s += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: "sv;
  append_decimal(s, body.size());
  s += "\r\nConnection: close\r\n\r\n"sv;
  s += body;
  out_.append(std::string_view(s));
  keep_alive_ = false;
  status_ = status;
  body_bytes_ = body.size();
}

void ResponseWriter::continue_response() {
  out_.append("HTTP/1.1 100 Continue\r\n\r\n"sv);
}

std::string& ResponseWriter::begin_head(int status, std::string_view reason,
                                        std::string_view date) {
  std::string& s = scratch_;
  s.clear();
  s += "HTTP/1.1 "sv;
  append_decimal(s, static_cast<unsigned>(status));
  s += ' ';
  s += reason;
  s += "\r\nServer: gale\r\nDate: "sv;
  s += date;
  s += "\r\n"sv;
  return s;
}

}  // namespace gale
