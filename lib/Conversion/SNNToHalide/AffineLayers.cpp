//===- AffineLayers.cpp - Dense and conv2d layers as Halide kernels -*- C++ -*-===//
//
// Part of sparsec.
//
// Both layer kinds become one kernel shape, "rows": output row m (a neuron or
// an output channel) at lane p is
//
//     out(p, m) = bias(m) + sum over columns j of row m:  w(m, j) * X(p + off(j))
//
// where X is the layer input flattened so that consecutive lanes p are
// consecutive in memory: the transposed input (batch lanes) for dense layers,
// the zero-padded input image for convolutions (lanes are output positions on
// the padded row pitch, so a 3x3 tap is a constant offset). The lanes are
// vectorised and held in register accumulators, `rows` output rows at a time.
// Dense weights visit every column with offsets that are affine in the loop
// counters; sparse formats visit only the stored blocks, whose offsets and
// values are constant buffers baked into the object.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "sparsec/Dialect/SparseNN/IR/SparseNNOps.h"
#include "sparsec/Network/Network.h"

using namespace mlir;
using namespace sparsec;
using namespace sparsec::halide;
namespace hl = Halide;

/// Where a layer's reduction columns live in its flattened input, and the
/// extents of its natural output out(p, h, ri, b, n).
struct sparsec::halide::Geometry {
  int64_t batch = 1;  ///< n: images (convolutions) or 1 (dense layers)
  int64_t lanes = 1;  ///< p: the vectorised extent
  int64_t height = 1; ///< h: output rows of a strided convolution, else 1
  int64_t laneStep = 1;   ///< X index step per lane
  int64_t heightStep = 0; ///< X index step per h
  int64_t rows = 0;       ///< output rows (neurons, channels)
  int64_t groups = 1;
  int64_t columns = 0;    ///< reduction columns per row (K, or Cg*KH*KW)
  int64_t inputSize = 0;  ///< elements of X per batch item
  /// Conv geometry for column offsets.
  int64_t kh = 1, kw = 1, cg = 1, dilH = 1, dilW = 1, pitch = 0, plane = 0;
  bool conv = false;

  /// X offset of column `col` of a row in group `g`.
  int64_t offset(int64_t g, int64_t col) const {
    if (!conv)
      return col * lanes;
    int64_t c = col / (kh * kw), y = (col / kw) % kh, x = col % kw;
    return (g * cg + c) * plane + y * dilH * pitch + x * dilW;
  }
  int64_t maxOffset() const {
    int64_t m = 0;
    for (int64_t g = 0; g < groups; ++g)
      m = std::max(m, offset(g, columns - 1));
    return m;
  }
  int64_t rowsPerGroup() const { return rows / groups; }
};

namespace {

/// The vector width for copying runs of `extent` elements: the target's, or
/// for shorter runs the widest power of two down to 4 lanes that fits (the
/// 14-wide rows of a 14x14 image: one vector of 8 and a tail of 6 instead of
/// 14 scalar copies on AVX-512), else 1.
int copyVectorWidth(int extent, int vectorWidth) {
  int width = vectorWidth;
  while (width > extent && width > 4)
    width /= 2;
  return width <= extent ? width : 1;
}

/// Spare columns for the blocks of a gemv kernel's S weight streams of L
/// lanes by k columns: the fewest that keep every two streams' starts at
/// least 256 bytes apart modulo 4 KiB (L1 set aliasing).
int gemvSpareColumns(int64_t k, int64_t L, int64_t S) {
  for (int64_t spare = 0; spare < 64; ++spare) {
    int64_t stride = L * (k + spare) * 4;
    bool apart = true;
    for (int64_t d = 1; d < S && apart; ++d) {
      int64_t offset = d * stride % 4096;
      apart = offset >= 256 && offset <= 4096 - 256;
    }
    if (apart)
      return static_cast<int>(spare);
  }
  return 0;
}

hl::Buffer<float> biasBuffer(Operation *op, Value bias, int64_t rows,
                             const std::string &name, LogicalResult &ok) {
  hl::Buffer<float> b(static_cast<int>(rows), name + "_bias");
  b.fill(0.0f);
  if (bias) {
    FailureOr<std::vector<float>> v = readF32Constant(bias);
    if (failed(v)) {
      ok = failure();
      return b;
    }
    std::copy(v->begin(), v->end(), b.data());
  }
  return b;
}

/// The value and mask-applied weight of a layer, rows by flattened columns.
struct RowMajorWeight {
  std::vector<float> values;
  int64_t rows = 0, columns = 0;
  float at(int64_t r, int64_t c) const { return values[r * columns + c]; }
};

FailureOr<RowMajorWeight> rowMajorWeight(Value weight) {
  FailureOr<Weight> w = readWeight(weight);
  if (failed(w))
    return failure();
  RowMajorWeight r;
  r.rows = w->shape[0];
  r.columns = w->size() / r.rows;
  r.values = std::move(w->values);
  return r;
}

class RowsKernel {
public:
  RowsKernel(const Geometry &g, const LayerPlan &plan, const TargetSpec &t,
             std::string name)
      : geo(g), plan(plan), target(t), name(std::move(name)) {}

