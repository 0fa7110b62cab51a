#include "server/pubsub/redis/asio_event_adapter.hpp"

#include <hiredis/async.h>

#include <utility>

namespace gale::pubsub::redis {

std::shared_ptr<FdWatcher> FdWatcher::create(boost::asio::io_context& loop,
                                             int fd, Ready on_readable,
                                             Ready on_writable) {
  std::shared_ptr<FdWatcher> watcher(
      new FdWatcher(loop, fd, std::move(on_readable), std::move(on_writable)));
  watcher->self_ = watcher;
  return watcher;
}

FdWatcher::FdWatcher(boost::asio::io_context& loop, int fd, Ready on_readable,
                     Ready on_writable)
    : descriptor_(loop, fd),
      on_readable_(std::move(on_readable)),
      on_writable_(std::move(on_writable)) {}

FdWatcher::~FdWatcher() {
  // Never close what hiredis owns, even when dropped without cleanup().
  if (descriptor_.is_open()) descriptor_.release();
}

void FdWatcher::add_read() {
  want_read_ = true;
  arm(Kind::read);
}

void FdWatcher::del_read() {
  // A wait already pending cannot be cancelled alone (cancel() stops both
  // directions): it completes and is ignored.
  want_read_ = false;
}

void FdWatcher::add_write() {
  want_write_ = true;
  arm(Kind::write);
}

void FdWatcher::del_write() {
  want_write_ = false;
}

void FdWatcher::cleanup() {
  if (stopped_) return;
  stopped_ = true;
  want_read_ = want_write_ = false;
  // release() aborts the pending waits; their handlers hold `this`.
  if (descriptor_.is_open()) descriptor_.release();
  self_.reset();  // may be the last owner but one: a running handler's
}

void FdWatcher::arm(Kind kind) {
  if (stopped_) return;
  bool& pending = kind == Kind::read ? read_pending_ : write_pending_;
  if (pending) return;
  pending = true;
  auto wait = kind == Kind::read
                  ? boost::asio::posix::stream_descriptor::wait_read
                  : boost::asio::posix::stream_descriptor::wait_write;
  descriptor_.async_wait(wait, [self = shared_from_this(),
                                kind](const boost::system::error_code& ec) {
    self->on_ready(kind, ec);
  });
}

void FdWatcher::on_ready(Kind kind, const boost::system::error_code& ec) {
  (kind == Kind::read ? read_pending_ : write_pending_) = false;
  if (stopped_ || ec) return;
  bool wanted = kind == Kind::read ? want_read_ : want_write_;
  if (!wanted) return;
  // The callback may call cleanup() (hiredis freeing its context): `this`
  // stays alive through our caller's reference; stopped_ tells.
  (kind == Kind::read ? on_readable_ : on_writable_)();
  if (stopped_) return;
  if (kind == Kind::read ? want_read_ : want_write_) arm(kind);
}

namespace {

FdWatcher* watcher_of(void* privdata) {
  return static_cast<FdWatcher*>(privdata);
}

extern "C" void on_add_read(void* p) {
  watcher_of(p)->add_read();
}
extern "C" void on_del_read(void* p) {
  watcher_of(p)->del_read();
}
extern "C" void on_add_write(void* p) {
  watcher_of(p)->add_write();
}
extern "C" void on_del_write(void* p) {
  watcher_of(p)->del_write();
}
extern "C" void on_cleanup(void* p) {
  watcher_of(p)->cleanup();
}

}  // namespace

bool attach(redisAsyncContext* context, boost::asio::io_context& loop) {
  if (context->ev.data != nullptr) return false;
  // The watcher owns itself until hiredis calls cleanup (when it frees the
  // context), so ev.data may be a plain pointer.
  auto watcher = FdWatcher::create(
      loop, context->c.fd, [context] { redisAsyncHandleRead(context); },
      [context] { redisAsyncHandleWrite(context); });
  context->ev.data = watcher.get();
  context->ev.addRead = on_add_read;
  context->ev.delRead = on_del_read;
  context->ev.addWrite = on_add_write;
  context->ev.delWrite = on_del_write;
  context->ev.cleanup = on_cleanup;
  return true;
}

}  // namespace gale::pubsub::redis
