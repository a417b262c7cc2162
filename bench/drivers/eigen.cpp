//===- eigen.cpp - Eigen SparseMatrix (row-major CSR) x dense ----------===//
//
// Y (M x N) = A (M x K, sparse row-major) * X (K x N, dense row-major). For FC
// X is x^T, transposed outside the timed region (a network could keep its
// activations that way); a 3x3 conv runs im2col inside the timed region.
// Eigen parallelises a row-major sparse * dense product with OpenMP when
// Eigen::setNbThreads(n > 1) and the matrix has enough nonzeros.
//
//===----------------------------------------------------------------------===//
#include "common.h"

#include <Eigen/Core>
#include <Eigen/SparseCore>

using namespace bench;

using SpMat = Eigen::SparseMatrix<float, Eigen::RowMajor, int>;
using DMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

int main(int argc, char **argv) {
  Options o = parseArgs(argc, argv);
  Case c = loadCase(o.caseDir);
  if (c.kind == "conv" && c.groups != 1)
    reportNA("grouped/depthwise convolution has no sparse-matrix form here");
  Eigen::setNbThreads(o.threads);

  CSR csr = toCSR(c);
  std::vector<Eigen::Triplet<float>> trip;
  trip.reserve(csr.val.size());
  for (int64_t i = 0; i < c.M; ++i)
    for (int32_t p = csr.rowptr[i]; p < csr.rowptr[i + 1]; ++p)
      trip.emplace_back(int(i), csr.col[p], csr.val[p]);
  SpMat a(c.M, c.K);
  a.setFromTriplets(trip.begin(), trip.end());
  a.makeCompressed();

  DMat x(c.K, c.N), y(c.M, c.N);
  std::vector<float> xt;
  if (c.isFC()) {
    xt = transpose(c.x, c.N, c.K);
    x = Eigen::Map<DMat>(xt.data(), c.K, c.N);
  } else if (c.isPointwise()) {
    x = Eigen::Map<DMat>(c.x.data(), c.K, c.N);
  }
  std::function<void()> run;
  if (c.isFC() || c.isPointwise()) {
    run = [&] { y.noalias() = a * x; };
  } else {
    run = [&] {
      im2col(c, c.x.data(), x.data());
      y.noalias() = a * x;
    };
  }
  Stats s = measure(o, run);
  std::vector<float> out(c.outSize());
  if (c.isFC()) {
    // y is M x N; the canonical FC output is N x M.
    std::vector<float> ym(y.data(), y.data() + y.size());
    out = transpose(ym, c.M, c.N);
  } else {
    std::copy(y.data(), y.data() + y.size(), out.begin());
  }
  writeOutput(o, out.data(), out.size());
  reportOK(s, "threads " + std::to_string(Eigen::nbThreads()));
  return 0;
}
