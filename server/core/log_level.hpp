// How much the diagnostics log says (SPEC §2 `log.level`). Its own header so
// that config/ can name it without pulling in the logger.
#pragma once

namespace gale {

enum class LogLevel { debug, info, warning, error };

}  // namespace gale
