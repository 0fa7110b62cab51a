// libFuzzer target: the handler/response path for whatever request the
// parser accepts.
//
// Each complete message is bound to an HttpRequest and run through a
// handler that reads every argument (query and form), cookies and fields,
// echoes field values into response fields and writes them all as JSON,
// into an in-memory ResponseChannel. Invariants: one response per request,
// started once and ended once; its status is 200, or 400 for a missing
// argument (never 500: every request field value is a valid response
// field value); Content-Length equals the body; no response field holds CR
// or LF.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "server/core/log.hpp"
#include "server/http/request_parser.hpp"
#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/request_handler.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

class MemoryChannel : public gale::ResponseChannel {
 public:
  explicit MemoryChannel(boost::asio::io_context& loop) : loop_(loop) {}
  void start_response(int s, std::string_view, const gale::ResponseHeaders& h,
                      std::optional<std::uint64_t> length) override {
    ++starts;
    status = s;
    content_length = length;
    for (const auto& [k, v] : h)
      check(k.find_first_of("\r\n") == std::string::npos &&
                v.find_first_of("\r\n") == std::string::npos,
            "CR or LF in a response field");
  }
  void send_body(std::string_view d) override { body.append(d); }
  void send_body(std::string&& d) override { body.append(d); }
  void send_file(std::shared_ptr<const gale::FileDescriptor>, std::uint64_t,
                 std::uint64_t) override {}
  void end_response() override { ++ends; }
  void flush() override {}
  void abort() override { ++aborts; }
  bool is_open() const override { return true; }
  std::size_t pending_bytes() const override { return 0; }
  boost::asio::any_io_executor executor() override {
    return loop_.get_executor();
  }

  int starts = 0, ends = 0, aborts = 0, status = 0;
  std::optional<std::uint64_t> content_length;
  std::string body;

 private:
  boost::asio::io_context& loop_;
};

struct EchoEverything : gale::RequestHandler {
  void get() override { run(); }
  void post() override { run(); }
  void put() override { run(); }
  void delete_() override { run(); }

  void run() {
    const gale::HttpRequest& r = request();
    gale::Json out = gale::Json::object();
    gale::Json args = gale::Json::array();
    for (const auto* list : {&r.query_arguments(), &r.body_arguments()})
      for (const auto& [k, v] : *list) {
        args.push_back(gale::Json::array({k, v, get_argument(k)}));
        (void)get_arguments(k);
      }
    out.set("args", std::move(args));
    gale::Json cookies = gale::Json::array();
    for (std::string_view name : {"a", "session", ""})
      if (auto c = get_cookie(name)) cookies.push_back(*c);
    out.set("cookies", std::move(cookies));
    int i = 0;
    for (const gale::HeaderView& f : r.headers()) {
      set_header("X-Echo-" + std::to_string(i++), f.value);
      add_header("X-Name", f.name);
    }
    out.set("path", r.path()).set("query", r.query()).set("body", r.body());
    write(out);
    // A required argument that is usually absent: 400 through HttpError.
    if (r.query().find("need") != std::string_view::npos)
      (void)get_argument("needed");
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gale::log::set_level(gale::LogLevel::error);  // 400s log warnings
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static boost::asio::io_context loop;
  static gale::Application app;
  static const boost::asio::ip::tcp::endpoint peer(
      boost::asio::ip::make_address("127.0.0.1"), 1);
  static const gale::HandlerFactory factory = gale::handler<EchoEverything>();

  gale::RequestParser parser(gale::ParserLimits{4096, 4096});
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    gale::RequestParser::Step s = parser.feed(in.data(), in.size());
    in.remove_prefix(s.consumed);
    if (s.event == gale::RequestParser::Event::head_complete) continue;
    if (s.event != gale::RequestParser::Event::message_complete) break;

    gale::HttpRequest request;
    request.bind(&parser.head(), &parser.body(), &peer);
    MemoryChannel channel(loop);
    auto h = factory.create();
    h->bind({&app, &request, &channel, &loop, nullptr, {}, factory.methods});
    h->execute();
    check(channel.starts == 1 && channel.ends == 1 && channel.aborts == 0,
          "not exactly one complete response");
    check(
        channel.status == 200 || channel.status == 400 || channel.status == 405,
        "unexpected status");
    check(channel.content_length &&
              *channel.content_length == channel.body.size(),
          "Content-Length differs from the body");
    parser.reset();
  }
  return 0;
}
