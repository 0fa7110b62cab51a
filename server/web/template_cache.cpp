// TemplateCache: names -> files, files -> parsed Mustache, JSON -> Mustache
// data, and partials looked up through our own context (see Store).
#include "server/web/template_cache.hpp"

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <utility>

namespace gale {
namespace {

namespace mustache = kainjow::mustache;

// A recursive partial over a tree ends where the data ends; one that
// includes itself unconditionally would recurse until the stack overflows
// and take the worker with it. kainjow gives no hook where a partial ends,
// so the depth is measured as what it costs: stack. Past this much, below
// the frame that started the render, including one more partial is an
// error. (A worker's stack is 8 MiB; a level costs about a kilobyte.)
constexpr std::uintptr_t kMaxPartialStackBytes = 1024 * 1024;

// The frame's own address, not a local's: under AddressSanitizer a local
// may live on a "fake stack" in the heap.
std::uintptr_t stack_address(const void* frame) {
  return reinterpret_cast<std::uintptr_t>(frame);
}

// Why `name` may not be a template name, or "" when it may: a template is
// a file under the template directory, never one found by climbing out.
std::string refusal(std::string_view name) {
  if (name.empty()) return "empty template name";
  if (name.front() == '/') return "absolute template names are refused";
  if (name.find('\0') != std::string_view::npos) return "NUL in template name";
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..")
      return "\"..\" would leave the template directory";
    start = end + 1;
  }
  return {};
}

std::string file_of(const std::string& root, std::string_view name) {
  if (root.empty()) return std::string(name);
  std::string path = root;
  if (path.back() != '/') path += '/';
  return path.append(name);
}

// {{> header}} names header.mustache; {{> nav.html}} names nav.html.
std::string partial_file_name(std::string_view name) {
  const std::size_t slash = name.rfind('/');
  const std::string_view last =
      slash == std::string_view::npos ? name : name.substr(slash + 1);
  std::string file(name);
  if (last.find('.') == std::string_view::npos) file += ".mustache";
  return file;
}

// `what` is "template" or "partial", for the message.
std::string read_file(std::string_view what, std::string_view name,
                      const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    throw TemplateError(std::string(what) + " \"" + std::string(name) +
                        "\": cannot read " + path + ": " +
                        std::strerror(errno));
  }
  return text.str();
}

// Parses `text`; a syntax error names the template, its file and what
// kainjow says ("Unclosed section \"items\" at 12").
std::unique_ptr<mustache::mustache> parse(std::string_view what,
                                          std::string_view name,
                                          const std::string& path,
                                          const std::string& text) {
  auto parsed = std::make_unique<mustache::mustache>(text);
  if (!parsed->is_valid()) {
    throw TemplateError(std::string(what) + " \"" + std::string(name) + "\" (" +
                        path + "): " + parsed->error_message());
  }
  return parsed;
}

std::string number_text(double value) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

mustache::data to_data(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object: {
      mustache::data object{mustache::data::type::object};
      for (const auto& member : value.get_object())
        object.set(std::string(member.key()), to_data(member.value()));
      return object;
    }
    case boost::json::kind::array: {
      mustache::data list{mustache::data::type::list};
      for (const auto& item : value.get_array())
        list.push_back(to_data(item));
      return list;
    }
    case boost::json::kind::string:
      return mustache::data(std::string(value.get_string()));
    case boost::json::kind::bool_:
      return mustache::data(value.get_bool());
    case boost::json::kind::int64:
      return mustache::data(std::to_string(value.get_int64()));
    case boost::json::kind::uint64:
      return mustache::data(std::to_string(value.get_uint64()));
    case boost::json::kind::double_:
      return mustache::data(number_text(value.get_double()));
    case boost::json::kind::null:
      break;
  }
  return mustache::data(false);
}

}  // namespace

struct TemplateCache::Store {
  // Keyed by file path, so two template_paths never mix.
  std::unordered_map<std::string, std::unique_ptr<mustache::mustache>>
      templates;
  // A partial is kept as its text (kainjow parses a partial where it is
  // used), after one parse here that proves it valid: kainjow's render
  // then never fails, and never leaves an error set on a cached template.
  std::unordered_map<std::string, mustache::data> partials;

  mustache::mustache& compiled(const std::string& root, std::string_view name) {
    if (std::string why = refusal(name); !why.empty())
      throw TemplateError("template \"" + std::string(name) + "\": " + why);
    std::string path = file_of(root, name);
    auto found = templates.find(path);
    if (found != templates.end()) return *found->second;
    auto parsed =
        parse("template", name, path, read_file("template", name, path));
    return *templates.emplace(std::move(path), std::move(parsed)).first->second;
  }

  const mustache::data& partial(const std::string& root,
                                const std::string& name) {
    if (std::string why = refusal(name); !why.empty())
      throw TemplateError("partial \"" + name + "\": " + why);
    std::string path = file_of(root, partial_file_name(name));
    auto found = partials.find(path);
    if (found != partials.end()) return found->second;
    std::string text = read_file("partial", name, path);
    parse("partial", name, path, text);
    return partials.emplace(std::move(path), mustache::data(std::move(text)))
        .first->second;
  }

  // kainjow's context, with `{{> name}}` answered from the template
  // directory instead of from the data: a context member named like a
  // partial cannot stand in for it, and a missing partial is an error where
  // kainjow would render nothing.
  class FileContext : public mustache::context<std::string> {
   public:
    // `stack_top` is the frame that renders.
    FileContext(const mustache::data* data, Store& store,
                const std::string& root, const void* stack_top)
        : mustache::context<std::string>(data),
          store_(store),
          root_(root),
          stack_top_(stack_address(stack_top)) {}

    const mustache::data* get_partial(const std::string& name) const override {
      const std::uintptr_t at = stack_address(__builtin_frame_address(0));
      const std::uintptr_t used =
          at < stack_top_ ? stack_top_ - at : at - stack_top_;
      if (used > kMaxPartialStackBytes) {
        throw TemplateError("partial \"" + name +
                            "\": partials nested too deep (a partial that "
                            "includes itself whatever the data?)");
      }
      return &store_.partial(root_, name);
    }

   private:
    Store& store_;
    const std::string& root_;
    std::uintptr_t stack_top_;
  };
};

TemplateCache::TemplateCache() = default;
TemplateCache::~TemplateCache() = default;
TemplateCache::TemplateCache(const TemplateCache&) {}
TemplateCache& TemplateCache::operator=(const TemplateCache& other) {
  if (this != &other) store_.reset();
  return *this;
}
TemplateCache::TemplateCache(TemplateCache&&) noexcept = default;
TemplateCache& TemplateCache::operator=(TemplateCache&&) noexcept = default;

std::string TemplateCache::render(const std::string& template_path,
                                  std::string_view name,
                                  const boost::json::object& context) {
  if (!store_) store_ = std::make_unique<Store>();
  mustache::mustache& compiled = store_->compiled(template_path, name);
  const mustache::data data = to_data(context);
  Store::FileContext lookup(&data, *store_, template_path,
                            __builtin_frame_address(0));
  std::string page = compiled.render(lookup);
  // Only lambdas and invalid partials fail while rendering, and neither
  // reaches here; should one ever, the template must not stay poisoned.
  if (!compiled.is_valid()) {
    std::string why = compiled.error_message();
    store_->templates.erase(file_of(template_path, name));
    throw TemplateError("template \"" + std::string(name) + "\": " + why);
  }
  return page;
}

std::size_t TemplateCache::size() const {
  return store_ ? store_->templates.size() + store_->partials.size() : 0;
}

}  // namespace gale
