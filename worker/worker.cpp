#include "worker/worker.hpp"

#include <linux/filter.h>
#include <malloc.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "server/connection/connection.hpp"
#include "server/core/log.hpp"
#include "server/core/worker_state.hpp"
#include "server/pubsub/redis/redis_backend.hpp"

namespace gale {
namespace {

using boost::asio::ip::tcp;

constexpr auto kTick = std::chrono::milliseconds(100);
constexpr auto kHeartbeatInterval = std::chrono::milliseconds(250);
// While stopping, a connection idle this long is closed: long enough that a
// client in the middle of sending its next request is not cut off, short
// enough that, checked on the tick, a worker whose master died with idle
// keep-alive connections open is gone within a second (SPEC §5).
constexpr auto kStopIdleGrace = std::chrono::milliseconds(700);
// After a listener stops taking new handshakes, how long the worker goes
// on accepting what already sits in its backlog before closing it.
constexpr auto kListenerLastCall = std::chrono::milliseconds(100);

// Drops new SYNs for the listener from now on: they go unanswered (the
// client retries, and by then finds the port closed or, with SO_REUSEPORT,
// another worker), while the connections already queued can still be
// accepted; closing a listener outright resets those. Only a bare SYN is
// dropped: the final ACK of a handshake already answered must get through,
// or that client, connected on its side, is reset when the listener closes.
// The filter runs with the packet's TCP header at offset 0.
void stop_new_handshakes(int fd) {
  constexpr std::uint32_t kTcpFlags = 13, kSyn = 0x02, kAck = 0x10;
  static sock_filter drop_syn[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kTcpFlags),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, kSyn | kAck),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kSyn, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 0),           // a bare SYN: dropped
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),  // anything else: kept whole
  };
  sock_fprog program{static_cast<unsigned short>(std::size(drop_syn)),
                     drop_syn};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program,
                   sizeof program) != 0)
    log::debug("SO_ATTACH_FILTER on a listener: ", std::strerror(errno));
}

std::uint64_t resident_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<std::uint64_t>(resident) *
         static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

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
      access_log_(config.log.access_log),
      share_(config.workers > 1 && !config.reuse_port ? options_.accept_board
                                                      : nullptr,
             options_.accept_line) {
  // Single-threaded by design: no locking inside the scheduler or reactor.
  loop_ = std::make_unique<boost::asio::io_context>(
      BOOST_ASIO_CONCURRENCY_HINT_UNSAFE);
  manager_ = std::make_unique<ConnectionManager>(*loop_, app_, config_.limits,
                                                 access_log_);
  manager_->trusted_proxies = IpNetworkList(config_.proxy.trusted);
  make_pubsub();
  make_websockets();
  manager_->on_connection_closed = [this] {
    resume_accepting();
    maybe_finish_drain();
  };
  manager_->hand_over = [this](int fd) {
    if (channel_)
      channel_->send_reliably(ControlType::handoff, {}, fd);
    else
      ::close(fd);
  };
  if (options_.control_fd >= 0) {
    ControlChannel::Handlers h;
    h.drain = [this](DrainMode mode) { drain(mode); };
    h.stop_now = [this] { stop_now(); };
    h.adopt = [this](int fd) { adopt(fd); };
    h.reopen_logs = [this] { access_log_.reopen(); };
    // relay_ is null under `pubsub.backend: redis`: the master's frames
    // (its resyncs of an idle relay) are then ignored.
    h.relay = [this](std::string_view payload) {
      if (relay_) relay_->on_frame(payload);
    };
    h.master_gone = [this] {
      log::warning("the master is gone; draining and exiting");
      if (relay_) relay_->on_channel_gone();
      drain(DrainMode::stop);
    };
    channel_ = std::make_unique<ControlChannel>(*loop_, options_.control_fd,
                                                std::move(h));
  }
  for (int fd : options_.listen_fds) {
    Acceptor a(loop_->get_executor());
    a.assign(protocol_of(fd), fd);
    a.non_blocking(true);
    listeners_.push_back(std::make_unique<Listener>(std::move(a)));
  }
  share_.join();
  WorkerState& w = this_worker();
  w.drain = DrainState::running;
  w.index = options_.index;
  w.generation = options_.generation;
  w.started_at = monotonic_seconds();
  w.activity = options_.activity;
}

Worker::~Worker() {
  close_all_connections();
  // Pending handlers hold connections; destroy them while manager_ exists.
  listeners_.clear();
  channel_.reset();
  heartbeat_.reset();
  tick_.reset();
  drain_deadline_.reset();
  accept_retry_.reset();
  listener_close_.reset();
  signals_.reset();
  if (redis_) redis_->shutdown();
  loop_.reset();
  manager_.reset();
}

