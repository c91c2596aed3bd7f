// hades/file_checks.h: checks of the files and directories a job names, and what a failed file
// operation becomes, so that a permanent problem exits 2 and never 1.
//
// A scheduler retries exit 1 (docs/exit-codes.md). An input file that does not exist, an output
// directory that is a file or is not writable, a read-only file system: retrying changes none of
// them, so they are kInvalidConfig (exit 2), with the path named. Only what may pass (a full
// disk, an I/O error, too many open files) stays kIo (exit 1).
//
// The checks have no side effects (nothing is created), so `hades validate` can run them: a
// plugin's factory calls them, and the runner for its own paths.
//
// Thread safety: functions of the file system's state only.

#ifndef HADES_FILE_CHECKS_H_
#define HADES_FILE_CHECKS_H_

#include <string>
#include <string_view>

#include "hades/status.h"

namespace hades {

// True for errno values that retrying the same operation will not change: ENOENT, ENOTDIR,
// EISDIR, EACCES, EPERM, EROFS, ENAMETOOLONG, ELOOP, EEXIST, EINVAL.
bool is_permanent_file_error(int error);

// "<what>: cannot <action> <path>: <strerror(error)>" as kInvalidConfig when the error is
// permanent, else kIo.
Status file_error(std::string_view what, std::string_view action, const std::string& path,
                  int error);

// OK when `path` can be opened for reading and is not a directory. Otherwise kInvalidConfig
// "<what>: <path> does not exist" (is a directory, is not readable: ...).
Status check_readable_file(const std::string& path, std::string_view what);

// OK when files can be created in the directory `dir`, or when `dir` does not exist yet and can
// be created: its nearest existing ancestor is a directory files can be created in. Otherwise
// kInvalidConfig naming `what` and the path in the way ("<what>: <dir> is not a directory",
// "... <ancestor> is not writable").
Status check_writable_dir(const std::string& dir, std::string_view what);

// OK when a file can be created (or replaced) at `path`: it is not a directory and
// check_writable_dir() holds for the directory it is in.
Status check_writable_file(const std::string& path, std::string_view what);

}  // namespace hades

#endif  // HADES_FILE_CHECKS_H_
