// The lead model through the `hades` binary and the shipped jobs, as docs/model.md walks it:
// jobs/train_model.yaml on generated outcomes (tools/generate_outcomes.py), a person's approval
// with jobs/set_scoring_method.yaml, an export (jobs/export_leads.yaml) scored by the model, the
// fallback to the weights when the approved model file is gone, jobs/rollback_weights.yaml back to
// the original icp.yaml, and the refusal to train on too few outcomes. docs/model.md's examples
// are checked against these runs.
#define BOOST_TEST_MODULE model_e2e
#include <boost/test/unit_test.hpp>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "process.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ProcessResult;
using testing::TempDir;

std::string repo(const std::string& relative) { return testing::source_dir() + "/" + relative; }

std::string day(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The ```<lang> blocks of a markdown file, in order.
std::vector<std::string> blocks(const std::string& markdown, const std::string& lang) {
  std::vector<std::string> out;
  const std::string open = "```" + lang + "\n";
  for (std::size_t at = markdown.find(open); at != std::string::npos;
       at = markdown.find(open, at + 1)) {
    const std::size_t begin = at + open.size();
    out.push_back(markdown.substr(begin, markdown.find("```", begin) - begin));
  }
  return out;
}

// The line of `text` that contains `part`; "" when none does.
std::string line_with(const std::string& text, const std::string& part) {
  const std::size_t at = text.find(part);
  if (at == std::string::npos) return "";
  const std::size_t begin =
      text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  return text.substr(begin, text.find('\n', at) - begin);
}

// Digits as N: a documented message and a real one read alike whatever the counts and dates.
std::string numbers_as_n(const std::string& text) {
  return std::regex_replace(text, std::regex("[0-9]+"), "N");
}

// One job database with generated outcomes and a copy of the shipped icp.yaml.
struct World {
  TempDir dir;
  std::string db = dir.file("hades.db");
  std::string icp = dir.file("icp.yaml");
  std::string original;

  explicit World(const std::string& rows) {
    fs::copy_file(repo("config/icp.yaml"), icp);
    original = testing::read_file(icp);
    const ProcessResult r = testing::run_process(
        {"/usr/bin/python3", repo("tools/generate_outcomes.py"), "--db", db, "--rows", rows,
         "--seed", "5", "--as-of", day(std::time(nullptr) - 86400)},
        dir.path());
    BOOST_TEST_REQUIRE(r.exit_code == 0, "generate_outcomes.py: " << r.err);
  }

  ProcessResult run(const std::string& job, std::vector<std::string> sets) const {
    std::vector<std::string> argv = {testing::hades_binary(), "run", repo("jobs/" + job + ".yaml")};
    for (const std::string& s : sets) {
      argv.push_back("--set");
      argv.push_back(s);
    }
    return testing::run_process(argv, dir.path(),
                                {{"HADES_DB", "sqlite://" + db}, {"HADES_ICP", icp}});
  }

  std::string value(const std::string& sql) const {
    auto opened = open_sqlite_database(db);
    BOOST_TEST_REQUIRE(opened.ok());
    auto rows = (*opened)->query(sql);
    BOOST_TEST_REQUIRE(rows.ok(), rows.status().to_string());
    return rows->rows.empty() || is_null(rows->rows[0][0]) ? "" : to_text(rows->rows[0][0]);
  }

  // Exports `rows` generated intent leads; returns the run's stderr (the log).
  std::string export_leads(int seed) const {
    const std::string csv = dir.file("leads-" + std::to_string(seed) + ".csv");
    const ProcessResult g = testing::run_process(
        {"/usr/bin/python3", repo("tools/generate_leads.py"), "--workflow", "intent", "--rows",
         "300", "--seed", std::to_string(seed), "--as-of", day(std::time(nullptr)), "--out", csv},
        dir.path());
    BOOST_TEST_REQUIRE(g.exit_code == 0, g.err);
    const ProcessResult r = run("export_leads", {"input=" + csv, "output_dir=" + dir.file("out")});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out << r.err);
    return r.err;
  }
};

