// ws_load: the load tool of gale's WebSocket benchmarks
// (bench/websocket/README.md; issue 11). One thread, epoll, level
// triggered, non-blocking sockets; a hand-written client handshake (RFC 6455
// §4.1) and masked client frames. It is driven by bench/websocket/run
// through stdin/stdout: one JSON object per line on stdout, commands are
// lines on stdin.
//
//   idle   open --conns WebSockets to --path (at most --open-window handshakes
//          in flight), print "ready"; hold them (answering pings) until
//          "stop"; then, with --verify, send one 64-byte text message on
//          every socket still open and count the echoes that come back
//          within 10 s; print "done".
//   echo   open --conns WebSockets to --path; each sends a --size byte text
//          message, waits for its echo, sends the next. --warmup seconds
//          of that, then "ready"; on "go" --duration seconds measured;
//          print "done" (round trips, rate, latency percentiles).
//   bcast  open --subs subscriber WebSockets to --path, then a publisher:
//          --pub ws:PATH (a WebSocket client that sends text messages; it
//          also receives them, sender included, and discards them) or
//          --pub http:PATH (HTTP POSTs, pipelined on one keep-alive
//          connection: nchan's publisher). --sub-ports P1,P2,... spreads
//          the subscribers round-robin over several servers (instances
//          sharing rooms); the publisher stays on --port. A probe message must
//          reach every subscriber before "ready". Then commands:
//            fast SECONDS WINDOW  publish as fast as the subscribers take
//                   it, keeping at most WINDOW messages not yet delivered
//                   to every subscriber (message k is sent once k-WINDOW
//                   reached the last subscriber); after SECONDS no more
//                   are sent and the in-flight ones are waited for.
//            rate PER_S COUNT     publish COUNT messages at a fixed rate,
//                   open loop, then wait for them.
//            stop
//          Each message is 64 bytes of text: a phase tag, its sequence
//          number and the CLOCK_MONOTONIC time it was sent (ns, hex), padded.
//          Every subscriber checks that it gets every message of the phase,
//          in order; the latency of a message is the time the LAST
//          subscriber got it minus the time embedded in it.
//
// Its own CPU time (getrusage RUSAGE_SELF, user + system) over each measured
// window is in its output, beside the figures.
//
// Build: g++ -O2 -std=c++20 -o ws_load ws_load.cpp
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

double self_cpu_s() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

// ------------------------------------------------------------ options
struct Opts {
  std::string mode;
  int port = 0;
  std::string path = "/ws/echo";
  int conns = 50;
  int subs = 1000;
  int window = 500;  // handshakes in flight
  int size = 64;
  double duration = 5;
  double warmup = 1;
  double open_timeout = 60;
  double max_hold = 300;
  double drain_timeout = 30;  // bcast: after the last send, wait this long
  bool verify = false;
  std::string pub = "ws:/ws/chat";
  // bcast: subscribers spread round-robin over these ports (several
  // instances sharing rooms, bench/cluster); empty = all on --port.
  std::vector<int> sub_ports;
} O;

[[noreturn]] void die(const char* msg) {
  fprintf(stderr, "ws_load: %s\n", msg);
  exit(2);
}

void emit(const std::string& json) {
  fputs(json.c_str(), stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

// ------------------------------------------------------------ connections
enum class St : uint8_t { Idle, Connecting, Handshake, Open, Closed };
enum class Role : uint8_t { Client, WsPub, HttpPub };

struct Conn {
  int fd = -1;
  St st = St::Idle;
  Role role = Role::Client;
  bool pollout = false;
  bool server_closed = false;  // got a close frame or EOF/RST from server
  uint8_t frag_op = 0;
  uint32_t mask = 0;
  std::string in;    // unparsed bytes (partial handshake/frame/response)
  std::string out;   // unsent bytes
  std::string frag;  // a fragmented message being reassembled
  // per phase
  uint32_t got = 0;
  int64_t last_seq = -1;
  int64_t sent_at = 0;   // echo: when the outstanding message was sent
  bool waiting = false;  // echo: a message is outstanding
};

int ep = -1;
sockaddr_in addr{};
std::vector<Conn> conns;
std::mt19937 rng(12345);
const uint64_t STDIN_TAG = ~uint64_t(0);
std::string stdin_buf;
bool stdin_eof = false;

// counters
struct Counters {
  uint64_t connect_failed = 0, handshake_failed = 0, opened = 0;
  uint64_t closed_by_server = 0, close_frames = 0, eof_or_reset = 0;
  uint64_t pings = 0, fragmented = 0, protocol_errors = 0;
  std::map<int, uint64_t> close_codes;
  std::string first_bad_handshake;
} C;

int in_flight_opens = 0;

void set_events(size_t i) {
  Conn& c = conns[i];
  epoll_event ev{};
  ev.events = EPOLLIN | (c.pollout ? EPOLLOUT : 0);
  ev.data.u64 = i;
  epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
}

void mark_closed(size_t i, bool by_server) {
  Conn& c = conns[i];
  if (c.st == St::Closed) return;
  bool was_open = c.st == St::Open;
  if (c.st == St::Connecting || c.st == St::Handshake) in_flight_opens--;
  c.st = St::Closed;
  if (c.fd >= 0) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
  }
  if (was_open && by_server) {
    c.server_closed = true;
    C.closed_by_server++;
  }
  std::string().swap(c.in);
  std::string().swap(c.out);
}

void flush_out(size_t i) {
  Conn& c = conns[i];
  while (!c.out.empty()) {
    ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out.erase(0, size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    C.eof_or_reset++;
    mark_closed(i, true);
    return;
  }
  bool want = !c.out.empty();
  if (want != c.pollout) {
    c.pollout = want;
    set_events(i);
  }
}

void send_bytes(size_t i, const char* p, size_t n) {
  Conn& c = conns[i];
  if (c.st == St::Closed) return;
  if (c.out.empty()) {
    ssize_t w = send(c.fd, p, n, MSG_NOSIGNAL);
    if (w == ssize_t(n)) return;
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        C.eof_or_reset++;
        mark_closed(i, true);
        return;
      }
      w = 0;
    }
    c.out.append(p + w, n - size_t(w));
  } else {
    c.out.append(p, n);
  }
  flush_out(i);
}

