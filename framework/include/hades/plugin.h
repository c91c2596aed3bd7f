// hades/plugin.h: the plugin kinds and the descriptor every plugin library exports.
//
// A plugin library (hades_<name>.so) exports exactly two symbols through HADES_PLUGIN():
//   hades_plugin_descriptor  a PluginDescriptor: plain data the host reads and checks first
//   hades_plugin_factory     builds one plugin object from bound settings
// The host refuses a library whose descriptor has another API major version, a newer minor
// version, or another build fingerprint (compiler and standard library), naming both sides,
// before it calls anything in it. Objects the factory makes must be destroyed before the
// library is unloaded; the host guarantees that.
//
// Plugin code may throw; the factory trampoline and the host's wrappers turn any exception into
// a Status that names the plugin and the operation. Nothing unwinds across the boundary.
//
// Call order, from one thread:
//   Source:    open(cursor) -> read()* ; cursor() after each Read is the checkpoint
//   Transform: open(schema) -> apply()*
//   Sink:      open(schema, token) -> (write() -> flush())* -> finish()
//   Task:      run()
//   Page:      start() -> handlers (hades/page.h; pages are served by `hades serve`, never run
//              by a job)

#ifndef HADES_PLUGIN_H_
#define HADES_PLUGIN_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hades/api.h"
#include "hades/context.h"
#include "hades/database.h"
#include "hades/record.h"
#include "hades/settings.h"
#include "hades/status.h"

namespace hades {

// Bump kApiMajor for any change that breaks a built plugin; bump kApiMinor when adding to the
// end of PluginDescriptor or adding something the host can do without from older plugins.
inline constexpr std::uint32_t kApiMajor = 1;
// 1.1: Database::query_each. 1.2: Context::now(), Rejects::reject with a kind,
// PluginKind::kPage (hades/page.h), Source::progress().
inline constexpr std::uint32_t kApiMinor = 2;

// Appended only: a kind's number is part of every built plugin's descriptor.
enum class PluginKind : std::uint32_t {
  kSource = 0,
  kTransform = 1,
  kSink = 2,
  kTask = 3,
  kPage = 4,  // API 1.2
};
// The last kind this SDK knows: the host refuses a descriptor naming a later one.
inline constexpr PluginKind kLastPluginKind = PluginKind::kPage;
std::string_view plugin_kind_name(PluginKind kind);

enum class DeliveryGuarantee : std::uint32_t {
  kExactlyOnce = 0,  // output commits with the checkpoint: no loss, no duplicates
  kIdempotent = 1,   // may be written twice, but the second write changes nothing
  kAtLeastOnce = 2,  // may be written twice
};
std::string_view delivery_guarantee_name(DeliveryGuarantee guarantee);

class HADES_API Plugin {
 public:
  virtual ~Plugin() = default;
};

// How far a source has got, in a unit it chooses (bytes of a file, records of a module).
struct SourceProgress {
  std::uint64_t done = 0;
  std::uint64_t total = 0;  // 0: unknown
};

class HADES_API Source : public Plugin {
 public:
  // Positions the source: at the start when `cursor` is empty, else just after the row whose
  // cursor() was checkpointed. Fails with kCorruption when the cursor cannot be understood.
  virtual Status open(Context& ctx, std::string_view cursor) = 0;
  // The schema of the rows read() produces. REQUIRES: open() succeeded.
  virtual std::shared_ptr<const Schema> schema() const = 0;
  // Appends up to `max_rows` rows to `out` (a chunk over schema()). Unreadable records go to
  // `rejects` and count as read. Returns false once the source is exhausted.
  virtual Result<bool> read(std::size_t max_rows, Chunk* out, Rejects& rejects) = 0;
  // Where a fresh open() must resume to continue after everything read() has returned so far.
  virtual std::string cursor() const = 0;

