// The one header an application includes, installed as <gale/gale.hpp>:
// the handler API, routing, static files, and gale::run (flags + YAML +
// master + workers). An application never names gale's internal folders.
#pragma once

#include "master/run.hpp"
#include "server/static/static_file_handler.hpp"
#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/pubsub.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/router.hpp"
#include "server/web/settings.hpp"
