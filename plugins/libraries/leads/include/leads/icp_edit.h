// icp_edit.h: which numbers of icp.yaml a calibration report's suggestions change, and the new
// text with only those numbers (and their comments) changed.
//
// plan_icp_edit() is pure: report JSON text + icp.yaml bytes + a selection -> the list of
// changes, the new text and its unified diff, or a Status naming the item that cannot be
// applied. It writes nothing; icp_changes.h applies a plan under a lock with an audit row. The
// weight_writer plugin and the calibration page both call it, so a preview and an apply can
// never disagree.
//
// How the text is edited (plugins/domain/weight_writer/README.md has the user's view):
//   - The file is parsed with yaml-cpp only to find where things are (Node::Mark() gives each
//     scalar's byte offset); the edit replaces those bytes in the original text. YAML is never
//     re-emitted, so comments, key order, quoting, blank lines, line ends (CRLF stays CRLF) and
//     a UTF-8 BOM stay exactly as they were.
//   - Each selected bucket maps to one place (icp_places.h): sic -> onsite_likelihood.sic_scores
//     ["8062"], employee_tier "101-500" -> the employee_scale tier with min 101 and max 500 (its
//     score), proximity "5-10 mi" -> the proximity tier with max_miles 10 (its score),
//     signal_strength "High" -> signal_strength_scores.High, freshness "Warm" -> the multiplier
//     of the tier labelled Warm, written as score/100 in the shortest decimal the scorer reads
//     back as that score (0.7; 29, 57 and 58 need a third digit: 0.291, as int(100 * 0.29) is 28).
//   - A changed value on a line of its own gets its comment rewritten to state the evidence:
//     `# 11.2% delivery rate, 412 leads, calibrated 2026-12-06, was 40`; a SIC line keeps the
//     industry name its comment started with (`# Hospitals: 11.2% delivery rate, ...`). The
//     comment's column is kept when the number still fits before it; numbers that stood in a
//     right-aligned column (sic_scores) stay right-aligned. A value inside a flow collection
//     (`{score: 85}`) or sharing its line with other entries changes alone: its comment, which
//     may be about the other entries, is left as it is.
//   - A SIC code the report has data for but sic_scores lacks is inserted as a new entry: in a
//     block mapping a line with the siblings' indentation, key quoting and columns, before the
//     first greater code when the codes are sorted (else after the last), with the comment above
//     and the industry name from hard_filters.sic_codes when that list names the code; in a flow
//     mapping an entry `"7033": 52` in the same place.
//   - The new text is loaded with the scorer's own loader (parse_icp_config), and every value
//     the scorer reads is compared with the old file's: the planned places must read exactly the
//     new values and nothing else may differ. A value shared through a YAML anchor with another
//     place is refused, since changing it would change both.
//
// Selections (parse_selection):
//   `sic:8062,employee_tier:101-500,proximity:5-10 mi`  items `dimension:bucket`, the report's
//                                        `dimension` and `bucket` names, comma-separated;
//   `all`        every bucket of a scored dimension whose suggested_score differs from its
//                current_score and which has a place in icp.yaml (others are listed as skipped);
//   `supported`  the same, limited to buckets whose `verdict` is `supported`. A report without
//                verdicts (written before the calibrator had them) is refused.
// An item the report does not hold, of a dimension icp.yaml has no scores for (state, region),
// without a suggestion, or without a place in icp.yaml (`unknown`, `outside tiers`, `beyond 100
// mi`, `past tiers`, a strength icp.yaml does not list: their scores are the scorer's fixed rules
// or defaults) is refused with kInvalidConfig naming it. A named item whose suggestion equals the
// current value is skipped, not refused.
//
// Errors are kInvalidConfig (exit 2): the report is not a calibration report, the report was
// made from another icp.yaml ("icp.yaml changed since this report; recalibrate"), a bad item,
// icp.yaml does not load, or the edited text would not load or would change anything else.
//
// Thread safety: pure functions.

#ifndef HADES_LEADS_ICP_EDIT_H_
#define HADES_LEADS_ICP_EDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"

