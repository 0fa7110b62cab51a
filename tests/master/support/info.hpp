// What GET /info says about the worker that answered, and the ways the
// master tests ask it: once, on an open connection, or in bursts of fresh
// connections that reach every worker.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"

namespace gale::mtest {

using test::Millis;
using namespace std::chrono_literals;

struct Info {
  long pid = -1;
  int worker = -1;
  long generation = -1;
  long requests = -1;
  long connections = -1;
};
std::optional<Info> parse_info(const std::string& json);
std::optional<Info> get_info(int port, Millis timeout = 5s);
std::optional<Info> get_info(test::HttpClient& c, Millis timeout = 5s);

// Opens `n` connections at once (all connected before any request is
// sent), then asks /info on each: the workers that took a burst. Failed
// exchanges are left out.
std::vector<Info> info_burst(int port, int n, Millis timeout = 5s);

// Distinct pids answering /info, by worker index, from bursts of fresh
// connections until every index in 0..n-1 has answered (or the timeout).
std::map<int, long> pids_by_index(int port, int n, Millis timeout = 10s,
                                  long min_generation = 0);

}  // namespace gale::mtest
