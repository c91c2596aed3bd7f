// Tests of leads/icp_changes.h: applying, rolling back and the audit history on a real file and
// a real database (a SQLite file here; a real sqld in weight_writer_test_sqld). Apply then
// rollback gives the original bytes; a crash at each stage (simulated here by an exception from
// the stage hook; tests/weight_writer_e2e_test.cc kills the real process) recovers to the old
// file and no row, or the new file and its row; the lock serialises writers.

#include "leads/icp_changes.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <random>
#include <thread>

#include "leads/icp_config.h"
#include "test_database.h"
#include "test_support.h"
#include "weights_testing.h"

namespace hades::weight_writer {
namespace {

namespace fs = std::filesystem;
using domain::ApplyRequest;
using domain::ChangeOutcome;
using domain::IcpChangeRecord;
using domain::RollbackRequest;
using testing::Bucket;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Crash {
  std::string stage;
};

std::vector<Bucket> suggestions() {
  std::vector<Bucket> out = testing::shipped_buckets();
  for (Bucket& b : out) {
    if (b.bucket == "8361") b.suggested = 100;
    if (b.bucket == "7033") b.suggested = 52;
    if (b.bucket == "101-500") b.suggested = 72;
    if (b.bucket == "Warm") b.suggested = 63;
  }
  return out;
}

constexpr const char* kSelection = "sic:8361,sic:7033,employee_tier:101-500,freshness:Warm";

struct Fixture {
  explicit Fixture(
      std::string text = hades::testing::read_file(testing::repo_path("config/icp.yaml")))
      : original(std::move(text)) {
    hades::testing::write_file(icp, original);
  }

  domain::ChangeContext context(std::optional<std::int64_t> run_id = std::nullopt) const {
    domain::ChangeContext c;
    c.icp_path = icp;
    c.applied_by = "ana";
    c.applied_at = "2026-12-06T10:00:00Z";
    c.run_id = run_id;
    c.step = run_id ? "apply" : "";
    return c;
  }

  ApplyRequest apply_request(const std::string& selection = kSelection,
                             const std::vector<Bucket>& buckets = suggestions()) const {
    ApplyRequest r;
    r.context = context();
    r.report_path = dir.file("calibration-latest.json");
    r.report_json = testing::report_json(hades::testing::read_file(icp), buckets);
    Result<domain::Selection> s = domain::parse_selection(selection);
    BOOST_REQUIRE(s.ok());
    r.selection = std::move(s).value();
    r.calibrated_on = testing::kCalibratedOn;
    return r;
  }

  IcpChangeRecord apply(const ApplyRequest& r) {
    Result<ChangeOutcome> out = domain::apply_icp_changes(*db, r);
    BOOST_REQUIRE_MESSAGE(out.ok(), out.status().to_string());
    BOOST_REQUIRE(out->change.has_value());
    return *out->change;
  }

  IcpChangeRecord rollback(std::optional<std::int64_t> id = std::nullopt) {
    RollbackRequest r{context(), id};
    Result<ChangeOutcome> out = domain::rollback_icp_change(*db, r);
    BOOST_REQUIRE_MESSAGE(out.ok(), out.status().to_string());
    return *out->change;
  }

  std::string file() const { return hades::testing::read_file(icp); }
  std::vector<IcpChangeRecord> history() {
    Result<std::vector<IcpChangeRecord>> h = domain::icp_change_history(*db, icp, 100);
    BOOST_REQUIRE_MESSAGE(h.ok(), h.status().to_string());
    return std::move(h).value();
  }
  std::int64_t journal_rows() {
    Result<QueryResult> r = db->query("SELECT count(*) FROM icp_change_journal");
    BOOST_REQUIRE(r.ok());
    return as_int(r->rows[0][0]).value_or(-1);
  }
  std::string canonical() const { return fs::canonical(icp).string(); }

