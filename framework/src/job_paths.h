// job_paths.h: the paths a job names itself (not its plugins'), checked without side effects.
//
// Every command that binds a job runs these, `hades validate` included: a job whose database
// directory or rejects_dir cannot be written fails before anything runs, with exit 2 and the
// path named, instead of failing (exit 1, retried forever) once the run has started. Plugins
// check their own paths in their factories (hades/file_checks.h).

#ifndef HADES_FRAMEWORK_JOB_PATHS_H_
#define HADES_FRAMEWORK_JOB_PATHS_H_

#include <vector>

#include "job.h"

namespace hades {

// Problems with the job's `database:` URL (database_url.h's check_database_url()) and, when the
// job has a pipeline step, its rejects_dir (it must be a directory files can be created in, or
// creatable), each located at its key's value.
std::vector<Diagnostic> check_job_paths(const JobSpec& job);

}  // namespace hades

#endif  // HADES_FRAMEWORK_JOB_PATHS_H_
