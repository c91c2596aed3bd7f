#include "lead_model/model.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "lead_model/logistic.h"
#include "leads/scoring.h"

namespace hades::lead_model {
namespace {

using Json = nlohmann::ordered_json;

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(); }

Json metrics_json(const MethodMetrics& m) {
  return {{"auc", optional_number(m.auc)},
          {"lift_top20", optional_number(m.lift_top20)},
          {"brier", optional_number(m.brier)},
          {"log_loss", optional_number(m.log_loss)}};
}

Json evaluation_json(const Evaluation& e) {
  Json out = {{"verdict", e.verdict},
              {"reason", e.reason},
              {"holdout_date", e.holdout_date},
              {"holdout_automatic", e.holdout_automatic},
              {"train_hades_leads", e.train_hades_leads},
              {"train_historical", e.train_historical},
              {"test_leads", e.test_leads},
              {"test_deliveries", e.test_deliveries},
              {"test_rescored", e.test_rescored},
              {"model", metrics_json(e.model)},
              {"weights", metrics_json(e.weights)},
              {"auc_difference", nullptr},
              {"reliability", Json::array()}};
  if (e.auc_difference) {
    const AucDifference& d = *e.auc_difference;
    out["auc_difference"] = {
        {"estimate", d.estimate}, {"low", d.low}, {"high", d.high}, {"resamples", d.resamples}};
  }
  for (const ReliabilityBin& b : e.reliability) {
    out["reliability"].push_back({{"leads", b.leads},
                                  {"deliveries", b.deliveries},
                                  {"predicted", b.predicted},
                                  {"observed", b.observed},
                                  {"low", b.low},
                                  {"high", b.high}});
  }
  return out;
}

Json features_json(const std::vector<ModelFeature>& features) {
  Json out = Json::array();
  for (const ModelFeature& f : features) {
    Json levels = Json::array();
    for (const ModelLevel& l : f.levels) {
      Json level = {{"level", l.level},
                    {"coefficient", l.coefficient},
                    {"share", l.share},
                    {"leads", l.leads},
                    {"deliveries", l.deliveries}};
      if (!l.pooled.empty()) level["pooled"] = l.pooled;
      levels.push_back(std::move(level));
    }
    out.push_back({{"name", feature_name(f.feature)}, {"levels", std::move(levels)}});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading: every field checked, every error naming where.

using In = nlohmann::json;

class Reader {
 public:
  explicit Reader(std::string where) : where_(std::move(where)) {}

  Status error(const std::string& path, const std::string& what) const {
    return Status::invalid_config(where_ + ": " + path + ": " + what);
  }

  Result<const In*> field(const In& object, const std::string& path, std::string_view key) const {
    if (!object.is_object()) return error(path, "expected an object");
    const auto it = object.find(key);
    if (it == object.end()) return error(path, "missing field '" + std::string(key) + "'");
    return &*it;
  }

  Result<double> number(const In& object, const std::string& path, std::string_view key) const {
    Result<const In*> v = field(object, path, key);
    if (!v.ok()) return v.status();
    if (!(*v)->is_number() || !std::isfinite((*v)->get<double>())) {
      return error(join(path, key), "expected a finite number");
    }
    return (*v)->get<double>();
  }

  Result<std::optional<double>> optional_number(const In& object, const std::string& path,
                                                std::string_view key) const {
    Result<const In*> v = field(object, path, key);
    if (!v.ok()) return v.status();
    if ((*v)->is_null()) return std::optional<double>();
    if (!(*v)->is_number() || !std::isfinite((*v)->get<double>())) {
      return error(join(path, key), "expected a finite number or null");
    }
    return std::optional<double>((*v)->get<double>());
  }

  Result<std::int64_t> integer(const In& object, const std::string& path,
                               std::string_view key) const {
    Result<const In*> v = field(object, path, key);
    if (!v.ok()) return v.status();
    if (!(*v)->is_number_integer()) return error(join(path, key), "expected a whole number");
    return (*v)->get<std::int64_t>();
  }

  Result<std::string> text(const In& object, const std::string& path, std::string_view key) const {
    Result<const In*> v = field(object, path, key);
    if (!v.ok()) return v.status();
    if (!(*v)->is_string()) return error(join(path, key), "expected text");
    return (*v)->get<std::string>();
  }

  Result<bool> boolean(const In& object, const std::string& path, std::string_view key) const {
    Result<const In*> v = field(object, path, key);
    if (!v.ok()) return v.status();
    if (!(*v)->is_boolean()) return error(join(path, key), "expected true or false");
    return (*v)->get<bool>();
  }

  Result<const In*> array(const In& object, const std::string& path, std::string_view key) const {
    Result<const In*> v = field(object, path, key);
    if (!v.ok()) return v.status();
    if (!(*v)->is_array()) return error(join(path, key), "expected a list");
    return *v;
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }

 private:
  std::string where_;
};

// Assigns the value of a Result expression to `lhs` or returns its status.
#define HADES_MODEL_READ(lhs, expr)                     \
  do {                                                  \
    auto model_read_ = (expr);                          \
    if (!model_read_.ok()) return model_read_.status(); \
    (lhs) = std::move(model_read_).value();             \
  } while (false)

Status read_metrics(const Reader& r, const In& e, const std::string& path, MethodMetrics* m) {
  HADES_MODEL_READ(m->auc, r.optional_number(e, path, "auc"));
  HADES_MODEL_READ(m->lift_top20, r.optional_number(e, path, "lift_top20"));
  HADES_MODEL_READ(m->brier, r.optional_number(e, path, "brier"));
  HADES_MODEL_READ(m->log_loss, r.optional_number(e, path, "log_loss"));
  return Status::ok_status();
}

Status read_evaluation(const Reader& r, const In& root, Evaluation* e) {
  const In* ev = nullptr;
  HADES_MODEL_READ(ev, r.field(root, "", "evaluation"));
  const std::string p = "evaluation";
  HADES_MODEL_READ(e->verdict, r.text(*ev, p, "verdict"));
  if (e->verdict != kModelBetter && e->verdict != kWeightsBetter &&
      e->verdict != kInsufficientEvidence && e->verdict != kNotEvaluated) {
    return r.error("evaluation.verdict", "unknown verdict '" + e->verdict + "'");
  }
  HADES_MODEL_READ(e->reason, r.text(*ev, p, "reason"));
  HADES_MODEL_READ(e->holdout_date, r.text(*ev, p, "holdout_date"));
  HADES_MODEL_READ(e->holdout_automatic, r.boolean(*ev, p, "holdout_automatic"));
  HADES_MODEL_READ(e->train_hades_leads, r.integer(*ev, p, "train_hades_leads"));
  HADES_MODEL_READ(e->train_historical, r.integer(*ev, p, "train_historical"));
  HADES_MODEL_READ(e->test_leads, r.integer(*ev, p, "test_leads"));
  HADES_MODEL_READ(e->test_deliveries, r.integer(*ev, p, "test_deliveries"));
  HADES_MODEL_READ(e->test_rescored, r.integer(*ev, p, "test_rescored"));
  const In* metrics = nullptr;
  HADES_MODEL_READ(metrics, r.field(*ev, p, "model"));
  HADES_RETURN_IF_ERROR(read_metrics(r, *metrics, p + ".model", &e->model));
  HADES_MODEL_READ(metrics, r.field(*ev, p, "weights"));
  HADES_RETURN_IF_ERROR(read_metrics(r, *metrics, p + ".weights", &e->weights));
  const In* diff = nullptr;
  HADES_MODEL_READ(diff, r.field(*ev, p, "auc_difference"));
  if (!diff->is_null()) {
    AucDifference d;
    const std::string dp = p + ".auc_difference";
    HADES_MODEL_READ(d.estimate, r.number(*diff, dp, "estimate"));
    HADES_MODEL_READ(d.low, r.number(*diff, dp, "low"));
    HADES_MODEL_READ(d.high, r.number(*diff, dp, "high"));
    std::int64_t resamples = 0;
    HADES_MODEL_READ(resamples, r.integer(*diff, dp, "resamples"));
    d.resamples = static_cast<int>(resamples);
    e->auc_difference = d;
  }
  const In* bins = nullptr;
  HADES_MODEL_READ(bins, r.array(*ev, p, "reliability"));
  for (std::size_t i = 0; i < bins->size(); ++i) {
    const std::string bp = p + ".reliability[" + std::to_string(i) + "]";
    ReliabilityBin b;
    HADES_MODEL_READ(b.leads, r.integer((*bins)[i], bp, "leads"));
    HADES_MODEL_READ(b.deliveries, r.integer((*bins)[i], bp, "deliveries"));
    HADES_MODEL_READ(b.predicted, r.number((*bins)[i], bp, "predicted"));
    HADES_MODEL_READ(b.observed, r.number((*bins)[i], bp, "observed"));
    HADES_MODEL_READ(b.low, r.number((*bins)[i], bp, "low"));
    HADES_MODEL_READ(b.high, r.number((*bins)[i], bp, "high"));
    e->reliability.push_back(b);
  }
  return Status::ok_status();
}

Status read_level(const Reader& r, const In& l, const std::string& path, ModelLevel* level) {
  HADES_MODEL_READ(level->level, r.text(l, path, "level"));
  HADES_MODEL_READ(level->coefficient, r.number(l, path, "coefficient"));
  HADES_MODEL_READ(level->share, r.number(l, path, "share"));
  HADES_MODEL_READ(level->leads, r.integer(l, path, "leads"));
  HADES_MODEL_READ(level->deliveries, r.integer(l, path, "deliveries"));
  if (level->share < 0 || level->share > 1) return r.error(path + ".share", "must be 0 to 1");
  if (l.contains("pooled")) {
    const In* pooled = nullptr;
    HADES_MODEL_READ(pooled, r.array(l, path, "pooled"));
    for (const In& p : *pooled) {
      if (!p.is_string()) return r.error(path + ".pooled", "expected a list of texts");
      level->pooled.push_back(p.get<std::string>());
    }
  }
  return Status::ok_status();
}

Status read_features(const Reader& r, const In& root, std::vector<ModelFeature>* out) {
  const In* features = nullptr;
  HADES_MODEL_READ(features, r.array(root, "", "features"));
  std::array<bool, kFeatureCount> seen{};
  for (std::size_t i = 0; i < features->size(); ++i) {
    const std::string path = "features[" + std::to_string(i) + "]";
    std::string name;
    HADES_MODEL_READ(name, r.text((*features)[i], path, "name"));
    const std::optional<Feature> f = feature_named(name);
    if (!f) return r.error(path + ".name", "unknown feature '" + name + "'");
    if (seen[index_of(*f)]) return r.error(path + ".name", "feature '" + name + "' repeated");
    seen[index_of(*f)] = true;
    ModelFeature feature{*f, {}};
    const In* levels = nullptr;
    HADES_MODEL_READ(levels, r.array((*features)[i], path, "levels"));
    for (std::size_t j = 0; j < levels->size(); ++j) {
      ModelLevel level;
      HADES_RETURN_IF_ERROR(
          read_level(r, (*levels)[j], path + ".levels[" + std::to_string(j) + "]", &level));
      for (const ModelLevel& other : feature.levels) {
        if (other.level == level.level) {
          return r.error(path + ".levels", "level '" + level.level + "' repeated");
        }
      }
      feature.levels.push_back(std::move(level));
    }
    out->push_back(std::move(feature));
  }
  for (const Feature f : kAllFeatures) {
    if (!seen[index_of(f)]) {
      return r.error("features", "feature '" + std::string(feature_name(f)) + "' is missing");
    }
  }
  std::sort(out->begin(), out->end(), [](const ModelFeature& a, const ModelFeature& b) {
    return index_of(a.feature) < index_of(b.feature);
  });
  return Status::ok_status();
}

Status read_training(const Reader& r, const In& root, TrainingData* t) {
  const In* in = nullptr;
  HADES_MODEL_READ(in, r.field(root, "", "training"));
  const std::string p = "training";
  HADES_MODEL_READ(t->matured_before, r.text(*in, p, "matured_before"));
  HADES_MODEL_READ(t->historical, r.integer(*in, p, "historical_outcomes"));
  HADES_MODEL_READ(t->historical_deliveries, r.integer(*in, p, "historical_deliveries"));
  HADES_MODEL_READ(t->hades_leads, r.integer(*in, p, "hades_outcomes"));
  HADES_MODEL_READ(t->hades_deliveries, r.integer(*in, p, "hades_deliveries"));
  HADES_MODEL_READ(t->first_export, r.text(*in, p, "first_export"));
  HADES_MODEL_READ(t->last_export, r.text(*in, p, "last_export"));
  HADES_MODEL_READ(t->data_sha256, r.text(*in, p, "data_sha256"));
  return Status::ok_status();
}

Status read_c(const Reader& r, const In& root, LeadModel* m) {
  HADES_MODEL_READ(m->c, r.number(root, "", "c"));
  if (!(m->c > 0)) return r.error("c", "must be positive");
  const In* in = nullptr;
  HADES_MODEL_READ(in, r.field(root, "", "c_selection"));
  const std::string p = "c_selection";
  const In* grid = nullptr;
  HADES_MODEL_READ(grid, r.array(*in, p, "grid"));
  const In* losses = nullptr;
  HADES_MODEL_READ(losses, r.array(*in, p, "log_loss"));
  if (grid->size() != losses->size()) return r.error(p, "grid and log_loss differ in length");
  for (std::size_t i = 0; i < grid->size(); ++i) {
    if (!(*grid)[i].is_number()) return r.error(p + ".grid", "expected numbers");
    m->c_selection.grid.push_back((*grid)[i].get<double>());
    if ((*losses)[i].is_null()) {
      m->c_selection.log_loss.emplace_back();
    } else if ((*losses)[i].is_number()) {
      m->c_selection.log_loss.emplace_back((*losses)[i].get<double>());
    } else {
      return r.error(p + ".log_loss", "expected numbers or null");
    }
  }
  std::int64_t folds = 0;
  HADES_MODEL_READ(folds, r.integer(*in, p, "folds"));
  m->c_selection.folds = static_cast<int>(folds);
  HADES_MODEL_READ(m->c_selection.chosen, r.number(*in, p, "chosen"));
  HADES_MODEL_READ(m->c_selection.note, r.text(*in, p, "note"));
  return Status::ok_status();
}

Status read_identity(const Reader& r, const In& root, LeadModel* m) {
  std::string format;
  HADES_MODEL_READ(format, r.text(root, "", "format"));
  if (format != kModelFormat) {
    return r.error("format", "expected '" + std::string(kModelFormat) + "', got '" + format + "'");
  }
  std::int64_t version = 0;
  HADES_MODEL_READ(version, r.integer(root, "", "format_version"));
  if (version != kModelFormatVersion) {
    return r.error("format_version", "the file is version " + std::to_string(version) +
                                         "; this hades reads version " +
                                         std::to_string(kModelFormatVersion) +
                                         " (train the model again with this hades)");
  }
  m->format_version = static_cast<int>(version);
  HADES_MODEL_READ(m->created_at, r.text(root, "", "created_at"));
  const In* run = nullptr;
  HADES_MODEL_READ(run, r.field(root, "", "run_id"));
  if (run->is_number_integer()) {
    m->run_id = run->get<std::int64_t>();
  } else if (!run->is_null()) {
    return r.error("run_id", "expected a whole number or null");
  }
  const In* icp = nullptr;
  HADES_MODEL_READ(icp, r.field(root, "", "icp"));
  HADES_MODEL_READ(m->icp_path, r.text(*icp, "icp", "path"));
  HADES_MODEL_READ(m->icp_sha256, r.text(*icp, "icp", "sha256"));
  const In* fs = nullptr;
  HADES_MODEL_READ(fs, r.field(root, "", "feature_set"));
  HADES_MODEL_READ(m->feature_set_sha256, r.text(*fs, "feature_set", "sha256"));
  const In* definition = nullptr;
  HADES_MODEL_READ(definition, r.field(*fs, "feature_set", "definition"));
  if (!definition->is_object()) return r.error("feature_set.definition", "expected an object");
  m->feature_set_json = definition->dump();
  return Status::ok_status();
}

Status read_solver(const Reader& r, const In& root, SolverInfo* s) {
  const In* in = nullptr;
  HADES_MODEL_READ(in, r.field(root, "", "solver"));
  std::int64_t iterations = 0;
  HADES_MODEL_READ(iterations, r.integer(*in, "solver", "iterations"));
  s->iterations = static_cast<int>(iterations);
  HADES_MODEL_READ(s->converged, r.boolean(*in, "solver", "converged"));
  HADES_MODEL_READ(s->objective, r.number(*in, "solver", "objective"));
  HADES_MODEL_READ(s->gradient_max, r.number(*in, "solver", "gradient_max"));
  return Status::ok_status();
}

#undef HADES_MODEL_READ

}  // namespace

double best_probability(const LeadModel& model, RowKind kind) {
  double eta = model.intercept;
  for (const ModelFeature& f : model.features) {
    if (!has_feature(kind, f.feature) || f.levels.empty()) continue;
    double best = f.levels.front().coefficient;
    for (const ModelLevel& l : f.levels) best = std::max(best, l.coefficient);
    eta += best;
  }
  return sigmoid(eta);
}

std::string model_to_json(const LeadModel& m) {
  Json definition = Json::parse(m.feature_set_json.empty() ? "{}" : m.feature_set_json);
  Json c_losses = Json::array();
  for (const std::optional<double>& l : m.c_selection.log_loss)
    c_losses.push_back(optional_number(l));
  Json out = {
      {"format", kModelFormat},
      {"format_version", m.format_version},
      {"created_at", m.created_at},
      {"run_id", m.run_id ? Json(*m.run_id) : Json()},
      {"icp", {{"path", m.icp_path}, {"sha256", m.icp_sha256}}},
      {"feature_set", {{"sha256", m.feature_set_sha256}, {"definition", definition}}},
      {"method",
       {{"model", "logistic regression"},
        {"objective", "sum of log-loss + ||w||^2 / (2C); the intercept is not penalised"},
        {"encoding",
         "one-hot of each feature's levels, no level dropped; a feature a row does not have "
         "(historical rows: proximity, signal_strength, freshness; intent leads: proximity; "
         "geography leads: signal_strength, freshness) is all zeros"},
        {"rare_levels", "levels with fewer than " + std::to_string(kMinLevelLeads) + " leads or " +
                            std::to_string(kMinLevelDeliveries) +
                            " deliveries are pooled into Other"}}},
      {"c", m.c},
      {"c_selection",
       {{"grid", m.c_selection.grid},
        {"log_loss", c_losses},
        {"folds", m.c_selection.folds},
        {"chosen", m.c_selection.chosen},
        {"note", m.c_selection.note}}},
      {"intercept", m.intercept},
      {"features", features_json(m.features)},
      {"score_mapping", {{"formula", "round(100 * p / p_max), at most 100"}}},
      {"training",
       {{"matured_before", m.training.matured_before},
        {"historical_outcomes", m.training.historical},
        {"historical_deliveries", m.training.historical_deliveries},
        {"hades_outcomes", m.training.hades_leads},
        {"hades_deliveries", m.training.hades_deliveries},
        {"first_export", m.training.first_export},
        {"last_export", m.training.last_export},
        {"data_sha256", m.training.data_sha256}}},
      {"solver",
       {{"method", "newton"},
        {"iterations", m.solver.iterations},
        {"converged", m.solver.converged},
        {"objective", m.solver.objective},
        {"gradient_max", m.solver.gradient_max}}},
      {"evaluation", evaluation_json(m.evaluation)}};
  // For readers of the file; recomputed from the coefficients when a model is read.
  out["score_mapping"]["p_max"] = {{"intent", best_probability(m, RowKind::kIntent)},
                                   {"geography", best_probability(m, RowKind::kGeography)}};
  return out.dump(2) + "\n";
}

Result<LeadModel> model_from_json(std::string_view text, const std::string& where) {
  const Reader r(where);
  const In root = In::parse(text, nullptr, false);
  if (root.is_discarded()) return Status::invalid_config(where + ": not JSON");
  if (!root.is_object()) return Status::invalid_config(where + ": not a JSON object");
  LeadModel m;
  HADES_RETURN_IF_ERROR(read_identity(r, root, &m));
  HADES_RETURN_IF_ERROR(read_c(r, root, &m));
  Result<double> intercept = r.number(root, "", "intercept");
  if (!intercept.ok()) return intercept.status();
  m.intercept = *intercept;
  HADES_RETURN_IF_ERROR(read_features(r, root, &m.features));
  HADES_RETURN_IF_ERROR(read_training(r, root, &m.training));
  HADES_RETURN_IF_ERROR(read_solver(r, root, &m.solver));
  HADES_RETURN_IF_ERROR(read_evaluation(r, root, &m.evaluation));
  return m;
}

// ---------------------------------------------------------------------------------------------

ModelScorer::ModelScorer(LeadModel model) : model_(std::move(model)) {
  other_.fill(-1);
  for (const ModelFeature& f : model_.features) {
    const std::size_t d = index_of(f.feature);
    for (std::size_t i = 0; i < f.levels.size(); ++i) {
      const ModelLevel& l = f.levels[i];
      index_[d].emplace(l.level, static_cast<int>(i));
      if (l.level == kOtherLevel) other_[d] = static_cast<int>(i);
      mean_[d] += l.share * l.coefficient;
    }
  }
  p_max_[0] = best_probability(model_, RowKind::kIntent);
  p_max_[1] = best_probability(model_, RowKind::kGeography);
}

Result<ModelScorer> ModelScorer::make(LeadModel model, const BucketRules& rules) {
  if (model.feature_set_sha256 != rules.definition_sha256()) {
    return Status::invalid_config(
        "the model was trained on another feature set (icp.yaml's tiers or strengths differ: "
        "model " +
        model.feature_set_sha256.substr(0, 12) + ", icp.yaml " +
        rules.definition_sha256().substr(0, 12) + "); train it again with this icp.yaml");
  }
  return ModelScorer(std::move(model));
}

int ModelScorer::level_of(Feature f, const std::string& bucket) const {
  const auto& index = index_[index_of(f)];
  const auto it = index.find(bucket);
  return it != index.end() ? it->second : other_[index_of(f)];
}

double ModelScorer::p_max(RowKind kind) const {
  return kind == RowKind::kGeography ? p_max_[1] : p_max_[0];
}

ModelLeadScore ModelScorer::score(RowKind kind, const Buckets& buckets) const {
  double eta = model_.intercept;
  ModelLeadScore out;
  for (const ModelFeature& f : model_.features) {
    const std::size_t d = index_of(f.feature);
    if (!has_feature(kind, f.feature) || !buckets[d]) continue;
    const int level = level_of(f.feature, *buckets[d]);
    const double beta = level >= 0 ? f.levels[static_cast<std::size_t>(level)].coefficient : 0;
    eta += beta;
    out.contributions.push_back(
        {f.feature, level >= 0 ? f.levels[static_cast<std::size_t>(level)].level : *buckets[d],
         beta - mean_[d]});
  }
  out.probability = sigmoid(eta);
  const double ratio = 100 * out.probability / p_max(kind);
  out.score = std::min<std::int64_t>(domain::kMaxScore,
                                     static_cast<std::int64_t>(domain::round_half_even(ratio)));
  std::stable_sort(out.contributions.begin(), out.contributions.end(),
                   [](const Contribution& a, const Contribution& b) {
                     return std::fabs(a.value) > std::fabs(b.value);
                   });
  if (out.contributions.size() > 3) out.contributions.resize(3);
  return out;
}

}  // namespace hades::lead_model
