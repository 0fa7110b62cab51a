#include "server/static/static_file_handler.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "server/core/log.hpp"
#include "server/http/accept_encoding.hpp"
#include "server/http/conditional.hpp"
#include "server/http/date_cache.hpp"
#include "server/http/range.hpp"
#include "server/static/mime_types.hpp"
#include "server/static/static_path.hpp"

namespace gale {
namespace {

// O_NONBLOCK: opening a FIFO someone left in the tree must not block the
// worker waiting for a writer (it is refused after fstat). It changes
// nothing for regular files. O_NOCTTY: a terminal device never becomes
// ours.
constexpr int kOpenFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY;

bool ends_with_gz(std::string_view s) {
  return s.size() > 3 && s.ends_with(".gz");
}

bool not_older(const struct stat& a, const struct stat& b) {
  if (a.st_mtim.tv_sec != b.st_mtim.tv_sec)
    return a.st_mtim.tv_sec > b.st_mtim.tv_sec;
  return a.st_mtim.tv_nsec >= b.st_mtim.tv_nsec;
}

// Last-Modified for `t`. Most requests ask for the same few files, so the
// last answer is kept: snprintf costs more than the rest of the fields.
std::string_view last_modified_field(std::time_t t) {
  thread_local std::time_t last = -1;
  thread_local char text[32];
  if (t != last) {
    format_http_date(t, text);
    last = t;
  }
  return {text, 29};
}

}  // namespace

StaticRoot::StaticRoot(StaticFileOptions options)
    : options_(std::move(options)),
      root_(options_.root, options_.open_strategy),
      cache_(options_.open_file_cache_slots, options_.open_file_cache_valid) {}

OpenFileCache::File StaticRoot::open(const std::string& relative) const {
  return cache_.open(root_, relative, kOpenFlags);
}

HandlerFactory static_files(StaticFileOptions options) {
  return handler<StaticFileHandler>(
      std::make_shared<const StaticRoot>(std::move(options)));
}

std::string_view StaticFileHandler::requested_path() const {
  if (const std::string* p = path_args().find(root_->options().path_arg))
    return *p;
  if (!path_args().empty()) return path_args()[path_args().size() - 1];
  return {};
}

void StaticFileHandler::get() {
  const StaticFileOptions& o = root_->options();
  std::string_view path = requested_path();
  switch (check_static_path(path, {o.dotfiles == Dotfiles::allow})) {
    case StaticPathVerdict::ok:
      break;
    case StaticPathVerdict::not_found:
      log::debug("static: refused path ", request().path());
      return send_error(404);
    case StaticPathVerdict::too_long:
      return send_error(414);
  }
  bool names_directory = path.empty() || path.back() == '/';
  std::string relative = path.empty() ? std::string(".") : std::string(path);

  File file = root_->open(relative);
  if (file.error) return fail_open(file.error, relative);
  if (S_ISDIR(file.st.st_mode)) {
    if (!names_directory) return redirect_to_directory();
    if (o.index.empty()) return send_error(403);
    if (relative == ".") relative.clear();
    relative += o.index;
    file = root_->open(relative);
    if (file.error) {
      // No index file: a directory we do not list.
      return file.error == ENOENT ? send_error(403)
                                  : fail_open(file.error, relative);
    }
    if (!S_ISREG(file.st.st_mode)) return send_error(403);
  } else if (!S_ISREG(file.st.st_mode)) {
    return send_error(403);
  } else if (names_directory) {
    return send_error(404);  // "file.txt/" (openat2 usually says ENOTDIR)
  }
  serve(relative, std::move(file));
}

void StaticFileHandler::serve(std::string& relative, File file) {
  const StaticFileOptions& o = root_->options();
  const RequestHeaders& headers = request().headers();
  std::string_view type = mime_type_for(relative);

  // The precompressed sibling decides Vary even for a client that does not
  // take it: a shared cache must not hand this plain answer to one that
  // does. Its absence, the common case, is remembered by the cache, so
  // looking costs no system call on most requests.
  bool has_gzip = false, send_gzip = false;
  if (o.gzip_static && !ends_with_gz(relative)) {
    relative += ".gz";
    File gz = root_->open(relative);
    if (gz.error == 0 && S_ISREG(gz.st.st_mode) && not_older(gz.st, file.st)) {
      has_gzip = true;
      if (accepts_encoding(headers, "gzip")) {
        send_gzip = true;
        file = std::move(gz);
      }
    }
  }

  std::string etag = make_etag(file.st, send_gzip ? "gz" : "");
  Validators validators{etag, file.st.st_mtim.tv_sec};
  // The fields a 304 repeats (RFC 9110 §15.4.5), then the rest.
  add_header("ETag", etag);
  add_header("Last-Modified", last_modified_field(validators.last_modified));
  if (!o.cache_control.empty()) add_header("Cache-Control", o.cache_control);
  if (has_gzip) add_header("Vary", "Accept-Encoding");
  switch (evaluate_preconditions(headers, validators)) {
    case Precondition::proceed:
      break;
    case Precondition::not_modified:
      set_status(304);
      return;
    case Precondition::precondition_failed:
      return send_error(412);
  }
  add_header("Content-Type", type);
  if (send_gzip) add_header("Content-Encoding", "gzip");
  add_header("Accept-Ranges", "bytes");

  auto size = static_cast<std::uint64_t>(file.st.st_size);
  std::shared_ptr<const FileDescriptor> fd = std::move(file.fd);
  // Range is defined for GET only (RFC 9110 §14.2): a HEAD ignores it.
  std::string_view range = request().header("Range");
  if (!range.empty() && request().method_id() == Method::get &&
      if_range_allows(request().header("If-Range"), validators,
                      std::time(nullptr))) {
    RangeDecision d = decide_range(range, size);
    switch (d.outcome) {
      case RangeDecision::Outcome::full:
        break;
      case RangeDecision::Outcome::partial:
        set_status(206);
        add_header("Content-Range", content_range(d.range, size));
        return write_file(std::move(fd), d.range.offset, d.range.length);
      case RangeDecision::Outcome::unsatisfiable:
        return unsatisfiable(size);
    }
  }
  write_file(std::move(fd), 0, size);
}

void StaticFileHandler::unsatisfiable(std::uint64_t size) {
  clear();
  set_status(416);
  set_header("Content-Range", unsatisfied_content_range(size));
  write_error(416);
}

void StaticFileHandler::redirect_to_directory() {
  // The path as the client sent it (still percent-encoded), so the
  // Location names the same resource, plus the query.
  std::string location(request().path());
  // Never "//host": a browser reads that as another site. Such a path
  // cannot reach here (check_static_path refuses a leading '/'), but the
  // Location is the one place a mistake would become an open redirect.
  if (location.starts_with("//")) return send_error(404);
  location += '/';
  if (!request().query().empty()) {
    location += '?';
    location += request().query();
  }
  redirect(location, /*permanent=*/true);
}

void StaticFileHandler::fail_open(int error, std::string_view relative) {
  switch (error) {
    case EACCES:
    case EPERM:
      return send_error(403);
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EAGAIN:
      log::warning("static: cannot open ", relative, ": ",
                   std::strerror(error));
      return send_error(503);
    case EXDEV:
      // Resolution tried to leave the root: a symlink pointing out.
      log::debug("static: ", relative, " leads out of the root");
      return send_error(404);
    default:
      // ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG, ENXIO (a socket file)...
      return send_error(404);
  }
}

}  // namespace gale
