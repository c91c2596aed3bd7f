// zoho_source.h: the zoho_source plugin, a Source over one module of a Zoho CRM org.
//
// Settings bind once, in create(), into a ZohoSourceConfig. open() makes the ZohoClient (OAuth
// token and retried calls, zoho_client.h) and positions the walk; read() fetches a page when its
// buffer is empty and hands out rows in (cursor field, id) order:
//   coql     POST /coql, 2,000 rows a call, keyset-paged: every page asks for the rows after the
//            last one it got, so no offset limit applies and nothing shifts under the walk.
//            From the start it walks in id order (ids never move; Zoho serves it fastest) and
//            ends with a (cursor field, id) watermark; from a cursor it walks in (cursor field,
//            id) order, where a record that changes mid-walk moves behind the walk.
//   records  GET /{Module}?sort_by=cursor field asc, `page` up to 2,000 records, then
//            `page_token` (never both); a resumed walk sends If-Modified-Since.
// The cursor is the position of the last row handed out (zoho_query.h: Position): the id in an
// id walk, else the cursor field and id; open(cursor) continues after it. A finished id walk
// hands on a (cursor field, id) watermark, so the next night's run of an `incremental: true`
// step asks only for records changed since. A record seen again in the same run with nothing
// changed but its cursor field is dropped. The next COQL pages are read ahead (zoho_client.h),
// asked for by a hint scanned from the raw reply, so parsing is off the round trips' path.
//
// Thread safety: one thread at a time.

#ifndef HADES_PLUGINS_ZOHO_SOURCE_ZOHO_SOURCE_H_
#define HADES_PLUGINS_ZOHO_SOURCE_ZOHO_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hades/plugin.h"
#include "hades/settings.h"
#include "zoho_client.h"
#include "zoho_query.h"

namespace hades::zoho_source {

// The `with:` keys zoho_source accepts; also the source of the README's settings table.
extern const SettingSpec kSettings[18];

enum class ReadPath { kCoql, kRecords };

struct ZohoSourceConfig {
  ZohoClientConfig client;
  std::string module;
  FieldPlan fields;
  std::string criteria;
  ReadPath read_path = ReadPath::kCoql;
  std::string converted = "false";
  int per_page = 2000;
  std::string cursor_field = "Modified_Time";
};

// Binds and checks settings. Fails with kInvalidConfig naming the offending key.
Result<ZohoSourceConfig> bind_config(const Settings& settings);

// The factory HADES_PLUGIN exports.
Result<std::unique_ptr<Plugin>> create(const Settings& settings);

class ZohoSource : public Source {
 public:
  // `http` is for tests; null makes the real client at open().
  explicit ZohoSource(ZohoSourceConfig config, std::unique_ptr<HttpClient> http = nullptr);

  Status open(Context& ctx, std::string_view cursor) override;
  std::shared_ptr<const Schema> schema() const override { return schema_; }
  Result<bool> read(std::size_t max_rows, Chunk* out, Rejects& rejects) override;
  std::string cursor() const override;

  // API calls made for rows (token requests aside), for logs and tests.
  int data_calls() const { return data_calls_; }

 private:
  Status fetch_page();
  Status fetch_coql();
  Status fetch_records();
  // Queues a page's rows; notes where the next page starts, or that there is none.
  Status accept_page(nlohmann::json body);
  void take(const nlohmann::json& row, Chunk* out, Rejects& rejects);

  ZohoSourceConfig config_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<ZohoClient> client_;
  std::shared_ptr<const Schema> schema_;
  std::optional<ZohoCursor> start_;    // where this open() began
  std::optional<ZohoCursor> cursor_;   // last row handed out (or skipped)
  std::optional<ZohoCursor> fetched_;  // last row of the last page fetched
  std::optional<IdWalk> walk_;         // a COQL read from the start, in id order
  std::string fetched_id_;             // id walk: last id of the last page fetched
  std::deque<nlohmann::json> pending_;
  bool done_ = false;
  int next_page_ = 1;                                  // records path: the next `page`
  std::string next_page_token_;                        // records path, past 2,000 records
  std::unordered_map<std::string, std::size_t> seen_;  // id -> hash of its values
  int data_calls_ = 0;
};

}  // namespace hades::zoho_source

#endif  // HADES_PLUGINS_ZOHO_SOURCE_ZOHO_SOURCE_H_
