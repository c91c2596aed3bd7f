#include "calibration.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "bucket_sql.h"
#include "common/normalize.h"
#include "common/outcome_tables.h"
#include "common/regions.h"
#include "lead_stream.h"

namespace hades::calibrator {
namespace {

using plugin_common::IcpConfig;
using plugin_common::Workflow;

constexpr std::string_view kOutsideTiers = "outside tiers";
constexpr std::string_view kPastTiers = "past tiers";
constexpr double kTrainingShare = 0.8;
constexpr double kDeliveryLagShare = 0.9;

// ---------------------------------------------------------------------------------------------
// Bucket schemes: which buckets icp.yaml defines for a dimension and the score each one gets.

struct SchemeEntry {
  std::string key;
  std::optional<std::int64_t> current;
};

struct Scheme {
  std::vector<SchemeEntry> icp;      // buckets icp.yaml defines, in its order
  std::vector<SchemeEntry> special;  // beyond the tiers, then `unknown`
  // The score of a data bucket icp.yaml does not name (a SIC without a score: the default).
  std::optional<std::int64_t> other_current;
  bool sorted_by_key = false;  // SIC and state rows read best in code order
};

std::string miles_text(double miles) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", miles);
  return buffer;
}

Scheme sic_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const auto& [sic, score] : icp.sic_scores) s.icp.push_back({sic, score});
  s.special.push_back({std::string(kUnknownBucket), plugin_common::onsite_score(icp, "")});
  s.other_current = icp.sic_default;
  s.sorted_by_key = true;
  return s;
}

Scheme employee_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const plugin_common::EmployeeTier& tier : icp.employee_scale) {
    s.icp.push_back({std::to_string(tier.min) + "-" + std::to_string(tier.max), tier.score});
  }
  s.special.push_back({std::string(kOutsideTiers), plugin_common::kEmployeeScoreOutsideTiers});
  s.special.push_back(
      {std::string(kUnknownBucket), plugin_common::employee_scale_score(icp, std::nullopt)});
  return s;
}

Scheme proximity_scheme(const IcpConfig& icp) {
  Scheme s;
  std::string lower = "0";
  for (const plugin_common::ProximityTier& tier : icp.proximity) {
    s.icp.push_back({lower + "-" + miles_text(tier.max_miles) + " mi", tier.score});
    lower = miles_text(tier.max_miles);
  }
  s.special.push_back({"beyond " + lower + " mi", plugin_common::kProximityScoreBeyondTiers});
  s.special.push_back(
      {std::string(kUnknownBucket), plugin_common::proximity_score(icp, std::nullopt)});
  return s;
}

Scheme signal_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const auto& [strength, score] : icp.signal_strength_scores)
    s.icp.push_back({strength, score});
  // The scorer scores a blank or unlisted strength as Low.
  s.other_current = plugin_common::signal_score(icp, std::nullopt, "");
  s.special.push_back({std::string(kUnknownBucket), s.other_current});
  return s;
}

Scheme freshness_scheme(const IcpConfig& icp) {
  Scheme s;
  for (const plugin_common::FreshnessTier& tier : icp.freshness) {
    s.icp.push_back({tier.label, static_cast<std::int64_t>(100.0 * tier.multiplier)});
  }
  s.special.push_back({std::string(kPastTiers), 0});
  s.special.push_back(
      {std::string(kUnknownBucket), plugin_common::freshness(icp, std::nullopt).score});
  return s;
}

Scheme scheme_for(const IcpConfig& icp, Dimension dimension) {
  switch (dimension) {
    case Dimension::kSic:
      return sic_scheme(icp);
    case Dimension::kEmployeeTier:
      return employee_scheme(icp);
    case Dimension::kProximity:
      return proximity_scheme(icp);
    case Dimension::kSignalStrength:
      return signal_scheme(icp);
    case Dimension::kFreshness:
      return freshness_scheme(icp);
    case Dimension::kState: {
      Scheme s;
      s.special.push_back({std::string(kUnknownBucket), std::nullopt});
      s.sorted_by_key = true;
      return s;
    }
    case Dimension::kRegion: {
      Scheme s;
      for (std::string_view region : plugin_common::kCensusRegions)
        s.special.push_back({std::string(region), {}});
      s.special.push_back({std::string(kUnknownBucket), std::nullopt});
      return s;
    }
  }
  return {};
}

