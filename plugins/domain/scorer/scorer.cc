#include "scorer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "hades/plugin_export.h"
#include "leads/normalize.h"
#include "source_features.h"

namespace hades::scorer {

const SettingSpec kSettings[5] = {
    {"icp", SettingType::kString, true, nullptr, false,
     "Path of the icp.yaml to score with. It is loaded and checked when the step is created, so "
     "`hades validate` reports a missing or mistyped key with its file, line and column."},
    {"workflow", SettingType::kString, true, nullptr, false,
     "`intent` or `geography`: which formula and weights of icp.yaml to score with."},
    {"as_of", SettingType::kString, false, nullptr, false,
     "The date (YYYY-MM-DD) intent freshness is measured against. Empty or absent: the run's "
     "start date, so a resumed or re-run run scores as the first attempt did."},
    {"min_score", SettingType::kInt, false, "0", false,
     "Leads scoring below this (0-100) are left out, like stale ones: not passed on, not "
     "rejected."},
    {"model", SettingType::kString, false, "approved", false,
     "`approved`: score with the lead model when icp.yaml's `scoring_method` approves one and it "
     "is usable, else with the weights (logging why); `off`: always the weights. See "
     "docs/model.md."},
};

namespace {

using domain::GeographyScore;
using domain::IntentScore;
using domain::Workflow;

// Positions in kAppendedColumns.
enum Tail : std::size_t {
  kSicCodeRaw,
  kEmployeeCountRaw,
  kZipRaw,
  kStateRaw,
  kWorkflow,
  kHadesScore,
  kPriority,
  kPriorityNote,
  kScoreSignal,
  kScoreOnsite,
  kScoreFreshness,
  kScoreProximity,
  kScoreAuthority,
  kScoreEmployee,
  kAudienceBonus,
  kEmployeeBonus,
  kAgeDays,
  kFreshnessLabel,
  kIcpSha256,
  kRunId,
  kScoringRules,
  kSourceFeatures,
  kTailSize,
};
static_assert(kTailSize == kAppendedColumns.size());
static_assert(kAppendedColumns[kSourceFeatures] == "source_features");

// The date in `text` when it is exactly YYYY-MM-DD.
std::optional<std::int64_t> exact_date(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  Result<std::optional<std::int64_t>> days = domain::parse_date(text);
  return days.ok() ? *days : std::nullopt;
}

Value optional_value(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }
Value optional_value(const std::optional<std::string>& v) { return v ? Value(*v) : Value(); }

}  // namespace

Result<ScorerConfig> bind_config(const Settings& settings) {
  ScorerConfig config;
  const std::string icp_path = settings.get_string("icp").value_or("");
  if (icp_path.empty()) return Status::invalid_config("scorer: `icp` is required");
  const std::string workflow = settings.get_string("workflow").value_or("");
  const std::optional<Workflow> parsed = domain::parse_workflow(workflow);
  if (!parsed) {
    return Status::invalid_config("scorer: `workflow` must be intent or geography, got '" +
                                  workflow + "'");
  }
  config.workflow = *parsed;
  config.as_of = settings.get_string("as_of").value_or("");
  config.min_score = settings.get_int("min_score").value_or(0);
  if (config.min_score < 0 || config.min_score > domain::kMaxScore) {
    return Status::invalid_config("scorer: `min_score` must be between 0 and 100, got " +
                                  std::to_string(config.min_score));
  }
  const std::string model = settings.get_string("model").value_or("approved");
  const std::optional<ModelSetting> setting = parse_model_setting(model);
  if (!setting) {
    return Status::invalid_config("scorer: `model` must be approved or off, got '" + model + "'");
  }
  config.model = *setting;
  if (!config.as_of.empty() && !exact_date(config.as_of)) {
    return Status::invalid_config("scorer: `as_of` must be a YYYY-MM-DD date, got '" +
                                  config.as_of + "'");
  }
  Result<domain::IcpConfig> icp = domain::load_icp_config(icp_path);
  if (!icp.ok()) {
    // A missing icp.yaml is a mistake in the job, not a failing disk: report it as such.
    return Status::invalid_config("scorer: `icp`: " + icp.status().message());
  }
  config.icp = std::move(icp).value();
  return config;
}

Result<std::unique_ptr<Plugin>> create(const Settings& settings) {
  Result<ScorerConfig> config = bind_config(settings);
  if (!config.ok()) return config.status();
  return std::unique_ptr<Plugin>(std::make_unique<Scorer>(std::move(config).value()));
}

Scorer::Scorer(ScorerConfig config) : config_(std::move(config)) {}

Result<std::shared_ptr<const Schema>> Scorer::open(Context& ctx,
                                                   const std::shared_ptr<const Schema>& input) {
  as_of_ = config_.as_of.empty() ? ctx.run().started_at.substr(0, 10) : config_.as_of;
  const std::optional<std::int64_t> as_of_days = exact_date(as_of_);
  if (!as_of_days) {
    return Status::invalid_config("scorer: `as_of` is not set and the run's start time '" +
                                  ctx.run().started_at + "' does not begin with a YYYY-MM-DD date");
  }
  as_of_days_ = *as_of_days;
  const std::optional<std::int64_t> run_day = exact_date(ctx.run().started_at.substr(0, 10));
  if (run_day && as_of_days_ > *run_day + kClockSkewDays) {
    return Status::invalid_config(
        "scorer: `as_of` " + as_of_ + " is more than a day after the run's date " +
        ctx.run().started_at.substr(0, 10) + ": freshness cannot be measured from the future");
  }
  run_id_ = ctx.run().run_id;
  Result<std::unique_ptr<ModelMethod>> method = choose_method(ctx, config_.model, config_.icp);
  if (!method.ok()) return method.status().with_context("scorer: choosing the scoring method");
  model_ = std::move(method).value();

  Result<LeadColumns> columns = LeadColumns::map(*input);
  if (!columns.ok()) return columns.status();
  columns_ = *columns;
  std::vector<std::string> names = input->columns();
  for (const std::string_view name : kAppendedColumns) {
    if (input->index_of(name)) {
      return Status::invalid_config("scorer: the input already has a '" + std::string(name) +
                                    "' column, which the scorer adds; drop it from the input");
    }
    names.emplace_back(name);
  }
  output_schema_ = std::make_shared<const Schema>(std::move(names));
  ctx.log().info("scorer: " + std::string(domain::workflow_name(config_.workflow)) +
                 " leads as of " + as_of_ + " with " + config_.icp.source + " (sha256 " +
                 config_.icp.sha256.substr(0, 12) + ")");
  return output_schema_;
}

Status Scorer::apply(Chunk input, Chunk* output, Rejects& rejects) {
  if (!output_schema_) return Status::internal("scorer: apply() before open()");
  output->reserve(output->size() + input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    Lead lead;
    std::optional<LeadProblem> problem = find_control_character(*input.schema(), input.row(i));
    if (!problem) problem = read_lead(input.row(i), columns_, config_.workflow, &lead);
    if (!problem) problem = future_intent_date(lead);
    if (problem) {
      rejects.reject(problem->kind, input.position(i), problem->reason,
                     row_json(*input.schema(), input.row(i)));
      continue;
    }
    // Moving the row moves its buffer, not its values: `lead`'s views into it stay valid.
    emit(std::move(input.mutable_row(i)), input.position(i), lead, output);
  }
  return Status::ok_status();
}

std::optional<LeadProblem> Scorer::future_intent_date(const Lead& lead) const {
  if (config_.workflow != Workflow::kIntent || !lead.intent_date_days.value) return std::nullopt;
  const std::int64_t days_ahead = *lead.intent_date_days.value - as_of_days_;
  if (days_ahead <= kClockSkewDays) return std::nullopt;
  return LeadProblem{kFutureIntentDate,
                     "intent_date: '" + std::string(lead.field(LeadField::kIntentDate)) + "' is " +
                         std::to_string(days_ahead) + " days after as_of " + as_of_ +
                         " (a day of clock skew is age 0; more is a wrong date, not fresh intent)"};
}

std::optional<std::int64_t> Scorer::score_intent(const Lead& lead, const FeatureContext& context,
                                                 Row* tail) const {
  domain::IntentInputs in;
  in.sic4 = lead.sic4 ? std::string_view(*lead.sic4) : std::string_view();
  in.employees = lead.employees;
  in.intent_score = lead.intent_score.value;
  in.intent_strength = lead.field(LeadField::kIntentStrength);
  // A date up to a day after as_of is clock skew: age 0 (later ones were rejected).
  if (lead.intent_date_days.value) {
    in.age_days = std::max<std::int64_t>(0, as_of_days_ - *lead.intent_date_days.value);
  }
  in.audience_strength = lead.field(LeadField::kAudienceStrength);
  const IntentScore s = domain::score_intent(config_.icp, in);
  if (s.excluded()) return std::nullopt;
  std::optional<lead_model::ModelLeadScore> by_model;
  if (model_) by_model = model_->score(config_.workflow, lead, as_of_days_);
  const std::int64_t score = by_model ? by_model->score : s.score;
  if (score < config_.min_score) return std::nullopt;
  Row& t = *tail;
  t[kScoreSignal] = s.signal;
  t[kScoreOnsite] = s.onsite;
  t[kScoreFreshness] = s.freshness.score;
  t[kAudienceBonus] = s.audience_bonus;
  t[kEmployeeBonus] = optional_value(s.employee_bonus);
  t[kAgeDays] = s.freshness.age_days;
  t[kFreshnessLabel] = std::string(s.freshness.label);
  const ModelAnnotation annotation = annotate(by_model, s.score);
  t[kSourceFeatures] = intent_features(context, lead, s, by_model ? &annotation : nullptr);
  return score;
}

std::optional<std::int64_t> Scorer::score_geography(const Lead& lead, const FeatureContext& context,
                                                    Row* tail) const {
  domain::GeographyInputs in;
  in.sic4 = lead.sic4 ? std::string_view(*lead.sic4) : std::string_view();
  in.employees = lead.employees;
  in.distance_miles = lead.distance_miles.value;
  in.management_level = lead.field(LeadField::kManagementLevel);
  in.title = lead.field(LeadField::kTitle);
  const GeographyScore s = domain::score_geography(config_.icp, in);
  std::optional<lead_model::ModelLeadScore> by_model;
  if (model_) by_model = model_->score(config_.workflow, lead, as_of_days_);
  const std::int64_t score = by_model ? by_model->score : s.score;
  if (score < config_.min_score) return std::nullopt;
  Row& t = *tail;
  t[kScoreProximity] = s.proximity;
  t[kScoreOnsite] = s.onsite;
  t[kScoreAuthority] = s.authority;
  t[kScoreEmployee] = s.employee;
  const ModelAnnotation annotation = annotate(by_model, s.score);
  t[kSourceFeatures] = geography_features(context, lead, s, by_model ? &annotation : nullptr);
  return score;
}

ModelAnnotation Scorer::annotate(const std::optional<lead_model::ModelLeadScore>& by_model,
                                 std::int64_t weights_score) const {
  if (!by_model) return ModelAnnotation{};
  return ModelAnnotation{model_->source(), model_->sha256(), &*by_model, weights_score};
}

std::optional<std::int64_t> Scorer::emit(Row row, std::string position, const Lead& lead,
                                         Chunk* output) const {
  const FeatureContext context{domain::workflow_name(config_.workflow), as_of_, config_.icp.sha256};
  Row tail(kTailSize);
  const std::optional<std::int64_t> scored = config_.workflow == Workflow::kIntent
                                                 ? score_intent(lead, context, &tail)
                                                 : score_geography(lead, context, &tail);
  // Stale, or below min_score: left out on purpose, which is not an error either.
  if (!scored) return std::nullopt;
  const std::int64_t score = *scored;
  tail[kWorkflow] = std::string(context.workflow);
  tail[kHadesScore] = score;
  tail[kPriority] = std::string(domain::priority_label(score));
  tail[kPriorityNote] = std::string(domain::priority_note(score));
  tail[kIcpSha256] = config_.icp.sha256;
  tail[kRunId] = run_id_;
  tail[kScoringRules] = domain::kScoringRulesVersion;

  // From here on `lead.text` is not read: its views into `row` dangle once values move.
  const auto replace = [&row](std::optional<std::size_t> index, Value normalized) {
    if (!index) return Value();
    return std::exchange(row[*index], std::move(normalized));
  };
  tail[kSicCodeRaw] = replace(columns_.index(LeadField::kSicCode), optional_value(lead.sic4));
  tail[kEmployeeCountRaw] =
      replace(columns_.index(LeadField::kEmployeeCount), optional_value(lead.employees));
  tail[kZipRaw] = replace(columns_.index(LeadField::kZip), optional_value(lead.zip5));
  tail[kStateRaw] = replace(columns_.index(LeadField::kState), optional_value(lead.state));
  row.reserve(row.size() + tail.size());
  for (Value& v : tail) row.push_back(std::move(v));
  output->append(std::move(row), std::move(position));
  return score;
}

}  // namespace hades::scorer

HADES_PLUGIN(scorer, "1.0.0", hades::PluginKind::kTransform,
             "Scores leads with icp.yaml (intent or geography), normalizing messy fields",
             hades::scorer::kSettings, hades::scorer::create)
