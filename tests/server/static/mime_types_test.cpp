#include "server/static/mime_types.hpp"

#include <gtest/gtest.h>

namespace gale {
namespace {

TEST(MimeTypes, TheWebsCommonTypes) {
  EXPECT_EQ(mime_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("a.htm"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("site.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("mod.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("data.json"), "application/json; charset=utf-8");
  EXPECT_EQ(mime_type_for("app.js.map"), "application/json; charset=utf-8");
  EXPECT_EQ(mime_type_for("logo.svg"), "image/svg+xml; charset=utf-8");
  EXPECT_EQ(mime_type_for("a.png"), "image/png");
  EXPECT_EQ(mime_type_for("a.jpg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("a.jpeg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("a.gif"), "image/gif");
  EXPECT_EQ(mime_type_for("a.webp"), "image/webp");
  EXPECT_EQ(mime_type_for("a.avif"), "image/avif");
  EXPECT_EQ(mime_type_for("favicon.ico"), "image/x-icon");
  EXPECT_EQ(mime_type_for("m.wasm"), "application/wasm");
  EXPECT_EQ(mime_type_for("f.woff"), "font/woff");
  EXPECT_EQ(mime_type_for("f.woff2"), "font/woff2");
  EXPECT_EQ(mime_type_for("robots.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(mime_type_for("doc.pdf"), "application/pdf");
  EXPECT_EQ(mime_type_for("v.mp4"), "video/mp4");
  EXPECT_EQ(mime_type_for("v.webm"), "video/webm");
  EXPECT_EQ(mime_type_for("feed.xml"), "application/xml; charset=utf-8");
  EXPECT_EQ(mime_type_for("t.csv"), "text/csv; charset=utf-8");
  EXPECT_EQ(mime_type_for("a.tar.gz"), "application/gzip");
}

TEST(MimeTypes, ExtensionIsCaseInsensitive) {
  EXPECT_EQ(mime_type_for("PHOTO.JPG"), "image/jpeg");
  EXPECT_EQ(mime_type_for("Index.Html"), "text/html; charset=utf-8");
}

TEST(MimeTypes, OnlyTheLastSegmentCounts) {
  EXPECT_EQ(mime_type_for("dir.css/readme"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("a/b/c.png"), "image/png");
}

TEST(MimeTypes, UnknownOrMissingExtensionIsOctetStream) {
  EXPECT_EQ(mime_type_for("README"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("archive.xyz"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("trailing."), "application/octet-stream");
  EXPECT_EQ(mime_type_for(".bashrc"), "application/octet-stream");
  EXPECT_EQ(mime_type_for(""), "application/octet-stream");
}

TEST(MimeTypes, TextTypesCarryUtf8AndBinaryOnesDoNot) {
  for (std::string_view ext :
       {"html", "css", "js", "json", "txt", "svg", "xml", "csv", "mjs", "map"})
    EXPECT_TRUE(mime_type_for_extension(ext).ends_with("; charset=utf-8"))
        << ext;
  for (std::string_view ext :
       {"png", "jpg", "gif", "webp", "woff2", "wasm", "pdf", "mp4", "gz"})
    EXPECT_EQ(mime_type_for_extension(ext).find("charset"),
              std::string_view::npos)
        << ext;
  EXPECT_EQ(mime_type_for_extension("nope"), "");
}

}  // namespace
}  // namespace gale
