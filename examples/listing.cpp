// Templates and an application's own config keys: a paged list, rendered
// from examples/templates/ with a partial, its title and page size read
// from `app:` in the YAML file or from --app-* flags.
//   ./build/examples/listing --port 8080          (from the repository root)
//   ./build/examples/listing --port 8080 --app-page-size 2 --app-title Fruit
//   ./build/examples/listing --app-page-size 0    -> a clear error, exit 2
//   curl 'localhost:8080/?page=2'
#include <gale/gale.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

const std::vector<std::string> kFruit = {"apple",  "banana", "cherry",
                                         "damson", "elder",  "fig"};

struct ListHandler : gale::RequestHandler {
  void get() override {
    const auto size = settings().get<std::size_t>("app.page_size");
    const std::string text = get_argument("page", "1");
    std::size_t page = 0;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), page);
    if (ec != std::errc() || end != text.data() + text.size() || page == 0)
      throw gale::HttpError(400, "page must be a positive integer");
    const std::size_t first = std::min((page - 1) * size, kFruit.size());
    const std::size_t last = std::min(first + size, kFruit.size());
    boost::json::array items;
    for (std::size_t i = first; i < last; ++i)
      items.push_back(boost::json::object{{"name", kFruit[i]}});
    render("list.html", {{"title", settings().get<std::string>("app.title")},
                         {"items", std::move(items)},
                         {"more", last < kFruit.size()},
                         {"next", page + 1}});
  }
};

int main(int argc, char** argv) {
  gale::AppKeys keys;
  keys.define("app.title", "Fruit & more", "the page's heading");
  keys.define("app.page_size", 3, "items per page").range(1, 100);
  keys.define("app.template_path", "examples/templates",
              "where the templates are");
  return gale::run(
      [](const gale::Config& config) {
        gale::Settings settings;
        settings.template_path =
            config.app.get<std::string>("app.template_path");
        return gale::Application({{"/", gale::handler<ListHandler>()}},
                                 settings);
      },
      argc, argv, keys);
}
