// icp_agents.h: the call-center agents of icp.yaml, the Contact Owners of an export.
//
// Only `call_center_agents` is read: the rest of icp.yaml is the scorer's, which checks it. An
// error names the place in the file as `<path>:<line>:<column>: call_center_agents: <what>`, so
// `hades validate` points at it.
//
// Thread safety: pure functions.

#ifndef HADES_PLUGINS_EXPORT_BATCH_ICP_AGENTS_H_
#define HADES_PLUGINS_EXPORT_BATCH_ICP_AGENTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "hades/status.h"

namespace hades::export_batch {

// The agent e-mails listed under `call_center_agents` in the icp.yaml at `path`, in file order.
// Fails with kInvalidConfig when the file cannot be read or parsed, or the key is missing, not
// a list, empty, or holds an item that is not a non-blank scalar.
Result<std::vector<std::string>> load_call_center_agents(const std::string& path);

// The same from the file's text; `path` is only used in messages.
Result<std::vector<std::string>> parse_call_center_agents(std::string_view text,
                                                          const std::string& path);

}  // namespace hades::export_batch

#endif  // HADES_PLUGINS_EXPORT_BATCH_ICP_AGENTS_H_