const SchemeEntry* find_entry(const std::vector<SchemeEntry>& entries, std::string_view key) {
  for (const SchemeEntry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

// The bucket of a tiered digit's value; "" when the digit does not apply to the lead.
std::string tier_bucket(const Scheme& scheme, const CellKey& layout, KeyDigit digit,
                        std::int64_t value) {
  switch (layout.code(digit, value)) {
    case TierCode::kTier:
      return scheme.icp[static_cast<std::size_t>(value)].key;
    case TierCode::kBeyond:
      return scheme.special.front().key;
    case TierCode::kUnknown:
      return std::string(kUnknownBucket);
    case TierCode::kNotApplicable:
      return std::string();
  }
  return std::string();
}

// ---------------------------------------------------------------------------------------------
// Raw group keys -> buckets.

std::int64_t int_of(const Value& v) { return as_int(v).value_or(0); }

std::string sic_bucket(const Value& raw) {
  const std::optional<std::string> sic = plugin_common::normalize_sic(to_text(raw));
  return sic ? *sic : std::string(kUnknownBucket);
}

std::string state_bucket(const Value& raw) {
  const std::optional<std::string> state = plugin_common::normalize_state(to_text(raw));
  return state ? *state : std::string(kUnknownBucket);
}

// The employee digit's bucket; a count the INTEGER column kept as text ("1,200", "50 to 99")
// is parsed here by the shared parser.
std::string employee_bucket(const IcpConfig& icp, const Scheme& scheme, const CellKey& layout,
                            std::int64_t digit, const Value& text) {
  if (layout.code(KeyDigit::kEmployee, digit) != TierCode::kUnknown || is_null(text)) {
    return tier_bucket(scheme, layout, KeyDigit::kEmployee, digit);
  }
  Result<std::optional<std::int64_t>> count = plugin_common::parse_employee_count(to_text(text));
  if (!count.ok() || !*count) return std::string(kUnknownBucket);
  for (std::size_t i = 0; i < icp.employee_scale.size(); ++i) {
    const plugin_common::EmployeeTier& t = icp.employee_scale[i];
    if (t.min <= **count && **count <= t.max) return scheme.icp[i].key;
  }
  return std::string(kOutsideTiers);
}

// The strength digit's bucket: icp.yaml's key, or the trimmed text of a strength icp.yaml
// does not list (`other`, the query's text column).
std::string signal_bucket(const Scheme& scheme, const CellKey& layout, std::int64_t digit,
                          const Value& other) {
  if (layout.code(KeyDigit::kStrength, digit) == TierCode::kBeyond) {
    return std::string(plugin_common::trim(to_text(other)));
  }
  return tier_bucket(scheme, layout, KeyDigit::kStrength, digit);
}

// Every scheme calibrate_dimensions() and the loader need, built once per icp.yaml.
struct Schemes {
  explicit Schemes(const IcpConfig& icp) {
    for (Dimension d : kDimensions) by_dimension.push_back(scheme_for(icp, d));
  }
  const Scheme& operator[](Dimension d) const { return by_dimension[static_cast<std::size_t>(d)]; }
  std::vector<Scheme> by_dimension;
};

Status query_error(const Status& status, std::string_view what) {
  return status.with_context("calibrator: reading " + std::string(what));
}

// Merges cells whose normalised keys coincide (`8062-01` and `8062`, `ma` and `MA`), in the
// order of their keys: whatever order the database (or the streamed aggregation) gave the groups
// in, the same data give the same cells, and so the same inputs hash.
std::vector<LeadCell> merge_cells(std::vector<LeadCell> cells) {
  std::map<std::string, std::size_t> index;
  std::vector<LeadCell> merged;
  for (LeadCell& c : cells) {
    std::string key = std::string(c.historical ? "h" : "l") + "|" +
                      (c.workflow ? std::string(plugin_common::workflow_name(*c.workflow)) : "") +
                      "|" + c.sic + "|" + c.employee + "|" + c.proximity + "|" + c.signal + "|" +
                      (c.numeric_signal ? "1" : "0") + "|" + c.freshness + "|" +
                      (c.hades_score ? std::to_string(*c.hades_score) : "-") + "|" +
                      (c.holdout ? "1" : "0");
    auto [it, inserted] = index.emplace(std::move(key), merged.size());
    if (inserted) {
      merged.push_back(std::move(c));
    } else {
      merged[it->second].n += c.n;
      merged[it->second].k += c.k;
    }
  }
  std::vector<LeadCell> ordered;
  ordered.reserve(merged.size());
  for (const auto& [key, position] : index) ordered.push_back(std::move(merged[position]));
  return ordered;
}

void add_count(std::map<std::string, KeyCount>& counts, const std::string& key, std::int64_t n,
               std::int64_t k) {
  KeyCount& c = counts[key];
  c.key = key;
  c.n += n;
  c.k += k;
}

Status load_historical(Database& db, const IcpConfig& icp, const Schemes& schemes,
                       OutcomeData& data, std::map<std::string, KeyCount>& states) {
  const CellKey layout(icp);
  Result<QueryResult> rows = db.query(historical_sql(icp, layout));
  if (!rows.ok()) return query_error(rows.status(), "historical_outcomes");
  for (const std::vector<Value>& r : rows->rows) {
    LeadCell c;
    c.historical = true;
    c.sic = sic_bucket(r[0]);
    c.employee =
        employee_bucket(icp, schemes[Dimension::kEmployeeTier], layout, int_of(r[1]), r[2]);
    c.n = int_of(r[4]);
    c.k = int_of(r[5]);
    data.volume.historical += c.n;
    add_count(states, state_bucket(r[3]), c.n, c.k);
    data.cells.push_back(std::move(c));
  }
  return Status::ok_status();
}

// A cells row of lead_cells_sql(), decoded and normalised.
LeadCell lead_cell(const IcpConfig& icp, const Schemes& schemes, const CellKey& layout,
                   const std::vector<Value>& r) {
  const auto digit = layout.decode(int_of(r[1]));
  const auto at = [&digit](KeyDigit d) { return digit[static_cast<std::size_t>(d)]; };
  LeadCell c;
  if (at(KeyDigit::kWorkflow) == kGeography) c.workflow = Workflow::kGeography;
  if (at(KeyDigit::kWorkflow) == kIntent) c.workflow = Workflow::kIntent;
  c.sic = sic_bucket(r[2]);
  c.employee = employee_bucket(icp, schemes[Dimension::kEmployeeTier], layout,
                               at(KeyDigit::kEmployee), r[3]);
  c.proximity = tier_bucket(schemes[Dimension::kProximity], layout, KeyDigit::kProximity,
                            at(KeyDigit::kProximity));
  c.signal =
      signal_bucket(schemes[Dimension::kSignalStrength], layout, at(KeyDigit::kStrength), r[4]);
  c.numeric_signal = at(KeyDigit::kNumericSignal) != 0;
  c.freshness = tier_bucket(schemes[Dimension::kFreshness], layout, KeyDigit::kFreshness,
                            at(KeyDigit::kFreshness));
  if (at(KeyDigit::kScore) != kNoScore) c.hades_score = at(KeyDigit::kScore);
  c.holdout = at(KeyDigit::kHoldout) != 0;
  c.n = int_of(r[5]);
  c.k = int_of(r[6]);
  return c;
}

// One row of lead_cells_sql() (or its equivalent from the streamed groups) into `data`.
void add_lead_row(const IcpConfig& icp, const Schemes& schemes, const CellKey& layout,
                  const std::vector<Value>& r, OutcomeData& data,
                  std::map<std::string, KeyCount>& states) {
  if (int_of(r[0]) == 1) {
    add_count(states, state_bucket(r[2]), int_of(r[5]), int_of(r[6]));
    return;
  }
  LeadCell c = lead_cell(icp, schemes, layout, r);
  data.volume.leads_matured += c.n;
  data.cells.push_back(std::move(c));
}

// The raw group keys of the streamed aggregation: the composite key and the texts that are
// normalised after aggregation (sic_code, employee text, other strength), as the database gave
// them. Values, not texts, so that NULL and '' stay apart as they do in SQL's GROUP BY.
struct RawCellKey {
  std::int64_t key = 0;
  Value sic;
  Value employee_text;
  Value other_strength;
  bool operator==(const RawCellKey&) const = default;
};

struct RawCellKeyHash {
  std::size_t operator()(const RawCellKey& k) const {
    const std::hash<Value> h;
    std::size_t seed = std::hash<std::int64_t>()(k.key);
    for (const Value* v : {&k.sic, &k.employee_text, &k.other_strength}) {
      seed ^= h(*v) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
    }
    return seed;
  }
};

struct Counts {
  std::int64_t n = 0;
  std::int64_t k = 0;
};

// Counts per non-negative integer key in one open-addressed array: the streamed aggregation looks
// a cell up once per lead, and std::unordered_map's node per key and division per lookup were
// most of that time (a cache miss per node among a few hundred thousand cells).
class FlatCounts {
 public:
  FlatCounts() : slots_(kInitialSlots) {}

  // The counts of `key`, zero the first time. REQUIRES: key >= 0.
  Counts& operator[](std::int64_t key) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    Slot& slot = find(slots_, key);
    if (slot.key == kEmpty) {
      slot.key = key;
      ++size_;
    }
    return slot.counts;
  }

  // Calls f(key, counts) for every key counted, in no particular order.
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) f(s.key, s.counts);
    }
  }

 private:
  static constexpr std::int64_t kEmpty = -1;
  static constexpr std::size_t kInitialSlots = 1024;  // a power of two
  struct Slot {
    std::int64_t key = kEmpty;
    Counts counts;
  };

  // The slot holding `key`, or the empty one where it belongs (linear probing).
  static Slot& find(std::vector<Slot>& slots, std::int64_t key) {
    const std::size_t mask = slots.size() - 1;
    // splitmix64's finaliser: the keys differ in a few low and middle bits, spread over all.
    std::uint64_t h = static_cast<std::uint64_t>(key);
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    std::size_t i = static_cast<std::size_t>(h ^ (h >> 31)) & mask;
    while (slots[i].key != kEmpty && slots[i].key != key) i = (i + 1) & mask;
    return slots[i];
  }

  void grow() {
    std::vector<Slot> bigger(2 * slots_.size());
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) find(bigger, s.key) = s;
    }
    slots_ = std::move(bigger);
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

