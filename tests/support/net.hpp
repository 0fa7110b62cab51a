// Ports on 127.0.0.1 for servers under test.
#pragma once

namespace gale::test {

// A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, read
// it, close). Another process may take it before the server binds it;
// GaleProcess::start() retries with a new port when that happens.
int free_port();
// Whether something accepts TCP connections on 127.0.0.1:port.
bool port_accepts(int port);
// Whether a new listener may bind 127.0.0.1:port now (SO_REUSEADDR, as a
// restarted server would bind it).
bool port_is_free(int port);

}  // namespace gale::test
