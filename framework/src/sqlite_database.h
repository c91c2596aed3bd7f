// sqlite_database.h: the embedded Database backend, one SQLite file.
//
// The file is opened in WAL mode with synchronous=NORMAL: a committed batch survives the process
// being killed at any instant (what checkpoints need); only a power loss may take back the last
// few commits, and then the checkpoint goes back with the rows. Prepared statements are cached
// by SQL text, so a sink that adds the same INSERT 500 times per chunk compiles it once.
// Busy waits up to `busy_timeout_ms` for another process's write lock before failing retryably.
// Where SQLite's busy handler does not wait (switching a new file to WAL, reading or writing
// while another process switches it or recovers its WAL index: SQLITE_BUSY at once), the call is
// tried again until the same timeout, so jobs started together on a new file all succeed.
// The page cache is 4 MiB (not SQLite's 2 MiB) and the WAL is checkpointed every 32 MiB of
// pages (not 4 MiB): a job that stages a million rows re-reads and syncs less, in bounded memory.

#ifndef HADES_FRAMEWORK_SQLITE_DATABASE_H_
#define HADES_FRAMEWORK_SQLITE_DATABASE_H_

#include <memory>
#include <string>

#include "hades/database.h"

namespace hades {

// Opens (creating when missing, with its parent directory) the SQLite file at `path`;
// ":memory:" gives a private in-memory database. A directory that cannot be created or written,
// or a file that cannot be read and written, is kInvalidConfig naming the path (exit 2: retrying
// will not help); a file that is not a database is kCorruption.
// What SQLite would report as a bare "unable to open database file", checked without side
// effects: the file's directory (where its journal and WAL live too) must be writable, or
// creatable; an existing file must be readable and writable and not a directory. Otherwise
// kInvalidConfig naming the path in the way.
Status check_sqlite_path(const std::string& path);

Result<std::unique_ptr<Database>> open_sqlite_database(const std::string& path,
                                                       int busy_timeout_ms = 10000);

}  // namespace hades

#endif  // HADES_FRAMEWORK_SQLITE_DATABASE_H_