// Copies `from` into `to`, reusing the string `to` holds: most keys are short texts.
void assign(Value& to, const Value& from) {
  const std::string* text = std::get_if<std::string>(&from);
  std::string* mine = std::get_if<std::string>(&to);
  if (text != nullptr && mine != nullptr) {
    mine->assign(*text);
  } else {
    to = from;
  }
}

// Sums rows of lead_stream_sql() into the groups of lead_cells_sql(). The groups are few
// (bounded by the buckets, about a hundred thousand for 10M leads), so memory does not grow with
// the leads; only the ids of leads whose strength SQLite must extract (lead_stream.h) are kept.
class LeadAggregator {
 public:
  LeadAggregator(const IcpConfig& icp, const CellKey& layout, const std::string& holdout_date,
                 const std::vector<std::string>& change_times)
      : keyer_(icp, layout, holdout_date),
        change_times_(change_times),
        scoring_((change_times.size() + 1) * kWorkflowDigits * kScoreDigits) {}

  // `exact`: the strength json_extract() gave, for a row of lead_rows_by_id_sql().
  Status add(const std::vector<Value>& r, const Value* exact = nullptr) {
    const std::optional<std::int64_t> key = keyer_.key(r, scratch_.other_strength, exact);
    if (!key) {
      deferred_.push_back(int_of(r[kLeadId]));
      return Status::ok_status();
    }
    const std::int64_t success = int_of(r[kLeadSuccess]) != 0 ? 1 : 0;
    const Value& employees = r[kLeadEmployees];
    const bool employee_text = std::holds_alternative<std::string>(employees);
    Counts& cell = employee_text || !is_null(scratch_.other_strength)
                       ? text_cell(*key, r[kLeadSic], employees)
                       : fast_cell(*key, r[kLeadSic]);
    ++cell.n;
    cell.k += success;
    Counts& state = states_[r[kLeadState]];
    ++state.n;
    state.k += success;
    add_to_scoring(r, success);
    add_to_rules(r);
    return add_to_batch(r, success);
  }

