// The one translation unit that compiles Boost.URL (as asio_impl.cpp does
// Asio): Debian's Boost 1.81 ships its headers but no libboost_url, and
// Boost.URL documents this header-only mode.
#include <boost/url/src.hpp>
