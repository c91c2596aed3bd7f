// source_features.h: the JSON the scorer writes: source_features, and rejected rows.
//
// source_features records everything a score was computed from, so that weights can be
// recalibrated later without asking ZoomInfo again:
//
//   {"as_of":"2026-02-11","components":{...},"icp_sha256":"...","inputs":{...},
//    "score":84,"scoring_rules":2,"workflow":"intent"}
//
// `inputs` holds every lead field in kLeadFieldNames except person_id and company_name, as the
// lead gave it (null when blank), with sic_code, employee_count, zip and state normalized and
// their `_raw` text beside them; distance_miles and intent_score are numbers when they parse.
// `components` holds the workflow's component scores, bonuses and the unrounded `total`.
// `scoring_rules` is the version of the rules that computed `score` (kScoringRulesVersion), so a
// score recorded by an older build is never mistaken for one of today's rules. Keys are sorted and
// the JSON is compact, so equal leads give equal bytes.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_SCORER_SOURCE_FEATURES_H_
#define HADES_PLUGINS_SCORER_SOURCE_FEATURES_H_

#include <string>
#include <string_view>

#include "hades/record.h"
#include "lead.h"
#include "lead_model/model.h"
#include "leads/scoring.h"

namespace hades::scorer {

// The model's part of a lead's source_features, when the lead model scored it (the scorer's
// `model` setting, model_method.h): written as "model" (keys sorted: contributions, each
// {feature, level, value}; probability; sha256 and source of the model; weights_score, what the
// weights would have given), and "score" is the model's score.
struct ModelAnnotation {
  std::string_view source;
  std::string_view sha256;
  const lead_model::ModelLeadScore* score = nullptr;
  std::int64_t weights_score = 0;
};

// What every source_features object shares within a run.
struct FeatureContext {
  std::string_view workflow;
  std::string_view as_of;
  std::string_view icp_sha256;
};

// `model` is null when the weights scored the lead: then nothing about models is written, and the
// bytes are those of a scorer without the setting.
std::string intent_features(const FeatureContext& context, const Lead& lead,
                            const domain::IntentScore& score,
                            const ModelAnnotation* model = nullptr);
std::string geography_features(const FeatureContext& context, const Lead& lead,
                               const domain::GeographyScore& score,
                               const ModelAnnotation* model = nullptr);

// `row` as a JSON object keyed by `schema`'s column names, for the rejects file. Invalid UTF-8
// is replaced rather than failing.
std::string row_json(const Schema& schema, const Row& row);

}  // namespace hades::scorer

#endif  // HADES_PLUGINS_SCORER_SOURCE_FEATURES_H_