  // The cell of a lead whose only text to normalise later is its SIC (the usual lead): one
  // integer key, the composite key and the SIC text's number, in a map of integers.
  Counts& fast_cell(std::int64_t key, const Value& sic) {
    std::int64_t id = 0;  // NULL
    if (const std::string* text = std::get_if<std::string>(&sic)) {
      if (last_sic_id_ < 0 || *text != last_sic_) {
        auto [it, inserted] =
            sic_ids_.try_emplace(*text, static_cast<std::int64_t>(sic_values_.size()));
        if (inserted) sic_values_.emplace_back(*text);
        last_sic_ = *text;
        last_sic_id_ = it->second;
      }
      id = last_sic_id_;
    } else if (!is_null(sic)) {
      return text_cell(key, sic, Value());
    }
    if (id > kSicMask) return text_cell(key, sic, Value());  // a millionth SIC text: no room
    return fast_cells_[(key << kSicBits) | id];
  }

  // Any other cell: keyed by the raw texts themselves.
  Counts& text_cell(std::int64_t key, const Value& sic, const Value& employees) {
    scratch_.key = key;
    assign(scratch_.sic, sic);
    if (std::holds_alternative<std::string>(employees)) {
      assign(scratch_.employee_text, employees);
    } else {
      scratch_.employee_text = Value();
    }
    return cells_[scratch_];
  }

  // Matured leads per scoring rules version, and those whose recorded score is outdated, as
  // load_scoring_rules() counts them.
  void take_rules(DataVolume& volume) const {
    for (const auto& [version, leads] : rules_) volume.leads_by_scoring_rules[version] += leads;
    volume.leads_with_outdated_scores += outdated_;
  }

  // The scoring check's counts: period, workflow digit, score digit (kNoScore when unusable).
  std::vector<ScoreCount> take_scoring() const {
    std::vector<ScoreCount> out;
    for (std::size_t i = 0; i < scoring_.size(); ++i) {
      if (scoring_[i].n == 0) continue;
      out.push_back({i / (kWorkflowDigits * kScoreDigits),
                     static_cast<std::int64_t>(i / kScoreDigits % kWorkflowDigits),
                     static_cast<std::int64_t>(i % kScoreDigits), scoring_[i].n, scoring_[i].k});
    }
    return out;
  }

  // Ids of the leads add() left to SQLite, and forgets them.
  std::vector<std::int64_t> take_deferred() { return std::exchange(deferred_, {}); }

  // The batches in batch_id order (the order of batches_sql()'s GROUP BY); leaves none here.
  std::vector<BatchScores> take_batches() {
    std::vector<BatchScores> out;
    out.reserve(batches_.size());
    for (auto& [id, batch] : batches_) out.push_back(std::move(batch));
    batches_.clear();
    last_batch_ = nullptr;
    std::sort(out.begin(), out.end(),
              [](const BatchScores& a, const BatchScores& b) { return a.batch_id < b.batch_id; });
    return out;
  }

  // The groups as lead_cells_sql() gives them: 0, key, sic, text, strength, n, k per cell, then
  // 1, NULL, state, NULL, NULL, n, k per state.
  void for_each_row(const std::function<void(const std::vector<Value>&)>& f) const {
    fast_cells_.for_each([&](std::int64_t fast, const Counts& c) {
      f({Value(std::int64_t{0}), Value(fast >> kSicBits),
         sic_values_[static_cast<std::size_t>(fast & kSicMask)], Value(), Value(), Value(c.n),
         Value(c.k)});
    });
    for (const auto& [g, c] : cells_) {
      f({Value(std::int64_t{0}), Value(g.key), g.sic, g.employee_text, g.other_strength, Value(c.n),
         Value(c.k)});
    }
    for (const auto& [state, c] : states_) {
      f({Value(std::int64_t{1}), Value(), state, Value(), Value(), Value(c.n), Value(c.k)});
    }
  }

 private:
  // The text of `v` without a copy when it is one; else its text, kept in `buffer`.
  static std::string_view text_view(const Value& v, std::string& buffer) {
    if (const std::string* text = std::get_if<std::string>(&v)) return *text;
    buffer = to_text(v);
    return buffer;
  }

  void add_to_rules(const std::vector<Value>& r) {
    static_assert(plugin_common::kScoringRulesVersion == 2,
                  "a new rules version: say here which recorded scores it makes outdated");
    const Value& rules = r[kLeadScoringRules];
    const std::int64_t version = is_null(rules) ? 1 : as_int(rules).value_or(0);
    // Nearly every lead has the current version: the last one's counter is kept (map nodes do
    // not move).
    if (rules_count_ == nullptr || version != rules_version_) {
      rules_count_ = &rules_[version];
      rules_version_ = version;
    }
    ++*rules_count_;
    // SQL's `coalesce(scoring_rules, 1) < 2`: a text is never less than a number.
    const bool old_rules = is_null(rules) || (std::holds_alternative<std::int64_t>(rules) &&
                                              std::get<std::int64_t>(rules) < 2) ||
                           (std::holds_alternative<double>(rules) && std::get<double>(rules) < 2);
    if (old_rules && as_int(r[kLeadWorkflow]).value_or(kOtherWorkflow) == kGeography &&
        is_null(r[kLeadEmployees])) {
      ++outdated_;
    }
  }

