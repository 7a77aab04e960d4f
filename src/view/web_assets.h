// The replay page's front-end (web/), embedded at build time by src/view/embed_web.cmake.
#pragma once

#include <string_view>

namespace raftsim::view {

extern const std::string_view kWebTemplate;  // web/index.html, with placeholders
extern const std::string_view kWebStyle;     // web/style.css
extern const std::string_view kWebScript;    // web/*.js, in load order
}  // namespace raftsim::view
