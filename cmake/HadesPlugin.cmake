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
  _hades_check_toolchain(${target})
endfunction()

# Warns (once per configure) when <target> will not carry the fingerprint of the installed
# hades: another compiler (GCC: major.minor; Clang: its exact version), or another C++ standard. hades would refuse
# the plugin at load time with exit 4; this says so before anything is built. Installed
# packages only: HadesToolchain.cmake defines HADES_HOST_*; in the HADES tree all match.
function(_hades_check_toolchain target)
  get_property(warned GLOBAL PROPERTY HADES_TOOLCHAIN_WARNED)
  if(warned OR NOT DEFINED HADES_HOST_CXX_COMPILER_ID)
    return()
  endif()
  # What HADES_DETAIL_COMPILER in hades/plugin.h puts in the fingerprint.
  set(version "${CMAKE_CXX_COMPILER_VERSION}")
  set(host_version "${HADES_HOST_CXX_COMPILER_VERSION}")
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    string(REGEX MATCH "^[0-9]+\\.[0-9]+" version "${version}")
    string(REGEX MATCH "^[0-9]+\\.[0-9]+" host_version "${host_version}")
  endif()
  get_target_property(standard ${target} CXX_STANDARD)
  if(NOT standard)
    set(standard "${CMAKE_CXX_STANDARD}")
  endif()
  if(NOT standard)
    set(standard "${HADES_HOST_CXX_STANDARD}")  # hades::sdk requires cxx_std_20, no more
  endif()
  set(problems "")
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL HADES_HOST_CXX_COMPILER_ID OR
     NOT version STREQUAL host_version)
    string(APPEND problems " compiler ${CMAKE_CXX_COMPILER_ID} ${version}, hades was built with "
           "${HADES_HOST_CXX_COMPILER_ID} ${host_version};")
  endif()
  if(NOT standard STREQUAL HADES_HOST_CXX_STANDARD)
    string(APPEND problems " C++${standard}, hades was built with C++${HADES_HOST_CXX_STANDARD};")
  endif()
  if(problems)
    set_property(GLOBAL PROPERTY HADES_TOOLCHAIN_WARNED TRUE)
    message(WARNING "hades plugin ${target}:${problems} hades will refuse to load it (exit 4, "
            "another build fingerprint). Build it with the toolchain hades was built with "
            "(docs/writing-a-plugin.md, 'The toolchain fingerprint').")
  endif()
endfunction()

