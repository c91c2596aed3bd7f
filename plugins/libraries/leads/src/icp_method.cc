#include "leads/icp_method.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "leads/icp_config.h"
#include "leads/icp_places.h"
#include "leads/text_diff.h"

namespace hades::domain {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

struct Edit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

Status refuse(const PlanOptions& options, const std::string& what) {
  return Status::invalid_config(options.icp_name + ": " + what + "; nothing changed");
}

// The line ending the file uses: CRLF when its first line ends so.
std::string line_ending(std::string_view text) {
  const std::size_t lf = text.find('\n');
  return lf != std::string_view::npos && lf > 0 && text[lf - 1] == '\r' ? "\r\n" : "\n";
}

Result<std::string> quoted(std::string_view reference, const PlanOptions& options) {
  std::string out = "\"";
  for (const char c : reference) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return refuse(options, "the model reference holds a control character");
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The end of the scalar that starts at `begin` (its quotes included, trailing blanks not).
std::size_t scalar_end(std::string_view text, std::size_t begin, bool flow) {
  if (begin >= text.size()) return begin;
  const char quote = text[begin];
  if (quote == '"' || quote == '\'') {
    for (std::size_t i = begin + 1; i < text.size(); ++i) {
      if (quote == '"' && text[i] == '\\') {
        ++i;
      } else if (text[i] == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;
        } else {
          return i + 1;
        }
      }
    }
    return text.size();
  }
  std::size_t i = begin;
  while (i < text.size() && text[i] != '\n' && text[i] != '\r' &&
         !((text[i] == '#') && i > begin && (text[i - 1] == ' ' || text[i - 1] == '\t')) &&
         !(flow && (text[i] == ',' || text[i] == '}'))) {
    ++i;
  }
  while (i > begin && (text[i - 1] == ' ' || text[i - 1] == '\t')) --i;
  return i;
}

// The byte range of `node`'s scalar in `text`, checked to be that scalar.
Result<Edit> scalar_range(std::string_view text, std::size_t bom, const YAML::Node& node, bool flow,
                          const std::string& key, const PlanOptions& options) {
  const std::size_t begin = static_cast<std::size_t>(node.Mark().pos) + bom;
  const std::size_t end = scalar_end(text, begin, flow);
  std::string_view written = text.substr(begin, end - begin);
  if (written.size() >= 2 && (written.front() == '"' || written.front() == '\'')) {
    written = written.substr(1, written.size() - 2);
  }
  if (begin >= text.size() || written != node.Scalar()) {
    return refuse(options, "scoring_method." + key +
                               " is written in a form this edit does not rewrite (escapes or a "
                               "multi-line scalar): change it by hand");
  }
  return Edit{begin, end, {}};
}

// The section appended to a file without one.
std::string appended_section(std::string_view text, const std::string& eol,
                             const std::string& model) {
  std::string out;
  if (!text.empty() && text.back() != '\n') out += eol;
  out += eol;
  out += "# How the scorer scores leads: `weights` (the tables above) or `model` (a trained lead" +
         eol;
  out +=
      "# model, docs/model.md). Changed by the weight_writer (action: set_method), audited." + eol;
  out += "scoring_method:" + eol + "  use: model" + eol + "  model: " + model + eol;
  return out;
}

// The edits of an existing section.
Result<std::vector<Edit>> section_edits(std::string_view text, const YAML::Node& section,
                                        const MethodChoice& choice, const std::string& model,
                                        const PlanOptions& options) {
  const std::size_t bom = text.starts_with(kBom) ? kBom.size() : 0;
  const bool flow = section.Style() == YAML::EmitterStyle::Flow;
  std::vector<Edit> edits;
  // Optional: a default-constructed YAML::Node counts as defined, so it cannot say "absent".
  std::optional<YAML::Node> use_key;
  std::optional<YAML::Node> use_value;
  std::optional<YAML::Node> model_value;
  for (auto it = section.begin(); it != section.end(); ++it) {
    if (it->first.Scalar() == "use") {
      use_key = it->first;
      use_value = it->second;
    } else if (it->first.Scalar() == "model") {
      model_value = it->second;
    }
  }
  if (!use_key) return refuse(options, "scoring_method has no `use`");
  Result<Edit> use = scalar_range(text, bom, *use_value, flow, "use", options);
  if (!use.ok()) return use.status();
  use->text = choice.use_model ? "model" : "weights";
  edits.push_back(std::move(use).value());
  if (!choice.use_model) return edits;
  if (model_value) {
    Result<Edit> m = scalar_range(text, bom, *model_value, flow, "model", options);
    if (!m.ok()) return m.status();
    m->text = model;
    edits.push_back(std::move(m).value());
    return edits;
  }
  if (flow) {
    return refuse(options, "scoring_method is a flow mapping without `model`: add the key by hand");
  }
  const std::string eol = line_ending(text);
  const std::size_t line_end = text.find('\n', edits.front().end);
  const std::string indent(static_cast<std::size_t>(use_key->Mark().column), ' ');
  if (line_end == std::string_view::npos) {
    edits.push_back({text.size(), text.size(), eol + indent + "model: " + model + eol});
  } else {
    edits.push_back({line_end + 1, line_end + 1, indent + "model: " + model + eol});
  }
  return edits;
}

std::string apply_edits(std::string_view text, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  std::string out(text);
  for (const Edit& e : edits) out.replace(e.begin, e.end - e.begin, e.text);
  return out;
}

Status verify(const IcpConfig& old, std::string_view new_text, const MethodChoice& choice,
              const PlanOptions& options) {
  Result<IcpConfig> loaded = parse_icp_config(new_text, options.icp_name);
  if (!loaded.ok()) {
    return refuse(options, "the edited file would not load: " + loaded.status().message());
  }
  std::map<std::string, std::string> expected = flatten_icp_config(old);
  expected["scoring_method.use"] = choice.use_model ? "model" : "weights";
  if (choice.use_model) expected["scoring_method.model"] = choice.model;
  if (flatten_icp_config(*loaded) != expected) {
    return refuse(options, "the edit would change more than scoring_method");
  }
  return Status::ok_status();
}

int use_line(std::string_view text) {
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return root["scoring_method"]["use"].Mark().line + 1;
  } catch (const YAML::Exception&) {
    return 0;
  }
}

}  // namespace

