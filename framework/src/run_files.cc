#include "run_files.h"

#include <filesystem>

namespace hades {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPartial = ".partial";

std::string rejects_suffix(std::int64_t run_id, const std::string& database_id) {
  return ".run-" + std::to_string(run_id) + "." + database_id + ".jsonl";
}

// Removes `partial` if it is there; appends what happened to `notes`.
void remove_file(const fs::path& partial, std::vector<std::string>* notes) {
  std::error_code ec;
  if (fs::remove(partial, ec)) {
    notes->push_back("removed " + partial.string());
  } else if (ec) {
    notes->push_back("could not remove " + partial.string() + ": " + ec.message());
  }
}

}  // namespace

std::string rejects_path(const JobSpec& job, const std::string& step, std::int64_t run_id,
                         const std::string& database_id) {
  return (fs::path(job.rejects_dir) / job.name / (step + rejects_suffix(run_id, database_id)))
      .string();
}

std::vector<std::string> remove_leftovers(RunState& state, const JobSpec& job, std::int64_t run_id,
                                          const std::string& database_id) {
  std::vector<std::string> notes;
  // Every step the run may have had, whatever the job file says now (it may have been edited).
  const std::string ending = rejects_suffix(run_id, database_id) + std::string(kPartial);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(job.rejects_dir) / job.name, ec)) {
    if (entry.path().filename().string().ends_with(ending)) remove_file(entry.path(), &notes);
  }
  auto values = state.run_values(run_id);
  if (!values.ok()) {
    notes.push_back("could not read the run's files: " + values.status().message());
    return notes;
  }
  for (const auto& [key, value] : *values) {
    if (key.ends_with("_file") && !value.empty()) {
      remove_file(value + std::string(kPartial), &notes);
    }
  }
  return notes;
}

}  // namespace hades