  /// Builds out(p, h, ri, b, n) reading X(e, n); `epilogue` maps a row's
  /// biased sum and its row index to the stored value.
  FailureOr<hl::Func>
  build(Operation *op, const RowMajorWeight &w, hl::Func X,
        const hl::Buffer<float> &bias,
        const std::function<hl::Expr(hl::Expr, hl::Expr)> &epilogue) {
    int64_t R = plan.rows;
    rowsInTiles = splitsRowsInTiles(op, plan, target);
    hl::Func acc(name + "_acc");
    hl::Expr base = p * static_cast<int>(geo.laneStep) +
                    h * static_cast<int>(geo.heightStep);
    int S = static_cast<int>(plan.kblocks);
    int K = static_cast<int>(plan.interleave);
    // product(kbx): one stored weight's (block's) contribution to lane p of
    // row block b, from column segment kbx (the var kb, or a constant; any
    // value when S == 1), with the reduction domain it runs over.
    std::function<std::pair<hl::Expr, std::vector<hl::RVar>>(hl::Expr)>
        product;
    std::optional<Packed> packed;
    if (plan.format == snn::FormatKind::Dense) {
      // Every column; the group of block row b is fixed because blocks never
      // straddle groups.
      int64_t blocksPerGroup = geo.rowsPerGroup() / R;
      hl::Expr g = b / static_cast<int>(blocksPerGroup);
      hl::Buffer<float> vals = packDense(w, name + "_w");
      // With S column segments (readPlan checks that they divide the input
      // channels, or the columns), segment kb holds channels (columns)
      // [kb * n / S, (kb + 1) * n / S).
      product = [=, this](hl::Expr kbx)
          -> std::pair<hl::Expr, std::vector<hl::RVar>> {
        if (geo.conv) {
          int CS = static_cast<int>(geo.cg) / S;
          hl::RDom r(0, static_cast<int>(geo.kw), 0,
                     static_cast<int>(geo.kh), 0, CS, name + "_r");
          hl::Expr ch = S > 1 ? kbx * CS + r.z : hl::Expr(r.z);
          hl::Expr off = (g * static_cast<int>(geo.cg) + ch) *
                             static_cast<int>(geo.plane) +
                         r.y * static_cast<int>(geo.dilH * geo.pitch) +
                         r.x * static_cast<int>(geo.dilW);
          hl::Expr col = (r.z * static_cast<int>(geo.kh) + r.y) *
                             static_cast<int>(geo.kw) +
                         r.x;
          return {vals(ri, col, b, S > 1 ? kbx : hl::Expr(0)) *
                      X(base + off, n),
                  {r.x, r.y, r.z}};
        }
        int KS = static_cast<int>(geo.columns) / S;
        hl::RDom r(0, KS, name + "_r");
        hl::Expr col = S > 1 ? kbx * KS + r.x : hl::Expr(r.x);
        return {vals(ri, r.x, b, S > 1 ? kbx : hl::Expr(0)) *
                    X(base + col * static_cast<int>(geo.lanes), n),
                {r.x}};
      };
    } else {
      FailureOr<Packed> p0 = packSparse(op, w);
      if (failed(p0))
        return failure();
      packed = *p0;
      int C = static_cast<int>(blockCols());
      const Packed &pk = *packed;
      // Block row b holds K * count(b) blocks; set u takes every K-th one.
      // With column segments, (segment kb, block row b) is packed as row
      // kb * blockRows + b.
      product = [=, this](hl::Expr kbx)
          -> std::pair<hl::Expr, std::vector<hl::RVar>> {
        hl::RDom r(0, C, 0, static_cast<int>(pk.maxBlocks / K), name + "_r");
        hl::Expr vrow = b;
        if (S > 1)
          vrow = kbx * static_cast<int>(geo.rows / R) + b;
        hl::Expr start = pk.rowptr(vrow);
        if (!pk.fixed)
          r.where(r.y < (pk.rowptr(vrow + 1) - start) / K);
        hl::Expr set = K == 1 ? hl::Expr(0) : hl::Expr(u);
        hl::Expr j = hl::unsafe_promise_clamped(
            start + r.y * K + set, 0, static_cast<int>(pk.blocks - 1));
        hl::Expr off = hl::unsafe_promise_clamped(
            pk.offsets(r.x, j), 0, static_cast<int>(geo.maxOffset()));
        return {pk.values(r.x, ri, j) * X(base + off, n), {r.x, r.y}};
      };
    }
    std::vector<hl::RVar> reduction;
    hl::Func out(name + "_out");
    hl::Expr row = b * static_cast<int>(R) + ri;
    hl::Expr biased;
    if (S > 1) {
      // Each segment's sum is accumulated in registers (interleaved sets in
      // part), then added to the tile's sums of all rows (see
      // scheduleSegmented).
      if (packed && packed->order.defined()) {
        // Position q of segment kb holds block row order(q, kb).
        int blockRows = static_cast<int>(geo.rows / R);
        middle = segment(product, std::nullopt, "", reduction);
        acc(p, h, ri, b, n) = 0.0f;
        packed->order.set_name(name + "_order");
        hl::RDom rk(0, blockRows, 0, S, name + "_segments");
        hl::Expr sortedRow = hl::unsafe_promise_clamped(
            packed->order(rk.x, rk.y), 0, blockRows - 1);
        acc(p, h, ri, sortedRow, n) += middle.seg(p, h, ri, rk.x, n, rk.y);
        segments = rk.y;
        positions = rk.x;
        sortedRows = true;
      } else {
        // The first segment's sums are the tile's initial sums and the last
        // one's go straight into the output: no zeroing of the tile's sums
        // and no second pass over them (the sums are added in the same
        // order).
        first = segment(product, 0, "_first", reduction);
        last = segment(product, S - 1, "_last", reduction);
        acc(p, h, ri, b, n) = first.seg(p, h, ri, b, n);
        if (S > 2) {
          middle = segment(product, std::nullopt, "", reduction);
          hl::RDom rk(1, S - 2, name + "_segments");
          acc(p, h, ri, b, n) += middle.seg(p, h, ri, b, n, rk.x);
          segments = rk.x;
        }
        biased = acc(p, h, ri, b, n) + last.seg(p, h, ri, b, n) + bias(row);
      }
    } else {
      acc(p, h, ri, b, n) = 0.0f;
      auto [prod, red] = product(hl::Expr(0));
      reduction = red;
      if (K == 1) {
        acc(p, h, ri, b, n) += prod;
      } else {
        part = hl::Func(name + "_part");
        part(p, h, ri, b, n, u) = 0.0f;
        part(p, h, ri, b, n, u) += prod;
        hl::RDom ru(0, K, name + "_sets");
        acc(p, h, ri, b, n) += part(p, h, ri, b, n, ru.x);
        sets = ru.x;
      }
    }
    if (!biased.defined())
      biased = acc(p, h, ri, b, n) + bias(row);
    out(p, h, ri, b, n) = epilogue(biased, row);
    schedule(out, acc, reduction);
    return out;
  }

private:
  using Product = std::function<std::pair<hl::Expr, std::vector<hl::RVar>>(
      hl::Expr)>;

  /// One column segment's sums of a lane tile and row block, held in
  /// registers: seg(p, h, ri, b, n, kb) for any segment kb, or
  /// seg(p, h, ri, b, n) for one fixed segment; with interleaved sets, the
  /// stored blocks accumulate in part(..., u) first.
  struct Segment {
    hl::Func seg, part;
    hl::RVar sets;
    std::vector<hl::RVar> reduction;
    bool anySegment = false;
  };

  /// The sums of segment `fixed`, or of any segment kb without it.
  Segment segment(const Product &product, std::optional<int> fixed,
                  const std::string &suffix,
                  std::vector<hl::RVar> &reduction) {
    Segment s;
    s.anySegment = !fixed;
    auto [prod, red] = product(fixed ? hl::Expr(*fixed) : hl::Expr(kb));
    s.reduction = red;
    reduction = red;
    std::vector<hl::Var> args{p, h, ri, b, n};
    if (s.anySegment)
      args.push_back(kb);
    std::vector<hl::Expr> at(args.begin(), args.end());
    s.seg = hl::Func(name + "_seg" + suffix);
    s.seg(args) = 0.0f;
    if (plan.interleave == 1) {
      s.seg(at) += prod;
      return s;
    }
    std::vector<hl::Var> partArgs = args;
    partArgs.push_back(u);
    s.part = hl::Func(name + "_part" + suffix);
    s.part(partArgs) = 0.0f;
    s.part(std::vector<hl::Expr>(partArgs.begin(), partArgs.end())) += prod;
    hl::RDom ru(0, static_cast<int>(plan.interleave), name + "_sets" + suffix);
    std::vector<hl::Expr> partAt = at;
    partAt.push_back(ru.x);
    s.seg(at) += s.part(partAt);
    s.sets = ru.x;
    return s;
  }

  struct Packed {
    hl::Buffer<int32_t> rowptr;
    hl::Buffer<int32_t> offsets; ///< (column in block, block)
    hl::Buffer<float> values;    ///< (column in block, row in block, block)
    int64_t blocks = 0, maxBlocks = 0;
    bool fixed = false; ///< every block row holds exactly maxBlocks blocks
    /// With column segments: order(q, segment) is the block row packed at
    /// position q of the segment (see sortSegmentRows); else undefined.
    hl::Buffer<int32_t> order;
  };

  /// Pads every block row with zero blocks (at the row's first column) to a
  /// multiple of `k` blocks.
  template <typename OffsetOf>
  static void padRows(std::vector<int32_t> &rowptr, std::vector<int32_t> &offs,
                      std::vector<float> &vals, int64_t k, int64_t R,
                      int64_t C, int64_t blockRows, OffsetOf offsetOf,
                      int64_t &maxBlocks) {
    std::vector<int32_t> ptr{0}, po;
    std::vector<float> pv;
    maxBlocks = 0;
    for (int64_t br = 0; br < blockRows; ++br) {
      int64_t have = rowptr[br + 1] - rowptr[br];
      int64_t want = (have + k - 1) / k * k;
      po.insert(po.end(), offs.begin() + rowptr[br] * C,
                offs.begin() + rowptr[br + 1] * C);
      pv.insert(pv.end(), vals.begin() + rowptr[br] * C * R,
                vals.begin() + rowptr[br + 1] * C * R);
      for (int64_t extra = have; extra < want; ++extra)
        for (int64_t ci = 0; ci < C; ++ci) {
          po.push_back(static_cast<int32_t>(offsetOf(br)));
          pv.insert(pv.end(), R, 0.0f);
        }
      ptr.push_back(static_cast<int32_t>(ptr.back() + want));
      maxBlocks = std::max(maxBlocks, want);
    }
    rowptr = std::move(ptr);
    offs = std::move(po);
    vals = std::move(pv);
  }

