//===- Step.cpp - The reference training step -------------------*- C++ -*-===//
//
// Part of sparsec's runtime. Activations are stored batch-major (n x size per
// node). Dense layers work on transposed activations (feature-major) so that
// the inner loops run along the batch, skip zero weights, and vectorise
// without reassociating sums; convolutions go through im2col per example.
// Sums of products that form weight gradients use eight partial sums in a
// fixed order, so results do not depend on the compiler's vectorisation.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Step.h"
#include "sparsec/runtime/Random.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <utility>

using namespace sparsec::runtime;

StepKernel::~StepKernel() = default;

Gradients sparsec::runtime::makeGradients(const Graph &g) {
  Gradients grads(g.params.size());
  for (size_t i = 0; i < g.params.size(); ++i)
    if (g.params[i].trainable)
      grads[i].assign(g.params[i].values.size(), 0.0f);
  return grads;
}

int64_t sparsec::runtime::argmax(const float *row, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (row[i] > row[best])
      best = i;
  return best;
}

double sparsec::runtime::crossEntropy(const float *row, int64_t classes,
                                      int32_t label, float scale,
                                      float *grad) {
  double mx = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < classes; ++i)
    mx = std::max(mx, double(row[i]));
  double sum = 0.0;
  for (int64_t i = 0; i < classes; ++i)
    sum += std::exp(double(row[i]) - mx);
  double lse = mx + std::log(sum);
  if (grad)
    for (int64_t i = 0; i < classes; ++i) {
      double p = std::exp(double(row[i]) - lse);
      grad[i] = static_cast<float>((p - (i == label ? 1.0 : 0.0)) * scale);
    }
  return lse - double(row[label]);
}

namespace {

// The inner loops run along the batch. On x86-64 they are compiled for
// AVX-512, AVX2 and the baseline, and the loader picks one for the CPU: the
// library stays portable, and since the runtime is built with
// -ffp-contract=off and the loops never reassociate, every version gives
// bit-identical results.
#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define SPARSEC_VECTOR_CLONES                                                 \
  __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef SPARSEC_VECTOR_CLONES
#define SPARSEC_VECTOR_CLONES
#endif

/// sum_i a[i] * b[i] with eight interleaved partial sums.
SPARSEC_VECTOR_CLONES
float dot(const float *a, const float *b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l)
      acc[l] += a[i + l] * b[i + l];
  for (int l = 0; i < n; ++i, ++l)
    acc[l] += a[i] * b[i];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) +
         ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

SPARSEC_VECTOR_CLONES
void axpy(float a, const float *x, float *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] += a * x[i];
}

/// out (cols x rows) = in (rows x cols) transposed, in 16 x 16 tiles so that
/// both sides stay in cache lines already loaded.
void transpose(const float *in, int64_t rows, int64_t cols, float *out) {
  constexpr int64_t T = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += T)
    for (int64_t c0 = 0; c0 < cols; c0 += T) {
      int64_t r1 = std::min(rows, r0 + T), c1 = std::min(cols, c0 + T);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c)
          out[c * rows + r] = in[r * cols + c];
    }
}

class ReferenceStep final : public StepKernel {
public:
  explicit ReferenceStep(const Graph &g) : g(g) {}
  const char *name() const override { return "reference"; }

  Status forward(const float *x, int64_t n, float *out) override {
    runForward(x, n, /*train=*/false, 0);
    const std::vector<float> &y = act[g.output];
    std::copy(y.begin(), y.end(), out);
    return Status::success();
  }

  Status train(const float *x, const int32_t *labels, int64_t n,
               uint64_t dropoutSeed, bool maskedGrads, StepResult &result,
               Gradients &grads) override;

  /// train() on examples [offset, offset + n) of a batch of `total`: the
  /// loss is scaled by 1 / total and dropout draws are those of the whole
  /// batch, so shards of a batch add up to the batch's gradients. Sets the
  /// summed (not mean) loss and the correct count.
  Status trainShard(const float *x, const int32_t *labels, int64_t n,
                    int64_t offset, int64_t total, uint64_t dropoutSeed,
                    bool maskedGrads, double &lossSum, int64_t &correct,
                    Gradients &grads);

private:
  void runForward(const float *x, int64_t n, bool train, uint64_t seed);
  void forwardNode(int i, int64_t n, bool train, uint64_t seed);
  void backwardNode(int i, int64_t n, bool maskedGrads, Gradients &grads);