// A masked client frame.
void send_frame(size_t i, uint8_t op, const char* payload, size_t n) {
  char buf[16 + 1024];
  std::string big;
  char* f = buf;
  if (n + 14 > sizeof buf) {
    big.resize(n + 14);
    f = big.data();
  }
  size_t h = 0;
  f[h++] = char(0x80 | op);
  if (n < 126) {
    f[h++] = char(0x80 | n);
  } else if (n < 65536) {
    f[h++] = char(0x80 | 126);
    f[h++] = char(n >> 8);
    f[h++] = char(n);
  } else {
    f[h++] = char(0x80 | 127);
    for (int s = 56; s >= 0; s -= 8)
      f[h++] = char(uint64_t(n) >> s);
  }
  uint32_t m = conns[i].mask;
  uint8_t mk[4] = {uint8_t(m), uint8_t(m >> 8), uint8_t(m >> 16),
                   uint8_t(m >> 24)};
  memcpy(f + h, mk, 4);
  h += 4;
  for (size_t k = 0; k < n; k++)
    f[h + k] = char(payload[k] ^ mk[k & 3]);
  send_bytes(i, f, h + n);
}

const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string handshake_request(const std::string& path) {
  uint8_t key[16];
  for (auto& b : key)
    b = uint8_t(rng());
  std::string k;
  for (int j = 0; j < 16; j += 3) {
    uint32_t v = key[j] << 16;
    if (j + 1 < 16) v |= key[j + 1] << 8;
    if (j + 2 < 16) v |= key[j + 2];
    k += B64[(v >> 18) & 63];
    k += B64[(v >> 12) & 63];
    k += j + 1 < 16 ? B64[(v >> 6) & 63] : '=';
    k += j + 2 < 16 ? B64[v & 63] : '=';
  }
  return "GET " + path +
         " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(O.port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " +
         k + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

std::vector<std::string> paths;  // per conn index: its path (small set)
std::vector<uint8_t> path_of;

size_t add_conn(Role role, uint8_t path_idx) {
  conns.emplace_back();
  path_of.push_back(path_idx);
  Conn& c = conns.back();
  c.role = role;
  c.mask = uint32_t(rng());
  return conns.size() - 1;
}

void start_connect(size_t i) {
  Conn& c = conns[i];
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket() failed (RLIMIT_NOFILE?)");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c.fd = fd;
  c.st = St::Connecting;
  in_flight_opens++;
  sockaddr_in to = addr;
  if (c.role == Role::Client && !O.sub_ports.empty())
    to.sin_port = htons(uint16_t(O.sub_ports[i % O.sub_ports.size()]));
  int r = connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u64 = i;
  c.pollout = true;
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  if (r < 0 && errno != EINPROGRESS) {
    C.connect_failed++;
    mark_closed(i, false);
  }
}

// ------------------------------------------------------------ callbacks
std::function<void(size_t)> on_open;
std::function<void(size_t, uint8_t, const char*, size_t)> on_message;
std::function<void(size_t, int)> on_http_response;  // status

void handle_close_frame(size_t i, const char* p, size_t n) {
  C.close_frames++;
  int code = n >= 2 ? (uint8_t(p[0]) << 8 | uint8_t(p[1])) : 1005;
  C.close_codes[code]++;
  if (n >= 2)
    send_frame(i, 0x8, p, 2);
  else
    send_frame(i, 0x8, "", 0);
  mark_closed(i, true);
}

// Parse frames from [p, p+n); returns bytes consumed.
size_t parse_frames(size_t i, const char* p, size_t n) {
  size_t off = 0;
  while (conns[i].st == St::Open) {
    if (n - off < 2) break;
    const uint8_t* u = reinterpret_cast<const uint8_t*>(p + off);
    bool fin = u[0] & 0x80;
    uint8_t op = u[0] & 0x0f;
    bool masked = u[1] & 0x80;
    uint64_t len = u[1] & 0x7f;
    size_t h = 2;
    if (len == 126) {
      if (n - off < 4) break;
      len = (uint64_t(u[2]) << 8) | u[3];
      h = 4;
    } else if (len == 127) {
      if (n - off < 10) break;
      len = 0;
      for (int k = 0; k < 8; k++)
        len = (len << 8) | u[2 + k];
      h = 10;
    }
    if (masked || (u[0] & 0x70)) {
      C.protocol_errors++;
      mark_closed(i, false);
      return n;
    }
    if (n - off < h + len) break;
    const char* pl = p + off + h;
    off += h + len;
    Conn& c = conns[i];
    switch (op) {
      case 0x9:
        C.pings++;
        send_frame(i, 0xA, pl, len);
        break;
      case 0xA:
        break;
      case 0x8:
        handle_close_frame(i, pl, len);
        return n;
      case 0x1:
      case 0x2:
        if (fin) {
          on_message(i, op, pl, len);
        } else {
          C.fragmented++;
          c.frag.assign(pl, len);
          c.frag_op = op;
        }
        break;
      case 0x0:
        c.frag.append(pl, len);
        if (fin) {
          std::string m;
          m.swap(c.frag);
          on_message(i, c.frag_op, m.data(), m.size());
        }
        break;
      default:
        C.protocol_errors++;
        mark_closed(i, false);
        return n;
    }
  }
  return off;
}

// HTTP responses on the publisher connection (nchan): status + body.
size_t parse_http(size_t i, const char* p, size_t n) {
  size_t off = 0;
  for (;;) {
    std::string_view v(p + off, n - off);
    size_t e = v.find("\r\n\r\n");
    if (e == std::string_view::npos) break;
    std::string_view head = v.substr(0, e);
    int status = 0;
    if (head.size() > 12) status = atoi(std::string(head.substr(9, 3)).c_str());
    size_t cl = 0;
    size_t pos = 0;
    while ((pos = head.find("\r\n", pos)) != std::string_view::npos) {
      pos += 2;
      if (head.size() - pos > 15 &&
          strncasecmp(head.data() + pos, "content-length:", 15) == 0) {
        cl = size_t(atol(std::string(head.substr(pos + 15, 20)).c_str()));
      }
    }
    if (v.size() < e + 4 + cl) break;
    off += e + 4 + cl;
    on_http_response(i, status);
  }
  return off;
}

char rbuf[1 << 17];

void process_bytes(size_t i, const char* p, size_t n) {
  Conn& c = conns[i];
  size_t used = 0;
  if (c.st == St::Handshake) {
    std::string_view v(p, n);
    size_t e = v.find("\r\n\r\n");
    if (e == std::string_view::npos) {
      if (n > 8192) {
        C.handshake_failed++;
        mark_closed(i, false);
        return;
      }
      c.in.assign(p, n);
      return;
    }
    bool ok = n > 12 && memcmp(p, "HTTP/1.1 101", 12) == 0;
    if (ok) {
      std::string low(v.substr(0, e));
      for (auto& ch : low)
        ch = char(tolower(ch));
      ok = low.find("\r\nsec-websocket-accept:") != std::string::npos;
    }
    if (!ok) {
      C.handshake_failed++;
      if (C.first_bad_handshake.empty())
        C.first_bad_handshake =
            std::string(v.substr(0, std::min<size_t>(e, 120)));
      mark_closed(i, false);
      return;
    }
    c.st = St::Open;
    in_flight_opens--;
    C.opened++;
    used = e + 4;
    on_open(i);
  }
  if (conns[i].st != St::Open) return;
  size_t k = conns[i].role == Role::HttpPub
                 ? parse_http(i, p + used, n - used)
                 : parse_frames(i, p + used, n - used);
  if (conns[i].st == St::Open) {
    used += k;
    if (used < n)
      conns[i].in.assign(p + used, n - used);
    else
      conns[i].in.clear();
  }
}

void on_readable(size_t i) {
  for (int rounds = 0; rounds < 4; rounds++) {
    Conn& c = conns[i];
    if (c.st == St::Closed) return;
    ssize_t r = recv(c.fd, rbuf, sizeof rbuf, 0);
    if (r > 0) {
      if (c.in.empty()) {
        process_bytes(i, rbuf, size_t(r));
      } else {
        std::string tmp;
        tmp.swap(c.in);
        tmp.append(rbuf, size_t(r));
        process_bytes(i, tmp.data(), tmp.size());
      }
      if (size_t(r) < sizeof rbuf) return;
      continue;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return;
    // EOF or error
    if (c.st == St::Connecting || c.st == St::Handshake) {
      C.handshake_failed++;
      mark_closed(i, false);
    } else {
      C.eof_or_reset++;
      mark_closed(i, true);
    }
    return;
  }
}

void on_event(size_t i, uint32_t evs) {
  Conn& c = conns[i];
  if (c.st == St::Closed) return;
  if (c.st == St::Connecting) {
    if (!(evs & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) {
      C.connect_failed++;
      mark_closed(i, false);
      return;
    }
    c.pollout = false;
    set_events(i);
    if (c.role == Role::HttpPub) {
      c.st = St::Open;
      in_flight_opens--;
      C.opened++;
      on_open(i);
      return;
    }
    c.st = St::Handshake;
    std::string req = handshake_request(paths[path_of[i]]);
    send_bytes(i, req.data(), req.size());
    return;
  }
  if (evs & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(i);
  if (conns[i].st != St::Closed && (evs & EPOLLOUT)) flush_out(i);
}

// Run the loop until pred() or the deadline (ns, 0 = none). Returns pred().
epoll_event evbuf[1024];
std::function<void()> on_tick;  // called after every epoll batch
int64_t next_timer = 0;         // ns; 0 = none (on_tick sets it)

bool loop_until(const std::function<bool()>& pred, int64_t deadline) {
  while (!pred()) {
    int64_t now = now_ns();
    if (deadline && now >= deadline) return pred();
    int64_t wake = deadline;
    if (next_timer && (!wake || next_timer < wake)) wake = next_timer;
    int timeout = -1;
    if (wake) {
      int64_t d = wake - now;
      timeout = d <= 0 ? 0 : int((d + 999999) / 1000000);
      if (timeout > 1000) timeout = 1000;
    } else {
      timeout = 1000;
    }
    int n = epoll_wait(ep, evbuf, 1024, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait failed");
    }
    for (int k = 0; k < n; k++) {
      if (evbuf[k].data.u64 == STDIN_TAG) {
        char b[512];
        ssize_t r = read(0, b, sizeof b);
        if (r <= 0) {
          stdin_eof = true;
          epoll_ctl(ep, EPOLL_CTL_DEL, 0, nullptr);
        } else {
          stdin_buf.append(b, size_t(r));
        }
        continue;
      }
      on_event(size_t(evbuf[k].data.u64), evbuf[k].events);
    }
    if (on_tick) on_tick();
  }
  return true;
}

// Next command line from stdin ("" on EOF), servicing sockets meanwhile.
std::string wait_command(int64_t deadline = 0) {
  loop_until(
      [] { return stdin_eof || stdin_buf.find('\n') != std::string::npos; },
      deadline);
  size_t e = stdin_buf.find('\n');
  if (e == std::string::npos) return "";
  std::string line = stdin_buf.substr(0, e);
  stdin_buf.erase(0, e + 1);
  return line;
}

// Open the connections [from, to) with at most O.window handshakes in
// flight, until all are open or failed, or the open timeout.
bool open_all(size_t from, size_t to) {
  size_t next = from;
  int64_t deadline = now_ns() + int64_t(O.open_timeout * 1e9);
  auto feed = [&] {
    while (next < to && in_flight_opens < O.window)
      start_connect(next++);
  };
  feed();
  auto saved = on_tick;
  on_tick = [&] {
    feed();
    if (saved) saved();
  };
  bool done =
      loop_until([&] { return next >= to && in_flight_opens == 0; }, deadline);
  on_tick = saved;
  // Anything still opening at the deadline is a failure.
  for (size_t i = from; i < to; i++)
    if (conns[i].st == St::Connecting || conns[i].st == St::Handshake ||
        conns[i].st == St::Idle) {
      if (conns[i].st != St::Idle) mark_closed(i, false);
      C.connect_failed++;
    }
  return done;
}

size_t count_open(size_t from, size_t to) {
  size_t n = 0;
  for (size_t i = from; i < to; i++)
    n += conns[i].st == St::Open;
  return n;
}

std::string counters_json() {
  std::string codes = "{";
  for (auto& [k, v] : C.close_codes)
    codes += fmt("%s\"%d\":%llu", codes.size() > 1 ? "," : "", k,
                 (unsigned long long)v);
  codes += "}";
  std::string bad;
  for (char ch : C.first_bad_handshake)
    bad += (ch == '"' || ch == '\\') ? '\'' : (ch < 32 ? ' ' : ch);
  return fmt(
      "\"connect_failed\":%llu,\"handshake_failed\":%llu,"
      "\"closed_by_server\":%llu,\"close_frames\":%llu,\"close_codes\":%s,"
      "\"eof_or_reset\":%llu,\"pings\":%llu,\"fragmented\":%llu,"
      "\"protocol_errors\":%llu,\"first_bad_handshake\":\"%s\"",
      (unsigned long long)C.connect_failed,
      (unsigned long long)C.handshake_failed,
      (unsigned long long)C.closed_by_server,
      (unsigned long long)C.close_frames, codes.c_str(),
      (unsigned long long)C.eof_or_reset, (unsigned long long)C.pings,
      (unsigned long long)C.fragmented, (unsigned long long)C.protocol_errors,
      bad.c_str());
}

double pct(std::vector<double>& v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t k = size_t(p * double(v.size()) + 0.999999);
  if (k < 1) k = 1;
  if (k > v.size()) k = v.size();
  return v[k - 1];
}

std::string text_payload(size_t n, char fill) {
  std::string s(n, fill);
  return s;
}

// ------------------------------------------------------------ idle
int run_idle() {
  paths = {O.path};
  conns.reserve(size_t(O.conns));
  for (int k = 0; k < O.conns; k++)
    add_conn(Role::Client, 0);
  uint64_t echoes = 0;
  bool verifying = false;
  on_open = [](size_t) {};
  on_message = [&](size_t, uint8_t, const char*, size_t) {
    if (verifying) echoes++;
  };
  int64_t t0 = now_ns();
  open_all(0, conns.size());
  double open_s = (now_ns() - t0) / 1e9;
  size_t opened = count_open(0, conns.size());
  emit(fmt("{\"event\":\"ready\",\"opened\":%zu,\"open_seconds\":%.3f,%s}",
           opened, open_s, counters_json().c_str()));
  int64_t h0 = now_ns();
  std::string cmd = wait_command(h0 + int64_t(O.max_hold * 1e9));
  double hold_s = (now_ns() - h0) / 1e9;
  size_t held = count_open(0, conns.size());
  uint64_t closed_during_hold = C.closed_by_server;
  long long echoed = -1;
  if (O.verify) {
    verifying = true;
    std::string msg = text_payload(size_t(O.size), 'v');
    size_t sent = 0;
    for (size_t i = 0; i < conns.size(); i++)
      if (conns[i].st == St::Open) {
        send_frame(i, 0x1, msg.data(), msg.size());
        sent++;
      }
    loop_until([&] { return echoes >= sent; }, now_ns() + 10000000000LL);
    echoed = (long long)echoes;
  }
  emit(
      fmt("{\"event\":\"done\",\"held\":%zu,\"closed_during_hold\":%llu,"
          "\"hold_seconds\":%.3f,\"echoed_after_hold\":%lld,%s}",
          held, (unsigned long long)closed_during_hold, hold_s, echoed,
          counters_json().c_str()));
  return 0;
}

// ------------------------------------------------------------ echo
int run_echo() {
  paths = {O.path};
  for (int k = 0; k < O.conns; k++)
    add_conn(Role::Client, 0);
  std::string msg = text_payload(size_t(O.size), 'e');
  bool running = false, measuring = false;
  uint64_t trips = 0, bad = 0;
  int outstanding = 0;
  std::vector<double> lat;
  lat.reserve(1 << 20);
  on_open = [](size_t) {};
  auto fire = [&](size_t i) {
    conns[i].sent_at = now_ns();
    conns[i].waiting = true;
    outstanding++;
    send_frame(i, 0x1, msg.data(), msg.size());
  };
  on_message = [&](size_t i, uint8_t op, const char* p, size_t n) {
    Conn& c = conns[i];
    if (!c.waiting) return;
    c.waiting = false;
    outstanding--;
    if (op != 0x1 || n != msg.size() || memcmp(p, msg.data(), n) != 0) bad++;
    if (measuring) {
      trips++;
      if (lat.size() < lat.capacity())
        lat.push_back((now_ns() - c.sent_at) / 1e3);
    }
    if (running) fire(i);
  };
  open_all(0, conns.size());
  size_t opened = count_open(0, conns.size());
  if (opened == 0) {
    emit(fmt("{\"event\":\"error\",\"error\":\"no connection opened\",%s}",
             counters_json().c_str()));
    return 1;
  }
  auto drain = [&] {
    running = false;
    loop_until([&] { return outstanding <= 0; }, now_ns() + 3000000000LL);
  };
  if (O.warmup > 0) {
    running = true;
    for (size_t i = 0; i < conns.size(); i++)
      if (conns[i].st == St::Open) fire(i);
    loop_until([] { return false; }, now_ns() + int64_t(O.warmup * 1e9));
    drain();
  }
  emit(fmt("{\"event\":\"ready\",\"opened\":%zu,%s}", opened,
           counters_json().c_str()));
  std::string cmd = wait_command();
  if (cmd != "go") return 0;
  double c0 = self_cpu_s();
  int64_t t0 = now_ns();
  running = true;
  measuring = true;
  outstanding = 0;
  for (size_t i = 0; i < conns.size(); i++)
    if (conns[i].st == St::Open) fire(i);
  int64_t end = t0 + int64_t(O.duration * 1e9);
  loop_until([] { return false; }, end);
  measuring = false;
  double secs = (now_ns() - t0) / 1e9;
  drain();
  double cpu = self_cpu_s() - c0;
  size_t still = count_open(0, conns.size());
  double p50 = pct(lat, 0.5), p99 = pct(lat, 0.99);
  emit(fmt(
      "{\"event\":\"done\",\"round_trips\":%llu,\"seconds\":%.4f,"
      "\"rate\":%.1f,\"bad_echoes\":%llu,\"lat_p50_us\":%.1f,"
      "\"lat_p99_us\":%.1f,\"tool_cpu_s\":%.4f,\"open_at_end\":%zu,%s}",
      (unsigned long long)trips, secs, trips / secs, (unsigned long long)bad,
      p50, p99, cpu, still, counters_json().c_str()));
  return 0;
}

// ------------------------------------------------------------ bcast
struct Phase {
  char tag = 'P';
  int64_t sent = 0;                // messages published
  std::vector<int32_t> remaining;  // per seq: subscribers still to get it
  std::vector<int64_t> sent_ns;    // per seq
  std::vector<int64_t> last_ns;    // per seq: when the last subscriber got it
  int64_t complete = 0;  // seqs [0, complete) reached every subscriber
  uint64_t delivered = 0, out_of_order = 0, stale = 0, pub_answers = 0,
           pub_errors = 0, pub_echoes = 0;
  int64_t last_progress = 0;
};

int run_bcast() {
  bool http_pub = O.pub.rfind("http:", 0) == 0;
  std::string pub_path = O.pub.substr(O.pub.find(':') + 1);
  paths = {O.path, pub_path};
  size_t nsubs = size_t(O.subs);
  conns.reserve(nsubs + 1);
  for (size_t k = 0; k < nsubs; k++)
    add_conn(Role::Client, 0);
  size_t pub = add_conn(http_pub ? Role::HttpPub : Role::WsPub, 1);
  Phase ph;
  int live_subs = 0;
  on_open = [](size_t) {};
  on_http_response = [&](size_t, int status) {
    ph.pub_answers++;
    if (status < 200 || status > 299) ph.pub_errors++;
  };
  on_message = [&](size_t i, uint8_t, const char* p, size_t n) {
    if (i == pub) {
      ph.pub_echoes++;
      return;
    }
    // "<tag> <seq:8 hex> <ns:16 hex> xxxx"
    if (n < 28 || p[0] != ph.tag) {
      ph.stale++;
      return;
    }
    int64_t seq = strtoll(std::string(p + 2, 8).c_str(), nullptr, 16);
    int64_t ts = strtoll(std::string(p + 11, 16).c_str(), nullptr, 16);
    if (seq < 0 || seq >= ph.sent) {
      ph.stale++;
      return;
    }
    Conn& c = conns[i];
    if (seq != c.last_seq + 1) ph.out_of_order++;
    if (seq <= c.last_seq) {  // a duplicate: not counted again
      return;
    }
    c.last_seq = seq;
    c.got++;
    ph.delivered++;
    int64_t now = now_ns();
    if (--ph.remaining[size_t(seq)] == 0) {
      ph.last_ns[size_t(seq)] = now;
      (void)ts;
      ph.sent_ns[size_t(seq)] = ts;  // the embedded time
      while (ph.complete < ph.sent && ph.remaining[size_t(ph.complete)] == 0)
        ph.complete++;
    }
    ph.last_progress = now;
  };
  auto new_phase = [&](char tag) {
    ph = Phase();
    ph.tag = tag;
    live_subs = int(count_open(0, nsubs));
    for (size_t i = 0; i < nsubs; i++) {
      conns[i].got = 0;
      conns[i].last_seq = -1;
    }
    ph.last_progress = now_ns();
  };
  std::string body(64, 'x');
  std::string http_head =
      "POST " + pub_path +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: text/plain\r\nContent-Length: 64\r\n\r\n";
  auto publish = [&] {
    int64_t seq = ph.sent;
    int64_t t = now_ns();
    char head[40];
    snprintf(head, sizeof head, "%c %08llx %016llx ", ph.tag,
             (unsigned long long)seq, (unsigned long long)t);
    memcpy(body.data(), head, 28);
    ph.remaining.push_back(live_subs);
    ph.sent_ns.push_back(t);
    ph.last_ns.push_back(0);
    ph.sent++;
    if (conns[pub].st != St::Open) return;
    if (http_pub) {
      std::string req = http_head + body;
      send_bytes(pub, req.data(), req.size());
    } else {
      send_frame(pub, 0x1, body.data(), body.size());
    }
  };
  int64_t t0 = now_ns();
  open_all(0, nsubs);
  open_all(pub, pub + 1);
  double open_s = (now_ns() - t0) / 1e9;
  size_t opened = count_open(0, nsubs);
  if (opened == 0 || conns[pub].st != St::Open) {
    emit(
        fmt("{\"event\":\"error\",\"error\":\"subscribers or publisher did "
            "not open (%zu subscribers open, publisher %s)\",%s}",
            opened, conns[pub].st == St::Open ? "open" : "not open",
            counters_json().c_str()));
    return 1;
  }
  // Probe: one message must reach every subscriber (tries up to 5 times).
  bool probed = false;
  int tries = 0;
  for (; tries < 5 && !probed; tries++) {
    new_phase(char('P'));
    ph.tag = 'P';
    publish();
    probed =
        loop_until([&] { return ph.complete >= 1; }, now_ns() + 5000000000LL);
    if (!probed)
      fprintf(stderr, "ws_load: probe %d reached %llu of %d subscribers\n",
              tries + 1, (unsigned long long)ph.delivered, live_subs);
  }
  emit(
      fmt("{\"event\":\"ready\",\"subscribers\":%zu,\"open_seconds\":%.3f,"
          "\"probe_ok\":%s,\"probe_tries\":%d,\"probe_reached\":%llu,%s}",
          opened, open_s, probed ? "true" : "false", tries,
          (unsigned long long)ph.delivered, counters_json().c_str()));
  char tag = 'a';
  for (;;) {
    std::string cmd = wait_command();
    if (cmd.empty() || cmd == "stop") break;
    char what[16] = {0};
    double a = 0, b = 0;
    if (sscanf(cmd.c_str(), "%15s %lf %lf", what, &a, &b) != 3) {
      emit("{\"event\":\"error\",\"error\":\"bad command\"}");
      continue;
    }
    // Settle: no stray traffic from the previous phase.
    loop_until([] { return false; }, now_ns() + 200000000LL);
    new_phase(tag);
    tag = tag == 'z' ? 'a' : char(tag + 1);
    uint64_t closed0 = C.closed_by_server;
    double c0 = self_cpu_s();
    int64_t start = now_ns();
    int64_t send_end = 0;
    bool fast = strcmp(what, "fast") == 0;
    int64_t window = int64_t(b);
    int64_t count = fast ? INT64_MAX : int64_t(b);
    double interval_ns = fast ? 0 : 1e9 / a;
    int64_t stop_sending = fast ? start + int64_t(a * 1e9) : INT64_MAX;
    const int64_t stall_ns = 10000000000LL;  // no progress this long: give up
    bool stalled = false;
    const char* why = "";
    auto pump = [&] {
      int64_t now = now_ns();
      if (fast) {
        while (ph.sent < count && now < stop_sending &&
               ph.sent - ph.complete < window && conns[pub].st == St::Open)
          publish();
        next_timer = now < stop_sending ? stop_sending : 0;
      } else {
        while (ph.sent < count &&
               now >= start + int64_t(double(ph.sent) * interval_ns))
          publish();
        next_timer = ph.sent < count
                         ? start + int64_t(double(ph.sent) * interval_ns)
                         : 0;
      }
      if (send_end == 0 && (ph.sent >= count || now >= stop_sending))
        send_end = now;
    };
    on_tick = pump;
    pump();
    const int64_t drain_ns = int64_t(O.drain_timeout * 1e9);
    loop_until(
        [&] {
          if (send_end == 0) {
            // Still sending: only a fast phase whose window is full and that
            // made no progress for stall_ns gives up early.
            if (fast && ph.sent - ph.complete >= window &&
                now_ns() - ph.last_progress > stall_ns) {
              stalled = true;
              why = "no progress for 10 s";
              return true;
            }
            return false;
          }
          if (ph.complete >= ph.sent) return true;
          int64_t now = now_ns();
          if (now - ph.last_progress > stall_ns) {
            stalled = true;
            why = "no progress for 10 s";
            return true;
          }
          if (now - send_end > drain_ns) {
            stalled = true;
            why = "drain timeout";
            return true;
          }
          return false;
        },
        0);
    on_tick = nullptr;
    next_timer = 0;
    int64_t end = now_ns();
    // The last delivery of the phase, not the moment we noticed it.
    int64_t last = 0;
    for (auto t : ph.last_ns)
      last = std::max(last, t);
    if (last == 0) last = end;
    double cpu = self_cpu_s() - c0;
    double secs = (last - start) / 1e9;
    uint64_t expected = uint64_t(ph.sent) * uint64_t(live_subs);
    uint64_t subs_missing = 0;
    for (size_t i = 0; i < nsubs; i++)
      if (int64_t(conns[i].got) < ph.sent) subs_missing++;
    std::vector<double> lat;
    for (int64_t s = 0; s < ph.sent; s++)
      if (ph.remaining[size_t(s)] == 0)
        lat.push_back((ph.last_ns[size_t(s)] - ph.sent_ns[size_t(s)]) / 1e6);
    double p50 = pct(lat, 0.5), p99 = pct(lat, 0.99),
           mx = lat.empty() ? -1 : lat.back();
    emit(fmt(
        "{\"event\":\"done\",\"phase\":\"%s\",\"messages\":%lld,"
        "\"subscribers\":%d,\"seconds\":%.4f,\"send_seconds\":%.4f,"
        "\"delivered\":%llu,\"expected\":%llu,\"undelivered\":%llu,"
        "\"subscribers_missing_some\":%llu,\"out_of_order\":%llu,"
        "\"stale\":%llu,\"gave_up_waiting\":%s,\"why\":\"%s\",\"deliveries_per_"
        "s\":%.1f,"
        "\"messages_per_s\":%.2f,\"last_sub_p50_ms\":%.3f,"
        "\"last_sub_p99_ms\":%.3f,\"last_sub_max_ms\":%.3f,"
        "\"pub_answers\":%llu,\"pub_errors\":%llu,\"pub_echoes\":%llu,"
        "\"closed_by_server_in_phase\":%llu,\"tool_cpu_s\":%.4f,%s}",
        what, (long long)ph.sent, live_subs, secs,
        ((send_end ? send_end : end) - start) / 1e9,
        (unsigned long long)ph.delivered, (unsigned long long)expected,
        (unsigned long long)(expected - std::min(expected, ph.delivered)),
        (unsigned long long)subs_missing, (unsigned long long)ph.out_of_order,
        (unsigned long long)ph.stale, stalled ? "true" : "false", why,
        secs > 0 ? ph.delivered / secs : 0.0, secs > 0 ? ph.sent / secs : 0.0,
        p50, p99, mx, (unsigned long long)ph.pub_answers,
        (unsigned long long)ph.pub_errors, (unsigned long long)ph.pub_echoes,
        (unsigned long long)(C.closed_by_server - closed0), cpu,
        counters_json().c_str()));
  }
  return 0;
}

double num(const char* s) {
  char* e;
  double v = strtod(s, &e);
  if (*e) die("bad number");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) die("usage: ws_load idle|echo|bcast --port N [options]");
  O.mode = argv[1];
  for (int k = 2; k < argc; k++) {
    std::string a = argv[k];
    auto val = [&]() -> const char* {
      if (k + 1 >= argc) die("missing value");
      return argv[++k];
    };
    if (a == "--port")
      O.port = int(num(val()));
    else if (a == "--sub-ports") {
      std::string list = val();
      for (size_t at = 0; at <= list.size();) {
        size_t comma = std::min(list.find(',', at), list.size());
        O.sub_ports.push_back(int(num(list.substr(at, comma - at).c_str())));
        at = comma + 1;
      }
    } else if (a == "--path")
      O.path = val();
    else if (a == "--conns")
      O.conns = int(num(val()));
    else if (a == "--subs")
      O.subs = int(num(val()));
    else if (a == "--open-window")
      O.window = int(num(val()));
    else if (a == "--size")
      O.size = int(num(val()));
    else if (a == "--duration")
      O.duration = num(val());
    else if (a == "--warmup")
      O.warmup = num(val());
    else if (a == "--open-timeout")
      O.open_timeout = num(val());
    else if (a == "--max-hold")
      O.max_hold = num(val());
    else if (a == "--drain-timeout")
      O.drain_timeout = num(val());
    else if (a == "--verify")
      O.verify = true;
    else if (a == "--pub")
      O.pub = val();
    else
      die(("unknown option " + a).c_str());
  }
  if (O.port <= 0) die("--port required");
  if (O.size < 1 || O.size > 65536) die("--size 1..65536");
  rlimit rl{65536, 65536};
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(O.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ep = epoll_create1(EPOLL_CLOEXEC);
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = STDIN_TAG;
  if (epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev) != 0) stdin_eof = true;
  if (O.mode == "idle") return run_idle();
  if (O.mode == "echo") return run_echo();
  if (O.mode == "bcast") return run_bcast();
  die("mode: idle|echo|bcast");
}
