// longpoll_load: the load tool of gale's long-poll chat benchmarks
// (bench/chat/README.md). One thread, epoll, non-blocking sockets, level
// triggered. It behaves like the JavaScript of a long-poll chat page, many
// times over: every waiter holds one keep-alive connection, sends a poll
// with the cursor of the last message it saw, and polls again with the new
// cursor once answered.
//
// Two protocols:
//   --proto form   gale and the Tornado chat: POST /chat/updates with the
//                  form field cursor=<last id>, answered {"messages":[...]};
//                  publish = POST /chat/new with body=<text>.
//   --proto nchan  nginx + nchan: GET /sub, the cursor being the previous
//                  answer's Last-Modified and Etag, sent back as
//                  If-Modified-Since and If-None-Match; publish = POST /pub.
//
// Three modes, each driven by bench/chat/run through stdin/stdout (one JSON
// object per line on stdout; commands are lines on stdin):
//   wake   N waiters parked; on "go": M times, publish one message and time
//          each waiter's answer from the moment the publish is written; the
//          waiters re-poll only after all are answered, then a settle pause.
//   storm  N waiters parked; on "go": publish; each waiter re-polls the
//          moment it is answered; the next message is published as soon as
//          all N have the last one (and its publish was answered); for
//          --duration seconds. Counts answered polls.
//   hold   N waiters parked; on "end" they are closed (memory scenario).
// Every mode first publishes a seed message and follows cursors on one probe
// connection until a poll stays unanswered for --settle-ms: that cursor is
// the current one, and every waiter starts from it (so no waiter is answered
// at once with old history). "ready" is printed once every waiter has
// connected, written its poll and --settle-ms passed with no answer.
//
// Its own CPU time (CLOCK_THREAD_CPUTIME_ID) over every measured window is
// in its output, so a reader can see whether the tool was the bottleneck.
//
// Build: g++ -O2 -std=c++20 -o longpoll_load longpoll_load.cpp
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

[[noreturn]] void die(const std::string& why) {
  std::printf("{\"event\":\"error\",\"error\":\"%s\"}\n", why.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "longpoll_load: %s\n", why.c_str());
  std::exit(2);
}

// ------------------------------------------------------------ options

struct Options {
  int port = 0;
  bool nchan = false;
  std::string mode = "wake";
  int waiters = 1000;
  int messages = 10;
  double duration = 5.0;
  int settle_ms = 500;
  int connect_inflight = 256;
  int wake_timeout_ms = 10000;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--port")
      o.port = std::atoi(val().c_str());
    else if (a == "--proto") {
      std::string p = val();
      if (p == "nchan")
        o.nchan = true;
      else if (p != "form")
        die("--proto is form or nchan");
    } else if (a == "--mode")
      o.mode = val();
    else if (a == "--waiters")
      o.waiters = std::atoi(val().c_str());
    else if (a == "--messages")
      o.messages = std::atoi(val().c_str());
    else if (a == "--duration")
      o.duration = std::atof(val().c_str());
    else if (a == "--settle-ms")
      o.settle_ms = std::atoi(val().c_str());
    else if (a == "--connect-inflight")
      o.connect_inflight = std::atoi(val().c_str());
    else if (a == "--wake-timeout-ms")
      o.wake_timeout_ms = std::atoi(val().c_str());
    else
      die("unknown option " + a);
  }
  if (o.port <= 0) die("--port is required");
  if (o.mode != "wake" && o.mode != "storm" && o.mode != "hold")
    die("--mode is wake, storm or hold");
  if (o.waiters < 1) die("--waiters must be >= 1");
  return o;
}

// ------------------------------------------------------------ HTTP

struct Response {
  int status = 0;
  std::string body;
  std::string last_modified, etag;
  bool close = false;
};

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size() + 1) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower((unsigned char)line[i]) !=
        std::tolower((unsigned char)name[i]))
      return false;
  return line[name.size()] == ':';
}