  void denseForward(const Node &node, int64_t n);
  void denseBackward(const Node &node, int64_t n, bool maskedGrads,
                     Gradients &grads);
  void im2col(const Node &node, const float *x, int64_t group, float *col);
  void col2im(const Node &node, const float *col, int64_t group, float *dx);
  void convForward(const Node &node, int64_t n);
  void convBackward(const Node &node, int64_t n, bool maskedGrads,
                    Gradients &grads);
  void poolForward(const Node &node, int i, int64_t n);
  void poolBackward(const Node &node, int i, int64_t n);

  const Graph &g;
  int64_t batch = 0;
  std::vector<std::vector<float>> act, grad;
  /// Per node: dropout scales, or max-pooling argmax indices (as floats
  /// would lose precision, ints).
  std::vector<std::vector<float>> dropScale;
  std::vector<std::vector<int32_t>> argmaxIdx;
  std::vector<float> scratchA, scratchB, scratchC;
  std::vector<float> scratchDyT, scratchXT, scratchDxT, scratchCol, scratchDcol;

  /// A masked weight's kept positions, row by row (CSR without values), and
  /// the mask they were read from: rebuilt when the mask's bytes change, so
  /// the dense layers' loops visit only the weights that survived pruning.
  struct KeptList {
    std::vector<uint8_t> mask;
    std::vector<int64_t> rowStart;
    std::vector<int32_t> cols;
  };
  std::vector<KeptList> keptLists;
  const KeptList *keptList(int param, int64_t rows, int64_t cols);
  int cur = 0;
  /// The first example of this call within its batch (for dropout draws).
  int64_t exampleOffset = 0;
};

void ReferenceStep::runForward(const float *x, int64_t n, bool train,
                               uint64_t seed) {
  batch = n;
  act.resize(g.nodes.size());
  dropScale.resize(g.nodes.size());
  argmaxIdx.resize(g.nodes.size());
  act[0].assign(x, x + n * g.inputSize());
  for (size_t i = 1; i < g.nodes.size(); ++i)
    forwardNode(static_cast<int>(i), n, train, seed);
}

const ReferenceStep::KeptList *ReferenceStep::keptList(int param, int64_t rows,
                                                       int64_t cols) {
  const Param &p = g.params[param];
  if (!p.hasMask())
    return nullptr;
  if (keptLists.size() < g.params.size())
    keptLists.resize(g.params.size());
  KeptList &l = keptLists[param];
  if (l.mask.size() == p.mask.size() &&
      std::memcmp(l.mask.data(), p.mask.data(), p.mask.size()) == 0)
    return &l;
  l.mask = p.mask;
  l.rowStart.assign(1, 0);
  l.cols.clear();
  for (int64_t o = 0; o < rows; ++o) {
    for (int64_t j = 0; j < cols; ++j)
      if (p.mask[o * cols + j])
        l.cols.push_back(static_cast<int32_t>(j));
    l.rowStart.push_back(static_cast<int64_t>(l.cols.size()));
  }
  return &l;
}

void ReferenceStep::denseForward(const Node &node, int64_t n) {
  const std::vector<float> &x = act[node.inputs[0]];
  int64_t k = g.nodes[node.inputs[0]].size(), m = node.shape[0];
  const std::vector<float> &w = g.params[node.weight].values;
  const KeptList *kept = keptList(node.weight, m, k);
  scratchA.resize(k * n);
  transpose(x.data(), n, k, scratchA.data());
  scratchB.assign(m * n, 0.0f);
  for (int64_t o = 0; o < m; ++o) {
    float *yo = &scratchB[o * n];
    if (node.bias >= 0)
      std::fill(yo, yo + n, g.params[node.bias].values[o]);
    const float *wo = &w[o * k];
    if (kept) {
      for (int64_t e = kept->rowStart[o]; e < kept->rowStart[o + 1]; ++e) {
        int64_t j = kept->cols[e];
        if (wo[j] != 0.0f)
          axpy(wo[j], &scratchA[j * n], yo, n);
      }
      continue;
    }
    for (int64_t j = 0; j < k; ++j)
      if (wo[j] != 0.0f)
        axpy(wo[j], &scratchA[j * n], yo, n);
  }
  std::vector<float> &y = act[cur];
  y.resize(n * m);
  transpose(scratchB.data(), m, n, y.data());
}

