// model_testing.h: a hand-made lead model for the tests of what surrounds the model (the weight
// writer's approval, the page's Model tab): valid, over a given icp.yaml's feature set, one
// `unknown` level per feature, with the holdout verdict the test needs. Included as
// "lead_model/tests/model_testing.h".

#ifndef HADES_LEAD_MODEL_TESTS_MODEL_TESTING_H_
#define HADES_LEAD_MODEL_TESTS_MODEL_TESTING_H_

#include <string>
#include <string_view>

#include "lead_model/buckets.h"
#include "lead_model/model.h"
#include "leads/icp_config.h"

namespace hades::lead_model::testing {

inline LeadModel plain_model(const domain::IcpConfig& icp, std::string_view verdict) {
  const BucketRules rules(icp);
  LeadModel m;
  m.created_at = "2026-12-06T06:00:00Z";
  m.icp_sha256 = icp.sha256;
  m.feature_set_json = rules.definition_json();
  m.feature_set_sha256 = rules.definition_sha256();
  m.c_selection = {{1}, {0.3}, 1, 1, ""};
  m.intercept = -2;
  for (const Feature f : kAllFeatures) {
    m.features.push_back({f, {ModelLevel{std::string(kUnknownLevel), 0.1, 1, 100, 10, {}}}});
  }
  m.training.data_sha256 = std::string(64, '0');
  m.evaluation.verdict = std::string(verdict);
  m.evaluation.reason = "a hand-made model";
  m.evaluation.test_leads = 4000;
  m.evaluation.test_deliveries = 410;
  return m;
}

}  // namespace hades::lead_model::testing

#endif  // HADES_LEAD_MODEL_TESTS_MODEL_TESTING_H_
