// The one header an application includes, installed as <gale/gale.hpp>:
// the handler API, routing, static files, templates, signed cookies, the
// HTTP client, and gale::run (flags + YAML + master + workers) with the
// application's own config keys. An application never names gale's internal
// folders.
#pragma once

#include "config/app_keys.hpp"
#include "master/run.hpp"
#include "server/client/http_client.hpp"
#include "server/static/static_file_handler.hpp"
#include "server/web/application.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/pubsub.hpp"
#include "server/web/request_handler.hpp"
#include "server/web/router.hpp"
#include "server/web/settings.hpp"
#include "server/web/template_cache.hpp"
