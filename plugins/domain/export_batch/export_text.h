// export_text.h: the texts export_batch writes into every exported lead, with no plugin glue.
//
// Formats follow docs/export.md ("Columns"): List Source "ZoomInfo Jan 29 2026", the Lead
// Source workflow tag "ZoomInfo Intent - Vending - 85 - 2d", Import Notes
// "Batch: HADES-20260211-001 | Score: 85 | Age: 2d | Freshness: Hot | Signal: High" (intent) or
// "Batch: ... | Score: 85 | Distance: 4.2mi" (geography), and the round-robin Contact Owner.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_EXPORT_BATCH_EXPORT_TEXT_H_
#define HADES_PLUGINS_EXPORT_BATCH_EXPORT_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"

namespace hades::export_batch {

// The vertical named in every Lead Source tag.
inline constexpr std::string_view kVertical = "Vending";

// "Jan 29 2026" (English month abbreviation, two-digit day) from the date at the front of an
// ISO-8601 timestamp or date ("2026-01-29T06:00:00Z"). Fails with kInvalidConfig otherwise.
Result<std::string> list_source_date(std::string_view iso_timestamp);

// What the notes and tags of one lead are made of. Unknown values are nullopt / empty.
struct LeadNotes {
  std::string batch_id;
  std::int64_t score = 0;
  std::optional<std::int64_t> age_days;  // intent
  std::string freshness;                 // intent: the tier's label, "Hot"
  std::string signal;                    // intent: "High", or the numeric signal score
  std::optional<double> distance_miles;  // geography
};

// "4.2mi": miles with one decimal.
std::string format_miles(double miles);

// "{data_source} Intent - Vending - {score} - {age}d", or for geography
// "{data_source} Geography - Vending - {score} - {miles}mi". The last part is left out when
// the age or distance is unknown.
std::string lead_source(std::string_view data_source, bool geography, const LeadNotes& notes);

// "Batch: {id} | Score: {score} | Age: {age}d | Freshness: {label} | Signal: {signal}", or for
// geography "Batch: {id} | Score: {score} | Distance: {miles}mi". An unknown age or distance
// reads "unknown"; an empty freshness or signal part is left out.
std::string import_notes(bool geography, const LeadNotes& notes);

// The intent signal as the notes show it: the strength when given ("High"), else a positive
// numeric signal score ("92"), else "Low" (domain.md: a missing strength counts as Low).
std::string signal_label(std::string_view strength, std::optional<std::int64_t> intent_score);

// agents[(export_rank - 1) % agents.size()]: the same owner for the same rank whatever the
// chunking, so a resumed export assigns exactly as an uninterrupted one.
// REQUIRES: !agents.empty(), export_rank >= 1
const std::string& contact_owner(const std::vector<std::string>& agents, std::int64_t export_rank);

}  // namespace hades::export_batch

#endif  // HADES_PLUGINS_EXPORT_BATCH_EXPORT_TEXT_H_