  /// Within every column segment, orders the block rows by their stored
  /// blocks, longest first (stable), and records in packed.order(q, segment)
  /// the block row packed at position q. The segmented kernel adds each
  /// position's partial sums to that row, so the order is free; consecutive
  /// rows of equal length keep the loop over a row's blocks to the trip count
  /// the branch predictor saw last, instead of a mispredicted exit for most
  /// rows of a segment (a 1x1 convolution 512 -> 512 at 90 % with 5
  /// segments: ~10 blocks per row and segment).
  static void sortSegmentRows(std::vector<int32_t> &rowptr,
                              std::vector<int32_t> &offs,
                              std::vector<float> &vals, int64_t C, int64_t R,
                              int64_t S, int64_t blockRows, Packed &packed) {
    std::vector<int32_t> ptr{0}, po;
    std::vector<float> pv;
    po.reserve(offs.size());
    pv.reserve(vals.size());
    packed.order = hl::Buffer<int32_t>(static_cast<int>(blockRows),
                                       static_cast<int>(S));
    std::vector<int64_t> rows(blockRows);
    for (int64_t segment = 0; segment < S; ++segment) {
      int64_t first = segment * blockRows;
      auto length = [&](int64_t br) {
        return rowptr[first + br + 1] - rowptr[first + br];
      };
      std::iota(rows.begin(), rows.end(), 0);
      std::stable_sort(rows.begin(), rows.end(), [&](int64_t x, int64_t y) {
        return length(x) > length(y);
      });
      for (int64_t q = 0; q < blockRows; ++q) {
        int64_t vr = first + rows[q];
        packed.order(static_cast<int>(q), static_cast<int>(segment)) =
            static_cast<int32_t>(rows[q]);
        po.insert(po.end(), offs.begin() + rowptr[vr] * C,
                  offs.begin() + rowptr[vr + 1] * C);
        pv.insert(pv.end(), vals.begin() + rowptr[vr] * C * R,
                  vals.begin() + rowptr[vr + 1] * C * R);
        ptr.push_back(static_cast<int32_t>(ptr.back() + length(rows[q])));
      }
    }
    rowptr = std::move(ptr);
    offs = std::move(po);
    vals = std::move(pv);
  }

  int64_t blockCols() const {
    return plan.format == snn::FormatKind::Block ? plan.formatB : 1;
  }

  /// Dense weights as vals(ri, column in segment, blockRow, segment): the
  /// `rows` weights a column contributes to a register block are adjacent,
  /// and with column segments each segment's weights of all row blocks
  /// follow each other in the order the kernel reads them (segment by
  /// segment, row block by row block). Stored row block by row block over
  /// all columns instead, FC 4096 -> 4096 at batch 64 read 2 KB runs 64 KB
  /// apart from memory (64 MB of weights) and gained nothing from segments.
  hl::Buffer<float> packDense(const RowMajorWeight &w, const std::string &bn) {
    int64_t R = plan.rows, blocks = geo.rows / R, S = plan.kblocks;
    int64_t CS = geo.columns / S;
    hl::Buffer<float> vals(static_cast<int>(R), static_cast<int>(CS),
                           static_cast<int>(blocks), static_cast<int>(S), bn);
    for (int64_t seg = 0; seg < S; ++seg)
      for (int64_t blk = 0; blk < blocks; ++blk)
        for (int64_t c = 0; c < CS; ++c)
          for (int64_t r = 0; r < R; ++r)
            vals(r, c, blk, seg) = w.at(blk * R + r, seg * CS + c);
    return vals;
  }

  /// Sparse weights as blocks of `rows` x C: per block row the stored blocks'
  /// X offsets (one per column) and values. Blocks that are entirely zero are
  /// dropped. N:M rows are padded to one common length so that their loop
  /// has a fixed trip count.
  FailureOr<Packed> packSparse(Operation *op, const RowMajorWeight &w) {
    int64_t R = plan.rows, C = blockCols();
    int64_t blockRows = geo.rows / R;
    int64_t colBlocks = (geo.columns + C - 1) / C;
    // With S column segments, row vr = segment * blockRows + block row holds
    // the block row's stored blocks within the segment's columns.
    int64_t S = plan.kblocks, vrows = S * blockRows;
    auto groupOffset = [&](int64_t vr) {
      return geo.offset((vr % blockRows) * R / geo.rowsPerGroup(), 0);
    };
    std::vector<int32_t> rowptr{0};
    std::vector<int32_t> offs;
    std::vector<float> vals;
    int64_t maxBlocks = 0;
    for (int64_t vr = 0; vr < vrows; ++vr) {
      int64_t br = vr % blockRows, segment = vr / blockRows;
      int64_t g = br * R / geo.rowsPerGroup();
      int64_t count = 0;
      for (int64_t cb = segment * colBlocks / S;
           cb < (segment + 1) * colBlocks / S; ++cb) {
        bool any = false;
        for (int64_t r = 0; r < R && !any; ++r)
          for (int64_t c = cb * C; c < std::min((cb + 1) * C, geo.columns); ++c)
            any |= w.at(br * R + r, c) != 0.0f;
        if (!any)
          continue;
        ++count;
        for (int64_t ci = 0; ci < C; ++ci) {
          int64_t col = cb * C + ci;
          bool real = col < geo.columns;
          offs.push_back(static_cast<int32_t>(geo.offset(g, real ? col : 0)));
          for (int64_t r = 0; r < R; ++r)
            vals.push_back(real ? w.at(br * R + r, col) : 0.0f);
        }
      }
      maxBlocks = std::max(maxBlocks, count);
      rowptr.push_back(static_cast<int32_t>(rowptr.back() + count));
    }
    Packed packed;
    packed.fixed = plan.format == snn::FormatKind::NM;
    int64_t K = plan.interleave;
    if (packed.fixed)
      maxBlocks = (maxBlocks + K - 1) / K * K;
    else if (K > 1)
      padRows(rowptr, offs, vals, K, R, C, vrows, groupOffset, maxBlocks);
    if (packed.fixed) {
      // Pad every row to the longest with zero blocks at offset 0.
      std::vector<int32_t> po;
      std::vector<float> pv;
      for (int64_t vr = 0; vr < vrows; ++vr) {
        int64_t have = rowptr[vr + 1] - rowptr[vr];
        po.insert(po.end(), offs.begin() + rowptr[vr] * C,
                  offs.begin() + rowptr[vr + 1] * C);
        pv.insert(pv.end(), vals.begin() + rowptr[vr] * C * R,
                  vals.begin() + rowptr[vr + 1] * C * R);
        for (int64_t k = have; k < maxBlocks; ++k)
          for (int64_t ci = 0; ci < C; ++ci) {
            po.push_back(static_cast<int32_t>(groupOffset(vr)));
            pv.insert(pv.end(), R, 0.0f);
          }
      }
      offs = std::move(po);
      vals = std::move(pv);
      for (int64_t vr = 0; vr <= vrows; ++vr)
        rowptr[vr] = static_cast<int32_t>(vr * maxBlocks);
    }
    if (plan.sorted && !packed.fixed && S > 1)
      sortSegmentRows(rowptr, offs, vals, C, R, S, blockRows, packed);
    int64_t blocks = static_cast<int64_t>(offs.size()) / C;
    if (blocks == 0) {
      // Every weight is pruned: one zero block keeps the buffers non-empty;
      // the row bounds never reach it.
      offs.assign(C, 0);
      vals.assign(C * R, 0.0f);
      blocks = 1;
    }
    packed.blocks = blocks;
    packed.maxBlocks = std::max<int64_t>(K, maxBlocks);
    if (packed.fixed && maxBlocks == 0) {
      for (int64_t vr = 0; vr <= vrows; ++vr)
        rowptr[vr] = 0;
      packed.fixed = false;
    }
    packed.rowptr = hl::Buffer<int32_t>(static_cast<int>(rowptr.size()),
                                        name + "_rowptr");
    std::copy(rowptr.begin(), rowptr.end(), packed.rowptr.data());
    packed.offsets = hl::Buffer<int32_t>(static_cast<int>(C),
                                         static_cast<int>(blocks),
                                         name + "_offsets");
    std::copy(offs.begin(), offs.end(), packed.offsets.data());
    packed.values =
        hl::Buffer<float>(static_cast<int>(C), static_cast<int>(R),
                          static_cast<int>(blocks), name + "_values");
    // vals holds, per block, R values per column: reorder to (ci, ri, j).
    for (int64_t j = 0; j < blocks; ++j)
      for (int64_t ci = 0; ci < C; ++ci)
        for (int64_t r = 0; r < R; ++r)
          packed.values(ci, r, j) = vals[(j * C + ci) * R + r];
    (void)op;
    return packed;
  }

