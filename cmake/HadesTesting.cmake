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

# hades_add_sqld_variant(<test> [ARGS <args...>])
#
# Registers <test>_sqld: the same executable with HADES_TEST_DATABASE=sqld, so every
# TestDatabase (tests/support/test_database.h) in it is a real sqld instead of a SQLite file.
# ARGS (e.g. --run_test=suite) limit it to the cases that touch a database. The test must link
# hades::sqld_support. Labelled `sqld` as well as its own labels.
function(hades_add_sqld_variant name)
  cmake_parse_arguments(ARG "" "" "ARGS" ${ARGN})
  get_test_property(${name} LABELS labels)
  add_test(NAME ${name}_sqld COMMAND ${name} ${ARG_ARGS})
  set_tests_properties(${name}_sqld PROPERTIES
    ENVIRONMENT "HADES_TEST_DATABASE=sqld;HADES_BIN=$<TARGET_FILE:hades>;HADES_PLUGIN_DIR=${HADES_PLUGIN_OUTPUT_DIR};HADES_SOURCE_DIR=${PROJECT_SOURCE_DIR};HADES_BUILD_DIR=${PROJECT_BINARY_DIR}"
    LABELS "${labels};sqld")
endfunction()
