// The streamed path of aggregation.h: every matured lead read, keyed and summed here.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aggregation.h"
#include "lead_stream.h"
#include "leads/scoring.h"
#include "outcomes/outcome_tables.h"
#include "scoring_check.h"

namespace hades::calibrator {
namespace {

using domain::IcpConfig;

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

// A map from non-negative integer keys to T in one open-addressed array: the streamed
// aggregation looks a cell up once per lead, and std::unordered_map's node per key and division
// per lookup were most of that time (a cache miss per node among a few hundred thousand cells).
template <typename T>
class FlatMap {
 public:
  FlatMap() : slots_(kInitialSlots) {}

  // The value of `key`, value-initialised the first time. REQUIRES: key >= 0.
  T& operator[](std::int64_t key) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    Slot& slot = find(slots_, key);
    if (slot.key == kEmpty) {
      slot.key = key;
      ++size_;
    }
    return slot.value;
  }

  // Calls f(key, value) for every key, in no particular order.
  template <typename F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_) {
      if (s.key != kEmpty) f(s.key, s.value);
    }
  }

 private:
  static constexpr std::int64_t kEmpty = -1;
  static constexpr std::size_t kInitialSlots = 1024;  // a power of two
  struct Slot {
    std::int64_t key = kEmpty;
    T value{};
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

// Dense ids of texts, from 0 in order of first sight. A text of up to 7 bytes (a SIC code, a
// state) is packed into one integer, so finding it hashes no string.
class TextIds {
 public:
  std::size_t id(std::string_view text) {
    std::size_t* slot = nullptr;
    if (text.size() < 8) {
      std::uint64_t packed = static_cast<std::uint64_t>(text.size()) << 56;
      for (std::size_t i = 0; i < text.size(); ++i) {
        packed |= static_cast<std::uint64_t>(static_cast<unsigned char>(text[i])) << (8 * i);
      }
      slot = &short_[static_cast<std::int64_t>(packed)];
    } else {
      slot = &long_[std::string(text)];
    }
    if (*slot == 0) {  // ids are kept plus one, so that 0 is new
      texts_.emplace_back(text);
      *slot = texts_.size();
    }
    return *slot - 1;
  }

  const std::string& text(std::size_t id) const { return texts_[id]; }
  std::size_t size() const { return texts_.size(); }

 private:
  FlatMap<std::size_t> short_;
  std::unordered_map<std::string, std::size_t> long_;
  std::vector<std::string> texts_;
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
    Counts& state = state_counts(r[kLeadState]);
    ++state.n;
    state.k += success;
    add_to_scoring(r, success);
    add_to_rules(r);
    return add_to_batch(r, success);
  }

  // The cell of a lead whose only text to normalise later is its SIC (the usual lead): one
  // integer key, the composite key and the SIC text's number (0 for NULL), in a flat map.
  Counts& fast_cell(std::int64_t key, const Value& sic) {
    std::int64_t id = 0;  // NULL
    if (const std::string* text = std::get_if<std::string>(&sic)) {
      id = static_cast<std::int64_t>(sic_ids_.id(*text)) + 1;
    } else if (!is_null(sic)) {
      return text_cell(key, sic, Value());
    }
    if (id > kSicMask) return text_cell(key, sic, Value());  // a millionth SIC text: no room
    return fast_cells_[(key << kSicBits) | id];
  }

  // The counts of a state: by the text's id, else (NULL, a number) by the value.
  Counts& state_counts(const Value& state) {
    const std::string* text = std::get_if<std::string>(&state);
    if (text == nullptr) return states_[state];
    const std::size_t id = state_ids_.id(*text);
    if (id >= text_states_.size()) text_states_.resize(id + 1);
    return text_states_[id];
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
      const std::int64_t sic = fast & kSicMask;
      f({Value(std::int64_t{0}), Value(fast >> kSicBits),
         sic == 0 ? Value() : Value(sic_ids_.text(static_cast<std::size_t>(sic - 1))), Value(),
         Value(), Value(c.n), Value(c.k)});
    });
    for (const auto& [g, c] : cells_) {
      f({Value(std::int64_t{0}), Value(g.key), g.sic, g.employee_text, g.other_strength, Value(c.n),
         Value(c.k)});
    }
    for (std::size_t id = 0; id < text_states_.size(); ++id) {
      const Counts& c = text_states_[id];
      f({Value(std::int64_t{1}), Value(), Value(state_ids_.text(id)), Value(), Value(), Value(c.n),
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
    static_assert(domain::kScoringRulesVersion == 2,
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
    const bool old_rules =
        is_null(rules) ||
        (std::holds_alternative<std::int64_t>(rules) && std::get<std::int64_t>(rules) < 2) ||
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
        score != nullptr && *score >= 0 && *score <= domain::kMaxScore ? *score : kNoScore;
    Counts& c =
        scoring_[(period_ * kWorkflowDigits + static_cast<std::size_t>(workflow)) * kScoreDigits +
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
    if (score == nullptr || *score < 0 || *score > domain::kMaxScore) {
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
  FlatMap<Counts> fast_cells_;
  TextIds sic_ids_;
  TextIds state_ids_;
  std::vector<Counts> text_states_;           // by state_ids_
  std::unordered_map<Value, Counts> states_;  // states that are not texts
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

// Streams the matured leads (lead_stream_sql()) and sums them in LeadAggregator.
class StreamedGrouping final : public LeadGrouping {
 public:
  Status group(Database& db, const GroupingInput& in, const GroupRow& row,
               OutcomeData& data) override {
    LeadAggregator aggregator(in.icp, in.layout, in.holdout_date, in.change_times);
    const std::vector<Value> matured = {Value(in.matured_before)};
    Status read =
        db.query_each(lead_stream_sql(), matured,
                      [&aggregator](const std::vector<Value>& r) { return aggregator.add(r); });
    if (read.ok()) read = add_deferred(db, matured, aggregator);
    if (!read.ok()) return query_error(read, "lead_outcomes");
    data.batches = aggregator.take_batches();
    data.scoring = aggregator.take_scoring();
    aggregator.take_rules(data.volume);
    aggregator.for_each_row(row);
    return Status::ok_status();
  }
};

// Beyond this many distinct scores a batch counts per score in an array: 16 entries of 12 bytes
// are smaller than the 808-byte array, and export batches (250 leads) have more.
constexpr std::size_t kFew = 16;

}  // namespace

std::unique_ptr<LeadGrouping> make_streamed_grouping() {
  return std::make_unique<StreamedGrouping>();
}

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
      by_score_.assign(2 * (domain::kMaxScore + 1), 0);
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

}  // namespace hades::calibrator
