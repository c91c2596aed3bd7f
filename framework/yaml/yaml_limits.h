// yaml_limits.h: YAML that a person (or anyone) wrote, parsed within limits.
//
// yaml-cpp builds a node tree of whatever it is given. Two kinds of input make that costly or
// confusing: aliases (`*a`) that refer to anchors (`&a`) holding aliases in turn, a few hundred
// bytes that expand to billions of nodes for whoever walks the tree (an alias bomb); and deep
// nesting, which yaml-cpp refuses with the bare message "bad file". load_yaml() walks the
// document's parse events first, counting depth and the nodes aliases expand to, and refuses
// either with a clear message located in the text, before any tree exists. Job files and icp.yaml
// (framework and plugins) load through it.
//
// Thread safety: pure functions.

#ifndef HADES_FRAMEWORK_YAML_YAML_LIMITS_H_
#define HADES_FRAMEWORK_YAML_YAML_LIMITS_H_

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace hades {

struct YamlLimits {
  // Far beyond any job file or icp.yaml (a few KiB), far below what exhausts memory.
  std::size_t max_bytes = std::size_t{1} << 20;
  // Mappings and sequences inside one another; a job file nests about six deep.
  int max_depth = 64;
  // Nodes of the document with every alias expanded: what a reader walking it would visit.
  std::size_t max_nodes = 100'000;
};

// What load_yaml() throws when the text is beyond `limits`; `msg` says which limit, `mark` where
// (a null mark for the size). A YAML::ParserException, so callers that report YAML errors by
// mark and message report these too; catch it first to word them differently.
class YamlLimitError : public YAML::ParserException {
 public:
  YamlLimitError(const YAML::Mark& mark, const std::string& message)
      : YAML::ParserException(mark, message) {}
};

// The first document of `text` as YAML::Load gives it. Throws YamlLimitError beyond `limits`,
// and YAML::Exception for what is not YAML.
YAML::Node load_yaml(std::string_view text, const YamlLimits& limits = {});

}  // namespace hades

#endif  // HADES_FRAMEWORK_YAML_YAML_LIMITS_H_
