// A long-poll's answer now, or a wait (poll_answer.hpp).
#include "server/web/poll_answer.hpp"

namespace gale {

std::optional<std::vector<pubsub::MessagePtr>> answer_now(
    const pubsub::Hub& hub, const pubsub::Backend& backend,
    std::string_view channel, std::string_view cursor, bool draining) {
  const bool ahead = !cursor.empty() && !hub.contains(channel, cursor) &&
                     backend.ahead(channel, cursor);
  if (ahead) {
    if (draining) return std::vector<pubsub::MessagePtr>{};
    return std::nullopt;
  }
  std::vector<pubsub::MessagePtr> kept = hub.after(channel, cursor);
  if (kept.empty() && !draining) return std::nullopt;
  return kept;
}

}  // namespace gale
