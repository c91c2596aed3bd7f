// The docs run: every job snippet in docs/ validates with the real plugins, and every `hades`
// command the docs show names job files that exist; its `validate`, `plan` and
// `plugins --describe` lines are run and must succeed.
//
// How a doc marks its ```yaml blocks (the comment on the line before the fence):
//   (no comment)                       a job file; `hades validate` must accept it as it is
//   <!-- job: files=A,B set=K=V ... -->  a job file that names input files A, B (created in the
//                                       check's directory: copied from the repository when it
//                                       has them, else a one-line CSV header) and needs
//                                       `--set K=V` (a required parameter)
//   <!-- not a job[: why] -->          an excerpt (icp.yaml, a plugin reference, a manifest)
// A job snippet whose first line is a comment naming a path (`# jobs/load_leads.yaml`) is saved
// there, so the doc's commands can name it. The check's directory also holds copies of the
// repository's jobs/ and config/.
#define BOOST_TEST_MODULE docs_examples_test
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "process.h"
#include "test_support.h"

namespace hades {
namespace {

namespace fs = std::filesystem;

// How many job snippets and commands docs/ holds today: fewer means a snippet was dropped or
// lost its fence, and is no longer checked. Raise these when you add some.
constexpr int kJobSnippets = 5;
constexpr int kRunCommands = 5;

struct Block {
  std::string doc;     // docs/x.md
  int line = 0;        // of the opening fence, 1-based
  std::string lang;    // what follows the fence: yaml, sh, "" ...
  std::string marker;  // the HTML comment's text on the line before the fence, trimmed
  std::vector<std::string> lines;
  std::string where() const { return doc + ":" + std::to_string(line); }
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<Block> fenced_blocks(const std::string& doc, const std::string& text) {
  std::vector<Block> blocks;
  std::istringstream in(text);
  std::string line;
  std::string previous;
  std::optional<Block> open;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.starts_with("```")) {
      if (open) {
        blocks.push_back(std::move(*open));
        open.reset();
      } else {
        open = Block{doc, number, trim(line.substr(3)), "", {}};
        const std::string p = trim(previous);
        if (p.starts_with("<!--") && p.ends_with("-->"))
          open->marker = trim(p.substr(4, p.size() - 7));
      }
    } else if (open) {
      open->lines.push_back(line);
    }
    previous = line;
  }
  BOOST_TEST(!open.has_value(), doc << ": a fence is not closed");
  return blocks;
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// What a job snippet's marker asks for.
struct JobMarker {
  std::vector<std::string> files;
  std::vector<std::string> sets;  // K=V
};

JobMarker parse_job_marker(const Block& b) {
  JobMarker m;
  if (b.marker.empty()) return m;
  BOOST_REQUIRE_MESSAGE(b.marker.starts_with("job:"), b.where()
                                                          << ": unknown marker '" << b.marker
                                                          << "' (use 'job: ...' or 'not a job')");
  for (const std::string& word : split_words(b.marker.substr(4))) {
    if (word.starts_with("files=")) {
      std::istringstream list(word.substr(6));
      for (std::string f; std::getline(list, f, ',');) m.files.push_back(f);
    } else if (word.starts_with("set=")) {
      m.sets.push_back(word.substr(4));
    } else {
      BOOST_FAIL(b.where() << ": unknown word '" << word << "' in the job marker");
    }
  }
  return m;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  return text;
}

// The path a snippet names in its first line (`# jobs/x.yaml`), else "job.yaml".
std::string snippet_path(const Block& b) {
  static const std::regex kPath(R"(#\s*([A-Za-z0-9_./-]+\.yaml)\s*)");
  std::smatch m;
  if (!b.lines.empty() && std::regex_match(b.lines.front(), m, kPath)) return m[1];
  return "job.yaml";
}

// A directory like a checkout's: the repository's jobs/ and config/, and what `docs` asks for.
struct CheckDir {
  testing::TempDir dir;
  CheckDir() {
    for (const char* sub : {"jobs", "config"}) {
      fs::copy(testing::source_dir() + "/" + sub, dir.file(sub), fs::copy_options::recursive);
    }
  }
  void add_input(const std::string& relative) {
    const fs::path to = dir.file(relative);
    fs::create_directories(to.parent_path());
    const fs::path from = testing::source_dir() + "/" + relative;
    if (fs::exists(from)) {
      fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    } else {
      testing::write_file(to.string(), "id,person_id,email,company_name,zip\n");
    }
  }
  void add_job(const Block& b) {
    const JobMarker m = parse_job_marker(b);
    for (const std::string& f : m.files) add_input(f);
    const fs::path to = dir.file(snippet_path(b));
    fs::create_directories(to.parent_path());
    testing::write_file(to.string(), joined(b.lines));
  }
  testing::ProcessResult hades(std::vector<std::string> args,
                               std::map<std::string, std::string> env = {}) const {
    args.insert(args.begin(),
                {testing::hades_binary(), "--plugin-path", testing::test_plugin_dir()});
    env.emplace("HADES_DB", "sqlite://var/hades.db");
    return testing::run_process(args, dir.path(), env);
  }
};

std::vector<std::string> doc_files() {
  std::vector<std::string> docs;
  const fs::path root = testing::source_dir();
  for (const auto& e : fs::recursive_directory_iterator(root / "docs")) {
    if (e.path().extension() == ".md") docs.push_back(fs::relative(e.path(), root).string());
  }
  std::sort(docs.begin(), docs.end());
  return docs;
}

std::vector<Block> all_blocks() {
  std::vector<Block> blocks;
  for (const std::string& doc : doc_files()) {
    const auto more = fenced_blocks(doc, testing::read_file(testing::source_dir() + "/" + doc));
    blocks.insert(blocks.end(), more.begin(), more.end());
  }
  return blocks;
}

bool is_job(const Block& b) { return b.lang == "yaml" && !b.marker.starts_with("not a job"); }

BOOST_AUTO_TEST_CASE(every_job_snippet_validates) {
  int checked = 0;
  for (const Block& b : all_blocks()) {
    if (!is_job(b)) continue;
    CheckDir check;
    check.add_job(b);
    std::vector<std::string> args = {"validate", "--allow-missing-env", snippet_path(b)};
    for (const std::string& kv : parse_job_marker(b).sets) {
      args.insert(args.end(), {"--set", kv});
    }
    const testing::ProcessResult r = check.hades(args);
    BOOST_TEST(r.exit_code == 0, b.where() << ": hades validate: " << r.err);
    ++checked;
  }
  BOOST_TEST(checked >= kJobSnippets, "only " << checked << " job snippets found in docs/");
}

// A command line of a doc: `[$ ] [VAR=value...] .../hades ARGS [# comment]`.
struct Command {
  std::map<std::string, std::string> env;
  std::vector<std::string> args;  // after the binary
};

std::optional<Command> parse_command(std::string line) {
  line = trim(line);
  if (line.starts_with("$ ")) line = line.substr(2);
  if (const auto hash = line.find(" #"); hash != std::string::npos) line.resize(hash);
  Command c;
  bool found = false;
  for (const std::string& w : split_words(line)) {
    if (found) {
      c.args.push_back(w);
    } else if (w == "hades" || w.ends_with("/hades")) {
      found = true;
    } else if (const auto eq = w.find('='); eq != std::string::npos && c.args.empty()) {
      c.env[w.substr(0, eq)] = w.substr(eq + 1);
    } else {
      return std::nullopt;  // not a hades command (cmake, cron, ...)
    }
  }
  if (!found) return std::nullopt;
  return c;
}

BOOST_AUTO_TEST_CASE(every_hades_command_names_files_that_exist_and_checks_pass) {
  int ran = 0;
  const std::vector<Block> blocks = all_blocks();
  for (const std::string& doc : doc_files()) {
    CheckDir check;
    for (const Block& b : blocks) {
      if (b.doc == doc && is_job(b)) check.add_job(b);
    }
    for (const Block& b : blocks) {
      if (b.doc != doc || (b.lang != "" && b.lang != "sh" && b.lang != "console")) continue;
      for (std::size_t i = 0; i < b.lines.size(); ++i) {
        auto command = parse_command(b.lines[i]);
        // A placeholder or a shell variable: the line shows a shape, not a command.
        if (!command || b.lines[i].find("...") != std::string::npos ||
            b.lines[i].find('$', b.lines[i].find("hades")) != std::string::npos) {
          continue;
        }
        const std::string where = b.doc + ":" + std::to_string(b.line + 1 + static_cast<int>(i));
        std::vector<std::string> args;
        for (std::size_t w = 0; w < command->args.size(); ++w) {
          const std::string& word = command->args[w];
          // An out-of-tree build directory (writing-a-plugin.md): the test plugin directory,
          // which holds the in-tree build of the same example, stands in for it.
          if (word == "--plugin-path" && w + 1 < command->args.size()) {
            ++w;
            continue;
          }
          if (word.ends_with(".yaml") && !word.starts_with("/")) {
            BOOST_TEST(fs::exists(check.dir.file(word)),
                       where << ": names " << word << ", which neither the repository nor a "
                             << "snippet of " << doc << " provides");
          }
          args.push_back(word);
        }
        const bool checks = !args.empty() && (args[0] == "validate" || args[0] == "plan" ||
                                              (args[0] == "plugins" && args.size() > 1));
        if (!checks) continue;
        if (args[0] == "validate") args.insert(args.begin() + 1, "--allow-missing-env");
        const testing::ProcessResult r = check.hades(args, command->env);
        BOOST_TEST(r.exit_code == 0, where << ": hades " << args[0] << ": " << r.err);
        ++ran;
      }
    }
  }
  BOOST_TEST(ran >= kRunCommands, "only " << ran << " validate/plan/describe commands in docs/");
}

}  // namespace
}  // namespace hades
