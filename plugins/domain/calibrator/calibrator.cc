#include "calibrator.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <tuple>
#include <utility>

#include "backtest.h"
#include "calibration.h"
#include "evidence.h"
#include "hades/file_checks.h"
#include "hades/migrations.h"
#include "hades/plugin_export.h"
#include "hades/staged_file.h"
#include "hades/time.h"
#include "leads/icp_changes.h"
#include "leads/icp_file.h"
#include "leads/normalize.h"
#include "outcomes/calibration_tables.h"
#include "outcomes/outcome_tables.h"
#include "store.h"

namespace hades::calibrator {

const SettingSpec kSettings[6] = {
    {"icp", SettingType::kString, true, nullptr, false,
     "Path of the icp.yaml whose scores the report compares with. Loaded and checked when the "
     "step is created, so `hades validate` reports a bad file with its line and column. Never "
     "written."},
    {"report_dir", SettingType::kString, false, "reports/", false,
     "Directory for calibration-YYYYMMDD-HHMMSS.{json,md,csv} and calibration-latest.*; "
     "created when missing."},
    {"matured_days", SettingType::kInt, false, "90", false,
     "A lead_outcomes row counts once it was exported at least this many days before the run "
     "started (0-3650); younger leads are pending and left out, deliveries included."},
    {"holdout_date", SettingType::kString, false, nullptr, false,
     "Backtest split, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ: leads exported before it train, "
     "matured leads exported on or after it test. Empty or absent: the export time before "
     "which 80% of the matured leads were exported."},
    {"bootstrap_resamples", SettingType::kInt, false, "2000", false,
     "Bootstrap resamples (2000-1000000), for each dimension's suggestion intervals and for the "
     "backtest's paired AUC difference."},
    {"seed", SettingType::kInt, false, "1", false,
     "Seed of the bootstrap (>= 0): the same data, settings and seed give the same report."},
};

namespace {

constexpr std::string_view kLatest = "calibration-latest";

// Seconds since construction or the previous lap(), for the log: where a long run spends time.
class Stopwatch {
 public:
  std::string lap() const {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f s", seconds);
    return buffer;
  }

