// systemd socket activation: listening sockets passed as descriptors 3..
// ($LISTEN_FDS, $LISTEN_PID), used instead of binding config.listen.
#pragma once

#include <vector>

#include "server/core/file_descriptor.hpp"

namespace gale {

// The inherited listening sockets, or none when not socket-activated.
// Clears the variables so children do not see them.
std::vector<FileDescriptor> take_activated_sockets();

}  // namespace gale
