#include "job_paths.h"

#include <algorithm>

#include "database_url.h"
#include "hades/file_checks.h"

namespace hades {

std::vector<Diagnostic> check_job_paths(const JobSpec& job) {
  std::vector<Diagnostic> out;
  if (!job.database.empty()) {
    if (const Status db = check_database_url(job.database); !db.ok()) {
      out.push_back({job.database_where, "database: " + db.message()});
    }
  }
  const bool has_pipeline = std::any_of(job.steps.begin(), job.steps.end(), [](const StepSpec& s) {
    return s.kind == StepSpec::Kind::kPipeline;
  });
  if (has_pipeline) {
    if (const Status rejects = check_writable_dir(job.rejects_dir, "rejects_dir"); !rejects.ok()) {
      const SourceLocation where =
          job.rejects_dir_where.line > 0 ? job.rejects_dir_where : SourceLocation{job.file, 0, 0};
      out.push_back({where, rejects.message()});
    }
  }
  return out;
}

}  // namespace hades
