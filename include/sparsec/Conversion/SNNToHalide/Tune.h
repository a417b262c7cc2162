//===- Tune.h - Choose kernel schedules by timing them on this machine -*- C++ -*-===//
//
// Part of sparsec. The planner's schedules come from a fixed rule; the tuner
// times a handful of alternatives for every `rows` layer, dense or sparse
// (tile width, interleaved accumulator sets, loop order, dense against
// sparse where the weight is 40-80 % zeros, then column segments for the
// fastest sparse ones) and for every batch-1 sparse (`spmv`) layer (its
// interleaved partial sums) on the machine it runs on, each layer
// JIT-compiled alone for the requested target, and keeps the fastest as the
// layer's `format` and `snn.schedule`. The result is ordinary IR: print it
// with `--emit=mlir` and later compiles reproduce it without timing anything.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_CONVERSION_SNNTOHALIDE_TUNE_H
#define SPARSEC_CONVERSION_SNNTOHALIDE_TUNE_H

#include "sparsec/Conversion/SNNToHalide/TargetSpec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

namespace sparsec::halide {

/// Plans `fn` like prepareNetwork, then tunes every layer whose schedule was
/// not written in the input. The target must run on this machine. Progress
/// (one line per tuned layer) goes to `log`; with `listCandidates`, also a
/// line per schedule timed, before its layer's line.
mlir::LogicalResult tuneNetwork(mlir::func::FuncOp fn, const TargetSpec &target,
                                llvm::raw_ostream &log,
                                bool listCandidates = false);

} // namespace sparsec::halide

#endif // SPARSEC_CONVERSION_SNNTOHALIDE_TUNE_H
