// The application `gale` serves by default (SPEC §3), written on the public
// API exactly as a user would write their own.
#pragma once

#include "config/config.hpp"
#include "server/web/application.hpp"

namespace gale {

Application make_builtin_app(const Config& config);

}  // namespace gale
