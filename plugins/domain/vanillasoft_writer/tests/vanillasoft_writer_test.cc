// Tests of vanillasoft_writer: CSV field encoding, phone formatting, the golden file's bytes,
// the file read back by Python's csv module, resume after a crash, and file naming.
//
// The golden file is tests/golden/export_small.csv. After an intended format change, rewrite it
// with HADES_UPDATE_GOLDEN=1 and review the diff.

#define BOOST_TEST_MODULE vanillasoft_writer
#include "vanillasoft_writer.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "csv_format.h"
#include "process.h"
#include "sqlite_database.h"
#include "test_support.h"

namespace hades::vanillasoft_writer {
namespace {

using hades::testing::CollectingRejects;
using hades::testing::FakeContext;
using hades::testing::TempDir;
using Strings = std::vector<std::string>;

std::string field(std::string_view value) {
  std::string out;
  append_csv_field(value, &out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding

BOOST_AUTO_TEST_CASE(fields_are_quoted_only_when_rfc_4180_needs_it) {
  BOOST_TEST(field("Acme") == "Acme");
  BOOST_TEST(field("") == "");
  BOOST_TEST(field("Acme, Inc.") == "\"Acme, Inc.\"");
  BOOST_TEST(field("The \"Best\" Co") == "\"The \"\"Best\"\" Co\"");
  BOOST_TEST(field("line1\nline2") == "\"line1\nline2\"");
  BOOST_TEST(field("a\r\nb") == "\"a\r\nb\"");
  BOOST_TEST(field("Zürich Café 東京") == "Zürich Café 東京");
  BOOST_TEST(field("it's; fine") == "it's; fine");
}

BOOST_AUTO_TEST_CASE(formula_starts_are_neutralised_with_an_apostrophe) {
  BOOST_TEST(field("=1+2") == "'=1+2");
  BOOST_TEST(field("+Smith") == "'+Smith");
  BOOST_TEST(field("-1") == "'-1");
  BOOST_TEST(field("@SUM(A1)") == "'@SUM(A1)");
  BOOST_TEST(field("\tx") == "'\tx");
  BOOST_TEST(field("\rx") == "\"'\rx\"");
  BOOST_TEST(field("=HYPERLINK(\"http://x\",\"y\")") ==
             "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  BOOST_TEST(field("a=b") == "a=b");
  BOOST_TEST(field(" =b") == " =b");
}

BOOST_AUTO_TEST_CASE(phones_with_ten_digits_are_formatted_others_kept) {
  BOOST_TEST(format_phone("6175550100") == "(617) 555-0100");
  BOOST_TEST(format_phone("617-555-0100") == "(617) 555-0100");
  BOOST_TEST(format_phone("+1 (617) 555.0100") == "(617) 555-0100");
  BOOST_TEST(format_phone("+16175550100") == "(617) 555-0100");
  BOOST_TEST(format_phone("16175550100") == "(617) 555-0100");
  BOOST_TEST(format_phone("26175550100") == "26175550100");
  BOOST_TEST(format_phone("555-0100") == "555-0100");
  BOOST_TEST(format_phone("+44 20 7946 0958") == "+44 20 7946 0958");
  BOOST_TEST(format_phone("") == "");
}

// The extension is not part of the number: counted with it, `555-0100 x123` had 10 digits and
// became (555) 010-0123, and another country's number became a US one. Both dialed strangers.
BOOST_AUTO_TEST_CASE(extensions_and_other_countries_never_make_a_wrong_number) {
  BOOST_TEST(format_phone("555-0100 x123") == "555-0100 x123");      // 7 digits: kept as given
  BOOST_TEST(format_phone("+64 9 123 4567") == "+64 9 123 4567");    // New Zealand: kept
  BOOST_TEST(format_phone("+44 7911 123456") == "+44 7911 123456");  // 12 digits after +44
  BOOST_TEST(format_phone("617-555-0100 x12") == "(617) 555-0100 x12");
  BOOST_TEST(format_phone("617-555-0100x12") == "(617) 555-0100 x12");
  BOOST_TEST(format_phone("(617) 555-0100 ext. 7") == "(617) 555-0100 x7");
  BOOST_TEST(format_phone("617.555.0100 EXT 7") == "(617) 555-0100 x7");
  BOOST_TEST(format_phone("1-617-555-0100 extension 4401") == "(617) 555-0100 x4401");
  BOOST_TEST(format_phone("+1 617 555 0100 #22") == "(617) 555-0100 x22");
  BOOST_TEST(format_phone("617 555 01000") == "617 555 01000");  // 11 digits, not 1...: kept
  BOOST_TEST(format_phone("617-555-0100 call after 5") == "617-555-0100 call after 5");
  BOOST_TEST(format_phone("1+617-555-0100") == "1+617-555-0100");  // '+' not first: not plain
}

BOOST_AUTO_TEST_CASE(plain_phones_are_recognised) {
  for (const char* plain : {"555-0100", "+64 9 123 4567", "(617) 555-0100 x12", "617.555.0100",
                            "-5", "555 0100 ext. 3"}) {
    BOOST_TEST(is_plain_phone(plain), plain);
  }
  for (const char* other :
       {"", "=1+2", "+", "ext 5", "call me", "617-555-0100 or 0101", "@555", "555\t0100", "1+2"}) {
    BOOST_TEST(!is_plain_phone(other), other);
  }
  BOOST_TEST(cell_text(Value(std::int64_t{6175550100}), CellFormat::kPhone) == "(617) 555-0100");
}

BOOST_AUTO_TEST_CASE(zips_stay_text_with_leading_zeros) {
  BOOST_TEST(cell_text(Value("02134"), CellFormat::kZip) == "02134");
  BOOST_TEST(cell_text(Value(std::int64_t{2134}), CellFormat::kZip) == "02134");
  BOOST_TEST(cell_text(Value(std::int64_t{90210}), CellFormat::kZip) == "90210");
  BOOST_TEST(cell_text(Value(), CellFormat::kZip) == "");
  BOOST_TEST(cell_text(Value(1200.0), CellFormat::kText) == "1200");
}

BOOST_AUTO_TEST_CASE(the_header_is_the_31_columns_of_the_import_profile) {
  BOOST_TEST(header_line() ==
             "List Source,Last Name,First Name,Title,Home,Email,Mobile,Company,Web site,Business,"
             "Number of Employees,Primary SIC,Primary Line of Business,Address,City,State,"
             "ZIP code,Square Footage,Contact Owner,Lead Source,Vending Business Name,"
             "Operator Name,Operator Phone #,Operator Email Address,Operator Zip Code,"
             "Operator Website Address,Best Appts Time,Unavailable for appointments,Team,"
             "Call Priority,Import Notes\r\n");
}

BOOST_AUTO_TEST_CASE(file_stems_come_from_the_run_start) {
  BOOST_TEST(file_stem("intent", "2026-02-11T06:05:09Z").value() == "HADES-intent-20260211-060509");
  BOOST_TEST(!file_stem("intent", "2026-02-11").ok());
  BOOST_TEST(!file_stem("intent", "2026-02-11T06:05:0xZ").ok());
}

// ---------------------------------------------------------------------------------------------
// The plugin

// Tables of cells read better in rows than one cell a line.
// clang-format off
const Strings kFields = {
    "list_source", "last_name", "first_name", "title", "company_phone", "email",
    "mobile_phone", "company_name", "website", "direct_phone", "employee_count",
    "employee_count_raw", "sic_code", "sic_code_raw", "industry", "address", "city", "state",
    "state_raw", "zip", "zip_raw", "contact_owner", "lead_source", "vending_business_name",
    "operator_name", "operator_phone", "operator_email", "operator_zip", "operator_website",
    "team", "priority", "import_notes", "person_id"};

std::shared_ptr<const Schema> input_schema() { return std::make_shared<const Schema>(kFields); }

// Three leads in kFields order: an ordinary one, a hostile one, a geography one with gaps.
std::vector<Row> sample_rows() {
  const Value null;
  return {
      {"ZoomInfo Feb 11 2026", "O'Brien", "Seán", "Director of Facilities", "617-555-0100",
       "sean@acme.example", "+1 (617) 555-0199", "Acme, Inc.", "acme.example", "",
       std::int64_t{1200}, "1,200", "8062", "8062-01", "Hospitals", "1 Main St\nSuite 5",
       "Boston", "MA", "Massachusetts", "02134", "2134", "agent1@example.com",
       "ZoomInfo Intent - Vending - 85 - 2d", "", "", "", "", "", "", "", "High",
       "Batch: HADES-20260211-001 | Score: 85 | Age: 2d | Freshness: Hot | Signal: High", "p1"},
      {"ZoomInfo Feb 11 2026", "+Smith", "-1", "@SUM(A1)", "555-0100", "\tx@y.example",
       "22345678901", "=HYPERLINK(\"http://evil.example\",\"x\")", "The \"Best\" Co, LLC",
       "6175550101", null, "lots", null, "80x", "Zürich Café 東京", "Rue de l'Église",
       "\rCR City", null, "Mass.", std::int64_t{2134}, "2134", "agent2@example.com",
       "ZoomInfo Intent - Vending - 61 - 9d", "Vend Co", "Jane Op", "(800) 555 0100",
       "jane@vend.example", "01234", "https://vend.example", "East", "Medium",
       "Batch: HADES-20260211-001 | Score: 61 | Age: 9d | Freshness: Cooling | Signal: 77", "p2"},
      {"ZoomInfo Feb 11 2026", "Lee", "Ann", "", null, "", null, "Depot 9", "", null,
       std::int64_t{74}, "50 to 99", "4225", "4225", "Warehousing", "", "Worcester", "MA", "MA",
       "01608", "1608-1234", "agent3@example.com", "ZoomInfo Geography - Vending - 72 - 4.2mi",
       "", "", "", "", "", "", "", "Medium",
       "Batch: HADES-20260211-001 | Score: 72 | Distance: 4.2mi", "p3"},
  };
}

// What a CSV reader must find in the file, header included.
std::vector<Strings> expected_cells() {
  return {
      {"List Source", "Last Name", "First Name", "Title", "Home", "Email", "Mobile", "Company",
       "Web site", "Business", "Number of Employees", "Primary SIC", "Primary Line of Business",
       "Address", "City", "State", "ZIP code", "Square Footage", "Contact Owner", "Lead Source",
       "Vending Business Name", "Operator Name", "Operator Phone #", "Operator Email Address",
       "Operator Zip Code", "Operator Website Address", "Best Appts Time",
       "Unavailable for appointments", "Team", "Call Priority", "Import Notes"},
      {"ZoomInfo Feb 11 2026", "O'Brien", "Seán", "Director of Facilities", "(617) 555-0100",
       "sean@acme.example", "(617) 555-0199", "Acme, Inc.", "acme.example", "(617) 555-0100",
       "1200", "8062", "Hospitals", "1 Main St\nSuite 5", "Boston", "MA", "02134", "",
       "agent1@example.com", "ZoomInfo Intent - Vending - 85 - 2d", "", "", "", "", "", "", "",
       "", "", "High",
       "Batch: HADES-20260211-001 | Score: 85 | Age: 2d | Freshness: Hot | Signal: High"},
      {"ZoomInfo Feb 11 2026", "'+Smith", "'-1", "'@SUM(A1)", "555-0100", "'\tx@y.example",
       "22345678901", "'=HYPERLINK(\"http://evil.example\",\"x\")", "The \"Best\" Co, LLC",
       "(617) 555-0101", "lots", "80x", "Zürich Café 東京", "Rue de l'Église", "'\rCR City",
       "Mass.", "02134", "", "agent2@example.com", "ZoomInfo Intent - Vending - 61 - 9d",
       "Vend Co", "Jane Op", "(800) 555-0100", "jane@vend.example", "01234",
       "https://vend.example", "", "", "East", "Medium",
       "Batch: HADES-20260211-001 | Score: 61 | Age: 9d | Freshness: Cooling | Signal: 77"},
      {"ZoomInfo Feb 11 2026", "Lee", "Ann", "", "", "", "", "Depot 9", "", "", "74", "4225",
       "Warehousing", "", "Worcester", "MA", "01608", "", "agent3@example.com",
       "ZoomInfo Geography - Vending - 72 - 4.2mi", "", "", "", "", "", "", "", "", "", "Medium",
       "Batch: HADES-20260211-001 | Score: 72 | Distance: 4.2mi"},
  };
}
// clang-format on

Chunk chunk_of(const std::vector<Row>& rows, std::size_t first, std::size_t count) {
  Chunk chunk(input_schema());
  for (std::size_t i = first; i < first + count && i < rows.size(); ++i) {
    chunk.append(rows[i], "sql:row " + std::to_string(i + 1));
  }
  return chunk;
}

struct WriterFixture {
  WriterFixture() : db(open_sqlite_database(":memory:").value()), ctx(*db) {}

  std::unique_ptr<VanillasoftWriter> make() {
    Settings settings;
    settings.set("output_dir", dir.file("exports"));
    settings.set("workflow", std::string("intent"));
    Result<VanillasoftWriterConfig> config = bind_config(settings);
    BOOST_REQUIRE_MESSAGE(config.ok(), config.status().to_string());
    return std::make_unique<VanillasoftWriter>(std::move(config).value());
  }

  // open -> (write, flush)* -> finish, one chunk per `chunk_rows` rows. Returns the file path.
  std::string write_all(const std::vector<Row>& rows, std::size_t chunk_rows) {
    auto writer = make();
    const Status opened = writer->open(ctx, input_schema(), "");
    BOOST_REQUIRE_MESSAGE(opened.ok(), opened.to_string());
    for (std::size_t first = 0; first < rows.size(); first += chunk_rows) {
      WriteBatch batch;
      BOOST_REQUIRE(writer->write(chunk_of(rows, first, chunk_rows), batch, rejects).ok());
      BOOST_REQUIRE(writer->flush().ok());
      BOOST_TEST(batch.empty());
    }
    BOOST_REQUIRE(writer->finish(ctx).ok());
    return writer->path();
  }

  TempDir dir;
  std::unique_ptr<Database> db;
  FakeContext ctx;
  CollectingRejects rejects;
};

std::string golden_path() {
  return testing::source_dir() + "/plugins/domain/vanillasoft_writer/tests/golden/export_small.csv";
}

BOOST_AUTO_TEST_CASE(the_file_matches_the_golden_bytes) {
  WriterFixture f;
  const std::string path = f.write_all(sample_rows(), 2);
  BOOST_TEST(path == f.dir.file("exports") + "/HADES-intent-20260211-060000.csv");
  const std::string bytes = testing::read_file(path);
  if (std::getenv("HADES_UPDATE_GOLDEN") != nullptr) testing::write_file(golden_path(), bytes);
  BOOST_TEST(bytes == testing::read_file(golden_path()));
  BOOST_TEST(!std::filesystem::exists(path + ".partial"));
}

BOOST_AUTO_TEST_CASE(pythons_csv_module_reads_31_fields_per_row_with_the_values_written) {
  WriterFixture f;
  const std::string path = f.write_all(sample_rows(), 500);
  const testing::ProcessResult read = testing::run_process(
      {"/usr/bin/python3",
       testing::source_dir() + "/plugins/domain/vanillasoft_writer/tests/read_csv.py", path},
      f.dir.path());
  BOOST_REQUIRE_MESSAGE(read.exit_code == 0, read.err);
  const auto rows = nlohmann::json::parse(read.out).get<std::vector<Strings>>();
  const std::vector<Strings> expected = expected_cells();
  BOOST_REQUIRE(rows.size() == expected.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    BOOST_TEST_CONTEXT("row " << r) {
      BOOST_TEST(rows[r].size() == kColumnCount);
      BOOST_TEST(rows[r] == expected[r], boost::test_tools::per_element());
    }
  }
}

// A phone cell that is a plain phone number cannot hold a formula, and a visible ' in front of
// `+64 9 123 4567` breaks dialing; anything else in a phone column is neutralised as usual.
BOOST_AUTO_TEST_CASE(plain_phone_cells_are_not_formula_prefixed) {
  std::vector<Row> rows = sample_rows();
  Row& row = rows[2];
  const auto at = [](std::string_view name) {
    return static_cast<std::size_t>(std::find(kFields.begin(), kFields.end(), name) -
                                    kFields.begin());
  };
  row[at("company_phone")] = std::string("+64 9 123 4567");
  row[at("mobile_phone")] = std::string("555-0100 x123");
  row[at("direct_phone")] = std::string("+1 617 555 0100 ext. 9");
  row[at("operator_phone")] = std::string("=1+2");
  WriterFixture f;
  const std::string path = f.write_all({row}, 500);
  const testing::ProcessResult read = testing::run_process(
      {"/usr/bin/python3",
       testing::source_dir() + "/plugins/domain/vanillasoft_writer/tests/read_csv.py", path},
      f.dir.path());
  BOOST_REQUIRE_MESSAGE(read.exit_code == 0, read.err);
  const auto cells = nlohmann::json::parse(read.out).get<std::vector<Strings>>();
  BOOST_REQUIRE_EQUAL(cells.size(), 2u);
  BOOST_TEST(cells[1][4] == "+64 9 123 4567");     // Home
  BOOST_TEST(cells[1][6] == "555-0100 x123");      // Mobile
  BOOST_TEST(cells[1][9] == "(617) 555-0100 x9");  // Business
  BOOST_TEST(cells[1][22] == "'=1+2");             // Operator Phone #: not a phone
}

BOOST_AUTO_TEST_CASE(a_resumed_step_cuts_back_to_its_token_and_ends_byte_identical) {
  WriterFixture clean;
  const std::string expected = testing::read_file(clean.write_all(sample_rows(), 1));

  WriterFixture f;
  std::string token;
  {
    auto writer = f.make();
    BOOST_REQUIRE(writer->open(f.ctx, input_schema(), "").ok());
    WriteBatch batch;
    BOOST_REQUIRE(writer->write(chunk_of(sample_rows(), 0, 1), batch, f.rejects).ok());
    token = writer->flush().value();
    // Written and even flushed, but the checkpoint holding this token never committed.
    BOOST_REQUIRE(writer->write(chunk_of(sample_rows(), 1, 1), batch, f.rejects).ok());
    BOOST_REQUIRE(writer->flush().ok());
  }
  auto resumed = f.make();
  BOOST_REQUIRE(resumed->open(f.ctx, input_schema(), token).ok());
  WriteBatch batch;
  for (std::size_t i = 1; i < 3; ++i) {
    BOOST_REQUIRE(resumed->write(chunk_of(sample_rows(), i, 1), batch, f.rejects).ok());
    token = resumed->flush().value();
  }
  BOOST_REQUIRE(resumed->finish(f.ctx).ok());
  BOOST_TEST(testing::read_file(resumed->path()) == expected);
  BOOST_TEST(f.ctx.make_calls() == 1);  // the file name was frozen once

  // A crash after the rename, before the step was recorded complete: finishing again is fine.
  auto late = f.make();
  BOOST_REQUIRE(late->open(f.ctx, input_schema(), token).ok());
  BOOST_REQUIRE(late->write(Chunk(input_schema()), batch, f.rejects).ok());
  BOOST_REQUIRE(late->flush().ok());
  BOOST_REQUIRE(late->finish(f.ctx).ok());
  BOOST_TEST(testing::read_file(late->path()) == expected);
}

BOOST_AUTO_TEST_CASE(two_runs_in_the_same_second_get_two_files) {
  TempDir dir;
  const std::string first = claim_file(dir.path(), "HADES-intent-20260211-060000").value();
  const std::string second = claim_file(dir.path(), "HADES-intent-20260211-060000").value();
  BOOST_TEST(first == dir.path() + "/HADES-intent-20260211-060000.csv");
  BOOST_TEST(second == dir.path() + "/HADES-intent-20260211-060000-2.csv");
  // A published file (no partial left) is not claimed again either.
  std::filesystem::rename(first + ".partial", first);
  BOOST_TEST(claim_file(dir.path(), "HADES-intent-20260211-060000").value() ==
             dir.path() + "/HADES-intent-20260211-060000-3.csv");
}

BOOST_AUTO_TEST_CASE(missing_fields_and_bad_settings_are_config_errors) {
  WriterFixture f;
  const Status missing =
      f.make()->open(f.ctx, std::make_shared<const Schema>(Strings{"list_source", "email"}), "");
  BOOST_TEST(missing.code() == StatusCode::kInvalidConfig);
  BOOST_TEST(missing.message().find("last_name, first_name") != std::string::npos,
             missing.message());
  Settings settings;
  settings.set("output_dir", std::string("out"));
  settings.set("workflow", std::string("../intent"));
  BOOST_TEST(bind_config(settings).status().code() == StatusCode::kInvalidConfig);
}

}  // namespace
}  // namespace hades::vanillasoft_writer