std::string_view header_value(std::string_view line, size_t name_len) {
  std::string_view v = line.substr(name_len + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  return v;
}

// Parses one response from the front of `in`. Returns the bytes it used,
// 0 when more are needed, -1 when it is not HTTP.
long parse_response(const std::string& in, Response& r) {
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return in.size() > 65536 ? -1 : 0;
  std::string_view head(in.data(), end);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return -1;
  r = Response{};
  r.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  long content_length = -1;
  bool chunked = false;
  size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    size_t next = head.find("\r\n", pos + 2);
    std::string_view line = head.substr(
        pos + 2,
        (next == std::string_view::npos ? head.size() : next) - (pos + 2));
    if (iequals_prefix(line, "content-length"))
      content_length = std::atol(std::string(header_value(line, 14)).c_str());
    else if (iequals_prefix(line, "transfer-encoding"))
      chunked =
          header_value(line, 17).find("chunked") != std::string_view::npos;
    else if (iequals_prefix(line, "last-modified"))
      r.last_modified = header_value(line, 13);
    else if (iequals_prefix(line, "etag"))
      r.etag = header_value(line, 4);
    else if (iequals_prefix(line, "connection"))
      r.close = header_value(line, 10) == "close";
    pos = next;
  }
  size_t body_at = end + 4;
  bool no_body =
      r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200);
  if (no_body) return long(body_at);
  if (chunked) {
    size_t p = body_at;
    for (;;) {
      size_t eol = in.find("\r\n", p);
      if (eol == std::string::npos) return 0;
      long n = std::strtol(in.c_str() + p, nullptr, 16);
      if (n < 0) return -1;
      if (n == 0) {
        // Trailers (none expected): up to the empty line.
        size_t fin = in.find("\r\n", eol + 2);
        if (fin == std::string::npos) return 0;
        if (fin == eol + 2) return long(fin + 2);
        size_t fin2 = in.find("\r\n\r\n", eol);
        if (fin2 == std::string::npos) return 0;
        return long(fin2 + 4);
      }
      if (in.size() < eol + 2 + size_t(n) + 2) return 0;
      r.body.append(in, eol + 2, size_t(n));
      p = eol + 2 + size_t(n) + 2;
    }
  }
  if (content_length < 0) {
    if (r.close) return -1;  // read-until-close bodies are not expected
    content_length = 0;
  }
  if (in.size() < body_at + size_t(content_length)) return 0;
  r.body.assign(in, body_at, size_t(content_length));
  return long(body_at + size_t(content_length));
}

std::string form_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += char(c);
    else if (c == ' ')
      out += '+';
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// The id of the last message of a {"messages":[...]} or {"id":...} answer,
// and how many messages it held. Ids are opaque strings without escapes in
// all the servers benchmarked (gale: hex and '-', Tornado chat: a uuid).
int last_id(const std::string& body, std::string& id) {
  int n = 0;
  size_t p = 0;
  static const std::string key = "\"id\"";
  while ((p = body.find(key, p)) != std::string::npos) {
    size_t q = body.find('"', p + key.size());
    if (q == std::string::npos) break;
    size_t e = body.find('"', q + 1);
    if (e == std::string::npos) break;
    id.assign(body, q + 1, e - q - 1);
    ++n;
    p = e + 1;
  }
  return n;
}

// ------------------------------------------------------------ connections

enum class Role { waiter, publisher, probe };

struct Conn {
  int fd = -1;
  Role role = Role::waiter;
  bool connected = false;
  bool dead = false;
  bool out_armed = false;  // EPOLLOUT registered
  bool in_flight = false;  // a request written or being written
  std::string out;
  size_t out_off = 0;
  std::string in;
  std::string cursor;               // form: the last message id
  std::string last_modified, etag;  // nchan: the cursor
  int64_t t_answer = 0;
  uint64_t seen = 0;  // messages this waiter has received
};

struct Stats {
  uint64_t answered = 0;  // polls answered with >= 1 message
  uint64_t empty = 0;     // polls answered with none (timeout)
  uint64_t errors = 0;    // non-2xx, unparsable, closed
  uint64_t early = 0;     // waiter answers while parked (no publish)
  uint64_t multi = 0;     // answers holding more than one message
  std::string first_error;
};

