//===- Graph.cpp - A network as the runtime trains it -----------*- C++ -*-===//
//
// Part of sparsec's runtime.
//
//===----------------------------------------------------------------------===//

#include "sparsec/runtime/Graph.h"

#include <algorithm>

using namespace sparsec::runtime;

const char *sparsec::runtime::opName(OpKind kind) {
  switch (kind) {
  case OpKind::Input: return "input";
  case OpKind::Dense: return "dense";
  case OpKind::Conv2D: return "conv2d";
  case OpKind::MaxPool2D: return "maxpool2d";
  case OpKind::AvgPool2D: return "avgpool2d";
  case OpKind::GlobalAvgPool: return "global_avgpool";
  case OpKind::Relu: return "relu";
  case OpKind::Sigmoid: return "sigmoid";
  case OpKind::Tanh: return "tanh";
  case OpKind::Dropout: return "dropout";
  case OpKind::Flatten: return "flatten";
  case OpKind::Softmax: return "softmax";
  case OpKind::Add: return "add";
  case OpKind::BatchNorm: return "batchnorm";
  }
  return "?";
}

int64_t Param::nonzeros() const {
  int64_t n = 0;
  for (int64_t i = 0; i < size(); ++i)
    n += kept(i) && values[i] != 0.0f;
  return n;
}

void Param::ensureMask() {
  if (mask.empty())
    mask.assign(values.size(), 1);
}

void Param::applyMask() {
  if (mask.empty())
    return;
  for (int64_t i = 0; i < size(); ++i)
    if (!mask[i])
      values[i] = 0.0f;
}

int64_t Node::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int Graph::add(Node n) {
  nodes.push_back(std::move(n));
  return static_cast<int>(nodes.size()) - 1;
}

int Graph::addParam(Param p) {
  params.push_back(std::move(p));
  return static_cast<int>(params.size()) - 1;
}

int64_t sparsec::runtime::windowOutput(int64_t in, int64_t kernel,
                                       int64_t stride, int64_t padBegin,
                                       int64_t padEnd, int64_t dilation,
                                       bool ceilMode) {
  int64_t span = in + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // PyTorch: the last window must start inside the input or left padding.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

namespace {
std::string shapeString(const std::vector<int64_t> &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i)
    out += (i ? "x" : "") + std::to_string(s[i]);
  return out.empty() ? "scalar" : out;
}
} // namespace

