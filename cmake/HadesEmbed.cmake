# hades_embed_files(<target> HEADER <include> NAMESPACE <ns> FILES <files...>)
#
# Compiles files (a page's HTML, CSS and JavaScript) into <target>: generates a source file
# defining `std::span<const EmbeddedFile> <ns>::embedded_files()` (declared by HEADER, with
# EmbeddedFile {std::string_view name, bytes}) and adds it to the target. The bytes are char
# arrays, not one string literal, so files past 64 KiB compile under -Wpedantic. Regenerated
# when a file changes. Nothing is read at run time, nothing downloaded.
set(HADES_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_files.cmake)

function(hades_embed_files target)
  cmake_parse_arguments(ARG "" "HEADER;NAMESPACE" "FILES" ${ARGN})
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded_files.cc)
  list(JOIN ARG_FILES "|" inputs)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${output} -DHEADER=${ARG_HEADER}
            -DNAMESPACE=${ARG_NAMESPACE} "-DINPUTS=${inputs}" -P ${HADES_EMBED_SCRIPT}
    DEPENDS ${ARG_FILES} ${HADES_EMBED_SCRIPT}
    COMMENT "Embedding ${target}'s files"
    VERBATIM)
  target_sources(${target} PRIVATE ${output})
endfunction()
