// The Content-Type of a file, from its name's extension.
//
// A small built-in table (the types a web site serves), case-insensitive
// on the extension; anything else is application/octet-stream, so a
// browser downloads what it cannot know rather than guessing. Text types
// carry
// `; charset=utf-8`: a static site is UTF-8 today, and without a charset a
// browser falls back to windows-1252 for text/plain.
#pragma once

#include <string_view>

namespace gale {

// The media type for `path` (only its last segment's extension counts):
// "a/b.css" -> "text/css; charset=utf-8", "x.tar.gz" -> "application/gzip",
// "README" or ".bashrc" -> "application/octet-stream".
std::string_view mime_type_for(std::string_view path);

// The type for an extension without its dot ("css"), or an empty view when
// the table does not know it.
std::string_view mime_type_for_extension(std::string_view extension);

}  // namespace gale
