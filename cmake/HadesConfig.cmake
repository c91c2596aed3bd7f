# The installed HADES SDK: hades::sdk (headers + the small static SDK library) and
# hades_add_plugin(<name> SOURCES ...), and hades_embed_files() for a page's static files.
# See docs/writing-a-plugin.md.
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74 CONFIG)  # Boost.DLL's alias macro, header-only
include("${CMAKE_CURRENT_LIST_DIR}/HadesTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/HadesToolchain.cmake" OPTIONAL)  # the host's toolchain
include("${CMAKE_CURRENT_LIST_DIR}/HadesPlugin.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/HadesEmbed.cmake")
