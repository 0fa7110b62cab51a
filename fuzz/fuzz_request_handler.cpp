// libFuzzer target: the handler/response path for whatever request the
// parser accepts.
//
// Each complete message goes through the in-memory handler harness to a
// handler that reads every argument (query and form), cookies and fields,
// echoes field values into response fields and writes them all as JSON.
// Invariants: one response per request, started once and ended once; its
// status is 200, or 400 for a missing argument (never 500: every request
// field value is a valid response field value); Content-Length equals the
// body; no response field holds CR or LF.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "server/core/log.hpp"
#include "server/http/request_parser.hpp"
#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/testing/handler_harness.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

struct EchoEverything : gale::RequestHandler {
  void get() override { run(); }
  void post() override { run(); }
  void put() override { run(); }
  void delete_() override { run(); }

  void run() {
    const gale::HttpRequest& r = request();
    boost::json::array args;
    for (const auto* list : {&r.query_arguments(), &r.body_arguments()})
      for (const auto& [k, v] : *list) {
        args.push_back(boost::json::array{k, v, get_argument(k)});
        (void)get_arguments(k);
      }
    boost::json::array cookies;
    for (std::string_view name : {"a", "session", ""})
      if (auto c = get_cookie(name)) cookies.push_back(boost::json::string(*c));
    int i = 0;
    for (const gale::HeaderView& f : r.headers()) {
      set_header("X-Echo-" + std::to_string(i++), f.value);
      add_header("X-Name", f.name);
    }
    write({{"args", std::move(args)},
           {"cookies", std::move(cookies)},
           {"path", r.path()},
           {"query", r.query()},
           {"body", r.body()}});
    // A required argument that is usually absent: 400 through HttpError.
    if (r.query().find("need") != std::string_view::npos)
      (void)get_argument("needed");
  }
};

// Every field name and value the handler set is free of CR and LF.
bool fields_clean(const gale::testing::SentResponse& sent) {
  for (const auto& [k, v] : sent.fields)
    if (k.find_first_of("\r\n") != std::string::npos ||
        v.find_first_of("\r\n") != std::string::npos)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gale::log::set_level(gale::LogLevel::error);  // 400s log warnings
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  static gale::Application app = [] {
    gale::Application a;  // no routes: every request gets EchoEverything
    a.set_default_handler(gale::handler<EchoEverything>());
    return a;
  }();
  static gale::testing::HandlerHarness harness(gale::ParserLimits{4096, 4096});

  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    std::optional<std::size_t> used = harness.parse(in);
    if (!used) break;
    in.remove_prefix(*used);
    harness.dispatch(app);
    const gale::testing::MemoryChannel& sent = harness.channel();
    check(sent.starts == 1 && sent.ends == 1 && sent.aborts == 0,
          "not exactly one complete response");
    check(sent.status == 200 || sent.status == 400 || sent.status == 405,
          "unexpected status");
    check(sent.length && *sent.length == sent.body().size(),
          "Content-Length differs from the body");
    check(fields_clean(sent), "CR or LF in a response field");
  }
  return 0;
}
