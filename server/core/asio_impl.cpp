// The one translation unit that compiles Asio's implementation
// (BOOST_ASIO_SEPARATE_COMPILATION): every other file includes only the
// declarations, which keeps incremental builds of a single file quick.
#include <boost/asio/impl/src.hpp>