void require_ok(const ProcessResult& r, const std::string& what) {
  BOOST_TEST_REQUIRE(r.exit_code == 0, what << " exited " << r.exit_code << ":\n"
                                            << r.out << r.err);
}

BOOST_AUTO_TEST_CASE(train_approve_score_fall_back_and_roll_back) {
  const World w("20000");
  const std::string doc = testing::read_file(repo("docs/model.md"));

  // Train.
  const ProcessResult trained = w.run("train_model", {"model_dir=" + w.dir.file("models")});
  require_ok(trained, "train_model");
  BOOST_TEST(has(trained.out, "verdict: model better"), trained.out);
  BOOST_TEST(w.value("SELECT count(*) FROM lead_models") == "1");
  const std::string file = w.value("SELECT file FROM lead_models WHERE id = 1");
  BOOST_TEST(fs::exists(file));

  // Without a choice the job says what to do, and changes nothing.
  const ProcessResult menu = w.run("set_scoring_method", {});
  require_ok(menu, "set_scoring_method without use");
  BOOST_TEST(has(menu.out, "approve it with --set use=model --set model=1"), menu.out);
  BOOST_TEST(testing::read_file(w.icp) == w.original);

  // Approve: a dry run changes nothing; then icp.yaml gets the section docs/model.md shows.
  const ProcessResult dry = w.run("set_scoring_method", {"use=model", "model=1", "dry_run=true"});
  require_ok(dry, "set_scoring_method dry run");
  BOOST_TEST(has(dry.out, "+scoring_method:"), dry.out);
  BOOST_TEST(testing::read_file(w.icp) == w.original);
  const ProcessResult approved = w.run("set_scoring_method", {"use=model", "model=1"});
  require_ok(approved, "set_scoring_method");
  const std::string with_model = testing::read_file(w.icp);
  BOOST_TEST_REQUIRE(with_model.starts_with(w.original));
  const std::vector<std::string> yaml = blocks(doc, "yaml");
  BOOST_TEST_REQUIRE(!yaml.empty());
  BOOST_TEST(with_model.substr(w.original.size()) == "\n" + yaml.front(),
             "docs/model.md's first yaml block");
  BOOST_TEST(w.value("SELECT report_path FROM icp_changes ORDER BY id DESC LIMIT 1") ==
             "lead_models id 1");

  // Export: scored by the model, each lead with its contributions; the log line of docs/model.md.
  const std::string log = w.export_leads(11);
  std::string documented = line_with(doc, "scorer: scoring with the model lead_models id 1");
  BOOST_TEST_REQUIRE(!documented.empty());
  documented =
      std::regex_replace(documented, std::regex("sha256 [0-9a-f]{12}"),
                         "sha256 " + w.value("SELECT sha256 FROM lead_models").substr(0, 12));
  documented = std::regex_replace(documented, std::regex("config/icp\\.yaml"), w.icp);
  BOOST_TEST(has(log, documented), documented << " not in:\n" << log);
  const std::string batch = w.value("SELECT max(batch_id) FROM lead_outcomes");
  BOOST_TEST(w.value("SELECT count(*) FROM lead_outcomes WHERE batch_id = '" + batch +
                     "' AND json_extract(source_features, '$.model.source') = 'lead_models id 1' "
                     "AND json_array_length(source_features, '$.model.contributions') = 3 AND "
                     "hades_score = json_extract(source_features, '$.score')") ==
             w.value("SELECT count(*) FROM lead_outcomes WHERE batch_id = '" + batch + "'"));
  BOOST_TEST(w.value("SELECT count(*) FROM lead_outcomes WHERE batch_id = '" + batch + "'") != "0");

  // Approved by file, and the file gone: the export falls back to the weights and says why.
  require_ok(w.run("rollback_weights", {}), "rollback_weights");
  BOOST_TEST(testing::read_file(w.icp) == w.original);
  require_ok(w.run("set_scoring_method", {"use=model", "model=" + file}), "approve by file");
  fs::rename(file, file + ".gone");
  const std::string fallback = w.export_leads(12);
  std::string warned = line_with(doc, ", but the weights score instead: ");
  warned = warned.substr(0, warned.find(" ..."));
  warned = std::regex_replace(warned, std::regex("models/model-[0-9-]+\\.json"), file);
  warned = std::regex_replace(warned, std::regex("config/icp\\.yaml"), w.icp);
  BOOST_TEST(has(fallback, warned), warned << " not in:\n" << fallback);
  BOOST_TEST(has(line_with(fallback, warned), "warn"));
  const std::string second = w.value("SELECT max(batch_id) FROM lead_outcomes");
  BOOST_TEST(w.value("SELECT count(*) FROM lead_outcomes WHERE batch_id = '" + second +
                     "' AND json_extract(source_features, '$.model') IS NOT NULL") == "0");

  // Back to the original file, byte for byte.
  require_ok(w.run("rollback_weights", {}), "rollback_weights");
  BOOST_TEST(testing::read_file(w.icp) == w.original);
}