  /// The kernel's output at the root over exactly its natural extents.
  void computeOutAtRoot(hl::Func out) {
    out.compute_root()
        .bound(p, 0, static_cast<int>(geo.lanes))
        .bound(h, 0, static_cast<int>(geo.height))
        .bound(ri, 0, static_cast<int>(plan.rows))
        .bound(b, 0, static_cast<int>(geo.rows / plan.rows))
        .bound(n, 0, static_cast<int>(geo.batch));
  }

  void schedule(hl::Func out, hl::Func acc,
                const std::vector<hl::RVar> &reduction) {
    if (plan.kblocks > 1) {
      scheduleSegmented(out, acc, reduction);
      return;
    }
    if (part.defined()) {
      schedulePartial(out, acc, reduction);
      return;
    }
    // Compute every lane, also those only the padded row pitch has: the
    // tiles are laid out over exactly these extents.
    computeOutAtRoot(out);
    hl::Stage update = acc.update();
    std::vector<hl::VarOrRVar> order{p, ri};
    for (const hl::RVar &r : reduction)
      order.push_back(r);
    order.insert(order.end(), {h, b, n});
    update.reorder(order);
    if (plan.vector > 0) {
      out.split(p, po, pi, static_cast<int>(plan.tile),
                hl::TailStrategy::ShiftInwards);
      if (plan.tilesOuter)
        out.reorder(pi, ri, b, po, h, n);
      else
        out.reorder(pi, ri, po, h, b, n);
      out.vectorize(pi, static_cast<int>(plan.vector)).unroll(ri);
      acc.compute_at(out, plan.tilesOuter ? b : po)
          .store_in(hl::MemoryType::Register);
      acc.vectorize(p, static_cast<int>(plan.vector)).unroll(p).unroll(ri);
      update.vectorize(p, static_cast<int>(plan.vector)).unroll(p).unroll(ri);
    } else {
      out.reorder(p, ri, h, b, n).unroll(ri);
      acc.compute_at(out, h).store_in(hl::MemoryType::Register);
      acc.unroll(p).unroll(ri);
      update.unroll(p).unroll(ri);
    }
    if (reduction.size() == 2 && blockCols() > 1)
      update.unroll(reduction[0]);
    if (plan.parallel)
      out.parallel(parallelLoop());
  }

  /// With interleaved sets the blocks accumulate into part(..., u), held in
  /// registers, and acc sums the sets once per tile.
  void schedulePartial(hl::Func out, hl::Func acc,
                       const std::vector<hl::RVar> &reduction) {
    computeOutAtRoot(out);
    hl::Stage update = part.update();
    update.reorder({p, ri, u, reduction[0], reduction[1], h, b, n});
    hl::Var level = h;
    if (plan.vector > 0) {
      out.split(p, po, pi, static_cast<int>(plan.tile),
                hl::TailStrategy::ShiftInwards);
      if (plan.tilesOuter)
        out.reorder(pi, ri, b, po, h, n);
      else
        out.reorder(pi, ri, po, h, b, n);
      out.vectorize(pi, static_cast<int>(plan.vector)).unroll(ri);
      level = plan.tilesOuter ? b : po;
    } else {
      out.reorder(p, ri, h, b, n).unroll(ri);
    }
    int V = static_cast<int>(plan.vector);
    for (hl::Func f : {acc, part}) {
      f.compute_at(out, level).store_in(hl::MemoryType::Register);
      if (V > 0)
        f.vectorize(p, V);
      f.unroll(p).unroll(ri);
    }
    part.unroll(u);
    acc.update().reorder(p, ri, sets, h, b, n).unroll(sets);
    if (V > 0) {
      acc.update().vectorize(p, V);
      update.vectorize(p, V);
    }
    acc.update().unroll(p).unroll(ri);
    update.unroll(p).unroll(ri).unroll(u);
    if (blockCols() > 1)
      update.unroll(reduction[0]);
    if (plan.parallel)
      out.parallel(parallelLoop());
  }

  /// Column segments (plan.kblocks > 1): per lane tile, segment by segment,
  /// every row block sums its stored blocks of the segment in registers and
  /// adds them to the tile's sums of all rows (acc, in memory). The tile's
  /// slice of the input that one segment reads is what must stay in the L1
  /// cache, instead of the slice of all columns.
  void scheduleSegmented(hl::Func out, hl::Func acc,
                         const std::vector<hl::RVar> &reduction) {
    (void)reduction;
    int V = static_cast<int>(plan.vector);
    computeOutAtRoot(out);
    out.split(p, po, pi, static_cast<int>(plan.tile),
              hl::TailStrategy::ShiftInwards)
        .reorder(pi, ri, b, po, h, n)
        .vectorize(pi, V)
        .unroll(ri);
    acc.compute_at(out, po).vectorize(p, V);
    if (middle.seg.defined()) {
      // Sorted segments (sparse formats, see sortSegmentRows) run over
      // positions, whose rows the order table gives; otherwise over rows.
      hl::VarOrRVar row =
          sortedRows ? hl::VarOrRVar(positions) : hl::VarOrRVar(b);
      acc.update()
          .reorder(p, ri, row, segments, h, n)
          .vectorize(p, V)
          .unroll(p)
          .unroll(ri);
      scheduleSegment(middle, hl::LoopLevel(acc, row));
    }
    if (!sortedRows) {
      // The first segment is acc's initial value, the last one is added in
      // the output's stage; both in registers over the whole tile.
      acc.reorder(p, ri, h, b, n).unroll(p).unroll(ri);
      scheduleSegment(first, hl::LoopLevel(acc, b));
      out.unroll(pi);
      scheduleSegment(last, hl::LoopLevel(out, b));
    }
    if (plan.parallel) {
      out.parallel(parallelLoop());
      // Row blocks in parallel: the first segment's (acc's initial value)
      // and, segment by segment, the middle ones'; every row block writes
      // only its own sums.
      if (rowsInTiles) {
        acc.parallel(b);
        if (middle.seg.defined())
          acc.update().parallel(b);
      }
    }
  }

  /// A segment's sums in registers at `at`: lanes vectorised and unrolled,
  /// interleaved sets unrolled, the stored blocks' loop outside them.
  void scheduleSegment(Segment &s, hl::LoopLevel at) {
    int V = static_cast<int>(plan.vector);
    std::vector<hl::VarOrRVar> outer{h, b, n};
    if (s.anySegment)
      outer.push_back(kb);
    s.seg.compute_at(at).store_in(hl::MemoryType::Register);
    s.seg.vectorize(p, V).unroll(p).unroll(ri);
    hl::Stage inner = s.seg.update();
    std::vector<hl::VarOrRVar> order{p, ri};
    if (s.part.defined()) {
      s.part.compute_at(at).store_in(hl::MemoryType::Register);
      s.part.vectorize(p, V).unroll(p).unroll(ri).unroll(u);
      inner = s.part.update();
      order.push_back(u);
      std::vector<hl::VarOrRVar> sums{p, ri, s.sets};
      sums.insert(sums.end(), outer.begin(), outer.end());
      s.seg.update()
          .reorder(sums)
          .unroll(s.sets)
          .vectorize(p, V)
          .unroll(p)
          .unroll(ri);
    }
    order.insert(order.end(), s.reduction.begin(), s.reduction.end());
    order.insert(order.end(), outer.begin(), outer.end());
    inner.reorder(order);
    if (s.part.defined())
      inner.unroll(u);
    inner.vectorize(p, V).unroll(p).unroll(ri);
    if (blockCols() > 1 && s.reduction.size() == 2)
      inner.unroll(s.reduction[0]);
  }

