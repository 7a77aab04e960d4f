# Turns the front-end in web/ into a C++ source of raw string literals (run at build time).
# In: WEB_DIR, OUT, SCRIPTS (the .js files in load order, comma-separated).
function(literal var path)
  file(READ "${path}" content)
  if(content MATCHES "\\)web\"")
    message(FATAL_ERROR "${path} holds the raw string delimiter )web\"")
  endif()
  set(${var} "R\"web(${content})web\"" PARENT_SCOPE)
endfunction()

literal(template "${WEB_DIR}/index.html")
literal(style "${WEB_DIR}/style.css")
set(script "")
string(REPLACE "," ";" scripts "${SCRIPTS}")
foreach(js IN LISTS scripts)
  literal(one "${WEB_DIR}/${js}")
  string(APPEND script "\n    ${one}")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from web/ by src/view/embed_web.cmake: edit web/ instead.
#include \"view/web_assets.h\"

namespace raftsim::view {

const std::string_view kWebTemplate = ${template};
const std::string_view kWebStyle = ${style};
const std::string_view kWebScript = ${script};

}  // namespace raftsim::view
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
