# find_package(hookhost_plugin_sdk) for an installed SDK: the imported target
# hookhost::plugin_sdk (the headers) and the hookhost_add_plugin() function.
get_filename_component(_hookhost_sdk_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET hookhost::plugin_sdk)
  add_library(hookhost::plugin_sdk INTERFACE IMPORTED)
  set_target_properties(hookhost::plugin_sdk PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_hookhost_sdk_prefix}/include"
    INTERFACE_COMPILE_FEATURES cxx_std_17)
endif()
include("${CMAKE_CURRENT_LIST_DIR}/HookhostPlugin.cmake")
set(hookhost_plugin_sdk_INCLUDE_DIR "${_hookhost_sdk_prefix}/include")
unset(_hookhost_sdk_prefix)
