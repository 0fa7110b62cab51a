// Serving the files under a directory (Tornado's StaticFileHandler, with
// nginx's behaviour where the two differ).
//
//   auto site = std::make_shared<gale::StaticRoot>(gale::StaticFileOptions{
//       .root = "/srv/www", .cache_control = "public, max-age=600"});
//   gale::Application app({
//       {"/static/{path:path}", gale::handler<gale::StaticFileHandler>(site)},
//   });
//   // or, equivalently:  {"/static/{path:path}", gale::static_files({...})}
//
// A StaticRoot is made once per mount: it opens the root directory (an
// O_PATH descriptor every file is opened beneath) and holds the options;
// each request's handler shares it. Mount as many as you like, at any
// prefix. What a request gets:
//   - a regular file: 200 with Content-Type (by extension), Content-Length,
//     Last-Modified, a strong ETag, Cache-Control, Accept-Ranges: bytes; the
//     body is sent with sendfile(2) from the open descriptor, never read
//     into memory; HEAD sends the same fields and no body;
//   - If-None-Match / If-Modified-Since that match: 304; If-Match /
//     If-Unmodified-Since that fail: 412 (RFC 9110 §13.2.2's order);
//   - one satisfiable Range (checked against If-Range): 206 with
//     Content-Range; none satisfiable: 416 with `Content-Range: bytes
//     */size`; several: 200 with the whole file (see http_range.hpp);
//   - `file.gz` beside `file`, a regular file no older than it, and a
//     client that accepts gzip: the .gz bytes with Content-Encoding: gzip
//     and an ETag of their own (nginx's gzip_static). Vary: Accept-Encoding
//     goes on every answer for a file that has such a sibling;
//   - a directory: 301 to the same path with a trailing slash when it has
//     none (as nginx does), else its index file, else 403 (no listings);
//   - a regular file named with a trailing slash: 404;
//   - anything that is not a regular file or directory (a FIFO, a socket,
//     a device): 403;
//   - a path that tries to leave the root, by any spelling, or names a
//     dotfile (by default): 404; a symlink inside the root pointing out:
//     404; a path over PATH_MAX: 414; a file we may not read: 403. Never a
//     500: running out of descriptors is a 503.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <memory>
#include <string>

#include "server/static/open_file_cache.hpp"
#include "server/static/safe_open.hpp"
#include "server/web/handler_factory.hpp"
#include "server/web/request_handler.hpp"

namespace gale {

// What to do with a path segment that starts with '.' (".git", ".env").
enum class Dotfiles {
  deny,   // 404, as if absent (the default)
  allow,  // serve them (for ".well-known"); "." and ".." stay refused
};

struct StaticFileOptions {
  // The directory served. Relative paths are taken from the current
  // directory when the StaticRoot is made.
  std::string root;
  // Sent with every 200, 206 and 304; empty sends none.
  std::string cache_control = "public, max-age=3600";
  // The file a directory URL serves; empty means directories are 403.
  std::string index = "index.html";
  Dotfiles dotfiles = Dotfiles::deny;
  // Serve `file.gz` for `file` to clients that accept gzip.
  bool gzip_static = true;
  // The route parameter holding the path ({path:path}); a route with no
  // parameter of that name uses its last positional one (regex groups).
  std::string path_arg = "path";
  // How files are opened beneath the root (tests force the fallback).
  SafeRoot::Strategy open_strategy = SafeRoot::Strategy::automatic;
  // The per-worker open-file cache (open_file_cache.hpp): how many paths
  // it remembers and for how long. 0 slots or 0 ms: every request opens
  // its file afresh.
  std::size_t open_file_cache_slots = 512;
  std::chrono::milliseconds open_file_cache_valid{1000};
};

// One mounted root: its options, its open directory and its open-file
// cache. Made once (before the workers fork: each then has its own copy of
// the cache) and shared by every request's handler in a worker.
class StaticRoot {
 public:
  // Throws std::system_error when the root cannot be opened as a directory.
  explicit StaticRoot(StaticFileOptions options);

  const StaticFileOptions& options() const { return options_; }
  const SafeRoot& root() const { return root_; }
  // Opens `relative` beneath the root for reading, through the cache.
  OpenFileCache::File open(const std::string& relative) const;
  const OpenFileCache& cache() const { return cache_; }

 private:
  StaticFileOptions options_;
  SafeRoot root_;
  // Mutable: remembering an open changes nothing a caller can observe
  // (within the cache's documented validity).
  mutable OpenFileCache cache_;
};

class StaticFileHandler : public RequestHandler {
 public:
  explicit StaticFileHandler(std::shared_ptr<const StaticRoot> root)
      : root_(std::move(root)) {}

  void get() override;

 private:
  using File = OpenFileCache::File;

  std::string_view requested_path() const;
  void serve(std::string& relative, File file);
  void fail_open(int error, std::string_view relative);
  void redirect_to_directory();
  void unsatisfiable(std::uint64_t size);

  std::shared_ptr<const StaticRoot> root_;
};

// A route target serving `options.root`: handler<StaticFileHandler> over
// one StaticRoot made now (so a bad root fails at startup, not per request).
HandlerFactory static_files(StaticFileOptions options);

}  // namespace gale
