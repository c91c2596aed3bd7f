// Tests of csv_source: the reader's RFC 4180 corner cases, rejects with their line numbers,
// cursor round trips and records that straddle the reader's blocks.

#define BOOST_TEST_MODULE csv_source
#include "csv_source.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csv_reader.h"
#include "process.h"
#include "test_support.h"

namespace hades::csv_source {
namespace {

using hades::testing::CollectingRejects;
using hades::testing::FakeContext;
using hades::testing::TempDir;
using hades::testing::write_file;

// The source never touches the database; any call is a test failure.
class NoDatabase : public Database {
 public:
  Result<QueryResult> query(std::string_view, const std::vector<Value>&) override {
    return Status::internal("csv_source must not query the database");
  }
  Status apply(const WriteBatch&) override {
    return Status::internal("csv_source must not write the database");
  }
  std::string backend() const override { return "none"; }
};

// Everything a read produced, as plain strings: null is "<null>".
struct Output {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> positions;
  std::vector<std::string> rejects;  // "position|reason|record"

  bool operator==(const Output&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Output& o) {
  for (std::size_t i = 0; i < o.rows.size(); ++i) {
    os << o.positions[i] << ":";
    for (const std::string& v : o.rows[i]) os << " [" << v << "]";
    os << "\n";
  }
  for (const std::string& r : o.rejects) os << "reject " << r << "\n";
  return os;
}

std::string show(const Value& v) { return is_null(v) ? "<null>" : to_text(v); }

class Fixture {
 public:
  Fixture() : ctx(db) {}

  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir.file(name);
    write_file(path, text);
    return path;
  }

  // Opens a new source over `config` at `cursor`; fails the test when open fails.
  std::unique_ptr<CsvSource> open(const CsvSourceConfig& config, const std::string& cursor = "") {
    auto source = std::make_unique<CsvSource>(config);
    const Status s = source->open(ctx, cursor);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.to_string());
    return source;
  }

  Status open_status(const CsvSourceConfig& config, const std::string& cursor = "") {
    CsvSource source(config);
    return source.open(ctx, cursor);
  }

  // Reads up to `max_rows` per call until the source is exhausted, appending to `out`.
  // Stops after `calls` calls when given, and returns the cursor.
  std::string drain(CsvSource& source, std::size_t max_rows, Output* out,
                    std::optional<int> calls = std::nullopt) {
    for (int call = 0; !calls || call < *calls; ++call) {
      Chunk chunk(source.schema());
      CollectingRejects rejects;
      const Result<bool> more = source.read(max_rows, &chunk, rejects);
      BOOST_REQUIRE_MESSAGE(more.ok(), more.status().to_string());
      BOOST_REQUIRE_LE(chunk.size(), max_rows);
      for (std::size_t i = 0; i < chunk.size(); ++i) {
        std::vector<std::string> row;
        for (const Value& v : chunk.row(i)) row.push_back(show(v));
        out->rows.push_back(std::move(row));
        out->positions.push_back(chunk.position(i));
      }
      for (const auto& e : rejects.entries()) {
        out->rejects.push_back(e.position + "|" + e.reason + "|" + e.record);
      }
      if (!*more) break;
    }
    return source.cursor();
  }

  Output read_all(const CsvSourceConfig& config, std::size_t max_rows = 500) {
    Output out;
    auto source = open(config);
    drain(*source, max_rows, &out);
    return out;
  }

  // Reads `max_rows` at a time, reopening a brand-new source at the cursor after every call.
  Output read_resuming(const CsvSourceConfig& config, std::size_t max_rows) {
    Output out;
    std::string cursor;
    for (int guard = 0; guard < 100000; ++guard) {
      auto source = open(config, cursor);
      const std::size_t before = out.rows.size() + out.rejects.size();
      cursor = drain(*source, max_rows, &out, 1);
      if (out.rows.size() + out.rejects.size() == before) return out;
    }
    BOOST_FAIL("read_resuming did not finish");
    return out;
  }

