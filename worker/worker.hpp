// One worker process: a single-threaded Asio loop that accepts on the
// listening sockets it was handed and serves every connection it accepts.
//
// The worker creates its own io_context (none ever crosses a fork). It
// shares nothing with other workers, so nothing in it takes a lock.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "config/config.hpp"
#include "server/connection/access_log.hpp"
#include "server/connection/connection.hpp"
#include "server/connection/connection_manager.hpp"
#include "server/core/activity_slot.hpp"
#include "server/web/application.hpp"
#include "server/web/pubsub.hpp"
#include "server/websocket/sessions.hpp"
#include "worker/accept_board.hpp"
#include "worker/control_channel.hpp"
#include "worker/relay_backend.hpp"

namespace gale {

namespace pubsub::redis {
class RedisBackend;  // server/pubsub/redis/redis_backend.hpp
}  // namespace pubsub::redis

struct WorkerOptions {
  unsigned index = 0;
  std::uint64_t generation = 0;
  // Bound, listening sockets; the worker owns them from construction on.
  std::vector<int> listen_fds;
  // The socketpair end to the master, or -1 when running standalone (then
  // SIGINT drains too, since no master coordinates a Ctrl-C).
  int control_fd = -1;
  // Where the loop publishes the handler it runs, for the master's logs
  // (shared memory the master mapped before forking); may be null.
  ActivitySlot* activity = nullptr;
  // The page of accept counts shared by the workers of a shared listener,
  // and this worker's line in it (-1: none).
  AcceptBoard* accept_board = nullptr;
  int accept_line = -1;
  // The listeners belong to someone who keeps them open after us (systemd
  // socket activation): closing ours leaves their backlog queued for the
  // next gale, so a stopping worker must not filter new handshakes off
  // them (the filter would stay on the socket systemd hands on).
  bool listeners_outlive_us = false;
  // Whether the worker owns the process's SIGTERM/SIGQUIT/SIGINT: false
  // when it runs inside another program (gale::testing::AppServer).
  bool handle_signals = true;
};

class Worker {
 public:
  Worker(const Config& config, Application& app, WorkerOptions options);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves until stopped; returns the process exit status.
  int run();

  // Stops accepting, lets in-flight requests finish (bounded by
  // workers_policy.graceful_timeout_s), then returns from run(). With
  // hand_over, idle keep-alive connections go to the master for the next
  // generation instead of being closed.
  void drain(DrainMode mode = DrainMode::stop);
  // Serves a connection another worker handed over.
  void adopt(int fd);
  // Closes every connection and returns from run() now.
  void stop_now();

  boost::asio::io_context& loop() { return *loop_; }
  ConnectionManager& connections() { return *manager_; }

 private:
  using Acceptor = boost::asio::basic_socket_acceptor<
      boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
  struct Listener {
    explicit Listener(Acceptor a)
        : acceptor(std::move(a)), deferral(acceptor.get_executor()) {}
    Acceptor acceptor;
    boost::asio::ip::tcp::endpoint peer;
    bool accepting = false;
    boost::asio::steady_timer deferral;  // leaving one connection to a peer
    bool deferred = false;
  };

  void accept_next(Listener& l);
  void on_listener_ready(Listener& l, const boost::system::error_code& ec);
  void on_accept(Listener& l, const boost::system::error_code& ec,
                 Connection::Socket socket);
  bool may_accept() const;
  void resume_accepting();
  void start_tick();
  void on_tick();
  void expire_timeouts(Clock::time_point now);
  void close_all_connections();
  void close_listeners(bool quiesce_first);
  bool drain_finished() const;
  void maybe_finish_drain();
  void close_long_idle_connections(Clock::time_point now);
  void start_heartbeat();
  void send_heartbeat();
  void watch_signals();
  void make_pubsub();
  void make_websockets();

  const Config& config_;
  Application& app_;
  WorkerOptions options_;
  // Declared first so it is destroyed last: connections, which the loop's
  // pending handlers keep alive, unlink themselves from manager_ on the way
  // out.
  AccessLog access_log_;
  // Pub/sub: outlive the connections and the loop, whose pending handlers
  // may hold subscriptions and publish completions.
  std::unique_ptr<pubsub::Hub> hub_;
  std::unique_ptr<pubsub::Backend> pubsub_backend_;
  std::unique_ptr<PubSub> pubsub_;  // over hub_ and pubsub_backend_
  RelayBackend* relay_ = nullptr;   // pubsub_backend_, under a master
  // pubsub_backend_ under `pubsub.backend: redis`: its sockets and timers
  // live on loop_, so ~Worker shuts it down before the loop goes.
  pubsub::redis::RedisBackend* redis_ = nullptr;
  std::unique_ptr<ConnectionManager> manager_;
  std::unique_ptr<boost::asio::io_context> loop_;
  // Upgraded sockets; aborted with the connections, before the loop goes.
  std::unique_ptr<websocket::Sessions> websockets_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::optional<boost::asio::steady_timer> tick_;
  std::optional<boost::asio::steady_timer> drain_deadline_;
  std::optional<boost::asio::steady_timer> accept_retry_;
  std::optional<boost::asio::steady_timer> listener_close_;
  bool listeners_last_call_ = false;  // quiesced, backlog being accepted
  std::optional<boost::asio::signal_set> signals_;
  std::unique_ptr<ControlChannel> channel_;
  std::optional<boost::asio::steady_timer> heartbeat_;
  Clock::time_point heartbeat_due_{};
  std::uint64_t heartbeat_sequence_ = 0;
  bool stopping_ = false;
  bool finish_posted_ = false;  // maybe_finish_drain() posted its check
  AcceptShare share_;           // active when the listener is shared
  Clock::time_point last_accept_error_log_{};
};

}  // namespace gale
