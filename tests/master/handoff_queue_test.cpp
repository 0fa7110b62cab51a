// The master's queue of handed-over connections (master/handoff_queue.hpp,
// issue 14), over real socketpairs: a connection no worker's channel takes
// now waits, in order, and is never closed on the way.
#include "master/handoff_queue.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "worker/control_protocol.hpp"

namespace gale {
namespace {

// A worker's control channel: the master's end and the worker's.
struct Channel {
  FileDescriptor master, worker;
  Channel() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
    master.reset(sv[0]);
    worker.reset(sv[1]);
  }
  // Fills the master's end until it takes no more (a busy worker).
  void fill() {
    while (send_control(master.get(), ControlType::heartbeat, "x") ==
           IoResult::ok) {
    }
  }
  // What the worker reads: the inode of each adopted descriptor, in order
  // (other frames are skipped).
  std::vector<ino_t> adopted() {
    std::vector<ino_t> out;
    ControlMessage m;
    while (receive_control(worker.get(), m) == IoResult::ok) {
      if (m.type != ControlType::adopt || m.fd < 0) continue;
      out.push_back(inode(m.fd));
      ::close(m.fd);
    }
    return out;
  }
  static ino_t inode(int fd) {
    struct stat st {};
    ::fstat(fd, &st);
    return st.st_ino;
  }
};

// A connection stand-in whose identity survives the trip: a pipe's end.
struct Connection {
  FileDescriptor read, write;
  Connection() {
    int p[2];
    EXPECT_EQ(::pipe(p), 0);
    read.reset(p[0]);
    write.reset(p[1]);
  }
  ino_t inode() const { return Channel::inode(read.get()); }
  FileDescriptor copy() const { return FileDescriptor(::dup(read.get())); }
};

TEST(HandoffQueueTest, GoesRoundRobinToTheAdopters) {
  Channel a, b;
  Connection c1, c2, c3;
  HandoffQueue q;
  for (const Connection* c : {&c1, &c2, &c3}) {
    q.push(c->copy());
    q.send({a.master.get(), b.master.get()});
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(a.adopted(), (std::vector<ino_t>{c1.inode(), c3.inode()}));
  EXPECT_EQ(b.adopted(), (std::vector<ino_t>{c2.inode()}));
}

TEST(HandoffQueueTest, AFullChannelIsSkipped_Issue14) {
  Channel a, b;
  a.fill();
  Connection c;
  HandoffQueue q;
  q.push(c.copy());
  q.send({a.master.get(), b.master.get()});
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(b.adopted(), (std::vector<ino_t>{c.inode()}));
}

// Every channel full, or no adopter at all: the connections wait, open and
// in order, and go once a channel takes them again.
TEST(HandoffQueueTest, ConnectionsWaitInOrderWhileNoChannelTakesThem_Issue14) {
  Channel a;
  a.fill();
  Connection c1, c2;
  HandoffQueue q;
  q.push(c1.copy());
  q.push(c2.copy());
  q.send({a.master.get()});
  q.send({});
  EXPECT_EQ(q.size(), 2u);
  a.adopted();  // the worker reads its channel: room again
  q.send({a.master.get()});
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(a.adopted(), (std::vector<ino_t>{c1.inode(), c2.inode()}));
}

TEST(HandoffQueueTest, AClosedChannelIsSkipped) {
  Channel gone, b;
  gone.worker.reset();  // its worker exited
  Connection c;
  HandoffQueue q;
  q.push(c.copy());
  q.send({gone.master.get(), b.master.get()});
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(b.adopted(), (std::vector<ino_t>{c.inode()}));
}

}  // namespace
}  // namespace gale
