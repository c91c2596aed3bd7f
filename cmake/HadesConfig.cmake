# The installed HADES SDK: hades::sdk (headers + the small static SDK library),
# hades::net (HTTP client, retries, OAuth2, paging, JSON: link it for an HTTP source),
# hades::testkit (fake Context, in-memory database, plugin factories by name: for tests),
# hades_add_plugin(<name> SOURCES ...), and hades_embed_files() for a page's static files.
# See docs/writing-a-plugin.md.
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74 CONFIG)  # Boost.DLL's alias macro, header-only
find_dependency(nlohmann_json 3.11 CONFIG)  # hades/json.h
find_dependency(OpenSSL)  # inside hades::net (TLS, SHA-256, the token seal)
find_dependency(Threads)
find_dependency(SQLiteCpp 3 CONFIG)  # inside hades::testkit (the in-memory database)
include("${CMAKE_CURRENT_LIST_DIR}/HadesTargets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/HadesToolchain.cmake" OPTIONAL)  # the host's toolchain
include("${CMAKE_CURRENT_LIST_DIR}/HadesPlugin.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/HadesEmbed.cmake")
