//===- Graph.h - A network as the runtime trains it -------------*- C++ -*-===//
//
// Part of sparsec's runtime. The same network as an snn function, without
// MLIR: nodes in topological order over per-example shapes (the batch size
// is the training loop's business) and parameters that own their values and
// masks. lib/Train converts between this and the .mlir form; apps can build
// one by hand.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_GRAPH_H
#define SPARSEC_RUNTIME_GRAPH_H

#include "sparsec/runtime/Status.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sparsec::runtime {

enum class OpKind {
  Input,
  Dense,
  Conv2D,
  MaxPool2D,
  AvgPool2D,
  GlobalAvgPool,
  Relu,
  Sigmoid,
  Tanh,
  Dropout,
  Flatten,
  Softmax,
  Add,
  BatchNorm,
};

const char *opName(OpKind kind);

/// What a parameter is to its layer.
enum class ParamRole { Weight, Bias, Scale, Shift, Mean, Var };

struct Param {
  std::string name;
  ParamRole role = ParamRole::Weight;
  /// Row-major; weights are [out, in] (dense) or [out, in/groups, kh, kw].
  std::vector<int64_t> shape;
  std::vector<float> values;
  /// Empty: no mask. Otherwise one 0/1 byte per value; masked-out values are
  /// kept at exactly zero by every update.
  std::vector<uint8_t> mask;
  /// Updated by the optimiser (batch-norm statistics are not).
  bool trainable = true;

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  bool hasMask() const { return !mask.empty(); }
  bool kept(int64_t i) const { return mask.empty() || mask[i]; }
  /// Output units (filters or neurons): the first dimension.
  int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  /// Elements per output unit.
  int64_t rowSize() const { return rows() ? size() / rows() : 0; }
  int64_t nonzeros() const;
  /// Gives the parameter an all-ones mask if it has none.
  void ensureMask();
  /// Zeroes the values the mask removes.
  void applyMask();
};

struct Node {
  OpKind kind = OpKind::Input;
  std::string name;
  std::vector<int> inputs;
  /// Parameter indices (-1: none). Dense/Conv2D: weight, bias.
  /// BatchNorm: scale, shift, mean, var.
  int weight = -1, bias = -1;
  int scale = -1, shift = -1, mean = -1, var = -1;
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, dilation{1, 1};
  /// top, left, bottom, right.
  std::array<int64_t, 4> padding{0, 0, 0, 0};
  int64_t groups = 1;
  bool countIncludePad = true;
  float rate = 0.0f, epsilon = 1e-5f;
  /// The output's shape for one example: {features} or {C, H, W}.
  std::vector<int64_t> shape;

  int64_t size() const;
};

struct Graph {
  std::vector<Node> nodes;
  std::vector<Param> params;
  /// The node whose value is the network's output (logits).
  int output = -1;

  const Node &inputNode() const { return nodes.front(); }
  int64_t inputSize() const { return nodes.front().size(); }
  int64_t outputSize() const { return nodes[output].size(); }

  /// Adds a node and returns its index.
  int add(Node n);
  int addParam(Param p);

  /// Checks that shapes agree, parameters exist and have the right sizes,
  /// and inputs come before their users.
  Status verify() const;
  /// Prunable parameters: the weights of dense and conv2d layers, in order.
  std::vector<int> prunable() const;
  /// The node a parameter belongs to.
  int ownerOf(int param) const;

  /// Total and nonzero counts over the prunable weights.
  int64_t prunableSize() const;
  int64_t prunableNonzeros() const;
};

/// Output spatial extent of a window op along one axis (PyTorch's rule).
int64_t windowOutput(int64_t in, int64_t kernel, int64_t stride,
                     int64_t padBegin, int64_t padEnd, int64_t dilation,
                     bool ceilMode);

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_GRAPH_H