void ReferenceStep::denseBackward(const Node &node, int64_t n,
                                  bool maskedGrads, Gradients &grads) {
  int in = node.inputs[0];
  int64_t k = g.nodes[in].size(), m = node.shape[0];
  const Param &wp = g.params[node.weight];
  const std::vector<float> &dy = grad[cur];
  // Buffers kept from call to call: allocating these each step (hundreds
  // of KiB, so fresh pages from the kernel) cost more than the layer.
  std::vector<float> &dyt = scratchDyT, &xt = scratchXT;
  dyt.resize(m * n);
  xt.resize(k * n);
  transpose(dy.data(), n, m, dyt.data());
  transpose(act[in].data(), n, k, xt.data());
  if (node.bias >= 0 && g.params[node.bias].trainable) {
    std::vector<float> &db = grads[node.bias];
    for (int64_t o = 0; o < m; ++o) {
      float s = 0.0f;
      for (int64_t b = 0; b < n; ++b)
        s += dyt[o * n + b];
      db[o] = s;
    }
  }
  const KeptList *kept = keptList(node.weight, m, k);
  if (wp.trainable) {
    std::vector<float> &dw = grads[node.weight];
    if (kept && !maskedGrads) {
      std::fill(dw.begin(), dw.end(), 0.0f);
      for (int64_t o = 0; o < m; ++o)
        for (int64_t e = kept->rowStart[o]; e < kept->rowStart[o + 1]; ++e) {
          int64_t j = kept->cols[e];
          dw[o * k + j] = dot(&dyt[o * n], &xt[j * n], n);
        }
    } else {
      for (int64_t o = 0; o < m; ++o)
        for (int64_t j = 0; j < k; ++j)
          dw[o * k + j] = maskedGrads || wp.kept(o * k + j)
                              ? dot(&dyt[o * n], &xt[j * n], n)
                              : 0.0f;
    }
  }
  if (in == 0)
    return;
  std::vector<float> &dxt = scratchDxT;
  dxt.assign(k * n, 0.0f);
  for (int64_t o = 0; o < m; ++o) {
    const float *wo = &wp.values[o * k];
    if (kept) {
      for (int64_t e = kept->rowStart[o]; e < kept->rowStart[o + 1]; ++e) {
        int64_t j = kept->cols[e];
        if (wo[j] != 0.0f)
          axpy(wo[j], &dyt[o * n], &dxt[j * n], n);
      }
      continue;
    }
    for (int64_t j = 0; j < k; ++j)
      if (wo[j] != 0.0f)
        axpy(wo[j], &dyt[o * n], &dxt[j * n], n);
  }
  std::vector<float> &dx = scratchA;
  dx.resize(n * k);
  transpose(dxt.data(), k, n, dx.data());
  std::vector<float> &gx = grad[in];
  for (int64_t i = 0; i < n * k; ++i)
    gx[i] += dx[i];
}

/// col[(ic, ky, kx)][oy * OW + ox] for the channels of `group`.
void ReferenceStep::im2col(const Node &node, const float *x, int64_t group,
                           float *col) {
  const std::vector<int64_t> &xs = g.nodes[node.inputs[0]].shape;
  int64_t h = xs[1], w = xs[2], cg = xs[0] / node.groups;
  int64_t oh = node.shape[1], ow = node.shape[2];
  int64_t kh = node.kernel[0], kw = node.kernel[1];
  for (int64_t ic = 0; ic < cg; ++ic) {
    const float *plane = x + (group * cg + ic) * h * w;
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) {
        float *row = col + ((ic * kh + ky) * kw + kx) * oh * ow;
        for (int64_t oy = 0; oy < oh; ++oy) {
          int64_t iy = oy * node.stride[0] - node.padding[0] +
                       ky * node.dilation[0];
          for (int64_t ox = 0; ox < ow; ++ox) {
            int64_t ix = ox * node.stride[1] - node.padding[1] +
                         kx * node.dilation[1];
            row[oy * ow + ox] = iy >= 0 && iy < h && ix >= 0 && ix < w
                                    ? plane[iy * w + ix]
                                    : 0.0f;
          }
        }
      }
  }
}

void ReferenceStep::col2im(const Node &node, const float *col, int64_t group,
                           float *dx) {
  const std::vector<int64_t> &xs = g.nodes[node.inputs[0]].shape;
  int64_t h = xs[1], w = xs[2], cg = xs[0] / node.groups;
  int64_t oh = node.shape[1], ow = node.shape[2];
  int64_t kh = node.kernel[0], kw = node.kernel[1];
  for (int64_t ic = 0; ic < cg; ++ic) {
    float *plane = dx + (group * cg + ic) * h * w;
    for (int64_t ky = 0; ky < kh; ++ky)
      for (int64_t kx = 0; kx < kw; ++kx) {
        const float *row = col + ((ic * kh + ky) * kw + kx) * oh * ow;
        for (int64_t oy = 0; oy < oh; ++oy) {
          int64_t iy = oy * node.stride[0] - node.padding[0] +
                       ky * node.dilation[0];
          if (iy < 0 || iy >= h)
            continue;
          for (int64_t ox = 0; ox < ow; ++ox) {
            int64_t ix = ox * node.stride[1] - node.padding[1] +
                         kx * node.dilation[1];
            if (ix >= 0 && ix < w)
              plane[iy * w + ix] += row[oy * ow + ox];
          }
        }
      }
  }
}