BOOST_AUTO_TEST_CASE(training_refuses_below_the_minimum_with_exit_2) {
  const World w("300");
  const ProcessResult r = w.run("train_model", {"model_dir=" + w.dir.file("models")});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(has(r.err, "matured HADES-originated outcomes"), r.err);
  BOOST_TEST(has(r.err, "training needs at least 500 (min_hades_outcomes). Nothing was trained"),
             r.err);
  // The message as docs/model.md shows it, whatever the counts and dates.
  const std::string doc = testing::read_file(repo("docs/model.md"));
  const std::string documented = line_with(doc, "model_trainer: ");
  BOOST_TEST_REQUIRE(!documented.empty());
  BOOST_TEST(has(numbers_as_n(r.err), numbers_as_n(documented)), documented << "\n" << r.err);
  BOOST_TEST(!fs::exists(w.dir.file("models")));
  // A model the writer may not approve: none there.
  const ProcessResult refused = w.run("set_scoring_method", {"use=model", "model=1"});
  BOOST_TEST(refused.exit_code == 2);
  BOOST_TEST(has(refused.err,
                 "the model cannot be approved, nothing changed: there is no model 1 "
                 "in lead_models"),
             refused.err);
  BOOST_TEST(testing::read_file(w.icp) == w.original);
}

BOOST_AUTO_TEST_CASE(the_readme_steps_and_the_jobs_validate) {
  TempDir dir;
  for (const char* plugin : {"model_trainer"}) {
    const std::string readme =
        testing::read_file(repo("plugins/domain/" + std::string(plugin) + "/README.md"));
    const std::vector<std::string> steps = blocks(readme, "yaml");
    BOOST_TEST_REQUIRE(!steps.empty());
    const std::string job = dir.file(std::string(plugin) + ".yaml");
    testing::write_file(job,
                        "name: readme\ndatabase: sqlite://" + dir.file("db") + "\n" + steps[0]);
    fs::create_directories(dir.file("config"));
    fs::copy_file(repo("config/icp.yaml"), dir.file("config/icp.yaml"),
                  fs::copy_options::overwrite_existing);
    const ProcessResult r =
        testing::run_process({testing::hades_binary(), "validate", job}, dir.path());
    BOOST_TEST(r.exit_code == 0, plugin << ": " << r.out << r.err);
  }
  for (const char* job : {"train_model", "set_scoring_method"}) {
    const ProcessResult r = testing::run_process(
        {testing::hades_binary(), "validate", repo("jobs/" + std::string(job) + ".yaml"), "--set",
         std::string(job) == "set_scoring_method" ? "use=weights" : "seed=1"},
        testing::source_dir(), {{"HADES_DB", "sqlite://" + dir.file("v.db")}});
    BOOST_TEST(r.exit_code == 0, job << ": " << r.out << r.err);
  }
}

}  // namespace
}  // namespace hades
