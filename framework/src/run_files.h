// run_files.h: the files a run writes besides its plugins' output, and what an abandoned run
// leaves behind.
//
// A step's rejects file is <rejects_dir>/<job>/<step>.run-<run id>.<database id>.jsonl: run ids
// are numbered per database, so the database's id (RunState::database_id()) keeps two databases'
// runs that share a rejects_dir (a test database and the real one, a file deleted and made
// anew) from overwriting each other's files.
//
// A run abandoned with `--fresh` never resumes, so nothing would ever publish or cut back its
// staged files: remove_leftovers() removes the .partial files of its rejects and of every file
// it froze under a key ending in "_file" (hades/context.h, Context::frozen_value()).

#ifndef HADES_FRAMEWORK_RUN_FILES_H_
#define HADES_FRAMEWORK_RUN_FILES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "job.h"
#include "run_state.h"

namespace hades {

// Where step `step` of run `run_id` of `job` writes its rejects.
std::string rejects_path(const JobSpec& job, const std::string& step, std::int64_t run_id,
                         const std::string& database_id);

// Removes the .partial files run `run_id` of `job` left: its steps' rejects files and the files
// it froze under keys ending in "_file". Returns one line per file removed or that could not be
// removed, for the log; a file that cannot be removed is not an error.
std::vector<std::string> remove_leftovers(RunState& state, const JobSpec& job, std::int64_t run_id,
                                          const std::string& database_id);

}  // namespace hades

#endif  // HADES_FRAMEWORK_RUN_FILES_H_