std::string method_text(bool use_model, std::string_view model) {
  return use_model ? "model " + std::string(model) : std::string("weights");
}

Result<IcpEditPlan> plan_method_edit(std::string_view icp_text, const MethodChoice& choice,
                                     const MethodEvidence& evidence, const PlanOptions& options) {
  Result<IcpConfig> old = parse_icp_config(icp_text, options.icp_name);
  if (!old.ok()) return old.status();
  if (choice.use_model && choice.model.empty()) {
    return refuse(options, "use: model needs a model (a lead_models id or a model file)");
  }
  IcpEditPlan plan;
  plan.sha256_before = sha256_hex(icp_text);
  const ScoringMethod& now = old->scoring_method;
  if (now.use_model == choice.use_model && (!choice.use_model || now.model == choice.model)) {
    plan.sha256_after = plan.sha256_before;
    plan.text_after = std::string(icp_text);
    return plan;
  }
  Result<std::string> model = quoted(choice.model, options);
  if (!model.ok()) return model.status();
  std::string text;
  try {
    const YAML::Node root = YAML::Load(std::string(icp_text));
    const YAML::Node section = root["scoring_method"];
    if (!section) {
      text = std::string(icp_text) + appended_section(icp_text, line_ending(icp_text), *model);
    } else {
      Result<std::vector<Edit>> edits = section_edits(icp_text, section, choice, *model, options);
      if (!edits.ok()) return edits.status();
      text = apply_edits(icp_text, std::move(edits).value());
    }
  } catch (const YAML::Exception& e) {
    return refuse(options, e.what());
  }
  HADES_RETURN_IF_ERROR(verify(*old, text, choice, options));
  IcpChange change;
  change.dimension = std::string(kMethodDimension);
  change.bucket = std::string(kMethodBucket);
  change.place = "scoring_method";
  change.line = use_line(text);
  change.old_value = method_text(now.use_model, now.model);
  change.new_value = method_text(choice.use_model, choice.model);
  change.leads = evidence.leads;
  change.deliveries = evidence.deliveries;
  change.rate = evidence.leads > 0
                    ? static_cast<double>(evidence.deliveries) / static_cast<double>(evidence.leads)
                    : 0;
  change.confidence = evidence.verdict;
  plan.changes.push_back(std::move(change));
  plan.sha256_after = sha256_hex(text);
  plan.diff = unified_diff(icp_text, text, diff_label('a', options.icp_name),
                           diff_label('b', options.icp_name));
  plan.text_after = std::move(text);
  return plan;
}

}  // namespace hades::domain
