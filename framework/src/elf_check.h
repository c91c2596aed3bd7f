// elf_check.h: checks that a file is a shared library this process can map, before dlopen().
//
// dlopen() maps a library's loadable segments straight from the file. A file that was truncated
// (a copy cut short, a full disk during an install) or overwritten maps, and the process dies
// with SIGBUS when the loader touches a page past the file's end. Reading the ELF header and the
// program headers first, and refusing a file whose loadable segments do not lie within it, turns
// that crash into an error naming the file.
//
// Thread safety: a pure function of the file's bytes.

#ifndef HADES_FRAMEWORK_ELF_CHECK_H_
#define HADES_FRAMEWORK_ELF_CHECK_H_

#include <string>

#include "hades/status.h"

namespace hades {

// OK when `path` is a 64-bit little-endian ELF shared object for this machine whose program
// headers and every PT_LOAD and PT_DYNAMIC segment lie within the file. Otherwise kPluginAbi
// naming `path` and what is wrong ("is truncated: segment 2 ends at byte N, the file has M").
Status check_elf_library(const std::string& path);

}  // namespace hades

#endif  // HADES_FRAMEWORK_ELF_CHECK_H_