Status Graph::verify() const {
  if (nodes.empty() || nodes[0].kind != OpKind::Input)
    return Status::error("the network has no input node");
  if (output < 0 || output >= static_cast<int>(nodes.size()))
    return Status::error("the network has no output node");
  auto bad = [&](size_t i, const std::string &what) {
    const Node &n = nodes[i];
    return Status::error(std::string(opName(n.kind)) + " '" + n.name +
                         "': " + what);
  };
  auto paramSize = [&](int p) -> int64_t {
    return p < 0 || p >= static_cast<int>(params.size()) ? -1
                                                         : params[p].size();
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node &n = nodes[i];
    if (n.shape.empty())
      return bad(i, "has no shape");
    for (int in : n.inputs)
      if (in < 0 || in >= static_cast<int>(i))
        return bad(i, "reads a value that is not computed before it");
    size_t arity = n.kind == OpKind::Input ? 0 : n.kind == OpKind::Add ? 2 : 1;
    if (n.inputs.size() != arity)
      return bad(i, "has " + std::to_string(n.inputs.size()) +
                        " inputs, expected " + std::to_string(arity));
    if (n.kind == OpKind::Input)
      continue;
    const std::vector<int64_t> &x = nodes[n.inputs[0]].shape;
    switch (n.kind) {
    case OpKind::Dense: {
      if (x.size() != 1 || n.shape.size() != 1)
        return bad(i, "needs N x F input and output, has " + shapeString(x) +
                          " -> " + shapeString(n.shape));
      if (paramSize(n.weight) != x[0] * n.shape[0])
        return bad(i, "weight has " + std::to_string(paramSize(n.weight)) +
                          " elements, expected " +
                          std::to_string(n.shape[0]) + "x" +
                          std::to_string(x[0]));
      if (n.bias >= 0 && paramSize(n.bias) != n.shape[0])
        return bad(i, "bias size differs from the output features");
      break;
    }
    case OpKind::Conv2D: {
      if (x.size() != 3 || n.shape.size() != 3)
        return bad(i, "needs C x H x W input and output");
      int64_t g = n.groups;
      if (g < 1 || x[0] % g || n.shape[0] % g)
        return bad(i, "groups do not divide the channels");
      int64_t expect = n.shape[0] * (x[0] / g) * n.kernel[0] * n.kernel[1];
      if (paramSize(n.weight) != expect)
        return bad(i, "weight has " + std::to_string(paramSize(n.weight)) +
                          " elements, expected " + std::to_string(expect));
      if (n.bias >= 0 && paramSize(n.bias) != n.shape[0])
        return bad(i, "bias size differs from the output channels");
      int64_t oh = windowOutput(x[1], n.kernel[0], n.stride[0], n.padding[0],
                                n.padding[2], n.dilation[0], false);
      int64_t ow = windowOutput(x[2], n.kernel[1], n.stride[1], n.padding[1],
                                n.padding[3], n.dilation[1], false);
      if (oh != n.shape[1] || ow != n.shape[2])
        return bad(i, "output is " + shapeString(n.shape) + " but the window "
                          "gives " + std::to_string(oh) + "x" +
                          std::to_string(ow));
      break;
    }
    case OpKind::MaxPool2D:
    case OpKind::AvgPool2D: {
      if (x.size() != 3 || n.shape.size() != 3 || n.shape[0] != x[0])
        return bad(i, "needs C x H x W input and output with equal C");
      for (int a = 0; a < 2; ++a) {
        int64_t lo = windowOutput(x[1 + a], n.kernel[a], n.stride[a],
                                  n.padding[a], n.padding[2 + a],
                                  n.dilation[a], false);
        int64_t hi = windowOutput(x[1 + a], n.kernel[a], n.stride[a],
                                  n.padding[a], n.padding[2 + a],
                                  n.dilation[a], true);
        if (n.shape[1 + a] != lo && n.shape[1 + a] != hi)
          return bad(i, "output extent does not match its window");
      }
      break;
    }
    case OpKind::GlobalAvgPool:
      if (x.size() != 3 || n.shape != std::vector<int64_t>{x[0], 1, 1})
        return bad(i, "maps C x H x W to C x 1 x 1");
      break;
    case OpKind::Flatten:
      if (n.size() != nodes[n.inputs[0]].size() || n.shape.size() != 1)
        return bad(i, "changes the number of elements");
      break;
    case OpKind::Add:
      if (nodes[n.inputs[1]].shape != x || n.shape != x)
        return bad(i, "adds tensors of different shapes");
      break;
    case OpKind::BatchNorm:
      for (int p : {n.scale, n.shift, n.mean, n.var})
        if (paramSize(p) != x[0])
          return bad(i, "parameters must have one element per channel");
      [[fallthrough]];
    default:
      if (n.shape != x)
        return bad(i, "output shape differs from its input's");
    }
  }
  return Status::success();
}

std::vector<int> Graph::prunable() const {
  std::vector<int> out;
  for (const Node &n : nodes)
    if ((n.kind == OpKind::Dense || n.kind == OpKind::Conv2D) && n.weight >= 0)
      out.push_back(n.weight);
  return out;
}

int Graph::ownerOf(int param) const {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node &n = nodes[i];
    for (int p : {n.weight, n.bias, n.scale, n.shift, n.mean, n.var})
      if (p == param)
        return static_cast<int>(i);
  }
  return -1;
}

int64_t Graph::prunableSize() const {
  int64_t n = 0;
  for (int p : prunable())
    n += params[p].size();
  return n;
}

int64_t Graph::prunableNonzeros() const {
  int64_t n = 0;
  for (int p : prunable())
    n += params[p].nonzeros();
  return n;
}