int Worker::run() {
  if (options_.handle_signals) watch_signals();
  for (auto& l : listeners_)
    accept_next(*l);
  start_tick();
  if (channel_) {
    channel_->start();
    start_heartbeat();
    // Posted so it leaves once the loop runs: the master counts this
    // worker as serving from then on.
    boost::asio::post(*loop_, [this] {
      if (channel_ && !this_worker().draining())
        channel_->send(ControlType::ready, {});
    });
  }
  loop_->run();
  close_all_connections();
  access_log_.flush();
  return 0;
}

// SIGTERM drains (it is also the parent-death signal), SIGQUIT stops at
// once. Under a master, SIGINT is ignored: a Ctrl-C reaches the whole
// process group and the master coordinates the stop.
void Worker::watch_signals() {
  bool standalone = options_.control_fd < 0;
  if (!signals_) {
    if (!standalone) std::signal(SIGINT, SIG_IGN);
    signals_.emplace(*loop_, SIGTERM, SIGQUIT);
    if (standalone) signals_->add(SIGINT);
  }
  signals_->async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGQUIT) {
      log::info("SIGQUIT: stopping now");
      stop_now();
      return;
    }
    log::info(sig == SIGINT ? "SIGINT" : "SIGTERM", ": draining");
    drain(DrainMode::stop);
    watch_signals();  // a SIGQUIT may still cut the drain short
  });
}

// A connection another worker handed over. The master chose us while we
// were serving; if we have started retiring since, the connection goes on
// to the next worker the same way: closing it would reset a client that
// may already have sent its next request on it.
void Worker::adopt(int fd) {
  if (!stopping_ && this_worker().drain == DrainState::handing_over)
    return manager_->hand_over(fd);
  if (stopping_ || this_worker().drain != DrainState::running) {
    ::close(fd);
    return;
  }
  boost::system::error_code ec;
  Connection::Socket socket(*loop_);
  socket.assign(protocol_of(fd), fd, ec);
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;  // the client left in transit; socket closes itself
  std::make_shared<Connection>(*manager_, std::move(socket), peer)->start(true);
}

// ---- accepting
// ---------------------------------------------------------------

bool Worker::may_accept() const {
  return !stopping_ &&
         (this_worker().drain == DrainState::running || listeners_last_call_) &&
         this_worker().connections < config_.limits.max_connections_per_worker;
}

void Worker::accept_next(Listener& l) {
  if (l.accepting || !l.acceptor.is_open()) return;
  l.accepting = true;
  if (share_.active()) {
    // Wait, then decide whether this worker takes the connection.
    share_.set_waiting(true);
    l.acceptor.async_wait(Acceptor::wait_read,
                          [this, &l](const boost::system::error_code& ec) {
                            l.accepting = false;
                            share_.set_waiting(false);
                            on_listener_ready(l, ec);
                          });
    return;
  }
  l.acceptor.async_accept(l.peer,
                          [this, &l](const boost::system::error_code& ec,
                                     Connection::Socket socket) {
                            l.accepting = false;
                            on_accept(l, ec, std::move(socket));
                          });
}

// A shared listener has a connection, and every worker was woken for it:
// the one ahead of a live peer leaves it to that peer, once and briefly
// (see accept_board.hpp); the others take one connection each.
void Worker::on_listener_ready(Listener& l,
                               const boost::system::error_code& ec) {
  if (ec == boost::asio::error::operation_aborted || !l.acceptor.is_open() ||
      !may_accept())
    return;
  if (!l.deferred && share_.ahead_of_a_peer()) {
    l.deferred = true;
    l.accepting = true;
    l.deferral.expires_after(AcceptShare::kDeferral);
    l.deferral.async_wait([this, &l](const boost::system::error_code& e) {
      l.accepting = false;
      on_listener_ready(l, e);
    });
    return;
  }
  l.deferred = false;
  tcp::endpoint peer;
  boost::system::error_code e;
  Connection::Socket socket(*loop_);
  l.acceptor.accept(socket, peer, e);
  if (!e) {
    share_.count_accepted();
    l.peer = peer;
    return on_accept(l, e, std::move(socket));
  }
  if (e == boost::asio::error::would_block ||
      e == boost::asio::error::try_again)
    return accept_next(l);  // a peer took it
  on_accept(l, e, std::move(socket));
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
      boost::system::error_code ignored;
      log::warning("accept on ", l.acceptor.local_endpoint(ignored), ": ",
                   ec.message());
      last_accept_error_log_ = now;
    }
    accept_retry_.emplace(*loop_, std::chrono::milliseconds(100));
    accept_retry_->async_wait([this](const boost::system::error_code& e) {
      if (!e) resume_accepting();
    });
    return;
  }
  std::make_shared<Connection>(*manager_, std::move(socket), l.peer)->start();
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
  Clock::time_point now = Clock::now();
  share_.refresh(may_accept());
  manager_->dates.refresh(std::time(nullptr));
  expire_timeouts(now);
  if (this_worker().drain == DrainState::stopping)
    close_long_idle_connections(now);
  // Many contexts went back to the heap and a burst ended: hand the pages
  // to the system, or a worker's RSS would stay at its peak.
  if (manager_->buffer_pool.tick(32)) ::malloc_trim(0);
  access_log_.flush();
  maybe_finish_drain();
  if (!stopping_) start_tick();
}