class Load {
 public:
  explicit Load(Options o) : o_(std::move(o)) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) die("epoll_create1 failed");
    std::memset(&addr_, 0, sizeof addr_);
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(uint16_t(o_.port));
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }

  int run();

 private:
  // -- plumbing
  Conn* open_conn(Role role) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr_), sizeof addr_);
    if (rc < 0 && errno != EINPROGRESS)
      die(std::string("connect: ") + std::strerror(errno));
    auto* c = new Conn;
    c->fd = fd;
    c->role = role;
    c->connected = rc == 0;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    c->out_armed = true;
    ev.data.ptr = c;
    if (epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl add");
    if (!c->connected) ++connecting_;
    return c;
  }

  void close_conn(Conn* c) {
    if (c->dead) return;
    if (c->fd >= 0) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, c->fd, nullptr);
      ::close(c->fd);
      c->fd = -1;
    }
    if (!c->connected) --connecting_;
    c->connected = false;
    c->dead = true;
  }

  void arm_out(Conn* c, bool on) {
    if (c->out_armed == on || c->fd < 0) return;
    epoll_event ev{};
    ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
    ev.data.ptr = c;
    epoll_ctl(ep_, EPOLL_CTL_MOD, c->fd, &ev);
    c->out_armed = on;
  }

  void flush(Conn* c) {
    if (!c->connected || c->dead) return;
    while (c->out_off < c->out.size()) {
      ssize_t n = ::send(c->fd, c->out.data() + c->out_off,
                         c->out.size() - c->out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c->out_off += size_t(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        arm_out(c, true);
        return;
      }
      fail(c, std::string("send: ") + std::strerror(errno));
      return;
    }
    c->out.clear();
    c->out_off = 0;
    arm_out(c, false);
  }

  void send_request(Conn* c, std::string req) {
    c->out += std::move(req);
    c->in_flight = true;
    flush(c);
  }

  void fail(Conn* c, const std::string& why) {
    ++st_.errors;
    if (st_.first_error.empty()) st_.first_error = why;
    if (c->role == Role::waiter && !c->dead && c->connected) --alive_;
    close_conn(c);
  }

  // -- requests
  void poll(Conn* c) {
    std::string r;
    if (o_.nchan) {
      r = "GET /sub HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      if (!c->last_modified.empty())
        r += "If-Modified-Since: " + c->last_modified + "\r\n";
      if (!c->etag.empty()) r += "If-None-Match: " + c->etag + "\r\n";
      r += "\r\n";
    } else {
      std::string body;
      if (!c->cursor.empty()) body = "cursor=" + form_encode(c->cursor);
      r = "POST /chat/updates HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    send_request(c, std::move(r));
  }

  void publish() {
    ++published_;
    pub_answered_ = false;
    char text[64];
    std::snprintf(text, sizeof text, "message %06llu",
                  static_cast<unsigned long long>(published_));
    std::string r;
    if (o_.nchan) {
      r = "POST /pub HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: text/plain\r\nContent-Length: " +
          std::to_string(std::strlen(text)) + "\r\n\r\n" + text;
    } else {
      std::string body = "body=" + form_encode(text);
      r = "POST /chat/new HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    send_request(pub_, std::move(r));
  }

  // -- answers
  void on_readable(Conn* c) {
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
      if (n > 0) {
        c->in.append(buf, size_t(n));
        if (size_t(n) < sizeof buf) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      // EOF or error: a connection the server closed.
      if (c->in.empty() || !consume(c)) {
        fail(c, n == 0 ? "connection closed by the server"
                       : std::string("recv: ") + std::strerror(errno));
        return;
      }
      if (!c->dead) fail(c, "connection closed by the server");
      return;
    }
    consume(c);
  }

  // Parses and handles every whole response in c->in. false on garbage.
  bool consume(Conn* c) {
    int64_t t = now_ns();
    while (!c->in.empty() && !c->dead) {
      Response r;
      long used = parse_response(c->in, r);
      if (used == 0) return true;
      if (used < 0) {
        fail(c, "unparsable response: " + c->in.substr(0, 60));
        return false;
      }
      c->in.erase(0, size_t(used));
      c->in_flight = false;
      handle(c, r, t);
    }
    return true;
  }

  void handle(Conn* c, const Response& r, int64_t t) {
    if (c->role == Role::publisher) {
      if (r.status < 200 || r.status >= 300) {
        fail(c, "publish answered " + std::to_string(r.status));
        die("publish failed with status " + std::to_string(r.status));
      }
      if (!o_.nchan) last_id(r.body, pub_id_);
      pub_answered_ = true;
      maybe_publish_next();  // storm: the last waiter may have come first
      return;
    }
    int got = 0;
    if (o_.nchan) {
      if (r.status == 200) {
        got = 1;
        c->last_modified = r.last_modified;
        c->etag = r.etag;
      } else if (r.status != 304 && r.status != 408) {
        bad(c, r);
        return;
      }
    } else {
      if (r.status != 200) {
        bad(c, r);
        return;
      }
      std::string id;
      got = last_id(r.body, id);
      if (got) c->cursor = id;
    }
    if (c->role == Role::probe) {
      probe_answers_ += 1;
      last_probe_answer_ = t;
      poll(c);  // follow the cursor until a poll stays unanswered
      return;
    }
    if (r.close) {
      fail(c, "the server closed a keep-alive connection");
      return;
    }
    if (!got) {
      ++st_.empty;
      poll(c);
      return;
    }
    c->seen += uint64_t(got);
    if (got > 1) ++st_.multi;
    c->t_answer = t;
    on_waiter_answer(c);
  }

  void bad(Conn* c, const Response& r) {
    fail(c, "poll answered " + std::to_string(r.status) + ": " +
                r.body.substr(0, 60));
  }

  void on_waiter_answer(Conn* c) {
    switch (phase_) {
      case Phase::parked:
        ++st_.early;
        poll(c);
        break;
      case Phase::wake:
        ++st_.answered;
        ++answers_this_message_;
        latencies_.push_back(double(c->t_answer - t_publish_) / 1e6);
        // re-polled by the wake loop once every waiter has its answer
        break;
      case Phase::storm:
        ++st_.answered;
        ++answers_this_message_;
        poll(c);
        maybe_publish_next();
        break;
      case Phase::done:
        break;
    }
  }

  void maybe_publish_next() {
    if (phase_ != Phase::storm) return;
    if (answers_this_message_ < uint64_t(alive_) || !pub_answered_) return;
    if (now_ns() >= storm_end_) return;
    answers_this_message_ = 0;
    publish();
  }

  // -- the loop
  void on_event(Conn* c, uint32_t ev) {
    if (c->dead) return;
    if (!c->connected) {
      if (ev & (EPOLLERR | EPOLLHUP)) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        fail(c, std::string("connect: ") + std::strerror(err ? err : EIO));
        return;
      }
      if (ev & EPOLLOUT) {
        c->connected = true;
        --connecting_;
        if (c->role == Role::waiter) ++alive_;
        if (c->out.empty()) {
          arm_out(c, false);
          if (c->role == Role::waiter) poll(c);
        } else {
          flush(c);
        }
      }
      return;
    }
    if (ev & EPOLLOUT) flush(c);
    if (c->dead) return;
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(c);
  }

  // Runs the loop until done() or the deadline (ns, absolute).
  bool run_until(const std::function<bool()>& done, int64_t deadline) {
    epoll_event evs[512];
    while (!done()) {
      int64_t left = deadline - now_ns();
      if (left <= 0) return false;
      int ms = int(std::min<int64_t>(left / 1000000 + 1, 100));
      int n = epoll_wait(ep_, evs, 512, ms);
      if (n < 0) {
        if (errno == EINTR) continue;
        die("epoll_wait failed");
      }
      for (int i = 0; i < n; ++i)
        on_event(static_cast<Conn*>(evs[i].data.ptr), evs[i].events);
    }
    return true;
  }

  void spin_for(int64_t ns) {
    run_until([] { return false; }, now_ns() + ns);
  }

  bool all_written() {
    for (Conn* c : waiters_)
      if (!c->dead &&
          (!c->connected || c->out_off < c->out.size() || !c->out.empty()))
        return false;
    return true;
  }

  // Waits until every live waiter has written its poll, then settle_ms of
  // quiet: no waiter answered meanwhile.
  void settle() {
    int64_t deadline = now_ns() + 30 * 1000000000LL;
    run_until([&] { return all_written(); }, deadline);
    for (int i = 0; i < 50; ++i) {
      uint64_t before = st_.early + st_.empty;
      spin_for(int64_t(o_.settle_ms) * 1000000);
      if (st_.early + st_.empty == before) return;
    }
  }

  void prime();
  void open_waiters();
  void emit_ready();
  std::string wait_command();
  void mode_wake();
  void mode_storm();
  void mode_hold();

  enum class Phase { parked, wake, storm, done };

  Options o_;
  int ep_ = -1;
  sockaddr_in addr_;
  std::vector<Conn*> waiters_;
  Conn* pub_ = nullptr;
  int connecting_ = 0;
  int alive_ = 0;
  Stats st_;
  Phase phase_ = Phase::parked;
  uint64_t published_ = 0;
  bool pub_answered_ = true;
  std::string pub_id_;
  int64_t t_publish_ = 0;
  uint64_t answers_this_message_ = 0;
  int64_t storm_end_ = 0;
  std::vector<double> latencies_;
  uint64_t probe_answers_ = 0;
  int64_t last_probe_answer_ = 0;
  std::string start_cursor_, start_lm_, start_etag_;
};

// Publishes a seed message and learns the current cursor on a probe
// connection (a real client's first poll: no cursor, then follow).
void Load::prime() {
  pub_ = open_conn(Role::publisher);
  int64_t deadline = now_ns() + 10 * 1000000000LL;
  if (!run_until([&] { return pub_->connected || pub_->dead; }, deadline) ||
      pub_->dead)
    die("publisher could not connect: " + st_.first_error);
  publish();
  if (!run_until([&] { return pub_answered_ || pub_->dead; }, deadline) ||
      pub_->dead)
    die("seed publish not answered: " + st_.first_error);
  Conn* probe = open_conn(Role::probe);
  if (!run_until([&] { return probe->connected || probe->dead; }, deadline) ||
      probe->dead)
    die("probe could not connect: " + st_.first_error);
  arm_out(probe, false);
  poll(probe);
  // Follow until a poll stays unanswered for settle_ms (at most 10 s).
  last_probe_answer_ = now_ns();
  run_until(
      [&] {
        return probe->dead ||
               (probe_answers_ > 0 && now_ns() - last_probe_answer_ >
                                          int64_t(o_.settle_ms) * 1000000);
      },
      deadline);
  if (probe->dead) die("probe failed: " + st_.first_error);
  if (probe_answers_ == 0) die("probe: the first poll was never answered");
  start_cursor_ = probe->cursor;
  start_lm_ = probe->last_modified;
  start_etag_ = probe->etag;
  close_conn(probe);
  delete probe;
  st_ = Stats{};
}

void Load::open_waiters() {
  int64_t deadline = now_ns() + 60 * 1000000000LL;
  int opened = 0;
  while (opened < o_.waiters) {
    while (opened < o_.waiters && connecting_ < o_.connect_inflight) {
      Conn* c = open_conn(Role::waiter);
      c->cursor = start_cursor_;
      c->last_modified = start_lm_;
      c->etag = start_etag_;
      if (c->connected) {
        ++alive_;
        arm_out(c, false);
        poll(c);
      }
      waiters_.push_back(c);
      ++opened;
    }
    run_until([&] { return connecting_ < o_.connect_inflight; }, deadline);
    if (now_ns() > deadline) die("could not open the waiters in 60 s");
  }
  run_until([&] { return connecting_ == 0; }, deadline);
  settle();
}

void Load::emit_ready() {
  std::printf(
      "{\"event\":\"ready\",\"waiters\":%d,\"alive\":%d,\"early\":%llu,"
      "\"empty\":%llu,\"errors\":%llu,\"first_error\":\"%s\"}\n",
      o_.waiters, alive_, (unsigned long long)st_.early,
      (unsigned long long)st_.empty, (unsigned long long)st_.errors,
      st_.first_error.c_str());
  std::fflush(stdout);
}

std::string Load::wait_command() {
  char line[256];
  if (!std::fgets(line, sizeof line, stdin)) return "end";
  std::string s(line);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

double pct(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return -1;
  size_t k = size_t(std::ceil(q * double(sorted.size())));
  if (k < 1) k = 1;
  return sorted[std::min(k, sorted.size()) - 1];
}

void Load::mode_wake() {
  std::vector<double> p50s, p99s, maxes;
  int64_t tool_cpu_wake = 0, wall_wake = 0;
  uint64_t missed = 0;
  for (int m = 0; m < o_.messages; ++m) {
    answers_this_message_ = 0;
    size_t lat_from = latencies_.size();
    phase_ = Phase::wake;
    int64_t c0 = cpu_ns();
    t_publish_ = now_ns();
    publish();
    int target = alive_;
    run_until([&] { return answers_this_message_ >= uint64_t(alive_); },
              t_publish_ + int64_t(o_.wake_timeout_ms) * 1000000);
    int64_t c1 = cpu_ns();
    // the window: from the publish to the last answer
    int64_t last = t_publish_;
    for (size_t i = lat_from; i < latencies_.size(); ++i)
      last = std::max(last, t_publish_ + int64_t(latencies_[i] * 1e6));
    wall_wake += last - t_publish_;
    tool_cpu_wake += c1 - c0;
    if (answers_this_message_ < uint64_t(target))
      missed += uint64_t(target) - answers_this_message_;
    std::vector<double> one(latencies_.begin() + long(lat_from),
                            latencies_.end());
    std::sort(one.begin(), one.end());
    p50s.push_back(pct(one, 0.5));
    p99s.push_back(pct(one, 0.99));
    maxes.push_back(one.empty() ? -1 : one.back());
    // Every waiter polls again; then the publish answer and a quiet pause.
    phase_ = Phase::parked;
    int64_t deadline = now_ns() + 10 * 1000000000LL;
    run_until([&] { return pub_answered_; }, deadline);
    for (Conn* c : waiters_)
      if (!c->dead && !c->in_flight) poll(c);
    settle();
  }
  phase_ = Phase::done;
  std::vector<double> all = latencies_;
  std::sort(all.begin(), all.end());
  auto list = [](const std::vector<double>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      char b[32];
      std::snprintf(b, sizeof b, "%s%.3f", i ? "," : "", v[i]);
      s += b;
    }
    return s + "]";
  };
  std::printf(
      "{\"event\":\"result\",\"mode\":\"wake\",\"waiters\":%d,\"alive\":%d,"
      "\"messages\":%d,\"answers\":%zu,\"missed\":%llu,\"early\":%llu,"
      "\"empty\":%llu,\"multi\":%llu,\"errors\":%llu,\"first_error\":\"%s\","
      "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
      "\"per_message_p50_ms\":%s,\"per_message_p99_ms\":%s,"
      "\"per_message_max_ms\":%s,"
      "\"tool_cpu_ms\":%.3f,\"tool_wall_ms\":%.3f,\"tool_busy\":%.4f}\n",
      o_.waiters, alive_, o_.messages, all.size(), (unsigned long long)missed,
      (unsigned long long)st_.early, (unsigned long long)st_.empty,
      (unsigned long long)st_.multi, (unsigned long long)st_.errors,
      st_.first_error.c_str(), pct(all, 0.5), pct(all, 0.99),
      all.empty() ? -1.0 : all.back(), list(p50s).c_str(), list(p99s).c_str(),
      list(maxes).c_str(), tool_cpu_wake / 1e6, wall_wake / 1e6,
      wall_wake ? double(tool_cpu_wake) / double(wall_wake) : 0.0);
  std::fflush(stdout);
}

void Load::mode_storm() {
  phase_ = Phase::storm;
  answers_this_message_ = 0;
  uint64_t pub0 = published_;
  int64_t t0 = now_ns();
  int64_t c0 = cpu_ns();
  storm_end_ = t0 + int64_t(o_.duration * 1e9);
  publish();
  run_until([] { return false; }, storm_end_);
  int64_t t1 = now_ns();
  int64_t c1 = cpu_ns();
  phase_ = Phase::done;
  double wall = double(t1 - t0) / 1e9;
  uint64_t answered = st_.answered;
  std::printf(
      "{\"event\":\"result\",\"mode\":\"storm\",\"waiters\":%d,\"alive\":%d,"
      "\"answered\":%llu,\"published\":%llu,\"wall_s\":%.4f,"
      "\"polls_per_s\":%.1f,\"empty\":%llu,\"multi\":%llu,\"errors\":%llu,"
      "\"first_error\":\"%s\",\"tool_cpu_ms\":%.3f,\"tool_busy\":%.4f,"
      "\"tool_cpu_us_per_poll\":%.3f}\n",
      o_.waiters, alive_, (unsigned long long)answered,
      (unsigned long long)(published_ - pub0), wall,
      wall > 0 ? double(answered) / wall : 0.0, (unsigned long long)st_.empty,
      (unsigned long long)st_.multi, (unsigned long long)st_.errors,
      st_.first_error.c_str(), (c1 - c0) / 1e6,
      wall > 0 ? double(c1 - c0) / 1e9 / wall : 0.0,
      answered ? double(c1 - c0) / 1e3 / double(answered) : 0.0);
  std::fflush(stdout);
}

void Load::mode_hold() {
  int64_t c0 = cpu_ns();
  int64_t t0 = now_ns();
  // The loop is not run while the driver measures (the waiters are parked;
  // nothing is due to them). The driver sends "end" well within 30 s.
  std::string cmd = wait_command();
  (void)cmd;
  int64_t t1 = now_ns();
  int64_t c1 = cpu_ns();
  std::printf(
      "{\"event\":\"result\",\"mode\":\"hold\",\"waiters\":%d,\"alive\":%d,"
      "\"early\":%llu,\"empty\":%llu,\"errors\":%llu,\"first_error\":\"%s\","
      "\"tool_cpu_ms\":%.3f,\"tool_busy\":%.4f}\n",
      o_.waiters, alive_, (unsigned long long)st_.early,
      (unsigned long long)st_.empty, (unsigned long long)st_.errors,
      st_.first_error.c_str(), (c1 - c0) / 1e6,
      t1 > t0 ? double(c1 - c0) / double(t1 - t0) : 0.0);
  std::fflush(stdout);
}

int Load::run() {
  prime();
  int64_t c0 = cpu_ns();
  int64_t t0 = now_ns();
  open_waiters();
  int64_t open_cpu = cpu_ns() - c0, open_wall = now_ns() - t0;
  std::fprintf(stderr,
               "longpoll_load: %d waiters open in %.0f ms "
               "(tool CPU %.0f ms)\n",
               alive_, open_wall / 1e6, open_cpu / 1e6);
  emit_ready();
  if (o_.mode == "hold") {
    mode_hold();
  } else {
    std::string cmd = wait_command();
    if (cmd == "go") {
      if (o_.mode == "wake")
        mode_wake();
      else
        mode_storm();
    }
  }
  for (Conn* c : waiters_)
    close_conn(c);
  if (pub_) close_conn(pub_);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_options(argc, argv);
  Load load(std::move(o));
  return load.run();
}