  /// The loop that threads split: the lane tiles' loop where every row
  /// block runs over one tile, or the output rows outside it where lanes run
  /// along rows (a row holds few tiles); else the row blocks.
  hl::Var parallelLoop() const {
    // Column segments always run every row block over one tile (whatever
    // the order says): their row blocks are the inner loop. Where the tiles
    // are too few to share out, threads split the row blocks inside each.
    if ((!plan.tilesOuter && plan.kblocks == 1) || plan.vector == 0 ||
        rowsInTiles)
      return b;
    return geo.height > 1 ? h : po;
  }

  Geometry geo;
  LayerPlan plan;
  TargetSpec target;
  std::string name;
  hl::Var p{"p"}, h{"h"}, ri{"ri"}, b{"b"}, n{"n"}, u{"u"}, po{"po"},
      pi{"pi"}, kb{"kb"};
  hl::Func part;
  Segment first, middle, last;
  hl::RVar sets, segments, positions;
  bool sortedRows = false;
  /// Threads split row blocks within each tile (splitsRowsInTiles).
  bool rowsInTiles = false;
};

/// XT(bi, c) = x(bi, c) is a dense layer's input transposed, so that the
/// batch rows bi are contiguous. Vectorised over them: from a batch-inner
/// tensor that is a plain vector copy; otherwise V x V blocks of the input
/// are loaded V columns at a time into registers and read transposed (vector
/// shuffles), instead of a scalar load and store per element (a quarter of
/// the time of FC 784 -> 300 at batch 64, 90 %).
void scheduleTranspose(hl::Func XT, hl::Var bi, hl::Var c, int B, int K,
                       const Tensor &x, int V) {
  if (V <= 1 || B < V)
    return;
  if (x.batchInner || K < V) {
    XT.vectorize(bi, V, hl::TailStrategy::ShiftInwards);
    return;
  }
  hl::Var bo("bo"), bv("bv"), co("co"), cv("cv");
  XT.tile(bi, c, bo, co, bv, cv, V, V, hl::TailStrategy::ShiftInwards)
      .vectorize(bv)
      .unroll(cv);
  hl::Func source = x.func;
  hl::Func block = source.in(XT);
  std::vector<hl::Var> a = block.args();
  block.compute_at(XT, bo)
      .store_in(hl::MemoryType::Register)
      .vectorize(a[0])
      .unroll(a[1]);
}

/// XT(bi, c) = x(c, bi) for a batch B and K columns that are whole 8 x 8
/// blocks, each block transposed in registers by three perfect shuffles of
/// register pairs, which LLVM lowers to unpack instructions. Read as one
/// 8 x 8 shuffle of eight registers (scheduleTranspose), LLVM emitted
/// element broadcasts and blends with spills instead (FC 784 -> 300 at
/// batch 64, 90 %, AVX2 on EPYC Zen 2: 78.5 -> 75.5 us).
void transpose8x8(hl::Func XT, hl::Var bi, hl::Var c, int B, int K,
                  hl::Func x, const std::string &name) {
  hl::Var j("j"), r("r"), k("k"), v("v"), bb("bb"), cc("cc");
  // rows(j, r): row r of the block (batch bb * 8 + r), columns cc * 8 + j.
  hl::Func prev(name + "_t0");
  prev(j, r, bb, cc) = x(cc * 8 + j, bb * 8 + r);
  std::vector<hl::Func> stages{prev};
  // Three perfect shuffles: registers 2i and 2i + 1 are the low and high
  // halves of interleave(register i, register i + 4).
  for (int round = 1; round <= 3; ++round) {
    hl::Func next(name + "_t" + std::to_string(round));
    next(k, v, bb, cc) =
        prev((k + 8 * (v % 2)) / 2, v / 2 + 4 * (k % 2), bb, cc);
    stages.push_back(next);
    prev = next;
  }
  XT(bi, c) = prev(bi % 8, c % 8, bi / 8, c / 8);
  hl::Var bo("bo"), bv("bv"), co("co"), cv("cv");
  XT.compute_root()
      .bound(bi, 0, B)
      .bound(c, 0, K)
      .split(bi, bo, bv, 8, hl::TailStrategy::RoundUp)
      .split(c, co, cv, 8, hl::TailStrategy::RoundUp)
      .reorder(bv, cv, bo, co)
      .vectorize(bv)
      .unroll(cv);
  for (hl::Func f : stages) {
    std::vector<hl::Var> a = f.args();
    f.compute_at(XT, bo)
        .store_in(hl::MemoryType::Register)
        .vectorize(a[0])
        .unroll(a[1]);
  }
}

} // namespace

