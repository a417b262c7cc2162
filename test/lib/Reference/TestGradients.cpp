//===- TestGradients.cpp - Executor gradients vs finite differences -*- C++ -*-===//
//
// Part of sparsec. `--test-snn-gradients` checks `Executor::backward`: for
// every f32 constant the loss depends on (weights, biases, batchnorm
// parameters, the stored weights behind masks) it compares the gradient of a
// softmax cross-entropy loss on the network's output with central finite
// differences of the forward pass, prints one line per constant, and fails if
// any disagrees by more than `tolerance` (relative, by maxRelativeError).
//
//===----------------------------------------------------------------------===//

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"
#include "sparsec/Reference/Executor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fmt/format.h>

#include <random>

using namespace mlir;
using namespace sparsec;

namespace {

struct TestGradientsPass
    : public PassWrapper<TestGradientsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestGradientsPass)

  TestGradientsPass() = default;
  TestGradientsPass(const TestGradientsPass &other) : PassWrapper(other) {}

  StringRef getArgument() const final { return "test-snn-gradients"; }
  StringRef getDescription() const final {
    return "Check the reference executor's gradients against finite "
           "differences";
  }

  Option<std::string> input{
      *this, "input",
      llvm::cl::desc("Raw f32 input (default: uniform in [-1, 1) from seed)")};
  Option<unsigned> seed{*this, "seed", llvm::cl::desc("Random input seed"),
                        llvm::cl::init(1)};
  Option<double> step{*this, "step",
                      llvm::cl::desc("Finite-difference step"),
                      llvm::cl::init(1e-3)};
  Option<double> tolerance{*this, "tolerance",
                           llvm::cl::desc("Largest relative error accepted"),
                           llvm::cl::init(1e-2)};
  Option<unsigned> samples{
      *this, "samples",
      llvm::cl::desc("Elements checked per constant (evenly spaced)"),
      llvm::cl::init(32)};
  Option<unsigned> printLimit{
      *this, "print-limit",
      llvm::cl::desc("Print the gradients of constants this small"),
      llvm::cl::init(8)};

  FailureOr<ref::Tensor> makeInput(func::FuncOp fn) {
    ArrayRef<int64_t> shape =
        cast<ShapedType>(fn.getArgument(0).getType()).getShape();
    ref::Tensor t(shape);
    if (input.empty()) {
      std::mt19937 rng(seed);
      for (float &v : t.data)
        v = static_cast<float>(double(rng()) / 4294967296.0 * 2.0 - 1.0);
      return t;
    }
    auto buffer = llvm::MemoryBuffer::getFile(input, /*IsText=*/false);
    if (!buffer || (*buffer)->getBufferSize() != t.data.size() * 4)
      return fn.emitError() << "test-snn-gradients: input '" << input
                            << "' is missing or not "
                            << t.data.size() * 4 << " bytes";
    for (size_t i = 0; i < t.data.size(); ++i)
      t.data[i] = llvm::bit_cast<float>(llvm::support::endian::read32le(
          (*buffer)->getBufferStart() + 4 * i));
    return t;
  }

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (failed(verifyNetwork(fn)))
      return signalPassFailure();
    Value result = fn.getBody().front().getTerminator()->getOperand(0);
    if (cast<ShapedType>(result.getType()).getRank() != 2) {
      fn.emitError() << "test-snn-gradients: needs an N x F output";
      return signalPassFailure();
    }
    FailureOr<ref::Tensor> x = makeInput(fn);
    if (failed(x))
      return signalPassFailure();
    ref::Executor executor(fn);
    FailureOr<ref::Tensor> out = executor.run(*x);
    if (failed(out))
      return signalPassFailure();
    std::vector<int64_t> targets = ref::argmaxRows(*out);
    ref::Tensor seedGrad;
    double loss = ref::softmaxCrossEntropy(*out, targets, seedGrad);
    auto grads = executor.backward(result, seedGrad);
    if (failed(grads))
      return signalPassFailure();

    auto lossNow = [&]() -> FailureOr<double> {
      FailureOr<ref::Tensor> y = executor.run(*x);
      if (failed(y))
        return failure();
      ref::Tensor unused;
      return ref::softmaxCrossEntropy(*y, targets, unused);
    };

    llvm::raw_ostream &os = llvm::outs();
    os << fmt::format("@{}: loss {:.6g}\n", fn.getSymName().str(), loss);
    bool allOk = true;
    int index = 0;
    for (Operation &op : fn.getBody().front()) {
      auto cst = dyn_cast<arith::ConstantOp>(op);
      if (!cst || !cast<ShapedType>(cst.getType()).getElementType().isF32())
        continue;
      int thisIndex = index++;
      auto it = grads->find(cst.getResult());
      if (it == grads->end())
        continue;
      const ref::Tensor &analytic = it->second;
      auto type = cast<RankedTensorType>(cst.getType());
      Attribute original = cst.getValue();
      std::vector<float> values = *readF32Constant(cst);
      int64_t n = values.size();
      int64_t count = std::min<int64_t>(n, samples);
      std::vector<float> fd, an;
      for (int64_t k = 0; k < count; ++k) {
        int64_t i = k * n / count;
        double diff[2];
        for (int side = 0; side < 2; ++side) {
          std::vector<float> moved = values;
          moved[i] = static_cast<float>(values[i] + (side ? -step : step));
          cst.setValueAttr(DenseElementsAttr::get(type, ArrayRef(moved)));
          FailureOr<double> l = lossNow();
          if (failed(l))
            return signalPassFailure();
          diff[side] = *l;
        }
        // The step actually taken, after rounding to float.
        double h = double(static_cast<float>(values[i] + step)) -
                   double(static_cast<float>(values[i] - step));
        fd.push_back(static_cast<float>((diff[0] - diff[1]) / h));
        an.push_back(analytic.data[i]);
      }
      cst.setValueAttr(cast<TypedAttr>(original));
      double err = ref::maxRelativeError(fd, an);
      bool ok = err <= tolerance;
      allOk &= ok;
      std::string user =
          cst->use_empty()
              ? "nothing"
              : (*cst->user_begin())->getName().getStringRef().str();
      os << fmt::format("constant {} ({}, read by {}): {} of {} checked, "
                        "max relative error {:.2g}: {}\n",
                        thisIndex, snn::formatShape(type.getShape()), user,
                        count, n, err, ok ? "ok" : "MISMATCH");
      if (n <= static_cast<int64_t>(printLimit)) {
        os << "  gradient:";
        for (float g : analytic.data)
          os << fmt::format(" {:.6g}", g);
        os << "\n";
      }
    }
    if (!allOk) {
      fn.emitError() << "test-snn-gradients: gradients disagree with finite "
                        "differences";
      signalPassFailure();
    }
  }
};

} // namespace

namespace sparsec::test {
void registerTestGradientsPass() { PassRegistration<TestGradientsPass>(); }
} // namespace sparsec::test
