#include "leads/text_diff.h"

#include <algorithm>
#include <cstdint>

namespace hades::domain {
namespace {

struct Op {
  char kind;  // ' ' kept, '-' only in a, '+' only in b
  std::string_view line;
};

// The edit script of a[ai..ai+n) -> b[bi..bi+m) by a longest common subsequence table.
void align_middle(const std::vector<std::string_view>& a, std::size_t ai, std::size_t n,
                  const std::vector<std::string_view>& b, std::size_t bi, std::size_t m,
                  std::vector<Op>& ops) {
  if (n == 0 || m == 0 || (n + 1) * (m + 1) > kMaxDiffCells) {
    for (std::size_t i = 0; i < n; ++i) ops.push_back({'-', a[ai + i]});
    for (std::size_t j = 0; j < m; ++j) ops.push_back({'+', b[bi + j]});
    return;
  }
  // lcs[i][j]: the longest common subsequence of a's lines from i and b's lines from j.
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      at(i, j) =
          a[ai + i] == b[bi + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[ai + i] == b[bi + j]) {
      ops.push_back({' ', a[ai + i]});
      ++i;
      ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      ops.push_back({'-', a[ai + i++]});  // removals first, as diff -u shows a changed block
    } else {
      ops.push_back({'+', b[bi + j++]});
    }
  }
}

// GNU diff's range: "l" for one line, "l,n" otherwise, and the line before for none.
std::string range(std::size_t first, std::size_t count) {
  const std::size_t start = count == 0 ? first : first + 1;
  return count == 1 ? std::to_string(start) : std::to_string(start) + "," + std::to_string(count);
}

void print_line(char kind, std::string_view line, std::string& out) {
  out += kind;
  out += line;
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t newline = text.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

std::string diff_label(char side, std::string_view path) {
  std::string label(1, side);
  if (path.empty() || path.front() != '/') label += '/';
  return label + std::string(path);
}

std::string unified_diff(std::string_view a, std::string_view b, std::string_view a_name,
                         std::string_view b_name, int context) {
  if (a == b) return "";
  const std::vector<std::string_view> la = split_lines(a);
  const std::vector<std::string_view> lb = split_lines(b);
  std::size_t head = 0;
  while (head < la.size() && head < lb.size() && la[head] == lb[head]) ++head;
  std::size_t tail = 0;
  while (tail < la.size() - head && tail < lb.size() - head &&
         la[la.size() - 1 - tail] == lb[lb.size() - 1 - tail]) {
    ++tail;
  }
  std::vector<Op> ops;
  for (std::size_t i = 0; i < head; ++i) ops.push_back({' ', la[i]});
  align_middle(la, head, la.size() - head - tail, lb, head, lb.size() - head - tail, ops);
  for (std::size_t i = la.size() - tail; i < la.size(); ++i) ops.push_back({' ', la[i]});

  const std::size_t ctx = static_cast<std::size_t>(std::max(context, 0));
  std::string out = "--- " + std::string(a_name) + "\n+++ " + std::string(b_name) + "\n";
  std::size_t k = 0;
  std::size_t old_line = 0;  // lines of a before ops[k]
  std::size_t new_line = 0;
  std::size_t printed = 0;  // ops before this index are accounted in old_line/new_line
  auto advance = [&](std::size_t to) {
    for (; printed < to; ++printed) {
      if (ops[printed].kind != '+') ++old_line;
      if (ops[printed].kind != '-') ++new_line;
    }
  };
  while (k < ops.size()) {
    if (ops[k].kind == ' ') {
      ++k;
      continue;
    }
    // A hunk: from `ctx` kept lines before this change to `ctx` after the last change that is
    // at most 2*ctx kept lines from the previous one.
    const std::size_t begin = k >= ctx ? k - ctx : 0;
    std::size_t last = k;
    for (std::size_t scan = k + 1; scan < ops.size(); ++scan) {
      if (ops[scan].kind == ' ') continue;
      if (scan - last - 1 > 2 * ctx) break;
      last = scan;
    }
    const std::size_t end = std::min(ops.size(), last + 1 + ctx);
    advance(begin);
    std::size_t old_count = 0;
    std::size_t new_count = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (ops[i].kind != '+') ++old_count;
      if (ops[i].kind != '-') ++new_count;
    }
    out += "@@ -" + range(old_line, old_count) + " +" + range(new_line, new_count) + " @@\n";
    for (std::size_t i = begin; i < end; ++i) print_line(ops[i].kind, ops[i].line, out);
    advance(end);
    k = end;
  }
  return out;
}

}  // namespace hades::domain
