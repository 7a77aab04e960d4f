// Text placed inside HTML or SVG markup.
#pragma once

#include <string>
#include <string_view>

namespace raftsim::markup {

// `text` with '&', '<' and '>' written as entities: safe as element content (not as an
// attribute value, where quotes would need escaping too).
std::string html_escaped(std::string_view text);

}  // namespace raftsim::markup
