// icp_method.h: the text edit that switches icp.yaml's `scoring_method` between the weights and
// a lead model (icp_config.h's ScoringMethod; docs/model.md).
//
// plan_method_edit() is pure, like plan_icp_edit(): icp.yaml's bytes + the method wanted -> one
// IcpChange, the new text and its diff. icp_changes.h applies it under the same lock, journal
// and audit as weight changes (apply_method_change()), and rolls it back the same way: a
// rollback restores the text before, byte for byte. Every other byte of the file stays.
//
//   - No `scoring_method` section: one is appended at the end of the file, after a blank line
//     and a comment that says what it is, in the file's line ending (CRLF stays CRLF):
//         scoring_method:
//           use: model
//           model: "12"
//   - A section already there: the scalars of `use` and `model` are replaced where they stand
//     (their quoting style aside: `model` is always written double-quoted, so that an id stays
//     text and a path needs no escaping rules); a `model` key it lacks is inserted on the line
//     after `use`, with `use`'s indentation (a flow mapping without `model` is refused: add it by
//     hand).
//   - Switching back to the weights writes `use: weights` and keeps `model` as it was, so the
//     file still says which model was last approved.
// The new text is loaded with the scorer's loader: it must read the new method, and every other
// value exactly as before (flatten_icp_config()).
//
// Errors are kInvalidConfig (exit 2), naming the file: it does not load, or the section cannot be
// edited safely. A file that already says what is asked for is not an error: the plan is empty.
//
// Thread safety: pure functions.

#ifndef HADES_LEADS_ICP_METHOD_H_
#define HADES_LEADS_ICP_METHOD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "hades/status.h"
#include "leads/icp_edit.h"

namespace hades::domain {

// The dimension and bucket of a method change's one IcpChange ("scoring_method:use").
inline constexpr std::string_view kMethodDimension = "scoring_method";
inline constexpr std::string_view kMethodBucket = "use";

struct MethodChoice {
  bool use_model = false;
  std::string model;  // use_model: the reference to write (a lead_models id or a file path)
};

// What the change records with it (IcpChange's evidence fields): the model's holdout.
struct MethodEvidence {
  std::int64_t leads = 0;       // holdout leads compared on
  std::int64_t deliveries = 0;  // their deliveries
  std::string verdict;          // "model better", ...
};

// "weights" or "model <reference>": how a change's old and new values read.
std::string method_text(bool use_model, std::string_view model);

// The plan for setting icp.yaml (bytes `icp_text`) to `choice`. Empty (no changes) when the file
// already says so. `options.icp_name` names the file in messages and the diff.
Result<IcpEditPlan> plan_method_edit(std::string_view icp_text, const MethodChoice& choice,
                                     const MethodEvidence& evidence, const PlanOptions& options);

}  // namespace hades::domain

#endif  // HADES_LEADS_ICP_METHOD_H_
