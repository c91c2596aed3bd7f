# hades_add_plugin(<name> SOURCES <files...> [LIBRARIES <targets...>])
#
# Builds plugin <name> as the loadable module hades_<name>.so, the name `hades` looks for.
# Symbols are hidden except the two HADES_PLUGIN() aliases, and undefined symbols are link errors,
# so a plugin can never depend on symbols of the host that loads it. The API version and build
# fingerprint are stamped by the SDK headers the sources include.
# Used in-tree and, unchanged, from the installed package (find_package(Hades)).
function(hades_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
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
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${HADES_PLUGIN_OUTPUT_DIR})
  endif()
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()

# hades_add_test(<name> SOURCES <files...> [LIBRARIES <targets...>] [ARGS <args...>])
#
# A Boost.Test executable registered with CTest. Tests run from the build tree and are told where
# the hades binary and plugins are through HADES_BIN / HADES_PLUGIN_DIR in their environment.
function(hades_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES;ARGS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE hades::test_support ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name} ${ARG_ARGS})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "HADES_BIN=$<TARGET_FILE:hades>;HADES_PLUGIN_DIR=${HADES_PLUGIN_OUTPUT_DIR};HADES_SOURCE_DIR=${PROJECT_SOURCE_DIR};HADES_BUILD_DIR=${PROJECT_BINARY_DIR}"
    LABELS "${ARG_LABELS}")
endfunction()
