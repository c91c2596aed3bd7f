// order_stage_test: the order_by stage on its own. Its output is checked against a plain
// reference (a stable sort of Values under the documented comparison, after a first-wins
// unique filter), on the heap path, the spill path with budgets down to one record, and a
// write phase resumed after any number of records. The record codec and the unique index are
// checked here too, since the stage's exactness rests on them.
#define BOOST_TEST_MODULE order_stage_test
#include "order_stage.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <set>

#include "record_codec.h"
#include "sorted_run.h"
#include "test_support.h"
#include "unique_index.h"

namespace hades {
namespace {

namespace fs = std::filesystem;

// --- The reference -------------------------------------------------------------------------------

// Compares two non-null values as documented: numbers exactly (long double holds every int64
// and every double), numbers before text, text bytewise, NaN after every other number.
int compare_values(const Value& a, const Value& b) {
  const auto number = [](const Value& v) -> std::optional<long double> {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<long double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return static_cast<long double>(*d);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? 1.0L : 0.0L;
    return std::nullopt;
  };
  const auto na = number(a);
  const auto nb = number(b);
  if (na && nb) {
    if (std::isnan(*na) || std::isnan(*nb)) return std::isnan(*na) - std::isnan(*nb);
    return *na < *nb ? -1 : *na > *nb ? 1 : 0;
  }
  if (na) return -1;
  if (nb) return 1;
  const int c = std::get<std::string>(a).compare(std::get<std::string>(b));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

int compare_by_key(const Value& a, const Value& b, const OrderKey& key) {
  if (is_null(a) || is_null(b)) {
    if (is_null(a) && is_null(b)) return 0;
    return is_null(a) == key.nulls_first ? -1 : 1;
  }
  const int c = compare_values(a, b);
  return key.descending ? -c : c;
}

struct Input {
  Row row;
  std::string position;
};

struct Output {
  std::vector<Row> rows;
  std::vector<std::string> positions;
  std::vector<testing::CollectingRejects::Entry> rejects;
};

// What the stage must produce: unique first (first in input order wins), then a stable sort by
// the keys, then the limit.
std::vector<std::size_t> reference_order(const OrderSpec& spec, const Schema& schema,
                                         const std::vector<Input>& input,
                                         std::vector<std::size_t>* duplicates) {
  std::vector<std::size_t> kept;
  std::vector<Row> seen;
  std::vector<std::size_t> unique_index;
  for (const std::string& c : spec.unique) unique_index.push_back(*schema.index_of(c));
  for (std::size_t i = 0; i < input.size(); ++i) {
    Row key;
    bool has_null = false;
    for (std::size_t u : unique_index) {
      key.push_back(input[i].row[u]);
      has_null = has_null || is_null(input[i].row[u]);
    }
    const auto same = [&](const Row& other) {
      for (std::size_t k = 0; k < key.size(); ++k) {
        if (compare_values(key[k], other[k]) != 0) return false;
      }
      return true;
    };
    if (!unique_index.empty() && !has_null && std::any_of(seen.begin(), seen.end(), same)) {
      duplicates->push_back(i);
      continue;
    }
    if (!unique_index.empty() && !has_null) seen.push_back(key);
    kept.push_back(i);
  }
  std::stable_sort(kept.begin(), kept.end(), [&](std::size_t a, std::size_t b) {
    for (const OrderKey& key : spec.keys) {
      const std::size_t c = *schema.index_of(key.column);
      const int r = compare_by_key(input[a].row[c], input[b].row[c], key);
      if (r != 0) return r < 0;
    }
    return false;
  });
  if (spec.limit && kept.size() > static_cast<std::size_t>(*spec.limit)) {
    kept.resize(static_cast<std::size_t>(*spec.limit));
  }
  return kept;
}

// --- Running the stage ---------------------------------------------------------------------------

OrderSpec spec_of(std::vector<OrderKey> keys, std::optional<std::int64_t> limit = std::nullopt,
                  std::uint64_t memory = kDefaultOrderMemory,
                  std::vector<std::string> unique = {}) {
  OrderSpec spec;
  spec.keys = std::move(keys);
  spec.limit = limit;
  spec.memory = memory;
  for (std::string& u : unique) {
    spec.unique.push_back(std::move(u));
    spec.unique_where.push_back({"job.yaml", 9, 5});
  }
  return spec;
}

OrderKey key(std::string column, bool descending = false) {
  return OrderKey{std::move(column), descending, !descending, {"job.yaml", 7, 9}};
}

struct Stage {
  testing::TempDir dir;
  testing::RecordingLogger log;
  OrderProgress progress;
  std::int64_t duplicates = 0;
  std::size_t spilled = 0;
  testing::CollectingRejects rejects;
};

// The read phase over `input` in chunks of `chunk_size`; the barrier's progress in `stage`.
void order(Stage& stage, const OrderSpec& spec, const std::shared_ptr<const Schema>& schema,
           const std::vector<Input>& input, std::size_t chunk_size = 7) {
  auto sorter = OrderSorter::create(spec, *schema, stage.dir.path(), stage.log);
  BOOST_TEST_REQUIRE(sorter.ok(), sorter.status().message());
  for (std::size_t start = 0; start < input.size(); start += chunk_size) {
    Chunk chunk(schema);
    for (std::size_t i = start; i < std::min(input.size(), start + chunk_size); ++i) {
      chunk.append(input[i].row, input[i].position);
    }
    BOOST_TEST_REQUIRE((*sorter)->add(chunk, stage.rejects).ok());
  }
  auto progress = (*sorter)->finish([] { return false; });
  BOOST_TEST_REQUIRE(progress.ok(), progress.status().message());
  BOOST_TEST(progress->runs.size() <= kMaxMergeWidth);
  stage.progress = *progress;
  stage.duplicates = (*sorter)->duplicates();
  stage.spilled = (*sorter)->runs_spilled();
}

// The write phase from record `from`, read `chunk_size` records at a time.
Output write_out(const Stage& stage, const OrderSpec& spec, std::int64_t from = 0,
                 std::size_t chunk_size = 5) {
  OrderProgress progress = stage.progress;
  progress.emitted = from;
  auto reader = OrderedReader::open(spec, progress, stage.dir.path(), /*verify=*/true);
  BOOST_TEST_REQUIRE(reader.ok(), reader.status().message());
  Output out;
  for (bool more = true; more;) {
    Chunk chunk((*reader)->schema());
    auto read = (*reader)->read(chunk_size, &chunk);
    BOOST_TEST_REQUIRE(read.ok(), read.status().message());
    more = *read;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      out.rows.push_back(chunk.row(i));
      out.positions.push_back(chunk.position(i));
    }
  }
  BOOST_TEST((*reader)->emitted() == stage.progress.records);
  out.rejects = stage.rejects.entries();
  return out;
}

Output run_stage(const OrderSpec& spec, const std::shared_ptr<const Schema>& schema,
                 const std::vector<Input>& input, std::size_t chunk_size = 7) {
  Stage stage;
  order(stage, spec, schema, input, chunk_size);
  return write_out(stage, spec);
}

std::string show(const Row& row) {
  std::string text;
  for (const Value& v : row) text += std::string(type_name(v)) + ":" + to_text(v) + " ";
  return text;
}

// Runs the stage and compares its output, rows and positions, with the reference's.
void check_against_reference(const OrderSpec& spec, const std::shared_ptr<const Schema>& schema,
                             const std::vector<Input>& input, std::size_t chunk_size = 7) {
  std::vector<std::size_t> duplicates;
  const std::vector<std::size_t> expected = reference_order(spec, *schema, input, &duplicates);
  const Output got = run_stage(spec, schema, input, chunk_size);
  BOOST_TEST_REQUIRE(got.rows.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    BOOST_TEST_CONTEXT("output record " << i) {
      BOOST_TEST(got.positions[i] == input[expected[i]].position);
      BOOST_TEST(show(got.rows[i]) == show(input[expected[i]].row));
    }
  }
  BOOST_TEST_REQUIRE(got.rejects.size() == duplicates.size());
  for (std::size_t i = 0; i < duplicates.size(); ++i) {
    BOOST_TEST(got.rejects[i].position == input[duplicates[i]].position);
  }
}

std::shared_ptr<const Schema> schema_of(std::vector<std::string> columns) {
  return std::make_shared<const Schema>(std::move(columns));
}

// Records of (group, score, name) with many ties, each with its input line as position.
std::vector<Input> scored_records(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Input> input;
  for (std::size_t i = 0; i < n; ++i) {
    Row row = {Value(static_cast<std::int64_t>(rng() % 50)),
               Value(static_cast<std::int64_t>(rng() % 7)),
               Value("name-" + std::to_string(rng() % 1000) + std::string(rng() % 40, 'x'))};
    input.push_back({std::move(row), "in.csv:" + std::to_string(i + 2)});
  }
  return input;
}

const auto kScored = schema_of({"person", "score", "name"});

// --- The record codec ----------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(record_codec)

BOOST_AUTO_TEST_CASE(rows_round_trip_with_every_kind_of_value) {
  const Row row = {Value(),
                   Value(true),
                   Value(false),
                   Value(std::numeric_limits<std::int64_t>::min()),
                   Value(std::numeric_limits<std::int64_t>::max()),
                   Value(std::int64_t{-1}),
                   Value(-0.0),
                   Value(std::numeric_limits<double>::infinity()),
                   Value(3.25),
                   Value(std::string()),
                   Value(std::string("nul\0inside", 10)),
                   Value(std::string(300, 'x'))};
  std::string bytes;
  encode_row(row, "leads.csv:42", &bytes);
  Row back;
  std::string position;
  BOOST_TEST_REQUIRE(decode_row(bytes, row.size(), &back, &position).ok());
  BOOST_TEST(position == "leads.csv:42");
  BOOST_TEST(show(back) == show(row));
  BOOST_TEST(std::signbit(std::get<double>(back[6])));
  BOOST_TEST(decode_row(bytes, row.size() + 1, &back, &position).code() == StatusCode::kCorruption);
  BOOST_TEST(decode_row(bytes.substr(0, bytes.size() - 1), row.size(), &back, &position).code() ==
             StatusCode::kCorruption);
  BOOST_TEST(decode_row(bytes + "x", row.size(), &back, &position).code() ==
             StatusCode::kCorruption);
}

std::string key_of(const Value& v, bool descending = false, bool nulls_first = true) {
  const KeyColumn column{0, descending, nulls_first};
  std::string key;
  encode_sort_key(Row{v}, std::span(&column, 1), &key);
  return key;
}

BOOST_AUTO_TEST_CASE(keys_order_numbers_exactly_then_text_bytewise) {
  constexpr std::int64_t kTwo53 = std::int64_t{1} << 53;
  const double inf = std::numeric_limits<double>::infinity();
  // Ascending; each entry is strictly after the one before unless marked equal.
  const std::vector<std::pair<Value, bool>> ascending = {
      {Value(), false},
      {Value(-inf), false},
      {Value(std::numeric_limits<std::int64_t>::min()), false},
      {Value(-1.5), false},
      {Value(std::int64_t{-1}), false},
      {Value(std::int64_t{0}), false},
      {Value(-0.0), true},
      {Value(false), true},
      {Value(0.5), false},
      {Value(true), false},
      {Value(std::int64_t{1}), true},
      {Value(static_cast<double>(kTwo53)), false},
      {Value(kTwo53), true},
      {Value(kTwo53 + 1), false},
      {Value(std::numeric_limits<std::int64_t>::max() - 1), false},
      {Value(std::numeric_limits<std::int64_t>::max()), false},
      {Value(9223372036854775808.0), false},
      {Value(inf), false},
      {Value(std::nan("")), false},
      {Value(std::string()), false},
      {Value(std::string("a")), false},
      {Value(std::string("a\0", 2)), false},
      {Value(std::string("a\0\0", 3)), false},
      {Value(std::string("a\x01", 2)), false},
      {Value(std::string("ab")), false},
      {Value(std::string("\xC3\xA9")), false},
  };
  for (std::size_t i = 1; i < ascending.size(); ++i) {
    BOOST_TEST_CONTEXT("entry " << i << " (" << show(Row{ascending[i].first}) << ")") {
      const std::string before = key_of(ascending[i - 1].first);
      const std::string here = key_of(ascending[i].first);
      if (ascending[i].second) {
        BOOST_TEST(before == here);
      } else {
        // Double parentheses: Boost.Test would compare strings as ranges of signed chars.
        BOOST_TEST((before < here));
        // Descending reverses every pair; null stays where nulls_first puts it.
        if (i > 1)
          BOOST_TEST((key_of(ascending[i - 1].first, true) > key_of(ascending[i].first, true)));
      }
    }
  }
  BOOST_TEST((key_of(Value(), false, false) > key_of(Value(std::string("\xFF\xFF")))));
  BOOST_TEST((key_of(Value(), true, true) < key_of(Value(std::string("\xFF\xFF")), true)));
  BOOST_TEST((key_of(Value(), true, false) > key_of(Value(-inf), true)));
}

BOOST_AUTO_TEST_CASE(keys_agree_with_the_reference_on_random_mixed_values) {
  std::mt19937_64 rng(7);
  const auto random_value = [&]() -> Value {
    switch (rng() % 6) {
      case 0:
        return Value();
      case 1:
        return Value(static_cast<std::int64_t>(rng() % 11) - 5);
      case 2:
        return Value(static_cast<double>(static_cast<std::int64_t>(rng() % 21) - 10) / 2);
      case 3:
        return Value(static_cast<std::int64_t>(rng()));
      case 4:
        return Value(std::string(rng() % 3, static_cast<char>('a' + rng() % 2)));
      default:
        return Value(static_cast<double>(static_cast<std::int64_t>(rng())));
    }
  };
  const OrderKey columns[] = {{"a", false, true, {}}, {"b", true, false, {}}};
  const KeyColumn encoded[] = {{0, false, true}, {1, true, false}};
  for (int trial = 0; trial < 20000; ++trial) {
    const Row x = {random_value(), random_value()};
    const Row y = {random_value(), random_value()};
    int expected = 0;
    for (std::size_t k = 0; k < 2 && expected == 0; ++k) {
      expected = compare_by_key(x[k], y[k], columns[k]);
    }
    std::string kx;
    std::string ky;
    encode_sort_key(x, encoded, &kx);
    encode_sort_key(y, encoded, &ky);
    const int got = kx < ky ? -1 : kx > ky ? 1 : 0;
    BOOST_TEST_REQUIRE(got == expected, show(x) << "vs " << show(y));
  }
}

BOOST_AUTO_TEST_CASE(varints_round_trip_and_refuse_truncation) {
  for (const std::uint64_t v :
       {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{1} << 35,
        std::numeric_limits<std::uint64_t>::max()}) {
    std::string bytes;
    append_varint(v, &bytes);
    std::string_view in = bytes;
    std::uint64_t back = 0;
    BOOST_TEST(read_varint(&in, &back));
    BOOST_TEST(back == v);
    BOOST_TEST(in.empty());
    std::string_view cut = std::string_view(bytes).substr(0, bytes.size() - 1);
    BOOST_TEST(!read_varint(&cut, &back));
  }
}

BOOST_AUTO_TEST_SUITE_END()

// --- The unique index ----------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(unique_index)

std::uint64_t everything_collides(std::string_view) { return 42; }

BOOST_AUTO_TEST_CASE(first_position_wins_and_collisions_are_not_duplicates) {
  for (const UniqueIndex::HashFunction hash :
       {UniqueIndex::HashFunction{nullptr}, &everything_collides}) {
    UniqueIndex index(hash);
    BOOST_TEST(!index.insert("a", "leads.csv:2")->has_value());
    BOOST_TEST(!index.insert("b", "leads.csv:3")->has_value());
    BOOST_TEST(!index.insert(std::string_view("a\0", 2), "x")->has_value());
    BOOST_TEST(index.insert("a", "leads.csv:9")->value_or("-") == "leads.csv:2");
    BOOST_TEST(index.insert(std::string_view("a\0", 2), "y")->value_or("-") == "x");
    BOOST_TEST(index.insert("b", "leads.csv:4")->value_or("-") == "leads.csv:3");
    BOOST_TEST(index.size() == 3u);
  }
}

BOOST_AUTO_TEST_CASE(positions_of_every_shape_come_back_exactly) {
  UniqueIndex index;
  const std::vector<std::string> positions = {
      "leads.csv:42",         "leads.csv:007", "Leads id=4150868000001234567", "no digits", "",
      "99999999999999999999", "other.csv:0",   std::string(5000, 'p')};
  for (std::size_t i = 0; i < positions.size(); ++i) {
    BOOST_TEST(!index.insert("k" + std::to_string(i), positions[i])->has_value());
  }
  for (std::size_t i = 0; i < positions.size(); ++i) {
    const std::string expected = positions[i].substr(0, 4096);  // long positions are cut
    BOOST_TEST(index.insert("k" + std::to_string(i), "later")->value_or("-") == expected);
  }
}

BOOST_AUTO_TEST_CASE(holds_many_keys_in_little_memory) {
  UniqueIndex index;
  constexpr int kKeys = 200'000;
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "P" + std::to_string(1'000'000 + i);
    BOOST_TEST_REQUIRE(!index.insert(key, "leads.csv:" + std::to_string(i + 2))->has_value());
  }
  for (int i = 0; i < kKeys; i += 997) {
    const std::string key = "P" + std::to_string(1'000'000 + i);
    BOOST_TEST(index.insert(key, "again")->value_or("-") == "leads.csv:" + std::to_string(i + 2));
  }
  BOOST_TEST(index.size() == static_cast<std::size_t>(kKeys));
  // 8 keys bytes, their length, about 4 bytes of position and an 8-byte slot at <= 3/4 load.
  BOOST_TEST(index.bytes() < static_cast<std::size_t>(kKeys) * 40, index.bytes());
}

BOOST_AUTO_TEST_CASE(a_key_too_long_is_an_error_not_a_crash) {
  UniqueIndex index;
  const auto result = index.insert(std::string(UniqueIndex::kMaxKeyBytes + 1, 'k'), "p");
  BOOST_TEST(result.status().code() == StatusCode::kInvalidConfig);
}

BOOST_AUTO_TEST_SUITE_END()

// --- The stage -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(order_stage)

BOOST_AUTO_TEST_CASE(heap_path_keeps_the_best_limit_records_in_order) {
  const auto input = scored_records(2000, 1);
  check_against_reference(spec_of({key("score", true), key("person")}, 25), kScored, input);
  check_against_reference(spec_of({key("name")}, 1), kScored, input);
}

BOOST_AUTO_TEST_CASE(heap_holds_only_the_limit_whatever_the_input) {
  Stage stage;
  const OrderSpec spec = spec_of({key("score", true)}, 10);
  auto sorter = OrderSorter::create(spec, *kScored, stage.dir.path(), stage.log);
  BOOST_TEST_REQUIRE(sorter.ok());
  std::size_t peak_after_first = 0;
  for (int round = 0; round < 50; ++round) {
    Chunk chunk(kScored);
    for (const Input& in : scored_records(500, static_cast<std::uint64_t>(round))) {
      chunk.append(in.row, in.position);
    }
    BOOST_TEST_REQUIRE((*sorter)->add(chunk, stage.rejects).ok());
    if (round == 0) peak_after_first = (*sorter)->peak_bytes();
  }
  BOOST_TEST((*sorter)->peak_bytes() < 2 * peak_after_first + 4096);
  BOOST_TEST(fs::is_empty(stage.dir.path()));  // nothing spilled
}

BOOST_AUTO_TEST_CASE(spill_path_with_a_tiny_budget_merges_in_passes) {
  const auto input = scored_records(3000, 2);
  Stage stage;
  const OrderSpec spec = spec_of({key("score"), key("name", true)}, std::nullopt, 2048);
  order(stage, spec, kScored, input);
  BOOST_TEST(stage.spilled > kMaxMergeWidth);  // so runs were merged before the barrier
  BOOST_TEST(stage.progress.runs.size() > 1u);
  check_against_reference(spec, kScored, input);
}

BOOST_AUTO_TEST_CASE(a_budget_of_one_record_still_orders_everything) {
  const auto input = scored_records(200, 3);
  check_against_reference(spec_of({key("person", true)}, std::nullopt, 1), kScored, input);
  check_against_reference(spec_of({key("person", true)}, 150, 1), kScored, input);
}

BOOST_AUTO_TEST_CASE(a_heap_that_outgrows_its_budget_goes_on_as_runs) {
  const auto input = scored_records(3000, 4);
  check_against_reference(spec_of({key("name"), key("score")}, 2500, 4096), kScored, input);
}

BOOST_AUTO_TEST_CASE(equal_keys_keep_input_order) {
  std::vector<Input> input;
  for (int i = 0; i < 100; ++i) {
    input.push_back({{Value(std::int64_t{i % 3}), Value(std::int64_t{1}), Value("r")},
                     "p" + std::to_string(i)});
  }
  for (const std::optional<std::int64_t> limit :
       {std::optional<std::int64_t>(), std::optional<std::int64_t>(40)}) {
    for (const std::uint64_t memory : {std::uint64_t{1}, std::uint64_t{256}, kDefaultOrderMemory}) {
      BOOST_TEST_CONTEXT("limit " << limit.value_or(-1) << ", memory " << memory) {
        check_against_reference(spec_of({key("score", true)}, limit, memory), kScored, input);
        check_against_reference(spec_of({key("person", true)}, limit, memory), kScored, input);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_input_orders_to_nothing) {
  for (const std::optional<std::int64_t> limit :
       {std::optional<std::int64_t>(), std::optional<std::int64_t>(5)}) {
    Stage stage;
    const OrderSpec spec = spec_of({key("score")}, limit);
    order(stage, spec, kScored, {});
    BOOST_TEST(stage.progress.runs.empty());
    BOOST_TEST(stage.progress.records == 0);
    BOOST_TEST(write_out(stage, spec).rows.empty());
  }
}

BOOST_AUTO_TEST_CASE(limit_zero_passes_nothing_and_a_limit_past_the_input_passes_all) {
  const auto input = scored_records(300, 5);
  const Output none = run_stage(spec_of({key("score")}, 0), kScored, input);
  BOOST_TEST(none.rows.empty());
  check_against_reference(spec_of({key("score")}, 1'000'000), kScored, input);
  check_against_reference(spec_of({key("score")}, 1'000'000, 1024), kScored, input);
}

BOOST_AUTO_TEST_CASE(nulls_go_where_the_key_says) {
  std::vector<Input> input;
  const std::vector<Value> values = {Value(std::int64_t{3}), Value(), Value(std::int64_t{1}),
                                     Value(), Value(std::int64_t{2})};
  for (std::size_t i = 0; i < values.size(); ++i) {
    input.push_back({{values[i], Value(std::int64_t{0}), Value("n")}, "p" + std::to_string(i)});
  }
  const auto positions = [&](bool descending, bool nulls_first) {
    OrderKey k = key("person", descending);
    k.nulls_first = nulls_first;
    check_against_reference(spec_of({k}), kScored, input);
    std::string order;
    for (const std::string& p : run_stage(spec_of({k}), kScored, input).positions) order += p + " ";
    return order;
  };
  BOOST_TEST(positions(false, true) == "p1 p3 p2 p4 p0 ");  // the default ascending
  BOOST_TEST(positions(true, false) == "p0 p4 p2 p1 p3 ");  // the default descending
  BOOST_TEST(positions(false, false) == "p2 p4 p0 p1 p3 ");
  BOOST_TEST(positions(true, true) == "p1 p3 p0 p4 p2 ");
}

BOOST_AUTO_TEST_CASE(mixed_integers_doubles_and_text_in_one_column) {
  std::vector<Input> input;
  const std::vector<Value> values = {Value(std::string("10")),
                                     Value(2.5),
                                     Value(std::int64_t{3}),
                                     Value(std::string("9")),
                                     Value(std::int64_t{-4}),
                                     Value(3.0),
                                     Value(true),
                                     Value(),
                                     Value(std::int64_t{(std::int64_t{1} << 53) + 1}),
                                     Value(static_cast<double>(std::int64_t{1} << 53))};
  for (std::size_t i = 0; i < values.size(); ++i) {
    input.push_back({{values[i], Value(std::int64_t{0}), Value("n")}, "p" + std::to_string(i)});
  }
  check_against_reference(spec_of({key("person")}), kScored, input);
  check_against_reference(spec_of({key("person", true)}), kScored, input);
  std::string order;
  for (const std::string& p : run_stage(spec_of({key("person")}), kScored, input).positions) {
    order += p + " ";
  }
  // null, -4, true (1), 2.5, 3 and 3.0 in input order, 2^53, 2^53+1, then "10" < "9" as text.
  BOOST_TEST(order == "p7 p4 p6 p1 p2 p5 p9 p8 p0 p3 ");
}

BOOST_AUTO_TEST_CASE(unique_keeps_the_first_in_input_order_and_names_it) {
  // person 7 comes first with the worst score: its later, better-scored twins are rejected.
  std::vector<Input> input = {
      {{Value(std::int64_t{7}), Value(std::int64_t{1}), Value("first")}, "in.csv:2"},
      {{Value(std::int64_t{8}), Value(std::int64_t{5}), Value("other")}, "in.csv:3"},
      {{Value(std::int64_t{7}), Value(std::int64_t{9}), Value("better twin")}, "in.csv:4"},
      {{Value(7.0), Value(std::int64_t{0}), Value("same number")}, "in.csv:5"},
      {{Value(std::string("7")), Value(std::int64_t{0}), Value("text is another key")}, "in.csv:6"},
      {{Value(), Value(std::int64_t{3}), Value("null equals nothing")}, "in.csv:7"},
      {{Value(), Value(std::int64_t{3}), Value("null equals nothing")}, "in.csv:8"},
  };
  const OrderSpec spec =
      spec_of({key("score", true)}, std::nullopt, kDefaultOrderMemory, {"person"});
  check_against_reference(spec, kScored, input);
  const Output out = run_stage(spec, kScored, input);
  BOOST_TEST_REQUIRE(out.rejects.size() == 2u);
  BOOST_TEST(out.rejects[0].position == "in.csv:4");
  BOOST_TEST(out.rejects[0].reason == "duplicate: the same person as the record at in.csv:2");
  BOOST_TEST(out.rejects[0].record == R"({"person":7,"score":9,"name":"better twin"})");
  BOOST_TEST(out.rejects[1].position == "in.csv:5");
  BOOST_TEST(out.rejects[1].reason == "duplicate: the same person as the record at in.csv:2");
}

BOOST_AUTO_TEST_CASE(unique_finds_duplicates_across_spilled_runs_and_with_a_limit) {
  const auto input = scored_records(3000, 6);  // 50 persons: most records are duplicates
  const std::vector<std::string> unique = {"person"};
  check_against_reference(spec_of({key("score"), key("name")}, std::nullopt, 512, unique), kScored,
                          input);
  check_against_reference(spec_of({key("score"), key("name")}, 20, 512, unique), kScored, input);
  check_against_reference(
      spec_of({key("name", true)}, 20, kDefaultOrderMemory, {"person", "score"}), kScored, input);
  Stage stage;
  order(stage, spec_of({key("score")}, std::nullopt, 512, unique), kScored, input);
  BOOST_TEST(stage.duplicates == 3000 - 50);
}

BOOST_AUTO_TEST_CASE(a_write_phase_resumed_after_any_record_continues_identically) {
  const auto input = scored_records(500, 8);
  for (const std::uint64_t memory : {std::uint64_t{700}, kDefaultOrderMemory}) {
    Stage stage;
    const OrderSpec spec = spec_of({key("score"), key("person", true)}, 321, memory);
    order(stage, spec, kScored, input);
    const Output whole = write_out(stage, spec);
    for (const std::int64_t from : {std::int64_t{0}, std::int64_t{1}, std::int64_t{160},
                                    std::int64_t{320}, std::int64_t{321}}) {
      const Output rest = write_out(stage, spec, from);
      BOOST_TEST_REQUIRE(rest.positions.size() ==
                         whole.positions.size() - static_cast<std::size_t>(from));
      BOOST_TEST(
          std::equal(rest.positions.begin(), rest.positions.end(), whole.positions.begin() + from));
    }
  }
}

BOOST_AUTO_TEST_CASE(row_number_numbers_the_output_from_one) {
  const auto input = scored_records(50, 9);
  OrderSpec spec = spec_of({key("score")}, 20);
  spec.row_number = "rank";
  Stage stage;
  order(stage, spec, kScored, input);
  const Output whole = write_out(stage, spec);
  BOOST_TEST_REQUIRE(whole.rows.size() == 20u);
  for (std::size_t i = 0; i < whole.rows.size(); ++i) {
    BOOST_TEST(std::get<std::int64_t>(whole.rows[i].back()) == static_cast<std::int64_t>(i + 1));
  }
  const Output rest = write_out(stage, spec, 15);
  BOOST_TEST(std::get<std::int64_t>(rest.rows.front().back()) == 16);
  BOOST_TEST(order_output_schema(spec, kScored->columns())->columns().back() == "rank");
}

BOOST_AUTO_TEST_CASE(damaged_or_missing_runs_are_corruption) {
  const auto input = scored_records(400, 10);
  const OrderSpec spec = spec_of({key("score")}, std::nullopt, 4096);
  Stage stage;
  order(stage, spec, kScored, input);
  BOOST_TEST_REQUIRE(stage.progress.runs.size() > 1u);
  const std::string victim = stage.dir.file(stage.progress.runs[0].name);
  std::string bytes = testing::read_file(victim);
  bytes[bytes.size() / 2] ^= 0x20;
  testing::write_file(victim, bytes);
  auto damaged = OrderedReader::open(spec, stage.progress, stage.dir.path(), true);
  BOOST_TEST(damaged.status().code() == StatusCode::kCorruption);
  BOOST_TEST(damaged.status().message().find(victim) != std::string::npos,
             damaged.status().message());
  fs::remove(victim);
  BOOST_TEST(OrderedReader::open(spec, stage.progress, stage.dir.path(), true).status().code() ==
             StatusCode::kCorruption);
}

BOOST_AUTO_TEST_CASE(columns_are_checked_where_the_job_names_them) {
  testing::TempDir dir;
  testing::RecordingLogger log;
  auto bad_key = OrderSorter::create(spec_of({key("scroe")}), *kScored, dir.path(), log);
  BOOST_TEST(bad_key.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(bad_key.status().message() ==
             "job.yaml:7:9: order_by key 'scroe' is not a column of the records reaching "
             "order_by; did you mean 'score'?");
  auto bad_unique =
      OrderSorter::create(spec_of({key("score")}, std::nullopt, kDefaultOrderMemory, {"id"}),
                          *kScored, dir.path(), log);
  BOOST_TEST(bad_unique.status().message().rfind("job.yaml:9:5: unique column 'id'", 0) == 0,
             bad_unique.status().message());
  OrderSpec taken = spec_of({key("score")});
  taken.row_number = "name";
  taken.row_number_where = {"job.yaml", 11, 19};
  BOOST_TEST(OrderSorter::create(taken, *kScored, dir.path(), log).status().message() ==
             "job.yaml:11:19: row_number 'name' is already a column of the records reaching "
             "order_by");
}

BOOST_AUTO_TEST_CASE(describes_itself_for_the_plan) {
  OrderSpec spec =
      spec_of({key("hades_score", true), key("person_id")}, 5000, 32u << 20, {"person_id"});
  spec.row_number = "export_rank";
  BOOST_TEST(describe_order(spec) ==
             "hades_score desc, person_id; limit 5000; unique person_id; row_number "
             "export_rank; memory 32MiB");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades
