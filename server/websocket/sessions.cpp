#include "server/websocket/sessions.hpp"

#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

#include "server/websocket/frame_writer.hpp"

namespace gale::websocket {

SharedFrame encode_shared(std::string_view payload, bool binary) {
  return std::make_shared<const std::string>(
      encode_frame(binary ? Opcode::binary : Opcode::text, payload));
}

Sessions::Sessions(boost::asio::io_context& loop, SessionOptions options)
    : loop_(loop),
      options_(std::move(options)),
      read_buffer_(new char[kReadBufferBytes]) {
  timeouts_[kQuiet].set_duration(options_.ping_interval);
  timeouts_[kPong].set_duration(options_.ping_timeout);
  timeouts_[kClosing].set_duration(options_.close_timeout);
}

Sessions::~Sessions() {
  abort_all();
}

std::shared_ptr<Session> Sessions::open(int fd,
                                        std::shared_ptr<SessionEvents> events) {
  auto session = std::make_shared<Session>(*this, fd, std::move(events));
  registry_.push_back(*session);
  ++size_;
  return session;
}

ObjectPool<FrameParser>::Ptr Sessions::acquire_parser(bool permessage_deflate) {
  auto parser = parsers_.acquire();
  parser->set_max_message_bytes(options_.max_message_bytes);
  parser->set_permessage_deflate(permessage_deflate);
  return parser;
}

MessageDeflater& Sessions::deflater(int window_bits) {
  auto& d = deflaters_.at(static_cast<std::size_t>(window_bits));
  if (!d) d = std::make_unique<MessageDeflater>(window_bits);
  return *d;
}

MessageInflater& Sessions::shared_inflater() {
  if (!inflater_) inflater_ = std::make_unique<MessageInflater>();
  return *inflater_;
}

void Sessions::expire(Clock::time_point now) {
  for (Timeouts& list : timeouts_) {
    list.expire(now, [now](SessionLinks& links) {
      static_cast<Session&>(links).on_timeout(now);
    });
  }
}

// Closing a session unlinks it: walk a snapshot of owners instead.
std::vector<std::shared_ptr<Session>> Sessions::snapshot() {
  std::vector<std::shared_ptr<Session>> all;
  all.reserve(size_);
  for (SessionLinks& links : registry_)
    all.push_back(static_cast<Session&>(links).shared_from_this());
  return all;
}

void Sessions::close_all(CloseCode code, std::string_view reason) {
  for (auto& s : snapshot())
    s->close(code, reason);
}

void Sessions::abort_all() {
  for (auto& s : snapshot())
    s->abort();
}

void Sessions::flush_later(Session& s) {
  to_flush_.push_back(s.shared_from_this());
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(loop_, [alive = std::weak_ptr<Sessions*>(alive_)] {
    if (auto self = alive.lock()) (*self)->flush_all();
  });
}

void Sessions::flush_all() {
  flush_posted_ = false;
  flushing_.swap(to_flush_);  // a flush may ask for the next batch
  for (auto& s : flushing_)
    s->flush_now();
  flushing_.clear();
}

void Sessions::closed(Session& s) {
  s.registry_hook.unlink();
  s.timeout_hook.unlink();
  --size_;
  if (on_closed) on_closed();
}

}  // namespace gale::websocket
