// Helpers shared by the hub's tests: short message literals, id lists,
// and a log that records which subscriber saw which message, in order.
#pragma once

#include <string>
#include <vector>

#include "server/pubsub/hub.hpp"

namespace gale::pubsub::hub_test {

using Ids = std::vector<std::string>;

inline Message msg(std::string channel, std::string id,
                   std::string body = "b") {
  return {std::move(channel), std::move(id), std::move(body)};
}

inline Ids ids(const std::vector<MessagePtr>& messages) {
  Ids out;
  for (const MessagePtr& m : messages)
    out.push_back(m->id);
  return out;
}

// Records "<tag>:<id>" for every call, so one log shows the order across
// subscribers and channels.
struct Log {
  std::vector<std::string> lines;
  Hub::Callback record(std::string tag) {
    return [this, tag](const MessagePtr& m) {
      lines.push_back(tag + ":" + m->id);
    };
  }
};

inline void deliver_all(Hub& hub, const std::string& channel, const Ids& list) {
  for (const std::string& id : list)
    hub.deliver(msg(channel, id));
}

}  // namespace gale::pubsub::hub_test