FailureOr<Tensor> NetworkLowering::lowerDense(Operation *op,
                                              const LayerPlan &plan,
                                              const std::string &name) {
  auto dense = cast<snn::DenseOp>(op);
  Tensor &x = operand(dense.getInput());
  int64_t batch = x.shape[0], k = x.shape[1];
  ArrayRef<int64_t> outShape = cast<ShapedType>(dense.getType()).getShape();
  int64_t m = outShape[1];
  FailureOr<RowMajorWeight> w = rowMajorWeight(dense.getWeight());
  if (failed(w))
    return failure();
  LogicalResult ok = success();
  hl::Buffer<float> bias = biasBuffer(op, dense.getBias(), m, name, ok);
  if (failed(ok))
    return failure();
  auto epi = epilogue(epilogueChain(op), name);
  if (failed(epi))
    return failure();
  Tensor t{SmallVector<int64_t, 4>(outShape), hl::Func(name)};
  t.stored = true;
  hl::Var i("i"), nb("nb");

  if (plan.kernel == KernelKind::Rows) {
    // X(e) = x[e % batch][e / batch]: the input transposed, so that the batch
    // is the contiguous, vectorised dimension.
    hl::Func XT(name + "_xt"), X(name + "_x");
    hl::Var e("e"), z("z"), bi("bi"), c("c");
    int B = static_cast<int>(batch), K = static_cast<int>(k);
    if (x.batchInner) {
      XT(bi, c) = (*x.batchInner)(bi, c);
      XT.compute_root().bound(bi, 0, B).bound(c, 0, K);
      scheduleTranspose(XT, bi, c, B, K, x, spec.vectorWidth);
    } else if (spec.vectorWidth == 8 && B % 8 == 0 && K % 8 == 0) {
      transpose8x8(XT, bi, c, B, K, x.func, name);
    } else {
      XT(bi, c) = x.func(c, bi);
      XT.compute_root().bound(bi, 0, B).bound(c, 0, K);
      scheduleTranspose(XT, bi, c, B, K, x, spec.vectorWidth);
    }
    X(e, z) = XT(e % B, e / B);
    Geometry g;
    g.lanes = batch;
    g.rows = m;
    g.columns = k;
    g.inputSize = k * batch;
    RowsKernel kernel(g, plan, spec, name);
    FailureOr<hl::Func> out = kernel.build(op, *w, X, bias, *epi);
    if (failed(out))
      return failure();
    int R = static_cast<int>(plan.rows);
    t.func(i, nb) = (*out)(nb, 0, i % R, i / R, 0);
    hl::Func bm(name + "_bm");
    bm(nb, i) = (*out)(nb, 0, i % R, i / R, 0);
    t.batchInner = bm;
    return t;
  }

  // A batch shorter than a vector: every weight load serves all batch rows,
  // which are unrolled; X(k, row) is the input as it is, materialised once.
  int N = static_cast<int>(batch);
  hl::Func X(name + "_x");
  hl::Var e("e"), xb("xb");
  X(e, xb) = x.func(e, xb);
  X.compute_root();
  if (k >= spec.vectorWidth)
    X.vectorize(e, spec.vectorWidth, hl::TailStrategy::GuardWithIf);
  hl::Func acc(name + "_acc"), out(name + "_out");
  if (plan.kernel == KernelKind::Gemv) {
    // Weights packed as (lane, column, stream, tile): a tile of T outputs
    // is S groups of L = T / S lanes, each group's weights one contiguous
    // block, so that a tile reads S sequential streams at once. One core
    // draws more memory bandwidth from several streams than from one (FC
    // 4096 -> 4096 at batch 1, AVX2, EPYC Zen 2: 3.71 ms with one, 2.75 ms
    // with four). The blocks get spare columns where needed so that the
    // streams do not start at the same offset within a 4 KiB page, which
    // would put their lines in the same L1 set.
    int T = static_cast<int>(plan.tile);
    int S = static_cast<int>(plan.streams);
    int L = T / S;
    int tiles = static_cast<int>((m + T - 1) / T);
    int pitch = static_cast<int>(k) + gemvSpareColumns(k, L, S);
    hl::Buffer<float> vals(L, pitch, S, tiles, name + "_w");
    vals.fill(0.0f);
    for (int64_t row = 0; row < m; ++row)
      for (int64_t col = 0; col < k; ++col)
        vals(row % L, col, row % T / L, row / T) = w->at(row, col);
    hl::Buffer<float> pb(T * tiles, name + "_bias_padded");
    pb.fill(0.0f);
    for (int64_t row = 0; row < m; ++row)
      pb(row) = bias(row);
    hl::Var li("li"), si("si"), mt("mt");
    hl::RDom r(0, static_cast<int>(k), name + "_r");
    hl::Expr o = mt * T + si * L + li;
    acc(li, si, xb, mt) = 0.0f;
    acc(li, si, xb, mt) += vals(li, r, si, mt) * X(r, xb);
    out(li, si, xb, mt) = (*epi)(acc(li, si, xb, mt) + pb(o), o);
    out.compute_root()
        .bound(li, 0, L)
        .bound(si, 0, S)
        .bound(xb, 0, N)
        .bound(mt, 0, tiles);
    acc.compute_at(out, mt).store_in(hl::MemoryType::Register);
    acc.update().reorder(li, si, xb, r, mt);
    if (plan.vector > 0) {
      int V = static_cast<int>(plan.vector);
      out.vectorize(li, V);
      acc.vectorize(li, V).unroll(li).unroll(si).unroll(xb);
      acc.update().vectorize(li, V).unroll(li).unroll(si).unroll(xb);
    } else {
      acc.unroll(li).unroll(si).unroll(xb);
      acc.update().unroll(li).unroll(si).unroll(xb);
    }
    if (plan.parallel)
      out.parallel(mt);
    t.func(i, nb) = out(i % L, i % T / L, nb, i / T);
    if (N == 1 && m % T == 0) {
      // (li, si, 0, mt) in memory is output i = mt * T + si * L + li.
      t.natural = out;
      t.naturalExtents = {L, S, 1, tiles};
    }
    return t;
  }

  // Spmv: compressed rows, one dot product per output and batch row, split
  // into K interleaved partial sums (rows padded to a multiple of K) so that
  // the additions do not wait on each other.
  int K = static_cast<int>(plan.interleave);
  std::vector<int32_t> rowptr{0}, cols;
  std::vector<float> vals;
  int64_t maxRow = 0;
  for (int64_t row = 0; row < m; ++row) {
    int64_t have = 0;
    for (int64_t col = 0; col < k; ++col)
      if (w->at(row, col) != 0.0f) {
        cols.push_back(static_cast<int32_t>(col));
        vals.push_back(w->at(row, col));
        ++have;
      }
    for (; have % K != 0; ++have) {
      cols.push_back(0);
      vals.push_back(0.0f);
    }
    rowptr.push_back(static_cast<int32_t>(cols.size()));
    maxRow = std::max(maxRow, have);
  }
  if (cols.empty()) {
    cols.push_back(0);
    vals.push_back(0.0f);
  }
  hl::Buffer<int32_t> rp(static_cast<int>(rowptr.size()), name + "_rowptr");
  std::copy(rowptr.begin(), rowptr.end(), rp.data());
  hl::Buffer<int32_t> cb(static_cast<int>(cols.size()), name + "_cols");
  std::copy(cols.begin(), cols.end(), cb.data());
  hl::Buffer<float> vb(static_cast<int>(vals.size()), name + "_values");
  std::copy(vals.begin(), vals.end(), vb.data());
  hl::Var row("row"), u("u");
  hl::RDom r(0, static_cast<int>(std::max<int64_t>(1, maxRow / K)),
             name + "_r");
  hl::Expr start = rp(row);
  r.where(r.x < (rp(row + 1) - start) / K);
  hl::Expr j = hl::unsafe_promise_clamped(start + r.x * K + u, 0,
                                          static_cast<int>(cols.size()) - 1);
  hl::Func part(name + "_part");
  part(xb, u, row) = 0.0f;
  part(xb, u, row) += vb(j) * X(hl::unsafe_promise_clamped(
                                    cb(j), 0, static_cast<int>(k) - 1),
                                xb);
  hl::RDom sets(0, K, name + "_sets");
  acc(xb, row) = 0.0f;
  acc(xb, row) += part(xb, sets.x, row);
  out(xb, row) = (*epi)(acc(xb, row) + bias(row), row);
  out.compute_root().bound(xb, 0, N).bound(row, 0, static_cast<int>(m));
  hl::Var level = row;
  if (plan.parallel) {
    hl::Var ro("ro"), rin("rin");
    out.split(row, ro, rin, 16, hl::TailStrategy::GuardWithIf).parallel(ro);
    level = rin;
  }
  for (hl::Func f : {acc, part})
    f.compute_at(out, level).store_in(hl::MemoryType::Register).unroll(xb);
  part.unroll(u);
  part.update().reorder(xb, u, r.x, row).unroll(xb).unroll(u);
  acc.update().reorder(xb, sets.x, row).unroll(xb).unroll(sets.x);
  t.func(i, nb) = out(nb, i);
  if (N == 1) {
    t.natural = out;
    t.naturalExtents = {1, static_cast<int>(m)};
  }
  return t;
}

