// text_diff.h: the unified diff of two texts, as `diff -u` prints it.
//
// Used to show a person exactly what a change to icp.yaml does before and after it is made (the
// weight writer's dry run, the calibration page's preview, the history's "view diff"). Lines are
// compared with their line ends, so a CRLF file's lines show their `\r`, and a last line without
// a newline is followed by `\ No newline at end of file`, as GNU diff does; `patch` applies the
// result.
//
// Cost: the common head and tail are skipped in linear time; the differing middle is aligned by
// a longest-common-subsequence table, O(n*m) in its lines. When that middle is large (more than
// kMaxDiffCells cells, far beyond any icp.yaml edit) it is shown as one replaced block instead:
// still a correct diff, just not a minimal one.
//
// Thread safety: pure functions.

#ifndef HADES_LEADS_TEXT_DIFF_H_
#define HADES_LEADS_TEXT_DIFF_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hades::domain {

inline constexpr std::size_t kMaxDiffCells = 4'000'000;

// `text` cut into lines, each with its line end ("\n" or "\r\n"); the last one may have none.
std::vector<std::string_view> split_lines(std::string_view text);

// "--- <a_name>\n+++ <b_name>\n" and one `@@ -l,n +l,n @@` hunk per group of changes, with
// `context` unchanged lines around each. Empty when the texts are equal.
std::string unified_diff(std::string_view a, std::string_view b, std::string_view a_name,
                         std::string_view b_name, int context = 3);

// The header name of one side as git writes it: "a/config/icp.yaml", and "a/srv/icp.yaml" for
// the absolute path "/srv/icp.yaml". `side` is 'a' or 'b'.
std::string diff_label(char side, std::string_view path);

}  // namespace hades::domain

#endif  // HADES_LEADS_TEXT_DIFF_H_
