//===- Onnx.h - ONNX models to snn networks ---------------------*- C++ -*-===//
//
// Part of sparsec. Reads an ONNX model (with Debian's libonnx protobuf
// classes) and builds the equivalent snn network function: Conv, Gemm,
// MatMul (+ Add as its bias), Relu, Sigmoid, Tanh, MaxPool, AveragePool,
// GlobalAveragePool, Flatten and Reshape-to-2-D, Softmax, Add,
// BatchNormalization, and Dropout/Identity (dropped: inference). Weights
// that hold zeros come out as snn.mask'ed weights, so a model pruned in
// PyTorch keeps its masks. Weights, biases and masks are dense_resource blobs.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_IMPORT_ONNX_H
#define SPARSEC_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace sparsec::import {

struct OnnxOptions {
  /// The network function's name.
  std::string function = "net";
  /// The batch size given to a symbolic first input dimension.
  int64_t batch = 1;
};

/// What the import found, for the command's summary line.
struct OnnxSummary {
  int64_t nodes = 0;
  int64_t ops = 0;
  int64_t maskedWeights = 0;
  int64_t opset = 0;
};

/// Parses the model at `path` and builds a module holding one network
/// function. Errors name the file and, for the graph's contents, the node (its
/// name, or its index when unnamed), the op type and the attribute.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnx(llvm::StringRef path, mlir::MLIRContext &ctx,
           const OnnxOptions &options, OnnxSummary &summary);

} // namespace sparsec::import

#endif // SPARSEC_IMPORT_ONNX_H
