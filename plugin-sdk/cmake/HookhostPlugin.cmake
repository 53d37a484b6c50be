# hookhost_add_plugin(<name> [OUTPUT_DIRECTORY <dir>] <sources>...)
#
# Builds a hookhost native plugin: a shared library named exactly <name>.so (no "lib"
# prefix, so its manifest is <name>.json) against the plugin SDK. Only the entry point is
# exported: hidden visibility keeps a plugin's symbols from binding to another loaded copy of
# itself (old and new versions stay mapped side by side after a live replace).
include_guard(GLOBAL)

function(hookhost_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OUTPUT_DIRECTORY" "")
  add_library(${name} SHARED ${arg_UNPARSED_ARGUMENTS})
  if(TARGET hookhost::plugin_sdk)
    target_link_libraries(${name} PRIVATE hookhost::plugin_sdk)
  else()
    target_link_libraries(${name} PRIVATE hookhost_plugin_sdk)
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD_REQUIRED ON)
  get_target_property(standard ${name} CXX_STANDARD)
  if(NOT standard OR standard LESS 17)
    set_target_properties(${name} PROPERTIES CXX_STANDARD 17)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Function-local statics of inline code would otherwise be STB_GNU_UNIQUE: merged across
    # every loaded copy of the plugin.
    target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-gnu-unique>)
  endif()
  if(arg_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${arg_OUTPUT_DIRECTORY})
  endif()
endfunction()