/// The zero-padded image of a convolution's input, flattened channel by row
/// by column: X(e, n).
hl::Func NetworkLowering::paddedInput(const Tensor &x, const Geometry &g,
                                      const std::string &name,
                                      std::array<int64_t, 4> pad) {
  // X(e, n): the zero-padded image, flattened channel by row by column. It
  // is filled by updates over reduction domains whose store addresses are
  // affine: the image rows, then exactly the padding around them and the
  // slack after the last channel. Every element is written once, with
  // contiguous vector stores and no division by the row pitch.
  hl::Func X(name + "_xpad");
  hl::Var e("e"), img("img");
  auto [pt, pl, pb, pr] = pad;
  int64_t c = x.shape[1], hIn = x.shape[2], wIn = x.shape[3];
  int64_t wp = g.pitch;
  X(e, img) = hl::undef<float>();
  int C = static_cast<int>(c), H = static_cast<int>(hIn), W = static_cast<int>(wIn);
  int Wp = static_cast<int>(wp), plane = static_cast<int>(g.plane);
  int top = static_cast<int>(pt), left = static_cast<int>(pl);
  std::vector<std::pair<hl::RDom, bool>> fills;
  if (x.flat && top + left + pb + pr == 0) {
    // Only the planes move (alignedPlane): copy each as one run of vectors.
    hl::RDom d(0, W * H, 0, 1, 0, C, name + "_copy");
    X(d.x + d.z * plane, img) = (*x.flat)(d.x + d.z * (W * H), img);
    fills.push_back({d, true});
  } else {
    hl::RDom d(0, W, 0, H, 0, C, name + "_copy");
    X(d.x + left + (d.y + top) * Wp + d.z * plane, img) =
        x.func(d.x, d.y, d.z, img);
    fills.push_back({d, true});
  }
  auto zero = [&](int width, int rows, int x0, int y0, const char *tag) {
    if (width <= 0 || rows <= 0)
      return;
    hl::RDom z(0, width, 0, rows, 0, C, name + "_" + tag);
    X(z.x + x0 + (z.y + y0) * Wp + z.z * plane, img) = 0.0f;
    fills.push_back({z, false});
  };
  zero(Wp, top, 0, 0, "padtop");
  zero(Wp, static_cast<int>(pb), 0, top + H, "padbottom");
  zero(left, H, 0, top, "padleft");
  zero(static_cast<int>(pr), H, left + W, top, "padright");
  // Planes rounded up to whole vectors (alignedPlane) leave a gap after each.
  int rowsPadded = top + H + static_cast<int>(pb);
  zero(plane - rowsPadded * Wp, 1, 0, rowsPadded, "gap");
  int slack = static_cast<int>(g.inputSize - c * g.plane);
  std::optional<hl::RDom> slackDom;
  if (slack > 0) {
    slackDom = hl::RDom(0, slack, name + "_slack");
    X(C * plane + slackDom->x, img) = 0.0f;
  }
  X.compute_root().bound(e, 0, static_cast<int>(g.inputSize));
  if (slackDom) {
    hl::Stage stage = X.update(static_cast<int>(fills.size()));
    stage.allow_race_conditions();
    if (slack >= spec.vectorWidth)
      stage.vectorize(slackDom->x, spec.vectorWidth,
                      hl::TailStrategy::GuardWithIf);
  }
  for (size_t i = 0; i < fills.size(); ++i) {
    hl::Stage stage = X.update(static_cast<int>(i));
    hl::RDom r = fills[i].first;
    // The store addresses are distinct for distinct (x, y, z), so lanes
    // and channels never race.
    stage.allow_race_conditions();
    int width = copyVectorWidth(
        static_cast<int>(r.x.extent().as<hl::Internal::IntImm>()->value),
        spec.vectorWidth);
    if (width > 1)
      stage.vectorize(r.x, width, hl::TailStrategy::GuardWithIf);
    if (fills[i].second && spec.threads > 1 &&
        g.inputSize >= kParallelElements)
      stage.parallel(r.z);
  }

  return X;
}

FailureOr<Tensor> NetworkLowering::lowerDepthwise(Operation *op,
                                                  const LayerPlan &plan,
                                                  const std::string &name) {
  auto conv = cast<snn::Conv2DOp>(op);
  Tensor &x = operand(conv.getInput());
  if (!x.stored)
    materialize(x); // every input element is read by up to KH x KW taps
  ArrayRef<int64_t> outShape = cast<ShapedType>(conv.getType()).getShape();
  ArrayRef<int64_t> wShape =
      cast<ShapedType>(conv.getWeight().getType()).getShape();
  auto [sh, sw] = conv.getStrideValues();
  auto [pt, pl, pb, pr] = conv.getPaddingValues();
  auto [dh, dw] = conv.getDilationValues();
  (void)pb;
  (void)pr;
  int N = static_cast<int>(x.shape[0]), C = static_cast<int>(x.shape[1]);
  int H = static_cast<int>(x.shape[2]), W = static_cast<int>(x.shape[3]);
  int Ho = static_cast<int>(outShape[2]), Wo = static_cast<int>(outShape[3]);
  int KH = static_cast<int>(wShape[2]), KW = static_cast<int>(wShape[3]);

  FailureOr<RowMajorWeight> w = rowMajorWeight(conv.getWeight());
  if (failed(w))
    return failure();
  hl::Buffer<float> taps(KW * KH, C, name + "_taps");
  for (int ch = 0; ch < C; ++ch)
    for (int j = 0; j < KW * KH; ++j)
      taps(j, ch) = w->at(ch, j);
  LogicalResult ok = success();
  hl::Buffer<float> bias = biasBuffer(op, conv.getBias(), C, name, ok);
  if (failed(ok))
    return failure();
  auto epi = epilogue(epilogueChain(op), name);
  if (failed(epi))
    return failure();

  // Reads outside the image are zero. The rows a band of outputs needs are
  // staged, zero-padded, into a small rolling buffer (computed per output
  // row, reused across rows by Halide's sliding window), so that the stencil
  // itself reads whole vectors without any bounds checks.
  //
  // Each staged row holds the image row at a whole vector's offset A, its
  // bounds and pitch rounded to whole vectors (the pads around it are the
  // zeros of the vectors either side): the copy moves aligned vectors, and
  // the middle tap of every kernel row loads an aligned vector. (3x3 at
  // 112x112x32, AVX2 on EPYC Zen 5: 105 -> 97 us, AVX-512 82 -> 70 us.)
  int V = static_cast<int>(plan.vector);
  bool vectorRows = V > 0 && W + pl >= V;
  int A = vectorRows ? V : 0;
  hl::Func in = hl::BoundaryConditions::constant_exterior(
      x.func, 0.0f, {{0, W}, {0, H}, {0, C}, {0, N}});
  hl::Func rows(name + "_rows");
  hl::Var rx("rx"), ry("ry"), rc("rc"), rn("rn");
  rows(rx, ry, rc, rn) = in(rx - A, ry, rc, rn);
  // Stored flat, (column, row, channel) as one dimension: the loops below
  // split it back exactly, so the addressing stays affine.
  hl::Func out(name + "_dw");
  hl::Var e("e"), n("n"), eo("eo"), ox("ox"), oy("oy"), oc("oc");
  hl::Expr xq = e % Wo, yq = (e / Wo) % Ho, cq = e / (Wo * Ho);
  // Where the output rows are whole vectors, the stencil is an update over
  // (column, row, channel), whose reads of the staged rows are affine in its
  // loops: from the flat index, Halide bounds (e / Wo) % Ho by the whole
  // channel, so the staged rows became the whole channel (58 KB at
  // 112x112, read back from L2) instead of a window of KH rows in L1 (3x3
  // at 112x112x32, AVX2 on EPYC Zen 2: 170 -> 145 us). Updates cannot shift
  // a tail tile inwards, so rows with a partial vector keep the flat form
  // (as an update with a guarded tail, MobileNetV1's 14-wide rows were no
  // faster).
  bool byRows = V == 0 || Wo % V == 0;
  hl::RDom px(0, Wo, 0, Ho, 0, C, name + "_px");
  if (byRows) {
    xq = px.x;
    yq = px.y;
    cq = px.z;
  }
  // One chain of multiply-adds per kernel row, the rows' sums added
  // pairwise: a single chain of KH x KW dependent multiply-adds per output
  // vector would leave the tile's few vectors waiting on its latency (3x3
  // at 112x112x32, AVX2 on EPYC Zen 2: 238 us as one chain).
  std::vector<hl::Expr> rowSums;
  for (int ky = 0; ky < KH; ++ky) {
    hl::Expr rowSum;
    for (int kx = 0; kx < KW; ++kx) {
      hl::Expr term =
          taps(ky * KW + kx, cq) *
          rows(xq * static_cast<int>(sw) + kx * static_cast<int>(dw) + A -
                   static_cast<int>(pl),
               yq * static_cast<int>(sh) + ky * static_cast<int>(dh) -
                   static_cast<int>(pt),
               cq, n);
      rowSum = rowSum.defined() ? rowSum + term : term;
    }
    rowSums.push_back(rowSum);
  }
  rowSums.push_back(bias(cq));
  while (rowSums.size() > 1) {
    std::vector<hl::Expr> next;
    for (size_t i = 0; i + 1 < rowSums.size(); i += 2)
      next.push_back(rowSums[i] + rowSums[i + 1]);
    if (rowSums.size() % 2)
      next.push_back(rowSums.back());
    rowSums = std::move(next);
  }
  if (byRows) {
    out(e, n) = hl::undef<float>();
    out(px.x + Wo * (px.y + Ho * px.z), n) = (*epi)(rowSums.front(), cq);
    out.compute_root().bound(e, 0, Wo * Ho * C).bound(n, 0, N);
    // Every (column, row, channel) writes its own element: the loops over
    // them are free of races, which Halide cannot prove through the flat
    // index.
    hl::Stage stencil = out.update();
    stencil.allow_race_conditions();
    rows.store_at(out, px.z).compute_at(out, px.y);
    if (V > 0) {
      hl::RVar xo("xo"), xq("xq"), xv("xv"), xu("xu");
      int T = static_cast<int>(plan.tile);
      // Whole vectors first (Wo is), then tiles of them: a tail tile skips
      // whole vectors. (Guarding the tile's lanes instead, as one split of
      // T lanes, let Halide 14 store the last vector of a 24-lane tail tile
      // beyond the row.)
      stencil.split(px.x, xq, xv, V, hl::TailStrategy::GuardWithIf)
          .split(xq, xo, xu, T / V, hl::TailStrategy::GuardWithIf)
          .reorder(xv, xu, xo, px.y, px.z, n)
          .vectorize(xv)
          .unroll(xu);
    }
    if (plan.parallel)
      stencil.parallel(px.z);
  } else {
    out(e, n) = (*epi)(rowSums.front(), cq);
    out.compute_root()
        .bound(e, 0, Wo * Ho * C)
        .bound(n, 0, N)
        .split(e, eo, ox, Wo, hl::TailStrategy::RoundUp)
        .split(eo, oc, oy, Ho, hl::TailStrategy::RoundUp);
    rows.store_at(out, oc).compute_at(out, oy);
    if (V > 0) {
      hl::Var xo("xo"), xi("xi"), xv("xv"), xu("xu");
      int T = static_cast<int>(plan.tile);
      out.split(ox, xo, xi, T, hl::TailStrategy::ShiftInwards)
          .split(xi, xu, xv, V)
          .vectorize(xv)
          .unroll(xu);
    }
    if (plan.parallel)
      out.parallel(oc);
  }
  if (vectorRows)
    rows.align_bounds(rx, V)
        .align_storage(rx, V)
        .vectorize(rx, V, hl::TailStrategy::RoundUp);

  Tensor t{SmallVector<int64_t, 4>(outShape), hl::Func(name)};
  t.stored = true;
  hl::Var tx("tx"), ty("ty"), tc("tc"), tn("tn");
  t.func(tx, ty, tc, tn) = out(tx + Wo * (ty + Ho * tc), tn);
  t.flat = out;
  t.natural = out;
  t.naturalExtents = {Wo * Ho * C, N};
  return t;
}

