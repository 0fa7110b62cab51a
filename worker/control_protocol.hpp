// The framed message protocol between the master and each worker.
//
// One AF_UNIX SOCK_SEQPACKET socketpair per worker: the kernel keeps
// message boundaries, so one message is one frame, and descriptors travel
// with a message as SCM_RIGHTS. Both ends use these calls on non-blocking
// sockets; the master from its poll() loop, the worker from its Asio loop.
//
// Frame: ControlHeader followed by `length` payload bytes. `relay` carries
// opaque application bytes the master forwards to every other worker, the
// basis of cross-worker chat and WebSocket broadcast.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gale {

enum class ControlType : std::uint16_t {
  // worker -> master
  ready = 1,      // the worker accepts connections
  heartbeat = 2,  // payload: Heartbeat
  handoff = 3,    // an idle keep-alive connection's descriptor (SCM_RIGHTS)
  // master -> worker
  drain = 10,        // payload: DrainMode; stop accepting and finish
  stop_now = 11,     // close everything and exit
  adopt = 12,        // a connection to serve from now on (SCM_RIGHTS)
  reopen_logs = 13,  // SIGUSR1: reopen the access log file
  // both ways
  relay = 20,  // application bytes for every other worker
};

enum class DrainMode : std::uint8_t {
  // The master is stopping: answer in-flight requests with Connection:
  // close, then exit.
  stop = 0,
  // A newer worker takes over (reload, recycling): hand idle keep-alive
  // connections to the master instead of closing them.
  hand_over = 1,
};

struct ControlHeader {
  ControlType type;
  std::uint16_t reserved;
  std::uint32_t length;
};

// What a worker reports every ~250 ms. Fixed layout: both ends are the
// same binary.
struct Heartbeat {
  std::uint64_t sequence;
  std::uint64_t requests;     // answered since the worker started
  std::uint64_t connections;  // open now
  std::uint64_t rss_bytes;
  double loop_lag_ms;        // how late the heartbeat timer fired
  double oldest_request_s;   // age of the oldest request in progress
  char oldest_request[160];  // its request line, NUL-terminated
};

struct ControlMessage {
  ControlType type{};
  std::string payload;
  int fd = -1;  // a received descriptor, owned by the receiver
};

enum class IoResult { ok, would_block, closed, error };

// Sends one frame (MSG_DONTWAIT | MSG_NOSIGNAL), with `fd` attached when
// it is >= 0 (the sender keeps its own copy).
IoResult send_control(int socket, ControlType type, std::string_view payload,
                      int fd = -1);

// Receives one frame. A descriptor that arrives with it is returned in
// `out.fd` (CLOEXEC); malformed frames return error.
IoResult receive_control(int socket, ControlMessage& out);

}  // namespace gale
