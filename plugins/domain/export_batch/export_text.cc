#include "export_text.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace hades::export_batch {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The number in text[pos, pos + len), or -1 unless it is all digits.
int digits_at(std::string_view text, std::size_t pos, std::size_t len) {
  int value = 0;
  const char* const first = text.data() + pos;
  const auto [end, ec] = std::from_chars(first, first + len, value);
  return ec == std::errc() && end == first + len && first[0] != '-' && first[0] != '+' ? value : -1;
}

}  // namespace

Result<std::string> list_source_date(std::string_view iso_timestamp) {
  const bool shaped =
      iso_timestamp.size() >= 10 && iso_timestamp[4] == '-' && iso_timestamp[7] == '-';
  const int year = shaped ? digits_at(iso_timestamp, 0, 4) : -1;
  const int month = shaped ? digits_at(iso_timestamp, 5, 2) : -1;
  const int day = shaped ? digits_at(iso_timestamp, 8, 2) : -1;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) {
    return Status::invalid_config("'" + std::string(iso_timestamp) +
                                  "' does not start with a YYYY-MM-DD date");
  }
  std::string out(kMonths[static_cast<std::size_t>(month - 1)]);
  out += ' ';
  out += iso_timestamp.substr(8, 2);
  out += ' ';
  out += iso_timestamp.substr(0, 4);
  return out;
}

std::string format_miles(double miles) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1fmi", miles);
  return buf;
}

std::string lead_source(std::string_view data_source, bool geography, const LeadNotes& notes) {
  std::string out(data_source);
  out += geography ? " Geography - " : " Intent - ";
  out += kVertical;
  out += " - " + std::to_string(notes.score);
  if (geography && notes.distance_miles) {
    out += " - " + format_miles(*notes.distance_miles);
  } else if (!geography && notes.age_days) {
    out += " - " + std::to_string(*notes.age_days) + "d";
  }
  return out;
}

std::string import_notes(bool geography, const LeadNotes& notes) {
  std::string out = "Batch: " + notes.batch_id + " | Score: " + std::to_string(notes.score);
  if (geography) {
    out += " | Distance: ";
    out += notes.distance_miles ? format_miles(*notes.distance_miles) : "unknown";
    return out;
  }
  out += " | Age: ";
  out += notes.age_days ? std::to_string(*notes.age_days) + "d" : "unknown";
  if (!notes.freshness.empty()) out += " | Freshness: " + notes.freshness;
  if (!notes.signal.empty()) out += " | Signal: " + notes.signal;
  return out;
}

std::string signal_label(std::string_view strength, std::optional<std::int64_t> intent_score) {
  const std::size_t first = strength.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos) {
    const std::size_t last = strength.find_last_not_of(" \t\r\n");
    return std::string(strength.substr(first, last - first + 1));
  }
  if (intent_score && *intent_score > 0) return std::to_string(*intent_score);
  return "Low";
}

const std::string& contact_owner(const std::vector<std::string>& agents, std::int64_t export_rank) {
  const auto n = static_cast<std::int64_t>(agents.size());
  return agents[static_cast<std::size_t>((export_rank - 1) % n)];
}

}  // namespace hades::export_batch