FailureOr<Tensor> NetworkLowering::lowerConv(Operation *op,
                                             const LayerPlan &plan,
                                             const std::string &name) {
  if (plan.kernel == KernelKind::Depthwise)
    return lowerDepthwise(op, plan, name);
  auto conv = cast<snn::Conv2DOp>(op);
  Tensor &x = operand(conv.getInput());
  ArrayRef<int64_t> outShape = cast<ShapedType>(conv.getType()).getShape();
  ArrayRef<int64_t> wShape =
      cast<ShapedType>(conv.getWeight().getType()).getShape();
  auto [sh, sw] = conv.getStrideValues();
  auto [pt, pl, pb, pr] = conv.getPaddingValues();
  auto [dh, dw] = conv.getDilationValues();
  int64_t n = x.shape[0], c = x.shape[1], hIn = x.shape[2], wIn = x.shape[3];
  int64_t ho = outShape[2], wo = outShape[3];

  Geometry g;
  g.conv = true;
  g.batch = n;
  g.rows = wShape[0];
  g.groups = conv.getGroupCount();
  g.cg = wShape[1];
  g.kh = wShape[2];
  g.kw = wShape[3];
  g.columns = g.cg * g.kh * g.kw;
  g.dilH = dh;
  g.dilW = dw;
  int64_t hp = hIn + pt + pb, wp = wIn + pl + pr;
  g.pitch = wp;
  g.plane = hp * wp;
  bool flat = flatLanes(op, plan);
  if (flat) {
    // Outputs on the padded row pitch: lane p is output (p / wp, p % wp);
    // the columns past wo, and the lanes past ho * wp that round the lanes
    // up to whole vectors, are computed and never read.
    g.lanes = rowsKernelLanes(op, plan);
    g.plane = alignedPlane(hp * wp, plan);
  } else {
    g.lanes = wo;
    g.height = ho;
    g.laneStep = sw;
    g.heightStep = sh * wp;
  }
  int64_t maxIndex = (g.lanes - 1) * g.laneStep +
                     (g.height - 1) * g.heightStep + g.maxOffset();
  g.inputSize = std::max(c * g.plane, maxIndex + 1);
  if (g.inputSize >= (int64_t(1) << 31))
    return op->emitOpError() << "needs a padded input of " << g.inputSize
                             << " elements, more than 32-bit indices reach";

  hl::Func X;
  if (x.flat && pt + pb + pl + pr == 0 && g.plane == hp * wp &&
      g.inputSize == c * g.plane) {
    // Unpadded, and every read stays inside the image: the stored input is
    // already the flattened row the kernel wants.
    X = *x.flat;
  } else {
    X = paddedInput(x, g, name, {pt, pl, pb, pr});
  }

  FailureOr<RowMajorWeight> w = rowMajorWeight(conv.getWeight());
  if (failed(w))
    return failure();
  LogicalResult ok = success();
  hl::Buffer<float> bias = biasBuffer(op, conv.getBias(), g.rows, name, ok);
  if (failed(ok))
    return failure();
  auto epi = epilogue(epilogueChain(op), name);
  if (failed(epi))
    return failure();
  RowsKernel kernel(g, plan, spec, name);
  FailureOr<hl::Func> out = kernel.build(op, *w, X, bias, *epi);
  if (failed(out))
    return failure();

  Tensor t{SmallVector<int64_t, 4>(outShape), hl::Func(name)};
  t.stored = true;
  hl::Var ox("ox"), oy("oy"), oc("oc"), on("on");
  int R = static_cast<int>(plan.rows);
  if (flat)
    t.func(ox, oy, oc, on) =
        (*out)(oy * static_cast<int>(wp) + ox, 0, oc % R, oc / R, on);
  else
    t.func(ox, oy, oc, on) = (*out)(ox, oy, oc % R, oc / R, on);
  // Stored in row-major order when no row carries padding columns.
  if (!flat || (wp == wo && g.lanes == ho * wp)) {
    t.natural = *out;
    t.naturalExtents = {static_cast<int>(g.lanes), static_cast<int>(g.height),
                        R, static_cast<int>(g.rows / R),
                        static_cast<int>(g.batch)};
  } else if (wp == wo) {
    // Lanes rounded up to whole vectors: each output plane is a prefix of
    // the kernel's, copied out as a run of vectors.
    hl::Func planes(name + "_planes");
    hl::Var e("e"), ch("ch"), img("img");
    planes(e, ch, img) = (*out)(e, 0, ch % R, ch / R, img);
    int V = static_cast<int>(plan.vector);
    if (ho * wo >= V)
      planes.vectorize(e, V, hl::TailStrategy::GuardWithIf);
    t.natural = planes;
    t.naturalExtents = {static_cast<int>(ho * wo), static_cast<int>(g.rows),
                        static_cast<int>(g.batch)};
  }
  return t;
}
