// The application, apart from main(), so that its tests can serve it.
#pragma once

#include <gale/gale.hpp>

gale::Application make_greeter_app();