namespace hades::domain {

// One `dimension:bucket` item, with the report's names ("sic", "8062").
struct SelectionItem {
  std::string dimension;
  std::string bucket;
  bool operator==(const SelectionItem&) const = default;
};

struct Selection {
  enum class Kind { kItems, kAll, kSupported };
  Kind kind = Kind::kItems;
  std::vector<SelectionItem> items;  // kItems only: in the order given, without repeats
};

// Parses `all`, `supported`, or comma-separated `dimension:bucket` items (blanks around an item
// are ignored; a bucket may contain blanks, "proximity:5-10 mi"). kInvalidConfig naming the
// malformed item; an empty selection is an error too.
Result<Selection> parse_selection(std::string_view text);
// The selection as parse_selection() reads it back.
std::string selection_text(const Selection& selection);

// One number of icp.yaml to change.
struct IcpChange {
  std::string dimension;  // the report's names: "sic", "8062"
  std::string bucket;
  std::string place;           // where in icp.yaml: `onsite_likelihood.sic_scores."8062"`,
                               // `employee_scale[1].score`, `freshness.warm.multiplier`
  int line = 0;                // 1-based line of the value in the new text
  bool inserted = false;       // a new sic_scores entry
  std::string old_value;       // the value's text in the old file; "" when inserted
  std::string new_value;       // the text written: "52", "0.63"
  std::int64_t old_score = 0;  // the report's current_score (for an inserted SIC: the default)
  std::int64_t new_score = 0;  // the report's suggested_score
  std::int64_t leads = 0;      // the evidence: the bucket's n, deliveries and rate
  std::int64_t deliveries = 0;
  double rate = 0;
  std::string confidence;  // High, Medium, Low
  std::string comment;     // the comment written after it; "" when its comment was left alone
};

// A bucket `all` or `supported` left out, or a named item already at its suggestion.
struct SkippedItem {
  SelectionItem item;
  std::string reason;  // "no place in icp.yaml: ...", "already 52"
};

struct PlanOptions {
  // The date written into rewritten comments ("calibrated 2026-12-06"): the run's date.
  std::string calibrated_on;
  // How icp.yaml is named in messages and the diff's headers ("a/<name>", "b/<name>").
  std::string icp_name = "icp.yaml";
};

struct IcpEditPlan {
  std::vector<IcpChange> changes;  // in file order
  std::vector<SkippedItem> skipped;
  std::string report_inputs_hash;  // the report's inputs_hash
  std::string report_created_at;
  std::string sha256_before;  // of the old and new bytes (equal when there is nothing to do)
  std::string sha256_after;
  std::string text_after;  // the new bytes; the old ones are the caller's
  std::string diff;        // unified diff old -> new; "" when there is nothing to do
  bool empty() const { return changes.empty(); }
};

// The plan for applying `selection` of the report `report_json` to icp.yaml's bytes `icp_text`.
// See the file comment for what is refused; every refusal names the item or the place.
Result<IcpEditPlan> plan_icp_edit(std::string_view report_json, std::string_view icp_text,
                                  const Selection& selection, const PlanOptions& options);

// The changes as a JSON array of objects (dimension, bucket, place, line, inserted, old, new,
// old_score, new_score, leads, deliveries, rate, confidence, comment): icp_changes.items.
std::string changes_to_json(const std::vector<IcpChange>& changes);
// Reads changes_to_json()'s text back. kCorruption when it is not such an array.
Result<std::vector<IcpChange>> changes_from_json(std::string_view json);

// The evidence as comments and listings write it: 1523 -> "1,523", 0.1124 -> "11.2%".
std::string count_text(std::int64_t n);
std::string rate_text(double rate);

// The multiplier text for a freshness score: score/100 in the fewest decimals (at least one)
// that int(100.0 * value) reads back as `score` ("1.0", "0.7", "0.63", "0.291").
// REQUIRES: 0 <= score <= 100.
std::string multiplier_text(std::int64_t score);

}  // namespace hades::domain

#endif  // HADES_LEADS_ICP_EDIT_H_