void ReferenceStep::convForward(const Node &node, int64_t n) {
  const Node &in = g.nodes[node.inputs[0]];
  int64_t cg = in.shape[0] / node.groups, og = node.shape[0] / node.groups;
  int64_t k = cg * node.kernel[0] * node.kernel[1];
  int64_t p = node.shape[1] * node.shape[2];
  const std::vector<float> &w = g.params[node.weight].values;
  std::vector<float> &y = act[cur];
  y.assign(n * node.size(), 0.0f);
  scratchA.resize(k * p);
  for (int64_t b = 0; b < n; ++b) {
    const float *x = &act[node.inputs[0]][b * in.size()];
    float *yb = &y[b * node.size()];
    for (int64_t grp = 0; grp < node.groups; ++grp) {
      im2col(node, x, grp, scratchA.data());
      for (int64_t o = grp * og; o < (grp + 1) * og; ++o) {
        float *yo = yb + o * p;
        if (node.bias >= 0)
          std::fill(yo, yo + p, g.params[node.bias].values[o]);
        const float *wo = &w[o * k];
        for (int64_t j = 0; j < k; ++j)
          if (wo[j] != 0.0f)
            axpy(wo[j], &scratchA[j * p], yo, p);
      }
    }
  }
}

void ReferenceStep::convBackward(const Node &node, int64_t n,
                                 bool maskedGrads, Gradients &grads) {
  int inIdx = node.inputs[0];
  const Node &in = g.nodes[inIdx];
  int64_t cg = in.shape[0] / node.groups, og = node.shape[0] / node.groups;
  int64_t k = cg * node.kernel[0] * node.kernel[1];
  int64_t p = node.shape[1] * node.shape[2];
  const Param &wp = g.params[node.weight];
  const std::vector<float> &dy = grad[cur];
  bool wantDw = wp.trainable;
  bool wantDb = node.bias >= 0 && g.params[node.bias].trainable;
  bool wantDx = inIdx != 0;
  if (wantDw)
    std::fill(grads[node.weight].begin(), grads[node.weight].end(), 0.0f);
  if (wantDb) {
    std::vector<float> &db = grads[node.bias];
    std::fill(db.begin(), db.end(), 0.0f);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t o = 0; o < node.shape[0]; ++o) {
        const float *d = &dy[b * node.size() + o * p];
        float s = 0.0f;
        for (int64_t i = 0; i < p; ++i)
          s += d[i];
        db[o] += s;
      }
  }
  std::vector<float> &col = scratchCol, &dcol = scratchDcol;
  col.resize(k * p);
  dcol.resize(k * p);
  for (int64_t b = 0; b < n; ++b) {
    const float *x = &act[inIdx][b * in.size()];
    const float *dyb = &dy[b * node.size()];
    for (int64_t grp = 0; grp < node.groups; ++grp) {
      if (wantDw) {
        im2col(node, x, grp, col.data());
        std::vector<float> &dw = grads[node.weight];
        for (int64_t o = grp * og; o < (grp + 1) * og; ++o)
          for (int64_t j = 0; j < k; ++j)
            if (maskedGrads || wp.kept(o * k + j))
              dw[o * k + j] += dot(dyb + o * p, &col[j * p], p);
      }
      if (wantDx) {
        std::fill(dcol.begin(), dcol.end(), 0.0f);
        for (int64_t o = grp * og; o < (grp + 1) * og; ++o)
          for (int64_t j = 0; j < k; ++j) {
            float wv = wp.values[o * k + j];
            if (wv != 0.0f)
              axpy(wv, dyb + o * p, &dcol[j * p], p);
          }
        col2im(node, dcol.data(), grp, &grad[inIdx][b * in.size()]);
      }
    }
  }
}