  // Leads of a batch follow each other and share an export time: the last one's period is kept.
  void add_to_scoring(const std::vector<Value>& r, std::int64_t success) {
    const std::string* at = std::get_if<std::string>(&r[kLeadExportedAt]);
    // In SQL a number sorts before every text: before every change.
    const std::string_view exported_at = at != nullptr ? std::string_view(*at) : std::string_view();
    if (exported_at != period_at_ || !period_known_) {
      period_ = at != nullptr ? period_of(change_times_, exported_at) : 0;
      period_at_.assign(exported_at);
      period_known_ = true;
    }
    const std::int64_t workflow = as_int(r[kLeadWorkflow]).value_or(kOtherWorkflow);
    const std::int64_t* score = std::get_if<std::int64_t>(&r[kLeadScore]);
    const std::int64_t digit =
        score != nullptr && *score >= 0 && *score <= plugin_common::kMaxScore ? *score : kNoScore;
    Counts& c = scoring_[(period_ * kWorkflowDigits + static_cast<std::size_t>(workflow)) *
                             kScoreDigits +
                         static_cast<std::size_t>(digit)];
    ++c.n;
    c.k += success;
  }

  // Leads of a batch mostly follow each other, so the last batch is tried before the map.
  Status add_to_batch(const std::vector<Value>& r, std::int64_t success) {
    const std::string_view batch_id = text_view(r[kLeadBatch], batch_id_text_);
    const std::string_view exported_at = text_view(r[kLeadExportedAt], exported_at_text_);
    if (last_batch_ == nullptr || last_batch_->batch_id != batch_id) {
      auto [it, inserted] = batches_.try_emplace(std::string(batch_id));
      if (inserted) {
        it->second.batch_id = batch_id;
        it->second.exported_at = exported_at;
      }
      last_batch_ = &it->second;
    }
    BatchScores& b = *last_batch_;
    if (exported_at < b.exported_at) b.exported_at = exported_at;
    const std::int64_t* score = std::get_if<std::int64_t>(&r[kLeadScore]);
    if (score == nullptr || *score < 0 || *score > plugin_common::kMaxScore) {
      ++b.unscored;
      return Status::ok_status();
    }
    return b.add(*score, success != 0);
  }

  static constexpr std::size_t kWorkflowDigits = 3;  // kGeography, kIntent, kOtherWorkflow
  static constexpr std::size_t kScoreDigits = kNoScore + 1;
  // fast_cells_ keys: the composite key above the SIC text's number (id 0 is NULL).
  static constexpr int kSicBits = 20;
  static constexpr std::int64_t kSicMask = (std::int64_t{1} << kSicBits) - 1;

  LeadKeyer keyer_;
  const std::vector<std::string>& change_times_;
  std::vector<Counts> scoring_;
  std::map<std::int64_t, std::int64_t> rules_;
  std::int64_t rules_version_ = 0;
  std::int64_t* rules_count_ = nullptr;
  std::int64_t outdated_ = 0;
  std::size_t period_ = 0;
  std::string period_at_;
  bool period_known_ = false;
  RawCellKey scratch_;
  std::unordered_map<RawCellKey, Counts, RawCellKeyHash> cells_;
  FlatCounts fast_cells_;
  std::unordered_map<std::string, std::int64_t> sic_ids_;
  std::vector<Value> sic_values_{Value()};  // by id; 0 is NULL
  std::string last_sic_;
  std::int64_t last_sic_id_ = -1;
  std::unordered_map<Value, Counts> states_;
  std::vector<std::int64_t> deferred_;
  std::unordered_map<std::string, BatchScores> batches_;
  BatchScores* last_batch_ = nullptr;  // nodes do not move when the map grows
  std::string batch_id_text_;
  std::string exported_at_text_;
};

// Reads the leads LeadKeyer left to SQLite again, by id, a chunk at a time, with the strength
// json_extract() gives.
Status add_deferred(Database& db, const std::vector<Value>& args, LeadAggregator& aggregator) {
  constexpr std::size_t kChunk = 500;
  const std::vector<std::int64_t> ids = aggregator.take_deferred();
  for (std::size_t first = 0; first < ids.size(); first += kChunk) {
    std::string list = "[";
    for (std::size_t i = first; i < std::min(ids.size(), first + kChunk); ++i) {
      list += (i == first ? "" : ",") + std::to_string(ids[i]);
    }
    std::vector<Value> chunk_args = args;
    chunk_args.emplace_back(list + "]");
    HADES_RETURN_IF_ERROR(db.query_each(lead_rows_by_id_sql(), chunk_args,
                                        [&aggregator](const std::vector<Value>& r) {
                                          return aggregator.add(r, &r[kLeadExactStrength]);
                                        }));
  }
  if (!aggregator.take_deferred().empty()) {
    return Status::internal("calibrator: json_extract gave no signal strength for some leads");
  }
  return Status::ok_status();
}

bool aggregate_in_database(const Database& db, LeadAggregation aggregation) {
  if (aggregation == LeadAggregation::kAuto) return db.backend() != "sqlite";
  return aggregation == LeadAggregation::kInDatabase;
}

