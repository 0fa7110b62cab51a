// Which close codes may travel on the wire; see close_code.hpp.
#include "server/websocket/close_code.hpp"

namespace gale::websocket {

bool is_valid_on_wire(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

}  // namespace gale::websocket
