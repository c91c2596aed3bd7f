# hades_add_plugin(<name> SOURCES <files...> [LIBRARIES <targets...>] [NO_INSTALL])
#
# Builds plugin <name> as the loadable module hades_<name>.so, the name `hades` looks for.
# Symbols are hidden except the two HADES_PLUGIN() aliases, and undefined symbols are link errors,
# so a plugin can never depend on symbols of the host that loads it. The API version and build
# fingerprint are stamped by the SDK headers the sources include.
# Used in-tree and, unchanged, from the installed package (find_package(Hades)).
function(hades_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL" "" "SOURCES;LIBRARIES" ${ARGN})
  set(target hades_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE hades::sdk ${ARG_LIBRARIES})
  if(TARGET hades::build_flags)
    target_link_libraries(${target} PRIVATE hades::build_flags)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${target}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED HADES_PLUGIN_OUTPUT_DIR)
    # In-tree: next to build/bin/hades, and installed where an installed hades looks.
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${HADES_PLUGIN_OUTPUT_DIR})
    if(NOT ARG_NO_INSTALL)
      install(TARGETS ${target} LIBRARY DESTINATION lib/hades/plugins)
    endif()
  endif()
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()