  TempDir dir;
  NoDatabase db;
  FakeContext ctx;
};

CsvSourceConfig config_for(const std::string& path) {
  CsvSourceConfig config;
  config.path = path;
  config.source_name = std::filesystem::path(path).filename().string();
  return config;
}

std::vector<std::string> columns_of(const CsvSource& source) { return source.schema()->columns(); }

using Rows = std::vector<std::vector<std::string>>;
using Strings = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// Parsing

BOOST_FIXTURE_TEST_CASE(quoted_fields_keep_commas_quotes_and_newlines, Fixture) {
  const std::string path = write("q.csv",
                                 "a,b,c\n"
                                 "\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\n"
                                 "\"\"\"\",\"a\r\nb\",plain\n"
                                 "1,2,3\n");
  const Output out = read_all(config_for(path));
  BOOST_TEST(out.rejects.empty(), out);
  BOOST_TEST(
      (out.rows ==
       Rows{{"x, y", "say \"hi\"", "line1\nline2"}, {"\"", "a\r\nb", "plain"}, {"1", "2", "3"}}));
  BOOST_TEST((out.positions == Strings{"q.csv:2", "q.csv:4", "q.csv:6"}));
}

BOOST_FIXTURE_TEST_CASE(crlf_lf_and_missing_final_newline, Fixture) {
  const std::string path = write("e.csv", "a,b\r\n1,2\r\n3,4\n5,6");
  const Output out = read_all(config_for(path));
  BOOST_TEST(out.rejects.empty(), out);
  BOOST_TEST((out.rows == Rows{{"1", "2"}, {"3", "4"}, {"5", "6"}}));
  BOOST_TEST((out.positions == Strings{"e.csv:2", "e.csv:3", "e.csv:4"}));
}

BOOST_FIXTURE_TEST_CASE(quoted_last_field_without_final_newline, Fixture) {
  const std::string path = write("e.csv", "a,b\r\n1,\"2\"");
  const Output out = read_all(config_for(path));
  BOOST_TEST(out.rejects.empty(), out);
  BOOST_TEST((out.rows == Rows{{"1", "2"}}));
}

BOOST_FIXTURE_TEST_CASE(byte_order_mark_is_stripped, Fixture) {
  const std::string path = write("bom.csv", "\xEF\xBB\xBFid,name\n1,x\n");
  auto source = open(config_for(path));
  BOOST_TEST((columns_of(*source) == Strings{"id", "name"}));
  Output out;
  drain(*source, 10, &out);
  BOOST_TEST((out.rows == Rows{{"1", "x"}}));
}

BOOST_FIXTURE_TEST_CASE(blank_lines_are_skipped_and_counted, Fixture) {
  const std::string path = write("b.csv", "\na,b\n\n1,2\r\n\r\n\n3,4\n\n");
  const Output out = read_all(config_for(path));
  BOOST_TEST(out.rejects.empty(), out);
  BOOST_TEST((out.rows == Rows{{"1", "2"}, {"3", "4"}}));
  BOOST_TEST((out.positions == Strings{"b.csv:4", "b.csv:7"}));
}

BOOST_FIXTURE_TEST_CASE(empty_fields_null_or_text, Fixture) {
  const std::string path = write("n.csv", "a,b,c\n,\"\",x\n");
  BOOST_TEST((read_all(config_for(path)).rows == Rows{{"<null>", "", "x"}}));
  CsvSourceConfig as_text = config_for(path);
  as_text.empty_as_null = false;
  BOOST_TEST((read_all(as_text).rows == Rows{{"", "", "x"}}));
}

BOOST_FIXTURE_TEST_CASE(non_ascii_utf8_passes_through, Fixture) {
  const std::string path = write("u.csv",
                                 "名前,ville\n"
                                 "山田,Zürich\n"
                                 "\"😀, ok\",Ωmega\n");
  auto source = open(config_for(path));
  BOOST_TEST((columns_of(*source) == Strings{"名前", "ville"}));
  Output out;
  drain(*source, 10, &out);
  BOOST_TEST(out.rejects.empty(), out);
  BOOST_TEST((out.rows == Rows{{"山田", "Zürich"}, {"😀, ok", "Ωmega"}}));
}

BOOST_FIXTURE_TEST_CASE(other_delimiters, Fixture) {
  const std::string path = write("t.tsv", "a\tb\n\"x\ty\"\t2\n");
  CsvSourceConfig config = config_for(path);
  config.delimiter = '\t';
  BOOST_TEST((read_all(config).rows == Rows{{"x\ty", "2"}}));
}

// ---------------------------------------------------------------------------------------------
// Header and schema

BOOST_FIXTURE_TEST_CASE(columns_mapping_selects_and_orders_fields, Fixture) {
  const std::string path = write("m.csv", "Id,Company,Extra\n1,Acme,z\n");
  CsvSourceConfig config = config_for(path);
  config.columns = {{"company_name", "Company"}, {"id", "Id"}};
  auto source = open(config);
  BOOST_TEST((columns_of(*source) == Strings{"company_name", "id"}));
  Output out;
  drain(*source, 10, &out);
  BOOST_TEST((out.rows == Rows{{"Acme", "1"}}));
}

BOOST_FIXTURE_TEST_CASE(missing_mapped_header_names_it_and_lists_the_file_headers, Fixture) {
  const std::string path = write("m.csv", "Id,Company\n1,Acme\n");
  CsvSourceConfig config = config_for(path);
  config.columns = {{"email", "E-mail"}};
  const Status s = open_status(config);
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("'E-mail'") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("'Id', 'Company'") != std::string::npos, s.message());
}