// The matured lead_outcomes per bucket combination, and per state. On SQLite the rows are
// streamed, keyed (LeadKeyer) and summed here, the batch check's counts with them: SQLite's
// GROUP BY sorts every row and its VM evaluates the bucket CASEs per row, which was most of the
// run's time over 10M leads. On Turso the database groups them: only the groups cross the network.
Status load_leads(Database& db, const IcpConfig& icp, const Schemes& schemes,
                  const LoadOptions& options, OutcomeData& data,
                  std::map<std::string, KeyCount>& states) {
  const CellKey layout(icp);
  const std::vector<std::string>& change_times = options.change_times;
  const std::vector<Value> args = {Value(data.holdout_date), Value(data.matured_before)};
  if (aggregate_in_database(db, options.lead_aggregation)) {
    Result<QueryResult> rows = db.query(lead_cells_sql(icp, layout), args);
    if (!rows.ok()) return query_error(rows.status(), "lead_outcomes");
    for (const std::vector<Value>& r : rows->rows) {
      add_lead_row(icp, schemes, layout, r, data, states);
    }
    Result<QueryResult> scoring =
        db.query(scoring_sql(change_times), {Value(data.matured_before)});
    if (!scoring.ok()) return query_error(scoring.status(), "lead_outcomes per score");
    for (const std::vector<Value>& r : scoring->rows) {
      data.scoring.push_back({static_cast<std::size_t>(int_of(r[0])), int_of(r[1]), int_of(r[2]),
                              int_of(r[3]), int_of(r[4])});
    }
    return Status::ok_status();
  }
  LeadAggregator aggregator(icp, layout, data.holdout_date, change_times);
  const std::vector<Value> matured = {Value(data.matured_before)};
  Status read =
      db.query_each(lead_stream_sql(), matured, [&aggregator](const std::vector<Value>& r) {
        return aggregator.add(r);
      });
  if (read.ok()) read = add_deferred(db, matured, aggregator);
  if (!read.ok()) return query_error(read, "lead_outcomes");
  data.batches = aggregator.take_batches();
  data.scoring = aggregator.take_scoring();
  aggregator.take_rules(data.volume);
  aggregator.for_each_row(
      [&](const std::vector<Value>& r) { add_lead_row(icp, schemes, layout, r, data, states); });
  return Status::ok_status();
}

// The matured leads per scoring rules version, and those whose recorded score is outdated.
Status load_scoring_rules(Database& db, OutcomeData& data) {
  static_assert(plugin_common::kScoringRulesVersion == 2,
                "a new rules version: say here which recorded scores it makes outdated");
  Result<QueryResult> rules = db.query(
      "SELECT coalesce(scoring_rules, 1), count(*), coalesce(sum(coalesce(scoring_rules, 1) < 2 "
      "AND workflow_type = 'geography' AND employee_count IS NULL), 0) "
      "FROM lead_outcomes WHERE exported_at < ? AND " +
          plugin_common::published_batch_sql("batch_id") + " GROUP BY 1",
      {Value(data.matured_before)});
  if (!rules.ok()) return query_error(rules.status(), "lead_outcomes scoring rules");
  for (const std::vector<Value>& r : rules->rows) {
    data.volume.leads_by_scoring_rules[int_of(r[0])] += int_of(r[1]);
    data.volume.leads_with_outdated_scores += int_of(r[2]);
  }
  return Status::ok_status();
}

// Pending leads and their early deliveries, how long deliveries take to arrive, and the export
// times of the matured leads (for the automatic holdout date): walks of the covering index
// lead_outcomes_calibration, a published batch at a time, never of the rows.
Status load_timeline(Database& db, OutcomeData& data, std::vector<KeyCount>& exports) {
  Result<QueryResult> pending = db.query(
      "SELECT count(*), coalesce(sum(outcome IN ('delivery', 'churned')), 0) "
      "FROM lead_outcomes WHERE exported_at >= ? AND " +
          plugin_common::published_batch_sql("batch_id"),
      {Value(data.matured_before)});
  if (!pending.ok()) return query_error(pending.status(), "pending lead_outcomes");
  data.volume.leads_pending = int_of(pending->rows.at(0).at(0));
  data.volume.early_deliveries = int_of(pending->rows.at(0).at(1));
  Result<QueryResult> lags = db.query(delivery_lag_sql());
  if (!lags.ok()) return query_error(lags.status(), "delivery dates");
  std::vector<std::pair<std::int64_t, std::int64_t>> by_lag;
  for (const std::vector<Value>& r : lags->rows) {
    if (!is_null(r[0])) by_lag.emplace_back(int_of(r[0]), int_of(r[1]));
  }
  std::sort(by_lag.begin(), by_lag.end());
  std::vector<KeyCount> lag_counts;
  lag_counts.reserve(by_lag.size());
  for (const auto& [lag, n] : by_lag) lag_counts.push_back({std::to_string(lag), n, 0});
  data.volume.delivery_lag_p90_days = lag_quantile(lag_counts, kDeliveryLagShare);
  // Grouped in the index's order (batch, then time): no sort of the leads. A batch's leads share
  // an export time, so the groups are about as many as the batches; merged here.
  Result<QueryResult> times = db.query(
      "SELECT exported_at, count(*) FROM lead_outcomes WHERE exported_at < ? AND " +
          plugin_common::published_batch_sql("batch_id") + " GROUP BY batch_id, exported_at",
      {Value(data.matured_before)});
  if (!times.ok()) return query_error(times.status(), "lead_outcomes export times");
  std::map<std::string, std::int64_t> by_time;
  for (const std::vector<Value>& r : times->rows) by_time[to_text(r[0])] += int_of(r[1]);
  for (const auto& [at, n] : by_time) exports.push_back({at, n, 0});
  return Status::ok_status();
}

// ---------------------------------------------------------------------------------------------
// Per dimension.

}  // namespace

const std::string& bucket_of(const LeadCell& c, Dimension d) {
  static const std::string kNone;
  switch (d) {
    case Dimension::kSic:
      return c.sic;
    case Dimension::kEmployeeTier:
      return c.employee;
    case Dimension::kProximity:
      return c.proximity;
    case Dimension::kSignalStrength:
      return c.signal;
    case Dimension::kFreshness:
      return c.freshness;
    case Dimension::kState:
    case Dimension::kRegion:
      return kNone;
  }
  return kNone;
}

namespace {

std::string_view population_of(Dimension d) {
  switch (d) {
    case Dimension::kProximity:
      return "geography leads";
    case Dimension::kSignalStrength:
    case Dimension::kFreshness:
      return "intent leads";
    default:
      return "all outcomes";
  }
}

std::map<std::string, KeyCount> counts_of(Dimension d, const std::vector<LeadCell>& cells,
                                          const std::vector<KeyCount>& states, bool training_only) {
  std::map<std::string, KeyCount> counts;
  if (d == Dimension::kState || d == Dimension::kRegion) {
    for (const KeyCount& s : states) {
      std::string key = s.key;
      if (d == Dimension::kRegion) {
        key = std::string(census_region(s.key).value_or(kUnknownBucket));
      }
      add_count(counts, key, s.n, s.k);
    }
    return counts;
  }
  for (const LeadCell& c : cells) {
    if (training_only && c.holdout) continue;
    const std::string& key = bucket_of(c, d);
    if (!key.empty()) add_count(counts, key, c.n, c.k);
  }
  return counts;
}

// Buckets in report order: icp.yaml's (or all data keys sorted, for SIC and state), then data
// buckets icp.yaml lacks, then the special buckets, `unknown` last.
std::vector<std::string> ordered_keys(const Scheme& scheme,
                                      const std::map<std::string, KeyCount>& counts) {
  std::vector<std::string> keys;
  std::set<std::string> placed;
  auto place = [&](const std::string& key) {
    if (counts.count(key) != 0 && placed.insert(key).second) keys.push_back(key);
  };
  if (!scheme.sorted_by_key) {
    for (const SchemeEntry& e : scheme.icp) place(e.key);
  }
  for (const auto& [key, count] : counts) {
    if (find_entry(scheme.special, key) == nullptr) place(key);
  }
  for (const SchemeEntry& e : scheme.special) place(e.key);
  return keys;
}

std::optional<std::int64_t> scheme_current(const Scheme& scheme, std::string_view key) {
  if (const SchemeEntry* e = find_entry(scheme.icp, key)) return e->current;
  if (const SchemeEntry* e = find_entry(scheme.special, key)) return e->current;
  return scheme.other_current;
}

DimensionResult calibrate_dimension(Dimension d, const Scheme& scheme,
                                    const std::map<std::string, KeyCount>& counts) {
  DimensionResult out;
  out.dimension = d;
  out.population = std::string(population_of(d));
  out.scored = d != Dimension::kState && d != Dimension::kRegion;
  const std::vector<std::string> keys = ordered_keys(scheme, counts);
  std::vector<BucketCount> bucket_counts;
  std::vector<Confidence> confidence;
  for (const std::string& key : keys) {
    const KeyCount& c = counts.at(key);
    bucket_counts.push_back({c.n, c.k});
    confidence.push_back(confidence_of(c.n, c.k));
  }
  out.shrinkage = shrink(bucket_counts);
  const std::vector<std::optional<std::int64_t>> suggested =
      suggested_scores(out.shrinkage.shrunk, confidence);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    BucketResult b;
    b.bucket = keys[i];
    b.n = bucket_counts[i].n;
    b.k = bucket_counts[i].k;
    b.rate = static_cast<double>(b.k) / static_cast<double>(b.n);
    b.wilson = wilson_interval(b.k, b.n);
    b.shrunk_rate = out.shrinkage.shrunk[i];
    b.confidence = confidence[i];
    b.in_icp = find_entry(scheme.icp, keys[i]) != nullptr;
    if (out.scored) {
      b.current_score = scheme_current(scheme, keys[i]);
      b.suggested_score = suggested[i];
    }
    if (b.current_score && b.suggested_score) b.delta = *b.suggested_score - *b.current_score;
    b.manual_review = b.confidence == Confidence::kLow || (out.scored && !b.suggested_score);
    if (!b.in_icp && b.bucket != kUnknownBucket && !scheme.icp.empty()) {
      out.not_in_icp.push_back(b.bucket);
    }
    out.buckets.push_back(std::move(b));
  }
  for (const SchemeEntry& e : scheme.icp) {
    if (counts.count(e.key) == 0) out.icp_without_data.push_back(e.key);
  }
  return out;
}

}  // namespace

std::string_view dimension_name(Dimension dimension) {
  switch (dimension) {
    case Dimension::kSic:
      return "sic";
    case Dimension::kEmployeeTier:
      return "employee_tier";
    case Dimension::kState:
      return "state";
    case Dimension::kRegion:
      return "region";
    case Dimension::kProximity:
      return "proximity";
    case Dimension::kSignalStrength:
      return "signal_strength";
    case Dimension::kFreshness:
      return "freshness";
  }
  return "unknown";
}

std::string_view verdict_name(Verdict verdict) {
  return verdict == Verdict::kSupported ? "supported" : "within_noise";
}

std::optional<std::string_view> census_region(std::string_view state_code) {
  return plugin_common::census_region(state_code);
}

std::optional<std::int64_t> lag_quantile(const std::vector<KeyCount>& lags, double share) {
  std::int64_t total = 0;
  for (const KeyCount& l : lags) total += l.n;
  std::int64_t seen = 0;
  for (const KeyCount& l : lags) {
    seen += l.n;
    if (static_cast<double>(seen) >= share * static_cast<double>(total)) return std::stoll(l.key);
  }
  return std::nullopt;
}

std::string automatic_holdout_date(const std::vector<KeyCount>& exports_by_time) {
  std::int64_t total = 0;
  for (const KeyCount& e : exports_by_time) total += e.n;
  const double wanted = kTrainingShare * static_cast<double>(total);
  std::int64_t before = 0;
  for (const KeyCount& e : exports_by_time) {
    if (static_cast<double>(before + e.n) > wanted) return e.key;
    before += e.n;
  }
  return exports_by_time.empty() ? std::string() : exports_by_time.back().key;
}