  hades::testing::TempDir dir;
  std::string icp = dir.file("icp.yaml");
  std::string original;
  std::unique_ptr<Database> db = hades::testing::scratch_database();
};

BOOST_AUTO_TEST_SUITE(icp_changes)

BOOST_AUTO_TEST_CASE(apply_then_rollback_gives_the_original_bytes_and_both_are_audited) {
  const std::string shipped = hades::testing::read_file(testing::repo_path("config/icp.yaml"));
  const std::string odd = hades::testing::read_file(testing::golden_path("odd.before.yaml"));
  for (const std::string& text : {shipped, testing::to_crlf(shipped)}) {
    Fixture f(text);
    const IcpChangeRecord applied = f.apply(f.apply_request());
    BOOST_TEST(f.file() == applied.text_after);
    BOOST_TEST(f.file() != f.original);
    BOOST_TEST(applied.id > 0);
    BOOST_TEST(applied.kind == "apply");
    BOOST_TEST(applied.applied_by == "ana");
    BOOST_TEST(applied.applied_at == "2026-12-06T10:00:00Z");
    BOOST_TEST(applied.icp_path == f.canonical());
    BOOST_TEST(applied.report_path == f.dir.file("calibration-latest.json"));
    BOOST_TEST(applied.report_inputs_hash.size() == 64u);
    BOOST_TEST(applied.sha256_before == domain::sha256_hex(f.original));
    BOOST_TEST(applied.sha256_after == domain::sha256_hex(f.file()));
    BOOST_TEST(applied.text_before == f.original);
    BOOST_TEST(applied.items.size() == 4u);
    BOOST_TEST(!applied.run_id.has_value());

    const IcpChangeRecord undone = f.rollback();
    BOOST_TEST(f.file() == f.original);  // byte for byte
    BOOST_TEST(undone.kind == "rollback");
    BOOST_TEST(undone.rolls_back.value_or(0) == applied.id);
    BOOST_TEST(undone.sha256_before == applied.sha256_after);
    BOOST_TEST(undone.sha256_after == applied.sha256_before);
    BOOST_TEST(undone.report_path.empty());
    BOOST_REQUIRE(undone.items.size() == applied.items.size());
    BOOST_TEST(undone.items[0].old_value == applied.items[0].new_value);
    const std::vector<IcpChangeRecord> h = f.history();
    BOOST_REQUIRE(h.size() == 2u);
    BOOST_TEST(h[0].id == undone.id);  // newest first
    BOOST_TEST(h[1].id == applied.id);
    BOOST_TEST(f.journal_rows() == 0);
  }
  // The odd file, through the plan its golden test pins.
  Fixture f(odd);
  const std::vector<Bucket> buckets = {{"sic", "8361", 71, 90}, {"proximity", "5-10.5 mi", 85, 84}};
  f.apply(f.apply_request("sic:8361,proximity:5-10.5 mi", buckets));
  BOOST_TEST(f.file() != odd);
  f.rollback();
  BOOST_TEST(f.file() == odd);
}

BOOST_AUTO_TEST_CASE(random_selections_apply_and_roll_back_to_the_same_bytes) {
  Fixture f;
  std::mt19937 rng(11);
  for (int trial = 0; trial < (hades::testing::on_sqld() ? 8 : 25); ++trial) {
    std::vector<Bucket> buckets = testing::shipped_buckets();
    std::string selection;
    for (Bucket& b : buckets) {
      if (!b.current) continue;
      b.suggested = std::uniform_int_distribution<std::int64_t>(0, 100)(rng);
      if (testing::has_place(b) && b.suggested != b.current && rng() % 4 == 0) {
        selection += (selection.empty() ? "" : ",") + b.dimension + ":" + b.bucket;
      }
    }
    if (selection.empty()) continue;
    BOOST_TEST_CONTEXT("trial " << trial << ": " << selection) {
      const IcpChangeRecord applied = f.apply(f.apply_request(selection, buckets));
      BOOST_TEST(domain::parse_icp_config(f.file(), "icp").ok());
      f.rollback();
      BOOST_TEST(f.file() == f.original);
      (void)applied;
    }
  }
}

BOOST_AUTO_TEST_CASE(a_rollback_never_overwrites_what_it_did_not_make) {
  Fixture f;
  RollbackRequest none{f.context(), std::nullopt};
  Result<ChangeOutcome> nothing = domain::rollback_icp_change(*f.db, none);
  BOOST_REQUIRE(!nothing.ok());
  BOOST_TEST(has(nothing.status().message(), "to roll back"));

  const IcpChangeRecord applied = f.apply(f.apply_request());
  const std::string edited = f.file() + "# a hand edit\n";
  hades::testing::write_file(f.icp, edited);
  Result<ChangeOutcome> refused = domain::rollback_icp_change(*f.db, none);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(has(refused.status().message(), "changed since change " + std::to_string(applied.id)),
             refused.status().message());
  BOOST_TEST(f.file() == edited);

  hades::testing::write_file(f.icp, applied.text_after);
  RollbackRequest unknown{f.context(), 999};
  BOOST_TEST(has(domain::rollback_icp_change(*f.db, unknown).status().message(), "no change 999"));
  Fixture other;
  RollbackRequest elsewhere{other.context(), applied.id};
  Result<ChangeOutcome> wrong_file = domain::rollback_icp_change(*f.db, elsewhere);
  BOOST_TEST(has(wrong_file.status().message(), "was made to " + f.canonical()),
             wrong_file.status().message());

  const IcpChangeRecord undone = f.rollback();
  BOOST_TEST(f.file() == f.original);
  // The same change twice: the file is no longer what it left.
  RollbackRequest again{f.context(), applied.id};
  BOOST_TEST(!domain::rollback_icp_change(*f.db, again).ok());
  // Rolling back the rollback re-applies the change.
  f.rollback(undone.id);
  BOOST_TEST(f.file() == applied.text_after);
  BOOST_TEST(f.history().size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_preview_writes_nothing) {
  Fixture f;
  Result<domain::IcpEditPlan> plan = domain::preview_icp_changes(f.apply_request());
  BOOST_REQUIRE(plan.ok());
  BOOST_TEST(has(plan->diff, "+    \"7033\":  52"), plan->diff);
  BOOST_TEST(f.file() == f.original);
  const IcpChangeRecord applied = f.apply(f.apply_request());
  RollbackRequest r{f.context(), std::nullopt};
  Result<ChangeOutcome> preview = domain::preview_rollback(*f.db, r);
  BOOST_REQUIRE(preview.ok());
  BOOST_TEST(preview->change->rolls_back.value_or(0) == applied.id);
  BOOST_TEST(has(preview->diff, "-    \"7033\":  52"), preview->diff);
  BOOST_TEST(f.file() == applied.text_after);
  BOOST_TEST(f.history().size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_file_mode_is_kept_and_a_symlink_stays_a_symlink) {
  Fixture f;
  const std::string real = f.dir.file("real.yaml");
  fs::rename(f.icp, real);
  fs::create_symlink(real, f.icp);
  ::chmod(real.c_str(), 0640);
  const IcpChangeRecord applied = f.apply(f.apply_request());
  BOOST_TEST(fs::is_symlink(f.icp));
  BOOST_TEST(applied.icp_path == fs::canonical(real).string());
  struct stat st {};
  BOOST_REQUIRE(::stat(real.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 07777) == 0640u);
  f.rollback();
  BOOST_REQUIRE(::stat(real.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 07777) == 0640u);
  BOOST_TEST(hades::testing::read_file(real) == f.original);
}

BOOST_AUTO_TEST_CASE(a_resumed_run_finds_its_change_instead_of_making_it_twice) {
  Fixture f;
  ApplyRequest r = f.apply_request();
  r.context = f.context(42);
  const IcpChangeRecord first = f.apply(r);
  BOOST_TEST(first.run_id.value_or(0) == 42);
  BOOST_TEST(first.step == "apply");
  // The same run again (its report now predates the file): the change it made, not a refusal.
  Result<ChangeOutcome> again = domain::apply_icp_changes(*f.db, r);
  BOOST_REQUIRE_MESSAGE(again.ok(), again.status().to_string());
  BOOST_TEST(again->resumed);
  BOOST_TEST(again->change->id == first.id);
  BOOST_TEST(!again->diff.empty());
  BOOST_TEST(f.history().size() == 1u);
  // Another run is refused by the guard: the file is not the report's any more.
  r.context = f.context(43);
  Result<ChangeOutcome> other = domain::apply_icp_changes(*f.db, r);
  BOOST_REQUIRE(!other.ok());
  BOOST_TEST(has(other.status().message(), "icp.yaml changed since this report; recalibrate"));
}

// A crash right after `stage`: old file and no row before the rename, new file and its row after
// it, once recovered; and the interrupted run, resumed, ends with the change made once.
BOOST_AUTO_TEST_CASE(a_crash_at_each_stage_recovers_to_old_and_no_row_or_new_and_its_row) {
  for (const char* stage : {"after_journal", "after_temp", "after_rename", "after_commit"}) {
    for (const bool rollback : {false, true}) {
      BOOST_TEST_CONTEXT((rollback ? "rollback " : "apply ") << "crashing " << stage) {
        Fixture f;
        ApplyRequest r = f.apply_request();
        r.context = f.context(7);
        std::string old_text = f.original;
        std::string new_text;
        if (rollback) {
          const IcpChangeRecord applied = f.apply(f.apply_request());
          old_text = applied.text_after;
          new_text = applied.text_before;
        } else {
          new_text = domain::preview_icp_changes(r)->text_after;
        }
        const std::size_t rows_before = f.history().size();
        domain::ChangeContext crashing = f.context(7);
        crashing.after_stage = [&](std::string_view reached) {
          if (reached == stage) throw Crash{std::string(reached)};
        };
        if (rollback) {
          RollbackRequest rr{crashing, std::nullopt};
          BOOST_CHECK_THROW((void)domain::rollback_icp_change(*f.db, rr), Crash);
        } else {
          ApplyRequest crash_request = r;
          crash_request.context = crashing;
          BOOST_CHECK_THROW((void)domain::apply_icp_changes(*f.db, crash_request), Crash);
        }
        const bool renamed =
            std::string(stage) == "after_rename" || std::string(stage) == "after_commit";
        BOOST_TEST(f.file() == (renamed ? new_text : old_text));
        Result<int> recovered = domain::recover_icp_changes(*f.db, f.icp, {});
        BOOST_REQUIRE(recovered.ok());
        BOOST_TEST(!fs::exists(domain::temp_path_of(f.canonical())));
        BOOST_TEST(f.journal_rows() == 0);
        const std::vector<IcpChangeRecord> h = f.history();
        BOOST_TEST(h.size() == rows_before + (renamed ? 1 : 0));
        if (renamed) BOOST_TEST(h.front().text_after == f.file());

        // The run resumes: the change ends made exactly once.
        if (rollback) {
          RollbackRequest rr{f.context(7), std::nullopt};
          Result<ChangeOutcome> out = domain::rollback_icp_change(*f.db, rr);
          BOOST_REQUIRE_MESSAGE(out.ok(), out.status().to_string());
          BOOST_TEST(out->resumed == renamed);
        } else {
          Result<ChangeOutcome> out = domain::apply_icp_changes(*f.db, r);
          BOOST_REQUIRE_MESSAGE(out.ok(), out.status().to_string());
          BOOST_TEST(out->resumed == renamed);
        }
        BOOST_TEST(f.file() == new_text);
        BOOST_TEST(f.history().size() == rows_before + 1);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_held_lock_refuses_or_waits_and_reads_go_on) {
  Fixture f;
  const IcpChangeRecord applied = f.apply(f.apply_request("sic:8361"));
  Result<domain::IcpFileLock> held =
      domain::IcpFileLock::acquire(f.canonical(), std::chrono::milliseconds(0));
  BOOST_REQUIRE(held.ok());
  RollbackRequest r{f.context(), std::nullopt};
  Result<ChangeOutcome> locked = domain::rollback_icp_change(*f.db, r);
  BOOST_REQUIRE(!locked.ok());
  BOOST_TEST(locked.status().code() == StatusCode::kLocked);
  BOOST_TEST(has(locked.status().message(), "is being changed by pid"), locked.status().message());
  BOOST_TEST(f.history().size() == 1u);  // a read does not wait
  BOOST_TEST(f.file() == applied.text_after);
  // With a wait, it goes through once the holder lets go.
  std::thread holder([lock = std::move(held).value()]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    domain::IcpFileLock released = std::move(lock);
  });
  r.context.lock_wait = std::chrono::seconds(60);
  Result<ChangeOutcome> waited = domain::rollback_icp_change(*f.db, r);
  holder.join();
  BOOST_REQUIRE_MESSAGE(waited.ok(), waited.status().to_string());
  BOOST_TEST(f.file() == f.original);
}

BOOST_AUTO_TEST_CASE(history_is_per_file_newest_first_and_limited) {
  Fixture a;
  a.apply(a.apply_request("sic:8361"));
  a.rollback();
  a.apply(a.apply_request("sic:7033"));
  BOOST_TEST(a.history().size() == 3u);
  Result<std::vector<IcpChangeRecord>> one = domain::icp_change_history(*a.db, a.icp, 1);
  BOOST_REQUIRE(one.ok());
  BOOST_REQUIRE(one->size() == 1u);
  BOOST_TEST(one->front().items.front().bucket == "7033");
  const std::string other = a.dir.file("other.yaml");
  hades::testing::write_file(other, a.original);
  Result<std::vector<IcpChangeRecord>> none = domain::icp_change_history(*a.db, other, 10);
  BOOST_REQUIRE(none.ok());
  BOOST_TEST(none->empty());
  Result<std::vector<IcpChangeRecord>> all = domain::icp_change_history(*a.db, "", 10);
  BOOST_REQUIRE(all.ok());
  BOOST_TEST(all->size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace hades::weight_writer
