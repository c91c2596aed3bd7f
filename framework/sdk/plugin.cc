#include "hades/plugin.h"

namespace hades {

std::string_view plugin_kind_name(PluginKind kind) {
  switch (kind) {
    case PluginKind::kSource:
      return "source";
    case PluginKind::kTransform:
      return "transform";
    case PluginKind::kSink:
      return "sink";
    case PluginKind::kTask:
      return "task";
    case PluginKind::kPage:
      return "page";
  }
  return "unknown";
}

std::string_view delivery_guarantee_name(DeliveryGuarantee guarantee) {
  switch (guarantee) {
    case DeliveryGuarantee::kExactlyOnce:
      return "exactly-once";
    case DeliveryGuarantee::kIdempotent:
      return "idempotent";
    case DeliveryGuarantee::kAtLeastOnce:
      return "at-least-once";
  }
  return "unknown";
}

}  // namespace hades