void ReferenceStep::poolForward(const Node &node, int i, int64_t n) {
  const Node &in = g.nodes[node.inputs[0]];
  int64_t c = in.shape[0], h = in.shape[1], w = in.shape[2];
  int64_t oh = node.shape[1], ow = node.shape[2];
  bool isMax = node.kind == OpKind::MaxPool2D;
  const std::vector<float> &x = act[node.inputs[0]];
  std::vector<float> &y = act[i];
  y.resize(n * node.size());
  if (isMax)
    argmaxIdx[i].resize(n * node.size());
  for (int64_t plane = 0; plane < n * c; ++plane)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        int64_t y0 = oy * node.stride[0] - node.padding[0];
        int64_t x0 = ox * node.stride[1] - node.padding[1];
        float best = -std::numeric_limits<float>::infinity();
        int32_t where = -1;
        double sum = 0.0;
        for (int64_t ky = 0; ky < node.kernel[0]; ++ky)
          for (int64_t kx = 0; kx < node.kernel[1]; ++kx) {
            int64_t iy = y0 + ky * node.dilation[0];
            int64_t ix = x0 + kx * node.dilation[1];
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
              continue;
            float v = x[(plane * h + iy) * w + ix];
            if (where < 0 || v > best || (std::isnan(v) && !std::isnan(best))) {
              best = v;
              where = static_cast<int32_t>(iy * w + ix);
            }
            sum += v;
          }
        int64_t o = (plane * oh + oy) * ow + ox;
        if (isMax) {
          y[o] = best;
          argmaxIdx[i][o] = where;
        } else {
          int64_t divisor;
          if (node.countIncludePad) {
            int64_t yEnd = std::min(y0 + node.kernel[0], h + node.padding[2]);
            int64_t xEnd = std::min(x0 + node.kernel[1], w + node.padding[3]);
            divisor = (yEnd - y0) * (xEnd - x0);
          } else {
            int64_t rows = std::min(y0 + node.kernel[0], h) - std::max<int64_t>(y0, 0);
            int64_t cols = std::min(x0 + node.kernel[1], w) - std::max<int64_t>(x0, 0);
            divisor = rows * cols;
          }
          y[o] = static_cast<float>(sum / double(divisor));
        }
      }
}

void ReferenceStep::poolBackward(const Node &node, int i, int64_t n) {
  int inIdx = node.inputs[0];
  const Node &in = g.nodes[inIdx];
  int64_t c = in.shape[0], h = in.shape[1], w = in.shape[2];
  int64_t oh = node.shape[1], ow = node.shape[2];
  const std::vector<float> &dy = grad[i];
  std::vector<float> &dx = grad[inIdx];
  for (int64_t plane = 0; plane < n * c; ++plane)
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        int64_t o = (plane * oh + oy) * ow + ox;
        if (node.kind == OpKind::MaxPool2D) {
          if (argmaxIdx[i][o] >= 0)
            dx[plane * h * w + argmaxIdx[i][o]] += dy[o];
          continue;
        }
        int64_t y0 = oy * node.stride[0] - node.padding[0];
        int64_t x0 = ox * node.stride[1] - node.padding[1];
        int64_t divisor;
        if (node.countIncludePad) {
          int64_t yEnd = std::min(y0 + node.kernel[0], h + node.padding[2]);
          int64_t xEnd = std::min(x0 + node.kernel[1], w + node.padding[3]);
          divisor = (yEnd - y0) * (xEnd - x0);
        } else {
          int64_t rows = std::min(y0 + node.kernel[0], h) - std::max<int64_t>(y0, 0);
          int64_t cols = std::min(x0 + node.kernel[1], w) - std::max<int64_t>(x0, 0);
          divisor = rows * cols;
        }
        float share = dy[o] / float(divisor);
        for (int64_t ky = 0; ky < node.kernel[0]; ++ky)
          for (int64_t kx = 0; kx < node.kernel[1]; ++kx) {
            int64_t iy = y0 + ky * node.dilation[0];
            int64_t ix = x0 + kx * node.dilation[1];
            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
              dx[(plane * h + iy) * w + ix] += share;
          }
      }
}

