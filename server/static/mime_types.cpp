#include "server/static/mime_types.hpp"

#include "server/http/fields.hpp"

namespace gale {
namespace {

struct MimeEntry {
  std::string_view extension;
  std::string_view type;
};

// A linear scan: for ~50 short strings, most rejected on their length,
// it costs less than hashing the extension, and it runs once per request.
constexpr MimeEntry kTable[] = {
    // Documents and code a browser renders or runs.
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},  // RFC 9239
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},  // source maps
    {"webmanifest", "application/manifest+json; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"rss", "application/rss+xml; charset=utf-8"},
    {"atom", "application/atom+xml; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"ics", "text/calendar; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    // Images.
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"bmp", "image/bmp"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    // Fonts.
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"eot", "application/vnd.ms-fontobject"},
    // Audio and video.
    {"mp4", "video/mp4"},
    {"m4v", "video/mp4"},
    {"webm", "video/webm"},
    {"ogv", "video/ogg"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"m4a", "audio/mp4"},
    {"ogg", "audio/ogg"},
    {"oga", "audio/ogg"},
    {"opus", "audio/ogg"},
    {"wav", "audio/wav"},
    {"flac", "audio/flac"},
    // Archives and binaries.
    {"gz", "application/gzip"},
    {"zip", "application/zip"},
    {"tar", "application/x-tar"},
    {"zst", "application/zstd"},
    {"7z", "application/x-7z-compressed"},
};

constexpr std::string_view kDefault = "application/octet-stream";

}  // namespace

std::string_view mime_type_for_extension(std::string_view extension) {
  for (const MimeEntry& e : kTable)
    if (iequals(e.extension, extension)) return e.type;
  return {};
}

std::string_view mime_type_for(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view name =
      slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t dot = name.rfind('.');
  // No dot, or only a leading one (".profile"): no extension.
  if (dot == std::string_view::npos || dot == 0) return kDefault;
  std::string_view type = mime_type_for_extension(name.substr(dot + 1));
  return type.empty() ? kDefault : type;
}

}  // namespace gale