Result<OutcomeData> load_outcomes(Database& db, const IcpConfig& icp, const LoadOptions& options) {
  const Schemes schemes(icp);
  OutcomeData data;
  data.matured_before = options.matured_before;
  std::vector<KeyCount> exports;
  HADES_RETURN_IF_ERROR(load_timeline(db, data, exports));
  data.holdout_automatic = !options.holdout_date.has_value();
  data.holdout_date =
      options.holdout_date ? *options.holdout_date : automatic_holdout_date(exports);
  std::map<std::string, KeyCount> states;
  HADES_RETURN_IF_ERROR(load_historical(db, icp, schemes, data, states));
  if (!exports.empty()) {
    HADES_RETURN_IF_ERROR(load_leads(db, icp, schemes, options, data, states));
  }
  if (!exports.empty() && aggregate_in_database(db, options.lead_aggregation)) {
    HADES_RETURN_IF_ERROR(load_scoring_rules(db, data));  // the stream counted them
  }
  data.cells = merge_cells(std::move(data.cells));
  for (auto& [key, count] : states) data.states.push_back(std::move(count));
  return data;
}

namespace {

// Beyond this many distinct scores a batch counts per score in an array: 16 entries of 12 bytes
// are smaller than the 808-byte array, and export batches (250 leads) have more.
constexpr std::size_t kFew = 16;

}  // namespace

Status BatchScores::add(std::int64_t score, bool success) {
  const auto s = static_cast<std::uint32_t>(score);
  std::uint32_t* n = nullptr;
  std::uint32_t* k = nullptr;
  if (by_score_.empty()) {
    for (Few& f : few_) {
      if (f.score == s) {
        n = &f.n;
        k = &f.k;
        break;
      }
    }
    if (n == nullptr && few_.size() < kFew) {
      few_.push_back({s, 0, 0});
      n = &few_.back().n;
      k = &few_.back().k;
    } else if (n == nullptr) {
      by_score_.assign(2 * (plugin_common::kMaxScore + 1), 0);
      for (const Few& f : few_) {
        by_score_[2 * f.score] = f.n;
        by_score_[2 * f.score + 1] = f.k;
      }
      few_ = {};
    }
  }
  if (n == nullptr) {
    n = &by_score_[2 * s];
    k = &by_score_[2 * s + 1];
  }
  if (*n == std::numeric_limits<std::uint32_t>::max()) {
    return Status::internal("calibrator: export batch " + batch_id +
                            " has more than 4294967295 leads of one score");
  }
  ++*n;
  if (success) ++*k;
  return Status::ok_status();
}

void BatchScores::for_each(
    const std::function<void(std::int64_t, std::int64_t, std::int64_t)>& f) const {
  for (const Few& few : few_) f(few.score, few.n, few.k);
  for (std::size_t s = 0; 2 * s < by_score_.size(); ++s) {
    if (by_score_[2 * s] > 0) {
      f(static_cast<std::int64_t>(s), by_score_[2 * s], by_score_[2 * s + 1]);
    }
  }
}

Result<std::vector<BatchRow>> load_batches(Database& db, const OutcomeData& data,
                                           const std::vector<double>& probability) {
  std::vector<BatchRow> batches;
  if (data.batches) {
    batches.reserve(data.batches->size());
    for (const BatchScores& s : *data.batches) {
      BatchRow b;
      b.batch_id = s.batch_id;
      b.exported_at = s.exported_at;
      b.unscored = s.unscored;
      s.for_each([&b, &probability](std::int64_t score, std::int64_t n, std::int64_t k) {
        const double p = probability[static_cast<std::size_t>(score)];
        b.n += n;
        b.k += k;
        b.expected += static_cast<double>(n) * p;
        b.variance += static_cast<double>(n) * (p * (1 - p));
      });
      batches.push_back(std::move(b));
    }
    return batches;
  }
  Result<QueryResult> rows = db.query(batches_sql(probability), {Value(data.matured_before)});
  if (!rows.ok()) return query_error(rows.status(), "lead_outcomes batches");
  for (const std::vector<Value>& r : rows->rows) {
    BatchRow b;
    b.batch_id = to_text(r[0]);
    b.exported_at = to_text(r[1]);
    b.n = int_of(r[2]);
    b.k = int_of(r[3]);
    b.expected = as_double(r[4]).value_or(0);
    b.variance = as_double(r[5]).value_or(0);
    b.unscored = int_of(r[6]);
    batches.push_back(std::move(b));
  }
  return batches;
}

std::vector<DimensionResult> calibrate_dimensions(const IcpConfig& icp,
                                                  const std::vector<LeadCell>& cells,
                                                  const std::vector<KeyCount>& states,
                                                  bool training_only) {
  const Schemes schemes(icp);
  std::vector<DimensionResult> out;
  for (Dimension d : kDimensions) {
    if (training_only && (d == Dimension::kState || d == Dimension::kRegion)) continue;
    out.push_back(calibrate_dimension(d, schemes[d], counts_of(d, cells, states, training_only)));
  }
  return out;
}

std::optional<std::int64_t> current_score(const IcpConfig& icp, Dimension dimension,
                                          std::string_view bucket) {
  if (dimension == Dimension::kState || dimension == Dimension::kRegion) return std::nullopt;
  return scheme_current(scheme_for(icp, dimension), bucket);
}

}  // namespace hades::calibrator
