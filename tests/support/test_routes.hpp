// Routes that exist only in the gale-test binary, to exercise failure
// handling: /test/block?ms=N blocks the loop, /test/crash aborts the
// worker, /test/throw throws from a handler, /test/stream flushes chunks,
// /test/stream_then_throw fails after part of its response is sent;
// POST /test/publish?channel=C publishes its body (answers the id, or 503)
// and GET /test/history?channel=C&cursor=X lists the worker's kept
// messages after X as "id body" lines; GET /test/settings answers the
// settings as JSON, GET /test/render?name=N renders test.mustache.
#pragma once

#include "server/web/application.hpp"

namespace gale::testing {

void add_test_routes(Application& app);

}  // namespace gale::testing
