// A fake Redis for unit tests: a listener on 127.0.0.1 (free port) on the
// test's loop that accepts one client and plays a script: for each step it
// waits for exactly the expected request bytes (RESP, written by hand),
// then answers the given bytes, and may then close the connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <string>

namespace gale::pubsub::redis::test {

// "*1\r\n$4\r\nPING\r\n" from {"PING"}.
inline std::string resp_command(std::initializer_list<std::string> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args)
    out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

class FakeRedis {
 public:
  struct Step {
    std::string expect;
    std::string answer;
    bool close_after = false;
  };

  explicit FakeRedis(boost::asio::io_context& loop)
      : acceptor_(loop, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        socket_(loop) {
    acceptor_.async_accept(socket_, [this](boost::system::error_code ec) {
      if (ec) return;
      accepted_ = true;
      read();
    });
  }

  int port() const { return acceptor_.local_endpoint().port(); }
  void then(std::string expect, std::string answer, bool close_after = false) {
    steps_.push_back({std::move(expect), std::move(answer), close_after});
  }
  bool accepted() const { return accepted_; }
  bool script_done() const { return steps_.empty(); }
  const std::string& unmatched() const { return received_; }

 private:
  void read() {
    socket_.async_read_some(
        boost::asio::buffer(chunk_),
        [this](boost::system::error_code ec, std::size_t n) {
          if (ec) return;
          received_.append(chunk_, n);
          play();
          if (socket_.is_open()) read();
        });
  }
  void play() {
    while (!steps_.empty() && received_.starts_with(steps_.front().expect)) {
      Step step = std::move(steps_.front());
      steps_.pop_front();
      received_.erase(0, step.expect.size());
      boost::system::error_code ignored;
      boost::asio::write(socket_, boost::asio::buffer(step.answer), ignored);
      if (step.close_after) {
        socket_.close(ignored);
        return;
      }
    }
  }

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::socket socket_;
  std::deque<Step> steps_;
  std::string received_;
  char chunk_[4096];
  bool accepted_ = false;
};

}  // namespace gale::pubsub::redis::test
