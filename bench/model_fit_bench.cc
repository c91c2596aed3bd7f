// model_fit_bench: the lead model's fit (lead_model/logistic.h) on a design matrix file,
// for bench/train_bench.sh, which runs scikit-learn on the same file in the same run.
//
//   model_fit_bench DESIGN C OUT.json [ungrouped]
//
// DESIGN (bench/train_design.py writes it): "HADESDM1", then little-endian uint64 rows, uint32
// features, uint32 columns, then per row `features` int16 column indices (-1: the row lacks the
// feature) and one uint8 outcome. The file is read in blocks and its rows grouped as read (the
// fit works on groups of identical rows), so memory does not grow with the rows; `ungrouped`
// keeps every row as a group of its own instead (the cost of the fit itself, as for a design
// whose rows rarely repeat). Prints one JSON
// line: seconds to read and group, seconds to fit, rows, groups, iterations; OUT.json gets the
// intercept and coefficients.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "lead_model/logistic.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Header {
  std::uint64_t rows = 0;
  std::uint32_t features = 0;
  std::uint32_t columns = 0;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct KeyHash {
  std::size_t operator()(const std::vector<std::int16_t>& key) const {
    std::uint64_t h = 1469598103934665603ULL;
    for (const std::int16_t v : key) h = (h ^ static_cast<std::uint16_t>(v)) * 1099511628211ULL;
    return static_cast<std::size_t>(h);
  }
};

int fail(const std::string& what) {
  std::fprintf(stderr, "model_fit_bench: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && !(argc == 5 && std::string(argv[4]) == "ungrouped")) {
    return fail("usage: model_fit_bench DESIGN C OUT.json [ungrouped]");
  }
  const double c = std::stod(argv[2]);
  const bool grouped = argc == 4;
  const Clock::time_point start = Clock::now();
  std::ifstream in(argv[1], std::ios::binary);
  char magic[8];
  Header h;
  if (!in.read(magic, 8) || std::memcmp(magic, "HADESDM1", 8) != 0 ||
      !in.read(reinterpret_cast<char*>(&h.rows), 8) ||
      !in.read(reinterpret_cast<char*>(&h.features), 4) ||
      !in.read(reinterpret_cast<char*>(&h.columns), 4)) {
    return fail(std::string(argv[1]) + " is not a design file");
  }
  const std::size_t row_bytes = h.features * 2 + 1;
  std::unordered_map<std::vector<std::int16_t>, std::pair<double, double>, KeyHash> groups;
  hades::lead_model::Design design(h.columns);
  std::vector<std::int32_t> active;
  std::vector<char> block(row_bytes * 65536);
  std::vector<std::int16_t> key(h.features);
  for (std::uint64_t done = 0; done < h.rows;) {
    const std::uint64_t n = std::min<std::uint64_t>(65536, h.rows - done);
    if (!in.read(block.data(), static_cast<std::streamsize>(n * row_bytes))) {
      return fail("the design file ends early");
    }
    for (std::uint64_t r = 0; r < n; ++r) {
      const char* row = block.data() + r * row_bytes;
      std::memcpy(key.data(), row, h.features * 2);
      const double y = static_cast<unsigned char>(row[h.features * 2]);
      if (!grouped) {
        active.clear();
        for (const std::int16_t v : key) {
          if (v >= 0) active.push_back(v);
        }
        design.add(active, 1, y);
        continue;
      }
      auto& [count, positives] = groups[key];
      count += 1;
      positives += y;
    }
    done += n;
  }
  for (const auto& [k, nk] : groups) {
    active.clear();
    for (const std::int16_t v : k) {
      if (v >= 0) active.push_back(v);
    }
    design.add(active, nk.first, nk.second);
  }
  const double read_seconds = seconds_since(start);
  const Clock::time_point fit_start = Clock::now();
  const auto fit = hades::lead_model::fit_logistic(design, {c, 100, {}});
  const double fit_seconds = seconds_since(fit_start);
  if (!fit.ok()) return fail(fit.status().to_string());
  std::FILE* out = std::fopen(argv[3], "w");
  if (out == nullptr) return fail(std::string("cannot write ") + argv[3]);
  std::fprintf(out, "{\"intercept\": %.17g, \"coef\": [", fit->coefficients.intercept);
  for (std::size_t j = 0; j < fit->coefficients.weights.size(); ++j) {
    std::fprintf(out, "%s%.17g", j ? ", " : "", fit->coefficients.weights[j]);
  }
  std::fprintf(out, "]}\n");
  std::fclose(out);
  std::printf(
      "{\"read_seconds\": %.4f, \"fit_seconds\": %.4f, \"rows\": %llu, \"groups\": %zu, "
      "\"iterations\": %d, \"gradient_max\": %.3g}\n",
      read_seconds, fit_seconds, static_cast<unsigned long long>(h.rows), design.groups(),
      fit->iterations, fit->gradient_max);
  return 0;
}
