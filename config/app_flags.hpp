// The application's --app-* flags (config/app_keys.hpp), for flags.cpp:
// their group in --help and in the parser, and each value typed, checked
// and stored. Internal to gale_config.
#pragma once

#include <boost/program_options/options_description.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/app_keys.hpp"

namespace gale {

using AppFlagValues = std::map<std::string, AppValue, std::less<>>;

// "Application options (YAML section app:)": one flag per key, its help
// naming the key and its default.
boost::program_options::options_description describe_app_flags(
    const AppKeys& app_keys);

// Types and checks the text of one --app-* flag and stores it in `app` (a
// list key's item is appended). Returns the problem, "" when fine.
std::string store_app_flag(const AppKey& key, std::string_view text,
                           AppFlagValues& app);

// A list's rules see the whole list, so they run once every flag is read:
// one line per list refused ("--app-admins: ...").
void check_app_lists(const AppKeys& app_keys, const AppFlagValues& app,
                     std::vector<std::string>& errors);

}  // namespace gale
