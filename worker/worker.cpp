#include "worker/worker.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/connection.hpp"
#include "server/log.hpp"
#include "server/worker_state.hpp"

namespace gale {
namespace {

using boost::asio::ip::tcp;

// Connections taken per readiness event before going back to the loop.
// Small, so a burst spreads over the workers sharing a listener instead of
// the first one awake taking it all.
constexpr int kAcceptBatch = 4;
constexpr auto kTick = std::chrono::milliseconds(100);

double monotonic_seconds() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

tcp protocol_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  return ss.ss_family == AF_INET6 ? tcp::v6() : tcp::v4();
}

}  // namespace

Worker::Worker(const Config& config, Application& app, WorkerOptions options)
    : config_(config),
      app_(app),
      options_(std::move(options)),
      access_log_(config.log.access_log) {
  // Single-threaded by design: no locking inside the scheduler or reactor.
  loop_ = std::make_unique<boost::asio::io_context>(
      BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
  ctx_ = std::make_unique<ServerContext>(*loop_, app_, config_.limits,
                                         access_log_);
  ctx_->on_connection_closed = [this] {
    resume_accepting();
    maybe_finish_drain();
  };
  for (int fd : options_.listen_fds) {
    Acceptor a(loop_->get_executor());
    a.assign(protocol_of(fd), fd);
    a.non_blocking(true);
    listeners_.push_back(std::make_unique<Listener>(std::move(a)));
  }
  WorkerState& w = this_worker();
  w.index = options_.index;
  w.generation = options_.generation;
  w.started_at = monotonic_seconds();
}

Worker::~Worker() {
  close_all_connections();
  // Pending handlers hold connections; destroy them while ctx_ exists.
  listeners_.clear();
  tick_.reset();
  drain_deadline_.reset();
  accept_retry_.reset();
  signals_.reset();
  loop_.reset();
  ctx_.reset();
}

int Worker::run() {
  if (options_.handle_signals) {
    signals_.emplace(*loop_, SIGTERM, SIGINT, SIGQUIT);
    signals_->async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      log::info("received ",
                sig == SIGQUIT  ? "SIGQUIT"
                : sig == SIGINT ? "SIGINT"
                                : "SIGTERM",
                sig == SIGQUIT ? ", stopping now" : ", draining");
      if (sig == SIGQUIT)
        stop_now();
      else
        drain();
    });
  }
  for (auto& l : listeners_)
    accept_next(*l);
  start_tick();
  loop_->run();
  close_all_connections();
  access_log_.flush();
  return 0;
}

// ---- accepting
// ---------------------------------------------------------------

bool Worker::may_accept() const {
  return !stopping_ && !this_worker().draining &&
         this_worker().connections < config_.limits.max_connections_per_worker;
}

void Worker::accept_next(Listener& l) {
  if (l.accepting || !l.acceptor.is_open()) return;
  l.accepting = true;
  l.acceptor.async_accept(l.peer,
                          [this, &l](const boost::system::error_code& ec,
                                     Connection::Socket socket) {
                            l.accepting = false;
                            on_accept(l, ec, std::move(socket));
                          });
}

void Worker::on_accept(Listener& l, const boost::system::error_code& ec,
                       Connection::Socket socket) {
  if (ec == boost::asio::error::operation_aborted || !l.acceptor.is_open())
    return;
  if (ec) {
    // EMFILE/ENFILE/ENOBUFS: back off briefly instead of spinning on a
    // listener that stays readable; log at most once a second.
    auto now = Clock::now();
    if (now - last_accept_error_log_ > std::chrono::seconds(1)) {
      log::warning("accept on ", l.acceptor.local_endpoint(), ": ",
                   ec.message());
      last_accept_error_log_ = now;
    }
    accept_retry_.emplace(*loop_, std::chrono::milliseconds(100));
    accept_retry_->async_wait([this](const boost::system::error_code& e) {
      if (!e) resume_accepting();
    });
    return;
  }
  auto conn = std::make_shared<Connection>(*ctx_, std::move(socket), l.peer);
  conn->start();
  for (int i = 1; i < kAcceptBatch && may_accept(); ++i) {
    boost::system::error_code e;
    tcp::endpoint peer;
    auto s = l.acceptor.accept(peer, e);
    if (e) break;
    std::make_shared<Connection>(*ctx_, std::move(s), peer)->start();
  }
  if (may_accept()) accept_next(l);
}

void Worker::resume_accepting() {
  if (!may_accept()) return;
  for (auto& l : listeners_)
    accept_next(*l);
}

// ---- the tick: clock, timeouts, log ---------------------------------------

void Worker::start_tick() {
  tick_.emplace(*loop_, kTick);
  tick_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_tick();
  });
}

void Worker::on_tick() {
  ctx_->dates.refresh(std::time(nullptr));
  expire_timeouts(Clock::now());
  access_log_.flush();
  start_tick();
}

void Worker::expire_timeouts(Clock::time_point now) {
  for (ConnectionTimeouts& list : ctx_->timeouts) {
    list.expire(now, [](ConnectionLinks& links) {
      static_cast<Connection&>(links).on_timeout();
    });
  }
}

// ---- stopping
// ------------------------------------------------------------------

void Worker::drain() {
  if (this_worker().draining) return;
  this_worker().draining = true;
  for (auto& l : listeners_) {
    boost::system::error_code ec;
    l->acceptor.close(ec);
  }
  // Idle connections close now; busy ones finish their request with
  // Connection: close. Iterate over a snapshot: closing unlinks.
  std::vector<std::shared_ptr<Connection>> all;
  for (ConnectionLinks& links : ctx_->connections)
    all.push_back(static_cast<Connection&>(links).shared_from_this());
  for (auto& c : all)
    c->drain();
  auto grace = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(config_.workers_policy.graceful_timeout_s));
  drain_deadline_.emplace(*loop_, grace);
  drain_deadline_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (this_worker().connections > 0)
      log::warning("graceful timeout: closing ", this_worker().connections,
                   " connections still open");
    stop_now();
  });
  maybe_finish_drain();
}

void Worker::maybe_finish_drain() {
  if (this_worker().draining && !stopping_ && this_worker().connections == 0)
    stop_now();
}

void Worker::stop_now() {
  if (stopping_) return;
  stopping_ = true;
  for (auto& l : listeners_) {
    boost::system::error_code ec;
    l->acceptor.close(ec);
  }
  close_all_connections();
  if (tick_) tick_->cancel();
  if (drain_deadline_) drain_deadline_->cancel();
  if (accept_retry_) accept_retry_->cancel();
  if (signals_) signals_->cancel();
  loop_->stop();
}

void Worker::close_all_connections() {
  if (!ctx_) return;
  while (!ctx_->connections.empty())
    static_cast<Connection&>(ctx_->connections.front()).close();
}

}  // namespace gale