void Worker::expire_timeouts(Clock::time_point now) {
  manager_->expire_timeouts(now);
  websockets_->expire(now);
}

// ---- stopping
// ------------------------------------------------------------------

void Worker::drain(DrainMode mode) {
  if (stopping_) return;
  DrainState want =
      mode == DrainMode::stop ? DrainState::stopping : DrainState::handing_over;
  if (this_worker().drain == want ||
      this_worker().drain == DrainState::stopping)
    return;
  bool first = this_worker().drain == DrainState::running;
  this_worker().drain = want;
  close_listeners(!options_.listeners_outlive_us &&
                  (want == DrainState::stopping || config_.reuse_port));
  manager_->drain_all();
  // WebSockets cannot move to another worker: each is told to go (1001)
  // after what is queued for it, and its client reconnects to a live one.
  websockets_->close_all(websocket::CloseCode::going_away,
                         "server shutting down");
  // Long-polls answer now, so their clients re-poll to a worker that stays.
  pubsub_->wake_all_waiters();
  if (first) {
    auto grace = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(
            config_.workers_policy.graceful_timeout_s));
    drain_deadline_.emplace(*loop_, grace);
    drain_deadline_->async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (this_worker().connections > 0)
        log::warning("graceful timeout: closing ", this_worker().connections,
                     " connections still open");
      stop_now();
    });
  }
  maybe_finish_drain();
}

// A listener shared with a newer generation stays open in it: ours just
// closes. One that is going away entirely (a stop, or our own SO_REUSEPORT
// socket) first stops taking handshakes, then we accept its backlog.
void Worker::close_listeners(bool quiesce_first) {
  auto close_all = [this] {
    listeners_last_call_ = false;
    for (auto& l : listeners_) {
      boost::system::error_code ec;
      l->acceptor.close(ec);
    }
    maybe_finish_drain();
  };
  if (!quiesce_first || listeners_.empty()) return close_all();
  for (auto& l : listeners_)
    stop_new_handshakes(l->acceptor.native_handle());
  listeners_last_call_ = true;
  listener_close_.emplace(*loop_, kListenerLastCall);
  listener_close_->async_wait([close_all](const boost::system::error_code& ec) {
    if (!ec) close_all();
  });
  resume_accepting();
}

// Done draining once the listeners are closed, no connection is left and
// every handed-over descriptor has reached the master.
bool Worker::drain_finished() const {
  return this_worker().drain != DrainState::running && !stopping_ &&
         !listeners_last_call_ && this_worker().connections == 0 &&
         (!channel_ || channel_->all_sent());
}

// Stops in a posted handler, not at once: completions the reactor already
// queued run first. One may be a connection it accepted before the drain
// closed the listener; stopping the loop under it would destroy the socket
// unread and reset its client.
void Worker::maybe_finish_drain() {
  if (finish_posted_ || !drain_finished()) return;
  finish_posted_ = true;
  boost::asio::post(*loop_, [this] {
    finish_posted_ = false;
    if (drain_finished()) stop_now();
  });
}

void Worker::close_long_idle_connections(Clock::time_point now) {
  manager_->close_idle_for(now, kStopIdleGrace);
}

void Worker::start_heartbeat() {
  heartbeat_due_ = Clock::now() + kHeartbeatInterval;
  heartbeat_.emplace(*loop_, heartbeat_due_);
  heartbeat_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    send_heartbeat();
    start_heartbeat();
  });
}

// Sent from the loop itself: a loop stuck in a handler sends none, which is
// how the master notices it.
void Worker::send_heartbeat() {
  Clock::time_point now = Clock::now();
  Heartbeat hb{};
  hb.sequence = ++heartbeat_sequence_;
  hb.requests = this_worker().requests;
  hb.connections = this_worker().connections;
  hb.rss_bytes = resident_bytes();
  hb.loop_lag_ms =
      std::chrono::duration<double, std::milli>(now - heartbeat_due_).count();
  Clock::time_point oldest;
  if (std::string line; manager_->oldest_request(oldest, line)) {
    hb.oldest_request_s = std::chrono::duration<double>(now - oldest).count();
    std::snprintf(hb.oldest_request, sizeof hb.oldest_request, "%s",
                  line.c_str());
  }
  channel_->send(
      ControlType::heartbeat,
      std::string_view(reinterpret_cast<const char*>(&hb), sizeof hb));
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
  if (listener_close_) listener_close_->cancel();
  if (signals_) signals_->cancel();
  if (heartbeat_) heartbeat_->cancel();
  if (channel_) channel_->close();
  loop_->stop();
}

void Worker::close_all_connections() {
  if (!manager_) return;
  manager_->stop_all();
  if (websockets_) websockets_->abort_all();
}

}  // namespace gale