void ReferenceStep::forwardNode(int i, int64_t n, bool train, uint64_t seed) {
  const Node &node = g.nodes[i];
  cur = i;
  const std::vector<float> &x = act[node.inputs[0]];
  std::vector<float> &y = act[i];
  auto map = [&](auto fn) {
    y.resize(x.size());
    for (size_t e = 0; e < x.size(); ++e)
      y[e] = fn(x[e]);
  };
  switch (node.kind) {
  case OpKind::Input:
    break;
  case OpKind::Dense:
    denseForward(node, n);
    break;
  case OpKind::Conv2D:
    convForward(node, n);
    break;
  case OpKind::MaxPool2D:
  case OpKind::AvgPool2D:
    poolForward(node, i, n);
    break;
  case OpKind::GlobalAvgPool: {
    const Node &in = g.nodes[node.inputs[0]];
    int64_t hw = in.shape[1] * in.shape[2];
    y.resize(n * node.size());
    for (int64_t plane = 0; plane < n * in.shape[0]; ++plane) {
      double s = 0.0;
      for (int64_t e = 0; e < hw; ++e)
        s += x[plane * hw + e];
      y[plane] = static_cast<float>(s / double(hw));
    }
    break;
  }
  case OpKind::Relu:
    map([](float v) { return v < 0.0f ? 0.0f : v; });
    break;
  case OpKind::Sigmoid:
    map([](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    break;
  case OpKind::Tanh:
    map([](float v) { return std::tanh(v); });
    break;
  case OpKind::Dropout: {
    if (!train || node.rate <= 0.0f) {
      y = x;
      dropScale[i].clear();
      break;
    }
    // Keep each element with probability 1 - rate, scaled by 1 / (1 - rate)
    // (inverted dropout). The draw depends only on (seed, node, element), so
    // it is the same however the work is split.
    std::vector<float> &s = dropScale[i];
    s.resize(x.size());
    float keepScale = 1.0f / (1.0f - node.rate);
    uint64_t threshold = static_cast<uint64_t>(
        double(node.rate) * 16777216.0);
    y.resize(x.size());
    uint64_t first = static_cast<uint64_t>(exampleOffset) *
                     static_cast<uint64_t>(x.size() / n);
    for (size_t e = 0; e < x.size(); ++e) {
      uint64_t r = hashWords(seed, static_cast<uint64_t>(i), first + e) >> 40;
      s[e] = r < threshold ? 0.0f : keepScale;
      y[e] = x[e] * s[e];
    }
    break;
  }
  case OpKind::Flatten:
    y = x;
    break;
  case OpKind::Softmax: {
    int64_t f = node.shape.back();
    int64_t rows = static_cast<int64_t>(x.size()) / f;
    y.resize(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      const float *in = &x[r * f];
      double mx = -std::numeric_limits<double>::infinity();
      for (int64_t e = 0; e < f; ++e)
        mx = std::max(mx, double(in[e]));
      double sum = 0.0;
      for (int64_t e = 0; e < f; ++e)
        sum += std::exp(double(in[e]) - mx);
      for (int64_t e = 0; e < f; ++e)
        y[r * f + e] = static_cast<float>(std::exp(double(in[e]) - mx) / sum);
    }
    break;
  }
  case OpKind::Add: {
    const std::vector<float> &b = act[node.inputs[1]];
    y.resize(x.size());
    for (size_t e = 0; e < x.size(); ++e)
      y[e] = x[e] + b[e];
    break;
  }
  case OpKind::BatchNorm: {
    int64_t c = node.shape[0], inner = node.size() / c;
    const Param &sc = g.params[node.scale], &sh = g.params[node.shift],
                &mu = g.params[node.mean], &var = g.params[node.var];
    y.resize(x.size());
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ch = 0; ch < c; ++ch) {
        float inv = 1.0f / std::sqrt(var.values[ch] + node.epsilon);
        for (int64_t e = 0; e < inner; ++e) {
          int64_t idx = (b * c + ch) * inner + e;
          y[idx] = (x[idx] - mu.values[ch]) * inv * sc.values[ch] +
                   sh.values[ch];
        }
      }
    break;
  }
  }
}

void ReferenceStep::backwardNode(int i, int64_t n, bool maskedGrads,
                                 Gradients &grads) {
  const Node &node = g.nodes[i];
  cur = i;
  const std::vector<float> &dy = grad[i];
  const std::vector<float> &y = act[i];
  int in = node.inputs.empty() ? -1 : node.inputs[0];
  auto accumulate = [&](auto fn) {
    if (in == 0)
      return;
    // No other pointer reaches the input's gradient: the loop vectorises.
    float *__restrict dx = grad[in].data();
    size_t size = dy.size();
    for (size_t e = 0; e < size; ++e)
      dx[e] += fn(e);
  };
  switch (node.kind) {
  case OpKind::Input:
    break;
  case OpKind::Dense:
    denseBackward(node, n, maskedGrads, grads);
    break;
  case OpKind::Conv2D:
    convBackward(node, n, maskedGrads, grads);
    break;
  case OpKind::MaxPool2D:
  case OpKind::AvgPool2D:
    if (in != 0)
      poolBackward(node, i, n);
    break;
  case OpKind::GlobalAvgPool: {
    if (in == 0)
      break;
    const Node &inNode = g.nodes[in];
    int64_t hw = inNode.shape[1] * inNode.shape[2];
    for (int64_t plane = 0; plane < n * inNode.shape[0]; ++plane)
      for (int64_t e = 0; e < hw; ++e)
        grad[in][plane * hw + e] += dy[plane] / float(hw);
    break;
  }
  case OpKind::Relu:
    accumulate([&](size_t e) { return y[e] > 0.0f ? dy[e] : 0.0f; });
    break;
  case OpKind::Sigmoid:
    accumulate([&](size_t e) { return dy[e] * y[e] * (1.0f - y[e]); });
    break;
  case OpKind::Tanh:
    accumulate([&](size_t e) { return dy[e] * (1.0f - y[e] * y[e]); });
    break;
  case OpKind::Dropout:
    if (dropScale[i].empty())
      accumulate([&](size_t e) { return dy[e]; });
    else
      accumulate([&](size_t e) { return dy[e] * dropScale[i][e]; });
    break;
  case OpKind::Flatten:
    accumulate([&](size_t e) { return dy[e]; });
    break;
  case OpKind::Softmax: {
    if (in == 0)
      break;
    int64_t f = node.shape.back();
    int64_t rows = static_cast<int64_t>(dy.size()) / f;
    for (int64_t r = 0; r < rows; ++r) {
      double s = 0.0;
      for (int64_t e = 0; e < f; ++e)
        s += double(dy[r * f + e]) * y[r * f + e];
      for (int64_t e = 0; e < f; ++e)
        grad[in][r * f + e] +=
            static_cast<float>(y[r * f + e] * (dy[r * f + e] - s));
    }
    break;
  }
  case OpKind::Add:
    accumulate([&](size_t e) { return dy[e]; });
    if (node.inputs[1] != 0)
      for (size_t e = 0; e < dy.size(); ++e)
        grad[node.inputs[1]][e] += dy[e];
    break;
  case OpKind::BatchNorm: {
    int64_t c = node.shape[0], inner = node.size() / c;
    const Param &sc = g.params[node.scale], &mu = g.params[node.mean],
                &var = g.params[node.var];
    const std::vector<float> &x = act[in];
    bool wantScale = sc.trainable, wantShift = g.params[node.shift].trainable;
    for (int64_t ch = 0; ch < c; ++ch) {
      float inv = 1.0f / std::sqrt(var.values[ch] + node.epsilon);
      double ds = 0.0, dsh = 0.0;
      for (int64_t b = 0; b < n; ++b)
        for (int64_t e = 0; e < inner; ++e) {
          int64_t idx = (b * c + ch) * inner + e;
          ds += double(dy[idx]) * (x[idx] - mu.values[ch]) * inv;
          dsh += dy[idx];
          if (in != 0)
            grad[in][idx] += dy[idx] * sc.values[ch] * inv;
        }
      if (wantScale)
        grads[node.scale][ch] = static_cast<float>(ds);
      if (wantShift)
        grads[node.shift][ch] = static_cast<float>(dsh);
    }
    break;
  }
  }
}

Status ReferenceStep::train(const float *x, const int32_t *labels, int64_t n,
                            uint64_t dropoutSeed, bool maskedGrads,
                            StepResult &result, Gradients &grads) {
  result = StepResult();
  Status s = trainShard(x, labels, n, 0, n, dropoutSeed, maskedGrads,
                        result.loss, result.correct, grads);
  result.loss /= double(n);
  return s;
}

Status ReferenceStep::trainShard(const float *x, const int32_t *labels,
                                 int64_t n, int64_t offset, int64_t total,
                                 uint64_t dropoutSeed, bool maskedGrads,
                                 double &lossSum, int64_t &correct,
                                 Gradients &grads) {
  exampleOffset = offset;
  runForward(x, n, /*train=*/true, dropoutSeed);
  exampleOffset = 0;
  // A final softmax is folded into the loss: train on its input.
  int lossNode = g.output;
  if (g.nodes[lossNode].kind == OpKind::Softmax)
    lossNode = g.nodes[lossNode].inputs[0];
  int64_t classes = g.nodes[lossNode].size();
  grad.resize(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    grad[i].assign(act[i].size(), 0.0f);
  lossSum = 0.0;
  correct = 0;
  const std::vector<float> &logits = act[lossNode];
  for (int64_t b = 0; b < n; ++b) {
    if (labels[b] < 0 || labels[b] >= classes)
      return Status::error("label " + std::to_string(labels[b]) +
                           " is out of range for a network with " +
                           std::to_string(classes) + " outputs");
    lossSum += crossEntropy(&logits[b * classes], classes, labels[b],
                            1.0f / float(total), &grad[lossNode][b * classes]);
    correct += argmax(&logits[b * classes], classes) == labels[b];
  }
  for (std::vector<float> &gr : grads)
    std::fill(gr.begin(), gr.end(), 0.0f);
  for (int i = lossNode; i >= 1; --i)
    backwardNode(i, n, maskedGrads, grads);
  return Status::success();
}

/// Runs fn(0) .. fn(count - 1), fn(0) on the calling thread and the others
/// on threads of their own.
template <typename Fn> void runParallel(int count, Fn fn) {
  std::vector<std::thread> workers;
  workers.reserve(count > 0 ? count - 1 : 0);
  for (int t = 1; t < count; ++t)
    workers.emplace_back(fn, t);
  fn(0);
  for (std::thread &w : workers)
    w.join();
}

/// The reference step, data-parallel: each batch is cut into `threads`
/// contiguous shards, each thread runs the reference step on its shard, and
/// the shards' gradients are added in shard order. Loss scaling and dropout
/// draws are those of the whole batch, so the result differs from one
/// thread's only in the order the weight gradients' sums are formed, and is
/// the same from run to run for a given thread count.
class ParallelReferenceStep final : public StepKernel {
public:
  ParallelReferenceStep(const Graph &g, int threads) : g(g) {
    for (int t = 0; t < threads; ++t)
      shards.push_back(std::make_unique<ReferenceStep>(g));
    shardGrads.resize(threads);
    for (int t = 1; t < threads; ++t)
      shardGrads[t] = makeGradients(g);
  }
  const char *name() const override { return "reference"; }

  Status forward(const float *x, int64_t n, float *out) override {
    int count = shardCount(n);
    std::vector<Status> status(count, Status::success());
    int64_t in = g.inputSize(), outSize = g.nodes[g.output].size();
    runParallel(count, [&](int t) {
      auto [begin, len] = range(t, count, n);
      status[t] = shards[t]->forward(x + begin * in, len, out + begin * outSize);
    });
    for (Status &s : status)
      if (!s)
        return s;
    return Status::success();
  }

  Status train(const float *x, const int32_t *labels, int64_t n,
               uint64_t dropoutSeed, bool maskedGrads, StepResult &result,
               Gradients &grads) override {
    int count = shardCount(n);
    std::vector<Status> status(count, Status::success());
    std::vector<double> loss(count, 0.0);
    std::vector<int64_t> correct(count, 0);
    int64_t in = g.inputSize();
    runParallel(count, [&](int t) {
      auto [begin, len] = range(t, count, n);
      status[t] = shards[t]->trainShard(
          x + begin * in, labels + begin, len, begin, n, dropoutSeed,
          maskedGrads, loss[t], correct[t], t == 0 ? grads : shardGrads[t]);
    });
    for (Status &s : status)
      if (!s)
        return s;
    // Add the other shards' gradients into shard 0's, each thread taking a
    // slice of every parameter; the order of the additions is fixed.
    runParallel(count, [&](int t) {
      for (size_t p = 0; p < grads.size(); ++p) {
        auto [begin, len] =
            range(t, count, static_cast<int64_t>(grads[p].size()));
        float *dst = grads[p].data() + begin;
        for (int s = 1; s < count; ++s) {
          const float *src = shardGrads[s][p].data() + begin;
          for (int64_t e = 0; e < len; ++e)
            dst[e] += src[e];
        }
      }
    });
    result = StepResult();
    for (int t = 0; t < count; ++t) {
      result.loss += loss[t];
      result.correct += correct[t];
    }
    result.loss /= double(n);
    return Status::success();
  }

private:
  int shardCount(int64_t n) const {
    return static_cast<int>(
        std::max<int64_t>(1, std::min<int64_t>(shards.size(), n)));
  }
  /// Shard t of `count` over [0, n): its first index and length.
  static std::pair<int64_t, int64_t> range(int t, int count, int64_t n) {
    int64_t begin = n * t / count, end = n * (t + 1) / count;
    return {begin, end - begin};
  }

  const Graph &g;
  std::vector<std::unique_ptr<ReferenceStep>> shards;
  std::vector<Gradients> shardGrads;
};

} // namespace

std::unique_ptr<StepKernel> sparsec::runtime::makeReferenceStep(const Graph &g,
                                                                int threads) {
  if (threads > 1)
    return std::make_unique<ParallelReferenceStep>(g, threads);
  return std::make_unique<ReferenceStep>(g);
}
