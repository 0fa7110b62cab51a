// Signed cookies and XSRF protection: a login form that remembers who you
// are in a signed cookie, its POST guarded by the _xsrf token.
//
//   COOKIE_SECRET="$(openssl rand -hex 32)" ./signed_cookies --port 8888
#include <gale/gale.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

struct HomeHandler : gale::RequestHandler {
  void get() override {
    std::optional<std::string> user = get_signed_cookie("user");
    if (!user) return redirect("/login");
    set_header("Content-Type", "text/plain; charset=utf-8");
    write("Hello, " + *user + "\n");
  }
};

struct LoginHandler : gale::RequestHandler {
  void get() override {
    write("<form method=post>" + xsrf_form_html() +
          "<input name=name><button>Log in</button></form>");
  }
  // Runs only if the form's _xsrf field matched the _xsrf cookie.
  void post() override {
    gale::CookieOptions options;
    options.max_age_s = 30 * 86400;
    options.http_only = true;  // no script reads it
    set_signed_cookie("user", get_argument("name"), options);
    redirect("/");
  }
};

int main(int argc, char** argv) {
  const char* secret = std::getenv("COOKIE_SECRET");
  if (!secret || !*secret) {
    std::fprintf(stderr, "set COOKIE_SECRET to a long random string\n");
    return 2;
  }
  gale::Settings settings;
  // The first signs; add the old one after it when rotating.
  settings.cookie_secrets = {secret};
  settings.xsrf_cookies = true;
  gale::Application app({{"/", gale::handler<HomeHandler>()},
                         {"/login", gale::handler<LoginHandler>()}},
                        settings);
  return gale::run(app, argc, argv);
}
