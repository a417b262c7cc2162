// Uses the C++17 layer of a generated header (Inputs/small.mlir:
// y[n][m] = 0.5 * sum(x[n]) + (m + 1)).
#include "small.h"

#include <cstdio>
#include <vector>

using Net = sparsec::networks::small;

static_assert(Net::input_shape[0] == 2 && Net::input_shape[3] == 5, "shape");
static_assert(Net::output_shape[1] == 7 && Net::output_size == 14, "shape");
static_assert(Net::input_size == small_input_size, "same as the C enum");

int main() {
  Net::input_type x;
  x.fill(1.0f);
  sparsec::Result<Net::output_type> r = Net::run(x);
  std::printf("ok %d:", static_cast<int>(r.has_value()));
  for (float v : *r)
    std::printf(" %g", v);
  std::printf("\n");

  Net::output_type y = Net::run_or_throw(x);
  std::printf("run_or_throw: %g %g\n", y[0], y[13]);

  std::vector<float> in(120, 2.0f), out(14), small_out(13);
  int ok = Net::run(in.data(), in.size(), out.data(), out.size());
  std::printf("pointers: %d %g\n", ok, out[6]);
  std::printf("wrong size: %d\n", Net::run(in.data(), in.size(), small_out.data(), small_out.size()));
  int code = Net::run(nullptr, 120, out.data(), 14);
  std::printf("null: %d (%s)\n", code, sparsec::errorMessage(code).c_str());

  sparsec::Result<Net::output_type> failed = sparsec::Result<Net::output_type>::failure(-34);
  std::printf("failed: %d %d %s\n", static_cast<int>(bool(failed)), failed.error(), failed.message().c_str());
  try {
    (void)failed.value();
    std::printf("no exception\n");
  } catch (const sparsec::Error &e) {
    std::printf("caught %d: %s\n", e.code(), e.what());
  }
  return 0;
}
