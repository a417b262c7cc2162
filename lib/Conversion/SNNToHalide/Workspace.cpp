//===- Workspace.cpp - Intermediate tensors in one persistent block -*- C++ -*-===//
//
// Part of sparsec. Halide allocates every materialised tensor with
// halide_malloc on every call and frees it at the end. Large blocks make
// glibc return their pages to the kernel, so each call paid page faults and
// zeroing for all its intermediates. Here the lowered pipeline is rewritten:
// allocations get addresses inside one block, reused by allocations whose
// lifetimes do not overlap, and the block is cached by the entry points
// (Runtime/Workspace.c) from one call to the next.
//
//===----------------------------------------------------------------------===//

#include "Workspace.h"

#include <algorithm>
#include <map>

#include "Workspace.aarch64.inc"
#include "Workspace.x86_64.inc"

using namespace sparsec::halide;
namespace hl = Halide;
using namespace Halide::Internal;

namespace {

constexpr int64_t kAlignment = 64;

struct Lifetime {
  std::string name;
  int64_t bytes = 0;
  int start = 0, end = 0;
  int64_t offset = 0;
};

int64_t constantBytes(const Allocate *op) {
  if (!is_const_one(op->condition) || op->new_expr.defined())
    return 0;
  int64_t elements = 1;
  for (const hl::Expr &e : op->extents) {
    const IntImm *imm = e.as<IntImm>();
    if (!imm)
      return 0;
    elements *= imm->value;
  }
  return elements * op->type.bytes();
}

/// Records, in program order, when each movable allocation starts and ends
/// (its Free, or the end of its scope).
class Lifetimes : public IRVisitor {
public:
  std::vector<Lifetime> intervals;

private:
  using IRVisitor::visit;
  int clock = 0;
  int parallelDepth = 0;
  std::map<std::string, size_t> open;

  void visit(const For *op) override {
    ++clock;
    bool parallel = op->for_type == ForType::Parallel;
    parallelDepth += parallel;
    IRVisitor::visit(op);
    parallelDepth -= parallel;
  }
  void visit(const Allocate *op) override {
    ++clock;
    int64_t bytes = constantBytes(op);
    bool movable = parallelDepth == 0 && bytes > 0 &&
                   (op->memory_type == hl::MemoryType::Auto ||
                    op->memory_type == hl::MemoryType::Heap);
    if (!movable) {
      IRVisitor::visit(op);
      return;
    }
    size_t index = intervals.size();
    intervals.push_back({op->name, bytes, clock, 0, 0});
    open[op->name] = index;
    IRVisitor::visit(op);
    ++clock;
    if (open.count(op->name)) {
      intervals[index].end = clock;
      open.erase(op->name);
    }
  }
  void visit(const Free *op) override {
    ++clock;
    auto it = open.find(op->name);
    if (it != open.end()) {
      intervals[it->second].end = clock;
      open.erase(it);
    }
  }
  void visit(const Block *op) override {
    ++clock;
    IRVisitor::visit(op);
  }
};

/// First fit in address order among the intervals alive at the same time.
int64_t assignOffsets(std::vector<Lifetime> &intervals) {
  std::vector<Lifetime *> order;
  for (Lifetime &i : intervals)
    order.push_back(&i);
  std::sort(order.begin(), order.end(),
            [](Lifetime *a, Lifetime *b) { return a->start < b->start; });
  std::vector<Lifetime *> placed;
  int64_t total = 0;
  for (Lifetime *i : order) {
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (Lifetime *p : placed)
      if (p->end >= i->start && p->start <= i->end)
        busy.push_back({p->offset, p->offset + p->bytes});
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (auto [lo, hi] : busy) {
      if (offset + i->bytes <= lo)
        break;
      offset = std::max(offset, (hi + kAlignment - 1) / kAlignment * kAlignment);
    }
    i->offset = offset;
    total = std::max(total, offset + i->bytes);
    placed.push_back(i);
  }
  return (total + kAlignment - 1) / kAlignment * kAlignment;
}

class Place : public IRMutator {
public:
  Place(const std::map<std::string, int64_t> &offsets, std::string argument)
      : offsets(offsets), argument(std::move(argument)) {}

private:
  using IRMutator::visit;
  const std::map<std::string, int64_t> &offsets;
  std::string argument;

  Stmt visit(const Allocate *op) override {
    Stmt body = mutate(op->body);
    auto it = offsets.find(op->name);
    if (it == offsets.end())
      return Allocate::make(op->name, op->type, op->memory_type, op->extents,
                            op->condition, body, op->new_expr,
                            op->free_function);
    hl::Expr base = Variable::make(hl::Handle(), argument);
    hl::Expr address = hl::reinterpret(
        hl::Handle(), hl::reinterpret(hl::UInt(64), base) +
                          make_const(hl::UInt(64), it->second));
    return Allocate::make(op->name, op->type, hl::MemoryType::Heap,
                          op->extents, op->condition, body, address,
                          "sparsec_workspace_keep");
  }
};

hl::ExternalCode runtimeBitcode(const hl::Target &target) {
  hl::Target cpu(target.os, target.arch, target.bits);
  if (target.arch == hl::Target::ARM)
    return hl::ExternalCode::bitcode_wrapper(
        cpu,
        std::vector<uint8_t>(std::begin(kWorkspaceBitcode_aarch64),
                             std::end(kWorkspaceBitcode_aarch64)),
        "sparsec_workspace");
  return hl::ExternalCode::bitcode_wrapper(
      cpu,
      std::vector<uint8_t>(std::begin(kWorkspaceBitcode_x86_64),
                           std::end(kWorkspaceBitcode_x86_64)),
      "sparsec_workspace");
}

} // namespace

Workspace sparsec::halide::placeInWorkspace(hl::Module &module,
                                            const std::string &pipeline,
                                            const std::string &argument,
                                            const std::string &network,
                                            bool parallel) {
  Workspace ws;
  for (LoweredFunc &fn : module.functions()) {
    if (fn.name != pipeline)
      continue;
    Lifetimes lifetimes;
    fn.body.accept(&lifetimes);
    if (lifetimes.intervals.empty())
      break;
    ws.bytes = assignOffsets(lifetimes.intervals);
    std::map<std::string, int64_t> offsets;
    for (const Lifetime &i : lifetimes.intervals) {
      offsets[i.name] = i.offset;
      ws.unsharedBytes += i.bytes;
    }
    ws.placed = static_cast<int>(lifetimes.intervals.size());
    fn.body = Place(offsets, argument).mutate(fn.body);
  }
  if (ws.bytes == 0) {
    if (parallel)
      module.append(runtimeBitcode(module.target()));
    return ws;
  }
  ws.slot = network + "_workspace_slot";
  hl::Buffer<uint64_t> slot = hl::Buffer<uint64_t>::make_scalar(ws.slot);
  slot() = 0;
  module.append(slot);
  module.append(runtimeBitcode(module.target()));
  return ws;
}
