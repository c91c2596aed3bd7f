#include "run_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hades/file_checks.h"

namespace hades {

using nlohmann::json;

std::string summary_json(const RunSummary& s, int exit_code) {
  json steps = json::array();
  for (const StepSummary& step : s.steps) {
    json plugins = json::array();
    std::map<std::string, std::int64_t> by_kind;
    for (std::size_t i = 0; i < step.counts.size(); ++i) {
      const PluginCounts& c = step.counts[i];
      json entry = {{"plugin", c.plugin},
                    {"in", c.in},
                    {"out", c.out},
                    {"rejected", c.rejected},
                    {"rejected_by_kind", c.rejected_by_kind}};
      if (i < step.seconds.size()) entry["seconds"] = step.seconds[i];
      plugins.push_back(std::move(entry));
      for (const auto& [kind, n] : c.rejected_by_kind) by_kind[kind] += n;
    }
    steps.push_back({{"name", step.name},
                     {"kind", step.kind},
                     {"status", step.status},
                     {"resumed", step.resumed},
                     {"resumed_from_chunk", step.resumed_from_chunk},
                     {"rejected", step.rejected},
                     {"rejected_by_kind", by_kind},
                     {"rejects_file", step.rejects_file},
                     {"duration_seconds", step.duration_seconds},
                     {"commit_seconds", step.commit_seconds},
                     {"plugins", plugins}});
  }
  const json doc = {{"job", s.job},
                    {"run_id", s.run_id},
                    {"status", s.status},
                    {"exit_code", exit_code},
                    {"resumed", s.resumed},
                    {"started_at", s.started_at},
                    {"ended_at", s.ended_at},
                    {"duration_seconds", s.duration_seconds},
                    {"error", s.error.ok() ? json(nullptr) : json(s.error.message())},
                    {"steps", steps}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

// Prometheus label values escape backslash, double quote and newline.
std::string label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string prometheus_metrics(const RunSummary& s, int exit_code) {
  std::ostringstream out;
  const std::string job = "job=\"" + label(s.job) + "\"";
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  out << "# HELP hades_run_exit_code Exit code of the last run (0 = success).\n"
      << "# TYPE hades_run_exit_code gauge\n"
      << "hades_run_exit_code{" << job << "} " << exit_code << "\n"
      << "# HELP hades_run_success 1 if the last run succeeded.\n"
      << "# TYPE hades_run_success gauge\n"
      << "hades_run_success{" << job << "} " << (exit_code == 0 ? 1 : 0) << "\n"
      << "# HELP hades_run_duration_seconds Wall time of the last run.\n"
      << "# TYPE hades_run_duration_seconds gauge\n"
      << "hades_run_duration_seconds{" << job << "} " << s.duration_seconds << "\n"
      << "# HELP hades_run_last_timestamp_seconds When the last run ended (Unix time).\n"
      << "# TYPE hades_run_last_timestamp_seconds gauge\n"
      << "hades_run_last_timestamp_seconds{" << job << "} " << now << "\n"
      << "# HELP hades_step_records Records per step and plugin in the last run.\n"
      << "# TYPE hades_step_records gauge\n";
  std::string by_reason;
  for (const StepSummary& step : s.steps) {
    for (const PluginCounts& c : step.counts) {
      const std::string labels =
          job + ",step=\"" + label(step.name) + "\",plugin=\"" + label(c.plugin) + "\"";
      out << "hades_step_records{" << labels << ",kind=\"in\"} " << c.in << "\n"
          << "hades_step_records{" << labels << ",kind=\"out\"} " << c.out << "\n"
          << "hades_step_records{" << labels << ",kind=\"rejected\"} " << c.rejected << "\n";
      for (const auto& [reason, n] : c.rejected_by_kind) {
        by_reason += "hades_step_rejected{" + labels + ",reason=\"" + label(reason) + "\"} " +
                     std::to_string(n) + "\n";
      }
    }
  }
  if (!by_reason.empty()) {
    out << "# HELP hades_step_rejected Rejected records per step, plugin and reason kind.\n"
        << "# TYPE hades_step_rejected gauge\n"
        << by_reason;
  }
  return out.str();
}

Status write_file_atomically(const std::string& path, const std::string& content) {
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return file_error("", "create", temp, errno);
  std::string_view rest = content;
  int error = 0;
  while (!rest.empty() && error == 0) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno != EINTR) error = errno;
    if (n > 0) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temp.c_str(), path.c_str()) != 0) {
    error = errno;
    ::unlink(temp.c_str());  // never leave the temporary file behind
    return file_error("", "rename " + temp + " to", path, error);
  }
  if (error != 0) {
    ::unlink(temp.c_str());
    return file_error("", "write", temp, error);
  }
  return Status::ok_status();
}

}  // namespace hades