  // How far read() has got through everything open() positioned the source on, for a progress
  // display (percent done, time left); nullopt when the source cannot tell. Cheap: the runner
  // asks after every read(). (Plugin API 1.2; last, with a body, so plugins built for 1.1 keep
  // their slots and compile unchanged.)
  virtual std::optional<SourceProgress> progress() const { return std::nullopt; }
};

class HADES_API Transform : public Plugin {
 public:
  // Called once per step with the input schema; returns the output schema.
  virtual Result<std::shared_ptr<const Schema>> open(
      Context& ctx, const std::shared_ptr<const Schema>& input) = 0;
  // Maps `input` to `output` (a chunk over the schema Open returned). Records that fail go to
  // `rejects`; records the transform filters out on purpose are simply not appended.
  virtual Status apply(Chunk input, Chunk* output, Rejects& rejects) = 0;
};

class HADES_API Sink : public Plugin {
 public:
  virtual DeliveryGuarantee guarantee() const = 0;
  // Prepares to write rows of `schema`. `token` is empty on a fresh step, else what flush()
  // returned for the last committed checkpoint: the sink must drop anything it wrote after it.
  virtual Status open(Context& ctx, const std::shared_ptr<const Schema>& schema,
                      std::string_view token) = 0;
  // Stages one chunk: rows for the job's database are added to `batch`, which the runner commits
  // in one transaction with the step's checkpoint; other output goes wherever the sink keeps it.
  virtual Status write(const Chunk& chunk, WriteBatch& batch, Rejects& rejects) = 0;
  // Makes everything staged outside the database durable and returns the resume token. Called
  // after write(), before the runner commits `batch`.
  virtual Result<std::string> flush() = 0;
  // The step has read everything: publish the output (for files: the atomic rename). Must be
  // idempotent, since a crash after it but before the step is recorded complete calls it again.
  virtual Status finish(Context& ctx) = 0;
};

class HADES_API Task : public Plugin {
 public:
  // Runs the whole step. A task is re-run from the start if its run is resumed before it
  // completed, so it must be safe to run twice.
  virtual Status run(Context& ctx) = 0;
};

// The symbol every plugin library exports. Plain data that only ever grows at the end:
// `struct_size` tells the host how much of it this plugin has.
struct PluginDescriptor {
  std::uint32_t struct_size;
  std::uint32_t api_major;
  std::uint32_t api_minor;
  PluginKind kind;
  const char* name;         // = folder name = job name = hades_<name>.so
  const char* version;      // the plugin's own version, "1.2.0"
  const char* fingerprint;  // HADES_BUILD_FINGERPRINT of the build that made it
  const char* summary;      // one line for `hades plugins`
  const SettingSpec* settings;
  std::uint32_t settings_count;
};

using PluginFactory = Status(const Settings& settings, std::unique_ptr<Plugin>* out);

}  // namespace hades

#define HADES_DETAIL_STR2(x) #x
#define HADES_DETAIL_STR(x) HADES_DETAIL_STR2(x)
#if defined(__clang__)
#define HADES_DETAIL_COMPILER "clang-" __clang_version__
#elif defined(__GNUC__)
#define HADES_DETAIL_COMPILER "gcc-" HADES_DETAIL_STR(__GNUC__) "." HADES_DETAIL_STR(__GNUC_MINOR__)
#else
#define HADES_DETAIL_COMPILER "unknown-compiler"
#endif
#if defined(__GLIBCXX__)
#define HADES_DETAIL_STDLIB \
  "libstdc++-" HADES_DETAIL_STR(_GLIBCXX_RELEASE) "-abi" HADES_DETAIL_STR(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define HADES_DETAIL_STDLIB "libc++-" HADES_DETAIL_STR(_LIBCPP_VERSION)
#else
#define HADES_DETAIL_STDLIB "unknown-stdlib"
#endif

// What a plugin must match to share C++ objects with the host: compiler family and major
// version, standard library and its ABI, and the language standard.
#define HADES_BUILD_FINGERPRINT \
  HADES_DETAIL_COMPILER "/" HADES_DETAIL_STDLIB "/c++" HADES_DETAIL_STR(__cplusplus)

#endif  // HADES_PLUGIN_H_
