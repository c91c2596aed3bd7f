// icp_places.h: where a calibration bucket's number sits in icp.yaml's text, and the byte edits
// that change it or add a SIC entry. The part of icp_edit.h that knows YAML; include icp_edit.h
// instead unless you edit text yourself.
//
// IcpDocument parses the text with yaml-cpp once and answers with byte offsets into the original
// text (Node::Mark(), shifted past a UTF-8 BOM, which yaml-cpp does not count). Every offset is
// checked against the text before it is used: the bytes at a value's offset must be its scalar,
// so an offset that does not point where it should is an error, never a corrupt edit.
//
// Thread safety: an IcpDocument is immutable after parse(); use from one thread (yaml-cpp nodes
// are not safe to share).

#ifndef HADES_LEADS_ICP_PLACES_H_
#define HADES_LEADS_ICP_PLACES_H_

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"
#include "leads/icp_config.h"

namespace hades::domain {

// One number of icp.yaml that a bucket's score lives in.
struct IcpPlace {
  std::string path;      // for people: `employee_scale[1].score`
  std::string flat_key;  // the key flatten_icp_config() gives its value
  YAML::Node key;        // the mapping key whose value it is
  YAML::Node value;      // the scalar
  YAML::Node parent;     // the mapping holding `key`, for its siblings' layout
  int line = 0;          // 1-based
  std::string text;      // the number as written, without quotes
};

// What a bucket of a dimension is in icp.yaml.
struct PlaceLookup {
  enum class Kind { kFound, kNewSic, kNoPlace };
  Kind kind = Kind::kNoPlace;
  IcpPlace place;       // kFound
  std::string why_not;  // kNoPlace: why the bucket has no number of its own
};

// One `key: value` pair of a mapping whose key is a scalar.
struct MapEntry {
  YAML::Node key;
  YAML::Node value;
};

// A replacement of text[begin, end) by `text`; begin == end inserts.
struct TextEdit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

class IcpDocument {
 public:
  // Parses `text` (which must outlive the document). `name` stands for the file in messages.
  // kInvalidConfig with line and column when it is not YAML.
  static Result<IcpDocument> parse(std::string_view text, std::string name);

  // The place of `bucket` of `dimension` ("sic", "employee_tier", "proximity",
  // "signal_strength", "freshness"), named as the calibration report names buckets. kNewSic for a
  // 4-digit SIC that sic_scores lacks. kInvalidConfig when the place is ambiguous (two freshness
  // tiers with one label) or is shared through an anchor with another part of the file.
  Result<PlaceLookup> find(std::string_view dimension, std::string_view bucket) const;

  // Replaces the number of `place` by `value`. When the value stands alone on its line, the line's
  // comment becomes `# <comment>` (the comment's column kept when it fits; a right-aligned
  // column of numbers kept aligned); otherwise only the number changes and `comment_written` is
  // false.
  Result<TextEdit> replace(const IcpPlace& place, std::string_view value, std::string_view comment,
                           bool* comment_written) const;

  // Adds `"<code>": <value>` to sic_scores (see icp_edit.h for where and how).
  // `comment_written` as for replace(). kInvalidConfig when sic_scores cannot take an entry.
  Result<TextEdit> insert_sic(std::string_view code, std::string_view value,
                              std::string_view comment, bool* comment_written) const;

  // The industry name the comment on `place`'s line starts with ("General Medical Hospitals"),
  // or else the one on hard_filters.sic_codes' line for `sic`; "" when neither has one.
  std::string industry_name(const IcpPlace* place, std::string_view sic) const;

 private:
  IcpDocument(std::string_view text, std::string name, YAML::Node root, std::size_t bom);

  Result<PlaceLookup> find_sic(std::string_view bucket) const;
  Result<PlaceLookup> find_tier(std::string_view section, std::string_view bucket) const;
  Result<PlaceLookup> find_signal(std::string_view bucket) const;
  Result<PlaceLookup> find_freshness(std::string_view bucket) const;
  Result<IcpPlace> make_place(std::string path, std::string flat_key, const YAML::Node& key,
                              const YAML::Node& value, const YAML::Node& parent) const;
  Result<TextEdit> insert_in_flow(const YAML::Node& map, const std::vector<MapEntry>& all,
                                  const MapEntry* next, const std::string& pair) const;
  Result<TextEdit> insert_in_block(const YAML::Node& map, const std::vector<MapEntry>& all,
                                   const MapEntry* next, const MapEntry& reference,
                                   std::string line, std::string_view value,
                                   std::string_view comment) const;
  Status check_not_shared(const YAML::Node& node, const std::string& path) const;
  Status error(const YAML::Node& node, const std::string& what) const;

  std::size_t offset(const YAML::Node& node) const;
  std::string comment_on_line(std::size_t pos) const;

  std::string_view text_;
  std::string name_;
  YAML::Node root_;
  std::size_t bom_ = 0;
};

// Every value the scorer reads from icp.yaml, as text keyed by where it is
// ("onsite_likelihood.sic_scores.8062" -> "33", "freshness[1].multiplier" ->
// "0.69999999999999996"): two files score alike exactly when their maps are equal.
std::map<std::string, std::string> flatten_icp_config(const IcpConfig& config);

}  // namespace hades::domain

#endif  // HADES_LEADS_ICP_PLACES_H_
