"""Dense layers in every format and batch size: batch 1 (gemv, spmv), a
batch shorter than a vector, odd batches and wide ones."""
import netgen


def build():
    nets = []
    seed = 200
    for batch in [1, 3, 13, 64]:
        for fmt, pattern, sparsity in [("dense", "random", 0.0),
                                       ("csr", "random", 0.9),
                                       ("csr", "random", 0.97),
                                       ("nm, 2, 4", "nm:2:4", 0.5),
                                       ("block, 4, 1", "block:4:1", 0.9),
                                       ("block, 1, 8", "block:1:8", 0.9),
                                       (None, "channel", 0.5)]:
            if batch == 1 and fmt and fmt.startswith(("nm", "block")):
                continue
            seed += 1
            tag = (fmt or "auto").replace(", ", "_") + f"_{pattern.split(':')[0]}{round(sparsity * 100)}"
            net = netgen.Net(f"fc_{tag}_b{batch}", [batch, 37], seed=seed)
            y = net.dense(net.input, 24, sparsity=sparsity, pattern=pattern, fmt=fmt)
            y = net.relu(y)
            y = net.dense(y, 11, bias=False, sparsity=sparsity * 0.5,
                          pattern="random", fmt=None)
            net.ret(y)
            nets.append(net)
    # Fewer inputs and outputs than a vector at a batch of several vectors
    # (the batch transposes' narrow paths).
    net = netgen.Net("fc_narrow_b13", [13, 5], seed=10)
    y = net.relu(net.dense(net.input, 6, sparsity=0.5))
    net.ret(net.dense(y, 9))
    nets.append(net)
    # Columns in segments (kblocks), at a batch with a tail tile.
    net = netgen.Net("fc_kblocks_b40", [40, 53], seed=11)
    y = net.dense(net.input, 20, sparsity=0.8, fmt="csr",
                  schedule='{kernel = "rows", rows = 1, tile = 16, vector = 8, '
                           'parallel = false, interleave = 2, order = "tiles", '
                           'kblocks = 6}')
    net.ret(net.dense(net.relu(y), 9, sparsity=0.7, fmt="csr",
                      schedule='{kernel = "rows", rows = 1, tile = 32, vector = 8, '
                               'parallel = false, interleave = 1, order = "tiles", '
                               'kblocks = 20}'))
    nets.append(net)
    # Segments with each segment's rows sorted by length (sorted = true):
    # interleaved sets whose padding lengthens rows, a tail tile, in
    # parallel over the tiles.
    net = netgen.Net("fc_sorted_b40", [40, 53], seed=14)
    y = net.dense(net.input, 37, sparsity=0.75, fmt="csr",
                  schedule='{kernel = "rows", rows = 1, tile = 16, vector = 8, '
                           'parallel = true, interleave = 2, order = "tiles", '
                           'kblocks = 4, sorted = true}')
    net.ret(net.dense(net.relu(y), 9, sparsity=0.6, fmt="csr",
                      schedule='{kernel = "rows", rows = 1, tile = 24, vector = 8, '
                               'parallel = false, interleave = 1, order = "tiles", '
                               'kblocks = 5, sorted = true}'))
    nets.append(net)
    # A batch and inputs of whole 8 x 8 blocks: AVX2 code transposes the
    # input block by block in registers (transpose8x8).
    net = netgen.Net("fc_blocks_b24", [24, 40], seed=15)
    y = net.dense(net.input, 16, sparsity=0.8, fmt="csr")
    net.ret(net.dense(net.relu(y), 7))
    nets.append(net)
    # Dense rows in segments of 12 columns, at a batch with a tail tile.
    net = netgen.Net("fc_dense_kblocks_b40", [40, 60], seed=12)
    y = net.dense(net.input, 20, fmt="dense",
                  schedule='{kernel = "rows", rows = 4, tile = 16, vector = 8, '
                           'parallel = false, interleave = 1, order = "tiles", '
                           'kblocks = 5}')
    net.ret(net.dense(net.relu(y), 9))
    nets.append(net)
    # Dense weights in blocks of 8 rows (what --tune times where the
    # registers hold two vectors of each): in segments with a tail tile, and
    # rows outermost over two tiles.
    net = netgen.Net("fc_dense_rows8_b40", [40, 60], seed=16)
    y = net.dense(net.input, 24, fmt="dense",
                  schedule='{kernel = "rows", rows = 8, tile = 16, vector = 8, '
                           'parallel = false, interleave = 1, order = "tiles", '
                           'kblocks = 5}')
    net.ret(net.dense(net.relu(y), 16, fmt="dense",
                      schedule='{kernel = "rows", rows = 8, tile = 16, vector = 8, '
                               'parallel = false, interleave = 1, order = "rows"}'))
    nets.append(net)
    # Dense weights one row at a time over all the lanes in one tile (what
    # --tune times where one tile of all the lanes fits the registers), in
    # segments (weights packed segment by segment) and whole.
    net = netgen.Net("fc_dense_one_row_b40", [40, 60], seed=17)
    y = net.dense(net.input, 13, fmt="dense",
                  schedule='{kernel = "rows", rows = 1, tile = 40, vector = 8, '
                           'parallel = false, interleave = 1, order = "tiles", '
                           'kblocks = 4}')
    net.ret(net.dense(net.relu(y), 5, fmt="dense",
                      schedule='{kernel = "rows", rows = 1, tile = 40, vector = 8, '
                               'parallel = false, interleave = 1, order = "tiles"}'))
    nets.append(net)
    # gemv in weight streams: 3 streams of 16 lanes over 64 columns (their
    # blocks 4 KiB apart, so spare columns move them apart) with a tail tile;
    # 2 streams at batch 2 in parallel; scalar lanes in 2 streams of 3.
    net = netgen.Net("fc_gemv_streams_b1", [1, 64], seed=13)
    y = net.dense(net.input, 100, fmt="dense",
                  schedule='{kernel = "gemv", rows = 1, tile = 48, vector = 8, '
                           'parallel = false, streams = 3}')
    y = net.dense(net.relu(y), 6, fmt="dense",
                  schedule='{kernel = "gemv", rows = 1, tile = 6, vector = 0, '
                           'parallel = false, streams = 2}')
    net.ret(y)
    nets.append(net)
    net = netgen.Net("fc_gemv_streams_b2", [2, 40], seed=14)
    y = net.dense(net.input, 70, fmt="dense",
                  schedule='{kernel = "gemv", rows = 1, tile = 32, vector = 8, '
                           'parallel = true, streams = 2}')
    net.ret(net.dense(net.relu(y), 9))
    nets.append(net)
    net = netgen.Net("fc_wide", [2, 300], seed=9)
    net.ret(net.dense(net.input, 100, sparsity=0.95))
    nets.append(net)
    return nets