 private:
  mutable std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

Status bad_range(std::string_view key, std::int64_t lo, std::int64_t hi, std::int64_t got) {
  return Status::invalid_config("calibrator: `" + std::string(key) + "` must be between " +
                                std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                                std::to_string(got));
}

std::string hash_inputs(const CalibrationReport& r, const OutcomeData& data,
                        const std::vector<BatchRow>& batches) {
  std::string text = "icp " + r.icp_sha256 + "\nmatured_before " + data.matured_before +
                     "\nholdout " + data.holdout_date + "\nresamples " +
                     std::to_string(r.parameters.bootstrap_resamples) + "\nseed " +
                     std::to_string(r.parameters.seed) + "\n";
  for (const LeadCell& c : data.cells) {
    text += (c.historical ? "h" : "l") +
            std::string(c.workflow ? domain::workflow_name(*c.workflow) : "") + "|" + c.sic + "|" +
            c.employee + "|" + c.proximity + "|" + c.signal + "|" + (c.numeric_signal ? "1" : "0") +
            "|" + c.freshness + "|" + (c.hades_score ? std::to_string(*c.hades_score) : "-") + "|" +
            (c.holdout ? "1" : "0") + "|" + std::to_string(c.n) + "|" + std::to_string(c.k) + "\n";
  }
  for (const KeyCount& s : data.states) {
    text += "s|" + s.key + "|" + std::to_string(s.n) + "|" + std::to_string(s.k) + "\n";
  }
  for (const BatchRow& b : batches) {
    text += "b|" + b.batch_id + "|" + std::to_string(b.n) + "|" + std::to_string(b.k) + "\n";
  }
  for (const auto& [version, leads] : data.volume.leads_by_scoring_rules) {
    text += "r|" + std::to_string(version) + "|" + std::to_string(leads) + "\n";
  }
  for (const ScoringPeriod& p : r.scoring.periods) {
    if (p.since) text += "c|" + std::to_string(p.since->id) + "|" + p.from + "\n";
  }
  for (const ScoreCount& c : data.scoring) {
    text += "p|" + std::to_string(c.period) + "|" + std::to_string(c.workflow) + "|" +
            std::to_string(c.score) + "|" + std::to_string(c.n) + "|" + std::to_string(c.k) + "\n";
  }
  return domain::sha256_hex(text);
}

std::string summary_message(const CalibrationReport& r) {
  std::string text = "calibrated " + std::to_string(r.baseline_n) + " leads (" +
                     std::to_string(r.baseline_k) + " deliveries) over " +
                     std::to_string(r.dimensions.size()) +
                     " dimensions; backtest: " + (r.backtest.ran ? r.backtest.verdict : "not run");
  if (r.batches.ran) {
    text += "; batches: " + std::to_string(r.batches.warned) + " warned, " +
            std::to_string(r.batches.flagged) + " flagged";
  }
  if (r.volume.leads_with_outdated_scores > 0) {
    text += "; " + std::to_string(r.volume.leads_with_outdated_scores) +
            " leads carry scores of older scoring rules";
  }
  return text;
}

void mark_no_outcomes(CalibrationReport& r) {
  r.status = std::string(kStatusNoOutcomes);
  r.message =
      "No outcomes yet: historical_outcomes is empty and no lead_outcomes row was "
      "exported before " +
      r.matured_before + " (" + std::to_string(r.volume.leads_pending) +
      " pending). Nothing to calibrate.";
  r.backtest.skipped_reason = "no outcomes yet";
  r.batches.skipped_reason = "no outcomes yet";
}

// The batch check: probabilities from the recorded scores' fit, summed per batch by the
// database. Fills r.batches and `rows`.
Status check_batches(Database& db, const OutcomeData& data, CalibrationReport& r,
                     std::vector<BatchRow>& rows) {
  const std::optional<LogisticFit> fit = fit_recorded_scores(data);
  if (!fit) {
    r.batches.skipped_reason = "no matured HADES leads with a score yet";
    return Status::ok_status();
  }
  Result<std::vector<BatchRow>> loaded = load_batches(db, data, score_probabilities(*fit));
  if (!loaded.ok()) return loaded.status();
  rows = std::move(loaded).value();
  r.batches = judge_batches(rows, *fit);
  return Status::ok_status();
}

// The changes HADES made to this icp.yaml (applies and rollbacks in icp_changes), in the order
// they were applied: the scoring check's period boundaries. Read without the file's lock (the
// calibrator never writes icp.yaml or beside it); a change being applied right now is not seen.
Result<std::vector<ChangePoint>> load_changes(Database& db, const std::string& icp_path) {
  constexpr int kMaxChanges = 100'000;
  Result<std::vector<domain::IcpChangeRecord>> history =
      domain::icp_change_history(db, "", kMaxChanges);
  if (!history.ok()) return history.status().with_context("calibrator: reading icp_changes");
  Result<std::string> path = domain::canonical_icp_path(icp_path);
  if (!path.ok()) return path.status();
  std::vector<ChangePoint> out;
  for (const domain::IcpChangeRecord& c : *history) {
    if (c.icp_path == *path) out.push_back({c.id, c.kind, c.applied_at});
  }
  std::sort(out.begin(), out.end(), [](const ChangePoint& a, const ChangePoint& b) {
    return std::tie(a.applied_at, a.id) < std::tie(b.applied_at, b.id);
  });
  return out;
}

// historical_outcomes' leads and deliveries: the scoring check's baseline.
Rate historical_baseline(const OutcomeData& data) {
  std::int64_t n = 0;
  std::int64_t k = 0;
  for (const LeadCell& c : data.cells) {
    if (!c.historical) continue;
    n += c.n;
    k += c.k;
  }
  return rate_of(n, k);
}

}  // namespace

Result<std::string> days_before(const std::string& started_at, std::int64_t days) {
  Result<std::string> before = hades::days_before(started_at, days);
  if (!before.ok()) return before.status().with_context("calibrator");
  return before;
}

Result<CalibratorConfig> bind_config(const Settings& settings) {
  CalibratorConfig config;
  const std::string icp_path = settings.get_string("icp").value_or("");
  if (icp_path.empty()) return Status::invalid_config("calibrator: `icp` is required");
  config.report_dir = settings.get_string("report_dir").value_or("reports/");
  if (config.report_dir.empty()) {
    return Status::invalid_config("calibrator: `report_dir` must not be empty");
  }
  config.matured_days = settings.get_int("matured_days").value_or(90);
  if (config.matured_days < 0 || config.matured_days > kMaxMaturedDays) {
    return bad_range("matured_days", 0, kMaxMaturedDays, config.matured_days);
  }
  Result<std::optional<std::string>> holdout =
      parse_split_time("holdout_date", settings.get_string("holdout_date").value_or(""));
  if (!holdout.ok()) return holdout.status().with_context("calibrator");
  config.holdout_date = *holdout;
  const std::int64_t resamples = settings.get_int("bootstrap_resamples").value_or(kMinResamples);
  if (resamples < kMinResamples || resamples > kMaxResamples) {
    return bad_range("bootstrap_resamples", kMinResamples, kMaxResamples, resamples);
  }
  config.bootstrap_resamples = static_cast<int>(resamples);
  const std::int64_t seed = settings.get_int("seed").value_or(1);
  if (seed < 0) return Status::invalid_config("calibrator: `seed` must be >= 0");
  config.seed = static_cast<std::uint64_t>(seed);
  Result<domain::IcpConfig> icp = domain::load_icp_config(icp_path);
  if (!icp.ok()) {
    // A missing icp.yaml is a mistake in the job, not a failing disk: report it as such.
    return Status::invalid_config("calibrator: `icp`: " + icp.status().message());
  }
  config.icp = std::move(icp).value();
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<CalibratorConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  // Here, so that `hades validate` reports a report_dir that cannot be written (exit 2).
  HADES_RETURN_IF_ERROR(check_writable_dir(config->report_dir, "calibrator: `report_dir`"));
  return std::unique_ptr<Plugin>(std::make_unique<Calibrator>(std::move(config).value()));
}

Calibrator::Calibrator(CalibratorConfig config) : config_(std::move(config)) {}

Result<CalibrationReport> Calibrator::calibrate(Context& ctx) {
  Database& db = ctx.database();
  HADES_RETURN_IF_ERROR(domain::apply_outcome_migrations(db));
  HADES_RETURN_IF_ERROR(
      apply_migrations(db, domain::kCalibrationComponent, domain::calibration_migrations()));
  const RunInfo& run = ctx.run();
  Result<std::string> matured_before = days_before(run.started_at, config_.matured_days);
  if (!matured_before.ok()) return matured_before.status();

  CalibrationReport r;
  r.created_at = run.started_at;
  r.run_id = run.run_id;
  r.job = run.job_name;
  r.icp_path = config_.icp.source;
  r.icp_sha256 = config_.icp.sha256;
  r.parameters = {config_.matured_days, config_.bootstrap_resamples, config_.seed};
  const Stopwatch watch;
  Result<std::vector<ChangePoint>> changes = load_changes(db, config_.icp.source);
  if (!changes.ok()) return changes.status();
  LoadOptions options{*matured_before, config_.holdout_date};
  for (const ChangePoint& c : *changes) options.change_times.push_back(c.applied_at);
  Result<OutcomeData> data = load_outcomes(db, config_.icp, options);
  if (!data.ok()) return data.status();
  ctx.log().info("calibrator: aggregated " + std::to_string(data->volume.counted()) +
                 " outcomes into " + std::to_string(data->cells.size()) + " groups in " +
                 watch.lap());
  r.volume = data->volume;
  r.matured_before = data->matured_before;
  r.holdout_date = data->holdout_date;
  r.holdout_automatic = data->holdout_automatic;
  if (ctx.cancelled()) return Status::cancelled("calibrator: cancelled after reading outcomes");
  if (r.volume.delivery_lag_p90_days && *r.volume.delivery_lag_p90_days > config_.matured_days) {
    ctx.log().warn("calibrator: 90% of deliveries arrive within " +
                   std::to_string(*r.volume.delivery_lag_p90_days) +
                   " days, more than matured_days (" + std::to_string(config_.matured_days) +
                   "): counted leads may still be missing deliveries");
  }
  if (r.volume.leads_with_outdated_scores > 0) {
    ctx.log().warn("calibrator: " + outdated_scores_note(r.volume));
  }
  if (r.volume.counted() == 0) {
    mark_no_outcomes(r);
    r.inputs_hash = hash_inputs(r, *data, {});
    return r;
  }

  r.dimensions = calibrate_dimensions(config_.icp, data->cells, data->states, false);
  assess_evidence(r.dimensions, {config_.bootstrap_resamples, config_.seed});
  for (const LeadCell& c : data->cells) {
    r.baseline_n += c.n;
    r.baseline_k += c.k;
  }
  r.backtest = run_backtest(config_.icp, *data, {config_.bootstrap_resamples, config_.seed});
  r.scoring = check_scoring(historical_baseline(*data), *changes, data->scoring);
  ctx.log().info("calibrator: dimensions and backtest in " + watch.lap());
  if (ctx.cancelled()) return Status::cancelled("calibrator: cancelled after the backtest");
  std::vector<BatchRow> batch_rows;
  HADES_RETURN_IF_ERROR(check_batches(db, *data, r, batch_rows));
  ctx.log().info("calibrator: " + std::to_string(batch_rows.size()) + " batches checked in " +
                 watch.lap());
  r.inputs_hash = hash_inputs(r, *data, batch_rows);
  r.status = std::string(kStatusOk);
  r.message = summary_message(r);
  return r;
}

Status Calibrator::write_files(const std::string& report_json) {
  std::error_code error;
  std::filesystem::create_directories(config_.report_dir, error);
  if (error) {
    return file_error("calibrator: `report_dir`", "create", config_.report_dir, error.value());
  }
  const std::filesystem::path dir(config_.report_dir);
  const std::string stamped = "calibration-" + file_stamp(report_.created_at);
  const std::pair<std::string_view, std::string> files[] = {
      {".json", report_json}, {".md", to_markdown(report_)}, {".csv", to_csv(report_)}};
  // Timestamped files first: calibration-latest.* only ever points at a complete run.
  for (const std::string_view name : {std::string_view(stamped), kLatest}) {
    for (const auto& [extension, text] : files) {
      const std::string path = (dir / (std::string(name) + std::string(extension))).string();
      const Status written = write_whole_file(path, text);
      if (!written.ok()) return written.with_context("calibrator: writing " + path);
    }
  }
  return Status::ok_status();
}

Status Calibrator::run(Context& ctx) {
  Result<CalibrationReport> report = calibrate(ctx);
  if (!report.ok()) return report.status();
  report_ = std::move(report).value();
  const std::string json = to_json(report_);
  const Status stored = ctx.database().apply(store_batch(report_, json));
  if (!stored.ok()) return stored.with_context("calibrator: storing the calibration run");
  HADES_RETURN_IF_ERROR(write_files(json));

  const std::string table = terminal_table(report_, isatty(fileno(stdout)) != 0);
  std::fwrite(table.data(), 1, table.size(), stdout);
  std::fflush(stdout);
  ctx.log().info("calibrator: " + report_.message + "; report in " + config_.report_dir);
  if (report_.batches.flagged > 0) {
    ctx.log().warn("calibrator: " + std::to_string(report_.batches.flagged) +
                   " export batches flagged (|z| > 3): see the report's batch check");
  }
  return Status::ok_status();
}

}  // namespace hades::calibrator

HADES_PLUGIN(calibrator, "1.0.0", hades::PluginKind::kTask,
             "Conversion per scoring dimension from outcomes: intervals, shrinkage, suggested "
             "scores, a backtest and a batch check; writes a report, never icp.yaml",
             hades::calibrator::kSettings, hades::calibrator::create)
