// job_suggest.cc: "did you mean": the closest of the names a word could have been meant as.
#include <algorithm>
#include <vector>

#include "job.h"
#include "job_detail.h"

namespace hades {

// ---------------------------------------------------------------------------------------------
// Suggestions

namespace {

char to_lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Optimal string alignment distance (Levenshtein plus adjacent transpositions, the most common
// typo: "stpes"), case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = to_lower(a[i - 1]) == to_lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      const bool swapped = i > 1 && j > 1 && to_lower(a[i - 1]) == to_lower(b[j - 2]) &&
                           to_lower(a[i - 2]) == to_lower(b[j - 1]);
      if (swapped) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> suggest_closest(std::string_view word,
                                           const std::vector<std::string>& candidates) {
  // The distance costs |word| x |candidate|: a job file may hold a megabyte-long key and
  // thousands of long names, and no typo is that long.
  constexpr std::size_t kMaxWord = 256;
  if (word.size() > kMaxWord) return std::nullopt;
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    // The distance is at least the difference in length.
    const std::size_t gap = candidate.size() > word.size() ? candidate.size() - word.size()
                                                           : word.size() - candidate.size();
    if (gap > limit) continue;
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {  // strict: on a tie the first candidate stays
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

namespace job_detail {

// "; did you mean 'x'?" when a candidate is close enough, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const std::optional<std::string> best = suggest_closest(word, candidates);
  return best ? "; did you mean '" + *best + "'?" : std::string();
}

}  // namespace job_detail
}  // namespace hades