// A lone CR is data: a header "email\r" is not "email". Printed raw, the CR hid the name in the
// message on a terminal; it shows as \r.
BOOST_FIXTURE_TEST_CASE(a_header_with_a_control_character_shows_it_escaped, Fixture) {
  const std::string path = write("cr.csv", "id,email\r,name\n1,a@b.c,x\n");
  CsvSourceConfig config = config_for(path);
  config.columns = {{"email", "email"}};
  const Status s = open_status(config);
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("'email\\r'") != std::string::npos, s.message());
  BOOST_TEST(s.message().find('\r') == std::string::npos, s.message());
}

BOOST_FIXTURE_TEST_CASE(duplicate_header_is_an_error, Fixture) {
  const std::string path = write("d.csv", "id,name,id\n1,2,3\n");
  const Status s = open_status(config_for(path));
  BOOST_TEST(s.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(s.message().find("'id' appears twice (columns 1 and 3)") != std::string::npos,
             s.message());
}

BOOST_FIXTURE_TEST_CASE(empty_file_and_bad_header_are_errors, Fixture) {
  BOOST_TEST(open_status(config_for(write("empty.csv", ""))).code() == StatusCode::kInvalidConfig);
  BOOST_TEST(open_status(config_for(write("blank.csv", "\n\r\n"))).code() ==
             StatusCode::kInvalidConfig);
  BOOST_TEST(open_status(config_for(write("badhead.csv", "a,b\"c\n1,2\n"))).code() ==
             StatusCode::kInvalidConfig);
  BOOST_TEST(open_status(config_for(write("unnamed.csv", "a,,c\n1,2,3\n"))).code() ==
             StatusCode::kInvalidConfig);
  // Missing is permanent: exit 2, never a retry (docs/exit-codes.md).
  const Status missing = open_status(config_for(dir.file("missing.csv")));
  BOOST_TEST(missing.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.message().find(dir.file("missing.csv")) != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(the_factory_refuses_an_input_that_cannot_be_read, Fixture) {
  Settings settings;
  settings.set("path", dir.file("missing.csv"));
  const Result<std::unique_ptr<Plugin>> missing = create(settings);
  BOOST_TEST(missing.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.status().message() ==
             "csv_source: `path`: " + dir.file("missing.csv") + " does not exist");
  settings.set("path", dir.path());
  BOOST_TEST(create(settings).status().message().find("is a directory") != std::string::npos);
  settings.set("path", write("ok.csv", "a\n1\n"));
  BOOST_TEST(create(settings).ok());
}

BOOST_FIXTURE_TEST_CASE(header_only_file_has_no_rows, Fixture) {
  const std::string path = write("h.csv", "a,b");
  auto source = open(config_for(path));
  Chunk chunk(source->schema());
  CollectingRejects rejects;
  const Result<bool> more = source->read(10, &chunk, rejects);
  BOOST_REQUIRE(more.ok());
  BOOST_TEST(!*more);
  BOOST_TEST(chunk.empty());
}

// ---------------------------------------------------------------------------------------------
// Rejects

const char kBadFile[] =
    "a,b,c\n"            // 1
    "1,2,3\n"            // 2
    "\"multi\n"          // 3
    "line\",x,y\n"       // 4
    "1,2\n"              // 5: too few fields
    "1,b\"ad,3\n"        // 6: quote inside an unquoted field
    "\"ok\"x,2,3\n"      // 7: text after a closing quote
    "\xFF,2,3\n"         // 8: invalid UTF-8
    "\"p\nq\",x\"y,z\n"  // 9-10: bad after a multi-line field
    "7,8,9\n"            // 11
    "1,2,3,4\n"          // 12: too many fields
    "1,\"open,3\n"       // 13: unterminated to the end of file
    "more\n";            // 14

BOOST_FIXTURE_TEST_CASE(each_reject_reason_with_its_line, Fixture) {
  const std::string path = write("bad.csv", kBadFile);
  const Output out = read_all(config_for(path));
  BOOST_TEST((out.rows == Rows{{"1", "2", "3"}, {"multi\nline", "x", "y"}, {"7", "8", "9"}}), out);
  BOOST_TEST((out.positions == Strings{"bad.csv:2", "bad.csv:3", "bad.csv:11"}));
  const Strings expected = {
      "bad.csv:5|expected 3 fields, got 2|1,2",
      "bad.csv:6|quote inside unquoted field 2|1,b\"ad,3",
      "bad.csv:7|unexpected text after the closing quote of field 1|\"ok\"x,2,3",
      "bad.csv:8|invalid UTF-8 in field 1|\xFF,2,3",
      "bad.csv:9|quote inside unquoted field 2|\"p\nq\",x\"y,z",
      "bad.csv:12|expected 3 fields, got 4|1,2,3,4",
      "bad.csv:13|unterminated quoted field 2 at end of file|1,\"open,3\nmore",
  };
  BOOST_TEST(out.rejects == expected, boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(invalid_utf8_forms_are_rejected, Fixture) {
  // Overlong "/", a lone continuation byte, a surrogate, past U+10FFFF, a truncated sequence.
  const std::string path = write("u.csv",
                                 "a\n"
                                 "\xC0\xAF\n"
                                 "\x80\n"
                                 "\xED\xA0\x80\n"
                                 "\xF4\x90\x80\x80\n"
                                 "\xE2\x82\n"
                                 "\xE2\x82\xAC\n");
  const Output out = read_all(config_for(path));
  BOOST_TEST(out.rejects.size() == 5u, out);
  BOOST_TEST((out.rows == Rows{{"\xE2\x82\xAC"}}));
  BOOST_TEST((out.positions == Strings{"u.csv:7"}));
}

BOOST_FIXTURE_TEST_CASE(rejects_count_against_max_rows, Fixture) {
  const std::string path = write("r.csv", "a,b\n1\n2\n3\n4,4\n");
  auto source = open(config_for(path));
  Chunk chunk(source->schema());
  CollectingRejects rejects;
  const Result<bool> more = source->read(2, &chunk, rejects);
  BOOST_REQUIRE(more.ok());
  BOOST_TEST(*more);
  BOOST_TEST(chunk.empty());
  BOOST_TEST(rejects.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(source_name_names_positions, Fixture) {
  const std::string path = write("data.csv", "a\n1\n");
  CsvSourceConfig config = config_for(path);
  config.source_name = "leads";
  BOOST_TEST((read_all(config).positions == Strings{"leads:2"}));
}

// ---------------------------------------------------------------------------------------------
// Cursor and blocks

// A file that has every kind of record: multi-line quoted ones, escapes, blank lines, CRLF,
// rejects, long fields bigger than small blocks, non-ASCII text.
std::string mixed_file(int rows) {
  std::string text = "id,name,note\r\n";
  for (int i = 0; i < rows; ++i) {
    const std::string id = std::to_string(i);
    switch (i % 9) {
      case 0:
        text += id + ",plain,x\n";
        break;
      case 1:
        text += id + ",\"with, comma\",\"two\nlines\"\r\n";
        break;
      case 2:
        text += id + ",\"esc \"\"q\"\" \"\"\",\"\"\n\n";
        break;
      case 3:
        text += id + ",short\n";
        break;  // rejected
      case 4:
        text += id + ",Zürich,\"" + std::string(70, 'L') + "\n" + std::string(30, 'M') + "\"\n";
        break;
      case 5:
        text += id + ",,\n\r\n";
        break;
      case 6:
        text += id + ",b\"ad,z\n";
        break;  // rejected
      case 7:
        text += id + ",\"a\"\"\n\"\"b\",\"" + std::string(40, '"') + "\"\n";
        break;
      default:
        text += id + ",last,\"y\"\n";
        break;
    }
  }
  return text + "end,of,file";
}

BOOST_FIXTURE_TEST_CASE(records_straddling_blocks_read_the_same, Fixture) {
  const std::string path = write("mixed.csv", mixed_file(60));
  const Output reference = read_all(config_for(path));
  BOOST_TEST(reference.rows.size() == 48u);  // 60 rows, 13 of them rejected, plus the last line
  BOOST_TEST(reference.rejects.size() == 13u);
  for (std::size_t block = 16; block <= 48; ++block) {
    CsvSourceConfig config = config_for(path);
    config.block_size = block;
    const Output out = read_all(config, 7);
    BOOST_TEST_REQUIRE(out == reference, "block size " << block);
  }
}

BOOST_FIXTURE_TEST_CASE(record_larger_than_a_block_grows_the_buffer, Fixture) {
  const std::string big(5000, 'x');
  const std::string path =
      write("big.csv", "a,b\n1,\"" + big + "\"\"" + big + "\n\"\n2," + big + "\n");
  CsvSourceConfig config = config_for(path);
  config.block_size = 64;
  const Output out = read_all(config);
  BOOST_TEST((out.rows == Rows{{"1", big + "\"" + big + "\n"}, {"2", big}}));
  BOOST_TEST((out.positions == Strings{"big.csv:2", "big.csv:4"}));
}

// The file says the same on every try: exit 2 for a person, not exit 1 for a retry.
BOOST_FIXTURE_TEST_CASE(record_longer_than_the_limit_is_a_permanent_error, Fixture) {
  const std::string path = write("long.csv", "a\n\"" + std::string(200, 'x') + "\n");
  CsvReaderOptions options;
  options.block_size = 16;
  options.max_record_size = 64;
  CsvReader reader(options);
  BOOST_REQUIRE(reader.open(path).ok());
  CsvRecord record;
  const Result<bool> got = reader.next(&record);
  BOOST_TEST(got.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(got.status().message().find("line 2") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(cursor_round_trip_equals_an_uninterrupted_read, Fixture) {
  const std::string path = write("mixed.csv", "\xEF\xBB\xBF" + mixed_file(40));
  const Output reference = read_all(config_for(path));
  for (const std::size_t max_rows : {1, 4, 13}) {
    for (const std::size_t block : {std::size_t{17}, CsvReaderOptions{}.block_size}) {
      CsvSourceConfig config = config_for(path);
      config.block_size = block;
      const Output resumed = read_resuming(config, max_rows);
      BOOST_TEST_REQUIRE(resumed == reference, "max_rows " << max_rows << " block " << block);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(cursor_text_and_resume_after_partial_read, Fixture) {
  const std::string path = write("c.csv", "a\n1\n\"2\n2\"\n3\n");
  auto first = open(config_for(path));
  BOOST_TEST(first->cursor() == "offset=2;line=2");
  Output out;
  const std::string cursor = drain(*first, 2, &out, 1);
  BOOST_TEST(cursor == "offset=10;line=5");
  auto second = open(config_for(path), cursor);
  drain(*second, 10, &out);
  BOOST_TEST((out.rows == Rows{{"1"}, {"2\n2"}, {"3"}}));
  BOOST_TEST((out.positions == Strings{"c.csv:2", "c.csv:3", "c.csv:5"}));
  BOOST_TEST(second->cursor() == "offset=12;line=6");
}

BOOST_FIXTURE_TEST_CASE(bad_cursors_are_corruption, Fixture) {
  const std::string path = write("c.csv", "a,b\n1,2\n3,4\n");
  const CsvSourceConfig config = config_for(path);
  for (const std::string cursor :
       {"garbage", "offset=;line=1", "offset=4", "offset=4;line=", "offset=4;line=2;x",
        "offset=-4;line=2", "line=2;offset=4", "offset=4;line=0", "offset=99;line=2",
        "offset=2;line=1", "offset=6;line=2"}) {
    const Status s = open_status(config, cursor);
    BOOST_TEST((s.code() == StatusCode::kCorruption), cursor << " -> " << s.to_string());
  }
  BOOST_TEST(open_status(config, "offset=8;line=3").ok());
  BOOST_TEST(open_status(config, "offset=12;line=4").ok());  // the end: nothing left to read
}

// ---------------------------------------------------------------------------------------------
// Settings, factory and README

Settings settings_with(const std::string& path) {
  Settings settings;
  settings.set("path", path);
  return settings;
}

BOOST_FIXTURE_TEST_CASE(factory_binds_settings, Fixture) {
  const std::string path = write("dir.csv", "x;y\n\"1;2\";\n1;2;3\n");
  Settings settings = settings_with(path);
  settings.set("delimiter", std::string(";"));
  settings.set("empty_as_null", false);
  Result<std::unique_ptr<Plugin>> made = create(settings);
  BOOST_REQUIRE(made.ok());
  auto* source = dynamic_cast<CsvSource*>(made->get());
  BOOST_REQUIRE(source != nullptr);
  BOOST_REQUIRE(source->open(ctx, "").ok());
  Output out;
  drain(*source, 10, &out);
  BOOST_TEST((out.rows == Rows{{"1;2", ""}}), out);
  BOOST_TEST((out.rejects == Strings{"dir.csv:3|expected 2 fields, got 3|1;2;3"}), out);
}

BOOST_AUTO_TEST_CASE(factory_rejects_bad_settings) {
  BOOST_TEST(create(Settings()).status().code() == StatusCode::kInvalidConfig);
  for (const std::string delimiter : {"", ";;", "\"", "\n"}) {
    Settings settings = settings_with("x.csv");
    settings.set("delimiter", delimiter);
    BOOST_TEST(create(settings).status().code() == StatusCode::kInvalidConfig);
  }
  const Result<CsvSourceConfig> config = bind_config(settings_with("data/in/leads.csv"));
  BOOST_REQUIRE(config.ok());
  BOOST_TEST(config->source_name == "leads.csv");
  BOOST_TEST(config->delimiter == ',');
  BOOST_TEST(config->empty_as_null);
}

BOOST_AUTO_TEST_CASE(readme_settings_table_matches_ksettings) {
  const std::vector<std::string> missing =
      hades::testing::missing_readme_setting_rows("csv_source", kSettings);
  BOOST_TEST(missing.empty(), "README.md lacks the row: " << (missing.empty() ? "" : missing[0]));
}

}  // namespace
}  // namespace hades::csv_source
