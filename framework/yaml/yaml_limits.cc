#include "yaml_limits.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <map>
#include <sstream>
#include <vector>

namespace hades {
namespace {

// Counts, per parse event, the depth and the nodes each anchor stands for; throws at a limit.
class LimitChecker final : public YAML::EventHandler {
 public:
  explicit LimitChecker(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = sizes_.find(anchor);
    add(mark, it == sizes_.end() ? 1 : it->second);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    YAML::anchor_t anchor;
    YAML::Mark mark;
    std::size_t nodes;  // this collection and everything in it, aliases expanded
  };

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) sizes_[anchor] = 1;
    add(mark, 1);
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      throw YamlLimitError(mark, "the YAML is nested more than " +
                                     std::to_string(limits_.max_depth) + " levels deep");
    }
    stack_.push_back({anchor, mark, 1});
  }
  void close() {
    const Frame frame = stack_.back();
    stack_.pop_back();
    if (frame.anchor != YAML::NullAnchor) sizes_[frame.anchor] = frame.nodes;
    add(frame.mark, frame.nodes);
  }
  // Counts `nodes` more in the enclosing collection and the document. Every count stays below
  // twice the limit, since a count past it throws before it can be added anywhere.
  void add(const YAML::Mark& mark, std::size_t nodes) {
    total_ += nodes;
    if (!stack_.empty()) stack_.back().nodes += nodes;
    if (total_ > limits_.max_nodes) {
      throw YamlLimitError(mark, "the YAML expands to more than " +
                                     std::to_string(limits_.max_nodes) +
                                     " nodes once its aliases are followed (an alias bomb?)");
    }
  }

  const YamlLimits& limits_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::size_t> sizes_;
  std::size_t total_ = 0;
};

}  // namespace

YAML::Node load_yaml(std::string_view text, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    throw YamlLimitError(YAML::Mark::null_mark(),
                         "the YAML is larger than " + std::to_string(limits.max_bytes) +
                             " bytes (" + std::to_string(text.size()) + ")");
  }
  const std::string copy(text);
  try {
    std::istringstream in(copy);
    YAML::Parser parser(in);
    LimitChecker checker(limits);
    parser.HandleNextDocument(checker);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own guard ("bad file") in a structure our depth count does not see.
    throw YamlLimitError(e.mark, "the YAML is nested too deeply");
  }
  return YAML::Load(copy);
}

}  // namespace hades
