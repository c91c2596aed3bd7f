// run_report.h: what a finished run leaves for people and machines besides its data:
// the --summary JSON and the --metrics Prometheus textfile (node_exporter textfile collector).

#ifndef HADES_FRAMEWORK_RUN_REPORT_H_
#define HADES_FRAMEWORK_RUN_REPORT_H_

#include <string>

#include "hades/status.h"
#include "runner.h"

namespace hades {

std::string summary_json(const RunSummary& summary, int exit_code);
std::string prometheus_metrics(const RunSummary& summary, int exit_code);

// Writes `content` to a temporary file beside `path` and renames it into place, so a reader
// (node_exporter, a monitoring script) never sees half a file. On failure the temporary file is
// removed; the error is kInvalidConfig when permanent (file_checks.h), else kIo.
Status write_file_atomically(const std::string& path, const std::string& content);

}  // namespace hades

#endif  // HADES_FRAMEWORK_RUN_REPORT_H_
