// The model_trainer task on outcomes made by tools/generate_outcomes.py (planted effects: SIC,
// employee tier, proximity, signal strength and freshness move the delivery chance; state and
// region do not), copied into the test's database: a SQLite file, or a real sqld under
// model_trainer_test_sqld (the `database` suite).
#define BOOST_TEST_MODULE model_trainer
#include "model_trainer.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "lead_model/model_store.h"
#include "outcomes/outcome_tables.h"
#include "process.h"
#include "sqlite_database.h"
#include "test_database.h"
#include "test_support.h"
#include "training.h"
#include "training_data.h"

namespace hades::model_trainer {
namespace {

namespace fs = std::filesystem;
using hades::testing::TempDir;
using lead_model::Feature;

constexpr const char* kStartedAt = "2026-02-11T12:00:00Z";  // generate_outcomes' --as-of day

std::string repo(const std::string& relative) {
  return hades::testing::source_dir() + "/" + relative;
}

// tools/generate_outcomes.py into a SQLite file of `dir`.
std::string generate(const TempDir& dir, const std::vector<std::string>& args) {
  const std::string path = dir.file("generated.db");
  std::vector<std::string> argv = {"/usr/bin/python3", repo("tools/generate_outcomes.py"), "--db",
                                   path};
  argv.insert(argv.end(), args.begin(), args.end());
  const hades::testing::ProcessResult r = hades::testing::run_process(argv, dir.path());
  BOOST_TEST_REQUIRE(r.exit_code == 0, "generate_outcomes.py: " << r.err);
  return path;
}

// Every row of the generated tables into `db` (whose outcome tables exist), in batches.
void copy_outcomes(const std::string& from, Database& db) {
  Result<std::unique_ptr<Database>> source = open_sqlite_database(from);
  BOOST_TEST_REQUIRE(source.ok(), source.status().to_string());
  for (const std::string table : {"hades_batch_ids", "historical_outcomes", "lead_outcomes"}) {
    Result<QueryResult> rows = (*source)->query("SELECT * FROM " + table + " ORDER BY rowid");
    BOOST_TEST_REQUIRE(rows.ok(), rows.status().to_string());
    std::string insert = "INSERT INTO " + table + " (";
    std::string marks;
    for (std::size_t i = 0; i < rows->columns.size(); ++i) {
      insert += (i ? ", " : "") + rows->columns[i];
      marks += i ? ", ?" : "?";
    }
    insert += ") VALUES (" + marks + ")";
    WriteBatch batch;
    std::size_t in_batch = 0;
    for (const std::vector<Value>& row : rows->rows) {
      batch.add(insert, row);
      if (++in_batch == 2000) {
        BOOST_TEST_REQUIRE(db.apply(batch).ok());
        batch = WriteBatch();
        in_batch = 0;
      }
    }
    if (in_batch > 0) BOOST_TEST_REQUIRE(db.apply(batch).ok());
  }
}

TrainerConfig config_in(const TempDir& dir) {
  Result<domain::IcpConfig> icp = domain::load_icp_config(repo("config/icp.yaml"));
  BOOST_TEST_REQUIRE(icp.ok());
  TrainerConfig c;
  c.icp = std::move(icp).value();
  c.model_dir = dir.file("models");
  return c;
}

struct Trained {
  Status status;
  lead_model::LeadModel model;
  std::int64_t id = 0;
  std::string file;
  std::vector<std::string> log;
};

Trained train_in(Database& db, const TrainerConfig& config, std::int64_t run_id = 1) {
  hades::testing::FakeContext ctx(db);
  ctx.run_info.run_id = run_id;
  ctx.run_info.step_name = "train";
  ctx.run_info.started_at = kStartedAt;
  ModelTrainer trainer(config);
  Trained t;
  t.status = trainer.run(ctx);
  t.model = trainer.model();
  t.id = trainer.model_id();
  t.file = trainer.model_file();
  t.log = ctx.lines();
  return t;
}

double coefficient(const lead_model::LeadModel& m, Feature f, const std::string& level) {
  for (const lead_model::ModelFeature& feature : m.features) {
    if (feature.feature != f) continue;
    for (const lead_model::ModelLevel& l : feature.levels) {
      if (l.level == level) return l.coefficient;
    }
  }
  BOOST_FAIL("no level " << level << " of " << lead_model::feature_name(f));
  return 0;
}

std::int64_t leads_of(const lead_model::LeadModel& m, Feature f) {
  std::int64_t n = 0;
  for (const lead_model::ModelLevel& l : m.features[lead_model::index_of(f)].levels) n += l.leads;
  return n;
}

// One generated database (20,000 leads, 3,135 historical) trained once for several cases.
struct Planted {
  TempDir dir;
  std::unique_ptr<Database> db = hades::testing::scratch_database();
  Trained trained;
  Planted() {
    BOOST_TEST_REQUIRE(domain::apply_outcome_migrations(*db).ok());
    copy_outcomes(generate(dir, {"--rows", "20000", "--seed", "5"}), *db);
    trained = train_in(*db, config_in(dir));
  }
};

const Planted& planted() {
  static const Planted p;
  return p;
}

BOOST_AUTO_TEST_SUITE(database)

BOOST_AUTO_TEST_CASE(the_model_finds_the_planted_effects_and_beats_the_weights) {
  const Planted& p = planted();
  BOOST_TEST_REQUIRE(p.trained.status.ok(), p.trained.status.to_string());
  const lead_model::LeadModel& m = p.trained.model;
  BOOST_TEST(m.solver.converged);
  // The planted directions (tools/generate_outcomes.py).
  BOOST_TEST(coefficient(m, Feature::kEmployeeTier, "50-100") >
             coefficient(m, Feature::kEmployeeTier, "501-999999"));
  BOOST_TEST(coefficient(m, Feature::kProximity, "0-5 mi") >
             coefficient(m, Feature::kProximity, "beyond 100 mi"));
  BOOST_TEST(coefficient(m, Feature::kSignalStrength, "High") >
             coefficient(m, Feature::kSignalStrength, "Low"));
  BOOST_TEST(coefficient(m, Feature::kFreshness, "Hot") >
             coefficient(m, Feature::kFreshness, "Cooling"));
  BOOST_TEST(coefficient(m, Feature::kSic, "8361") > coefficient(m, Feature::kSic, "8062"));
  // C from the grid by four time-ordered folds, each C with a log-loss.
  BOOST_TEST(m.c_selection.folds == 4);
  BOOST_TEST(m.c_selection.log_loss.size() == 6u);
  for (const auto& loss : m.c_selection.log_loss) BOOST_TEST(loss.has_value());
  // The champion/challenger: the model ranks the holdout better, with evidence.
  const lead_model::Evaluation& e = m.evaluation;
  BOOST_TEST(e.verdict == "model better", e.reason);
  BOOST_TEST(*e.model.auc > *e.weights.auc);
  BOOST_TEST_REQUIRE(e.auc_difference.has_value());
  BOOST_TEST(e.auc_difference->low > 0);
  BOOST_TEST(e.auc_difference->resamples > 1900);
  BOOST_TEST(e.test_leads > 0);
  // Every generated lead has its source_features: the weights' scores are today's icp.yaml's.
  BOOST_TEST(e.test_rescored == e.test_leads);
  BOOST_TEST(e.model.lift_top20.has_value());
  BOOST_TEST(e.weights.brier.has_value());
  BOOST_TEST(e.reliability.size() == 10u);
  std::int64_t binned = 0;
  for (const auto& b : e.reliability) binned += b.leads;
  BOOST_TEST(binned == e.test_leads);
  BOOST_TEST(e.reason.find("evidence suffices") != std::string::npos, e.reason);
}

BOOST_AUTO_TEST_CASE(missing_features_are_zeros_so_each_feature_counts_only_its_rows) {
  const lead_model::LeadModel& m = planted().trained.model;
  const std::int64_t all = m.training.historical + m.training.hades_leads;
  BOOST_TEST(leads_of(m, Feature::kSic) == all);
  BOOST_TEST(leads_of(m, Feature::kRegion) == all);
  // Proximity: geography leads only; signal and freshness: intent leads only; together the HADES
  // leads, and the historical rows in none of them.
  BOOST_TEST(leads_of(m, Feature::kProximity) + leads_of(m, Feature::kSignalStrength) ==
             m.training.hades_leads);
  BOOST_TEST(leads_of(m, Feature::kFreshness) == leads_of(m, Feature::kSignalStrength));
  // Rare SIC codes pooled into Other, which lists them.
  const auto& sic = m.features[0].levels;
  for (const auto& l : sic) {
    if (l.level == "Other") {
      BOOST_TEST(!l.pooled.empty());
    } else {
      BOOST_TEST(l.leads >= 30);
      BOOST_TEST(l.deliveries >= 5);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_model_is_stored_in_the_table_and_the_files_alike) {
  const Planted& p = planted();
  BOOST_TEST_REQUIRE(p.trained.status.ok());
  Result<std::optional<lead_model::StoredModel>> row =
      lead_model::stored_model(*p.db, p.trained.id);
  BOOST_TEST_REQUIRE((row.ok() && row->has_value()));
  const std::string file = hades::testing::read_file(p.trained.file);
  BOOST_TEST((*row)->json == file);
  BOOST_TEST(hades::testing::read_file(p.dir.file("models/model-latest.json")) == file);
  BOOST_TEST(fs::path(p.trained.file).filename() == "model-20260211-120000.json");
  BOOST_TEST((*row)->verdict == "model better");
  Result<lead_model::LeadModel> back = lead_model::model_from_json(file, "file");
  BOOST_TEST_REQUIRE(back.ok(), back.status().to_string());
  BOOST_TEST(lead_model::model_to_json(*back) == file);
  // Loaded by reference, as the scorer and the weight_writer find it.
  Result<lead_model::LoadedModel> by_id = lead_model::load_model(
      *p.db, lead_model::parse_model_reference(std::to_string(p.trained.id)));
  BOOST_TEST_REQUIRE(by_id.ok());
  BOOST_TEST(by_id->sha256 == (*row)->sha256);
  Result<lead_model::LoadedModel> by_path =
      lead_model::load_model(*p.db, lead_model::parse_model_reference(p.trained.file));
  BOOST_TEST_REQUIRE(by_path.ok());
  BOOST_TEST(by_path->sha256 == by_id->sha256);
}

BOOST_AUTO_TEST_CASE(the_readme_shows_what_this_training_prints) {
  const Planted& p = planted();
  BOOST_TEST_REQUIRE(p.trained.status.ok());
  const std::string readme =
      hades::testing::read_file(repo("plugins/domain/model_trainer/README.md"));
  const std::size_t output = readme.find("## Output");
  const std::size_t begin = readme.find("```\n", output) + 4;
  const std::size_t end = readme.find("```\n", begin);
  BOOST_TEST_REQUIRE((output != std::string::npos && end != std::string::npos));
  const std::string summary =
      summary_text(p.trained.model, "lead_models id 1, models/model-20260211-120000.json");
  BOOST_TEST(readme.substr(begin, end - begin) == summary);
  // docs/model.md shows the comparison part of the same run.
  const std::string doc = hades::testing::read_file(repo("docs/model.md"));
  const std::string comparison = summary.substr(summary.find("  holdout ("));
  BOOST_TEST(doc.find("```\n" + comparison + "```") != std::string::npos, comparison);
}

BOOST_AUTO_TEST_CASE(a_resumed_run_trains_the_same_model_and_replaces_its_row) {
  const Planted& p = planted();
  const Trained again = train_in(*p.db, config_in(p.dir));
  BOOST_TEST_REQUIRE(again.status.ok());
  BOOST_TEST(lead_model::model_to_json(again.model) == lead_model::model_to_json(p.trained.model));
  Result<QueryResult> rows = p.db->query("SELECT count(*) FROM lead_models WHERE run_id = 1");
  BOOST_TEST_REQUIRE(rows.ok());
  BOOST_TEST(as_int(rows->rows[0][0]).value_or(-1) == 1);
}

BOOST_AUTO_TEST_CASE(training_refuses_below_the_minimum_and_writes_nothing) {
  TempDir dir;
  auto db = hades::testing::scratch_database();
  BOOST_TEST_REQUIRE(domain::apply_outcome_migrations(*db).ok());
  copy_outcomes(generate(dir, {"--rows", "400", "--historical", "200", "--seed", "3"}), *db);
  TrainerConfig config = config_in(dir);
  const Trained t = train_in(*db, config);
  BOOST_TEST(t.status.code() == StatusCode::kInvalidConfig);
  const std::string& m = t.status.message();
  BOOST_TEST(m.find("matured HADES-originated outcomes") != std::string::npos, m);
  BOOST_TEST(m.find("training needs at least 500 (min_hades_outcomes)") != std::string::npos, m);
  BOOST_TEST(!fs::exists(dir.file("models")));
  Result<QueryResult> rows = db->query("SELECT count(*) FROM lead_models");
  BOOST_TEST_REQUIRE(rows.ok());
  BOOST_TEST(as_int(rows->rows[0][0]).value_or(-1) == 0);

  // The minimum is a setting: lowered, the same data trains.
  config.min_hades_outcomes = 100;
  const Trained lowered = train_in(*db, config);
  BOOST_TEST(lowered.status.ok(), lowered.status.to_string());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(settings)

BOOST_AUTO_TEST_CASE(bad_settings_are_refused_naming_the_key) {
  const auto refused = [](const std::string& key, SettingValue value) {
    Settings s;
    s.set("icp", repo("config/icp.yaml"));
    s.set(key, std::move(value));
    const Status status = bind_config(s).status();
    BOOST_TEST(status.code() == StatusCode::kInvalidConfig);
    return status.message();
  };
  BOOST_TEST(refused("holdout_date", std::string("June")).find("`holdout_date` must be") !=
             std::string::npos);
  BOOST_TEST(refused("min_hades_outcomes", std::int64_t{0}).find("at least 1") !=
             std::string::npos);
  BOOST_TEST(refused("bootstrap_resamples", std::int64_t{10}).find("between 2000") !=
             std::string::npos);
  BOOST_TEST(refused("icp", std::string("/nonexistent/icp.yaml")).find("`icp`") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_readme_lists_every_setting) {
  BOOST_TEST(hades::testing::missing_readme_setting_rows("model_trainer", kSettings).empty());
}

BOOST_AUTO_TEST_CASE(blocks_cut_at_whole_export_times) {
  const std::vector<std::pair<std::string, std::int64_t>> times = {
      {"a", 10}, {"b", 10}, {"c", 10}, {"d", 10}, {"e", 10}};
  BOOST_TEST(block_cuts(times, 5) == (std::vector<std::string>{"b", "c", "d", "e"}));
  // One big batch: blocks cannot split it.
  BOOST_TEST(block_cuts({{"a", 100}}, 5).empty());
  BOOST_TEST(block_cuts({{"a", 1}, {"b", 100}}, 5) == std::vector<std::string>{"b"});
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::model_trainer
