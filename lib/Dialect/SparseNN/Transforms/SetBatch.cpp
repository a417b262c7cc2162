//===- SetBatch.cpp - snn-set-batch: another batch size ---------*- C++ -*-===//
//
// Part of sparsec. Every snn op keeps the batch as its first dimension, so
// changing the input's and re-inferring every result in order is enough.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"

#include "sparsec/Dialect/SparseNN/Transforms/Passes.h"
#include "sparsec/Network/Network.h"

namespace sparsec::snn {
#define GEN_PASS_DEF_SNNSETBATCHPASS
#include "sparsec/Dialect/SparseNN/Transforms/Passes.h.inc"
} // namespace sparsec::snn

using namespace mlir;
using namespace sparsec;
using namespace sparsec::snn;

namespace {

struct SetBatchPass
    : public ::sparsec::snn::impl::SNNSetBatchPassBase<SetBatchPass> {
  using SNNSetBatchPassBase::SNNSetBatchPassBase;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (batch < 1) {
      fn.emitError() << "snn-set-batch: option 'batch' must be positive, but "
                        "is "
                     << int64_t(batch);
      return signalPassFailure();
    }
    if (failed(verifyNetwork(fn)))
      return signalPassFailure();
    BlockArgument input = fn.getArgument(0);
    auto type = cast<RankedTensorType>(input.getType());
    if (type.getRank() < 1) {
      fn.emitError() << "snn-set-batch: the network input " << type
                     << " has no batch dimension";
      return signalPassFailure();
    }
    SmallVector<int64_t> shape(type.getShape());
    shape[0] = batch;
    input.setType(type.clone(shape));
    for (Operation &op : fn.getBody().front()) {
      if (!isa<SparseNNDialect>(op.getDialect()) || isa<MaskOp>(op))
        continue;
      if (failed(retypeResult(&op))) {
        // Report why, through the op's own shape rule.
        (void)inferResultShape(&op, /*diagnose=*/true);
        return signalPassFailure();
      }
      // The cost estimate and the schedule were for the old batch (a narrow
      // dense layer may no longer be narrow); the format stays valid.
      op.removeAttr("snn.cost");
      op.removeAttr("snn.schedule");
    }
    updateFunctionType(fn);
  }
};

} // namespace
