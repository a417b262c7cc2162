"""Convolutions in every kernel format, over odd shapes, strides, padding,
dilation, groups and channel counts that do not divide the vector width."""
import netgen


def conv_net(name, shape, seed, **conv):
    net = netgen.Net(name, shape, seed=seed)
    net.ret(net.conv2d(net.input, **conv))
    return net


def build():
    nets = []
    seed = 100
    for fmt, pattern, sparsity in [("dense", "random", 0.0),
                                   ("dense", "random", 0.5),
                                   ("csr", "random", 0.9),
                                   ("csr", "random", 0.99),
                                   ("csr", "channel", 0.5),
                                   ("nm, 2, 4", "nm:2:4", 0.5),
                                   ("nm, 1, 3", "nm:1:3", 0.67),
                                   ("block, 4, 1", "block:4:1", 0.9),
                                   ("block, 2, 3", "block:2:3", 0.8),
                                   ("block, 1, 8", "block:1:8", 0.9)]:
        tag = fmt.replace(", ", "_") + f"_{pattern.split(':')[0]}{round(sparsity * 100)}"
        rows = 8 if fmt.startswith("block, 4") or fmt.startswith("block, 2") else 7
        cases = [
            ("k3", [1, 5, 7, 13], dict(out=rows, kernel=(3, 3), padding=(1, 1, 1, 1))),
            ("k1", [2, 13, 6, 9], dict(out=rows, kernel=(1, 1))),
            ("s2", [1, 3, 11, 10], dict(out=rows, kernel=(3, 3), stride=(2, 2), padding=(1, 0, 1, 2))),
            ("dil", [1, 4, 9, 8], dict(out=rows, kernel=(2, 3), dilation=(2, 2), padding=(0, 1, 2, 1))),
            ("g2", [1, 6, 7, 7], dict(out=8 if rows == 8 else 6, kernel=(3, 3), groups=2, padding=(1, 1))),
            ("big", [1, 16, 20, 20], dict(out=rows * 2, kernel=(5, 5), padding=(2, 2))),
        ]
        for cname, shape, conv in cases:
            seed += 1
            nets.append(conv_net(f"conv_{tag}_{cname}", shape, seed, fmt=fmt,
                                 pattern=pattern, sparsity=sparsity, **conv))
    # Depthwise (groups == channels) in the dense and csr formats, with and
    # without a bias; a wide 1x1 layer.
    nets.append(conv_net("depthwise_dense", [1, 12, 15, 17], 7, out=12, kernel=(3, 3),
                         groups=12, padding=(1, 1), fmt="dense"))
    nets.append(conv_net("depthwise_s2", [2, 8, 14, 14], 8, out=8, kernel=(3, 3),
                         stride=(2, 2), groups=8, padding=(1, 1), bias=False))
    nets.append(conv_net("depthwise_wide_s2", [2, 6, 40, 37], 12, out=6, kernel=(3, 3),
                         stride=(2, 2), groups=6, padding=(1, 0, 1, 2)))
    nets.append(conv_net("depthwise_dilated", [1, 5, 20, 33], 13, out=5, kernel=(3, 5),
                         dilation=(2, 1), groups=5, padding=(2, 2, 2, 2), sparsity=0.3))
    # Rows of whole vectors take the stencil over (column, row, channel) with
    # a rolling window of staged rows: a tail tile of one vector (24 + 8) in
    # parallel over 2 images; 112-wide rows in tiles of 3 vectors, whose
    # last tile has 2 (Halide once stored the third past the last row: the
    # harness checks the memory around the output); the planner's schedule
    # with a dilated 5x3 kernel and asymmetric padding.
    nets.append(conv_net("depthwise_rows", [2, 8, 10, 32], 14, out=8, kernel=(3, 3),
                         groups=8, padding=(1, 1), fmt="dense",
                         schedule='{kernel = "depthwise", rows = 1, tile = 24, vector = 8, '
                                  'parallel = true, interleave = 1, order = "rows"}'))
    nets.append(conv_net("depthwise_rows_serial", [1, 2, 112, 112], 16, out=2, kernel=(3, 3),
                         groups=2, padding=(1, 1), fmt="dense",
                         schedule='{kernel = "depthwise", rows = 1, tile = 24, vector = 8, '
                                  'parallel = false, interleave = 1, order = "rows"}'))
    nets.append(conv_net("depthwise_rows_dilated", [1, 6, 13, 32], 15, out=6, kernel=(5, 3),
                         dilation=(1, 2), groups=6, padding=(2, 2, 3, 2), fmt="dense"))
    nets.append(conv_net("depthwise_csr", [1, 9, 10, 10], 9, out=9, kernel=(3, 3),
                         groups=9, padding=(1, 1), fmt="csr", sparsity=0.5))
    nets.append(conv_net("wide_1x1", [1, 64, 14, 14], 10, out=40, kernel=(1, 1),
                         sparsity=0.9, bias=False))
    nets.append(conv_net("all_pruned", [1, 4, 6, 6], 11, out=5, kernel=(3, 3),
                         sparsity=1.0, fmt="csr"))
    # Hand-written schedules: every row over one lane tile at a time
    # (order = "tiles"), also in parallel over the tiles; and with
    # interleaved accumulator sets on a tail tile.
    for i, (sched, fmt) in enumerate([
            ('{kernel = "rows", rows = 1, tile = 16, vector = 8, parallel = false, '
             'interleave = 4, order = "tiles"}', "csr"),
            ('{kernel = "rows", rows = 1, tile = 24, vector = 8, parallel = true, '
             'interleave = 2, order = "tiles"}', "csr"),
            ('{kernel = "rows", rows = 4, tile = 16, vector = 8, parallel = false, '
             'order = "tiles"}', "dense"),
            ('{kernel = "rows", rows = 1, tile = 40, vector = 8, parallel = false, '
             'interleave = 3, order = "rows"}', "nm, 2, 4"),
            # Columns in segments (kblocks): uneven ones (216 / 5), with
            # interleaved sets, in parallel, on blocks and on N:M rows.
            ('{kernel = "rows", rows = 1, tile = 16, vector = 8, parallel = false, '
             'interleave = 1, order = "tiles", kblocks = 5}', "csr"),
            ('{kernel = "rows", rows = 1, tile = 24, vector = 8, parallel = true, '
             'interleave = 2, order = "tiles", kblocks = 3}', "csr"),
            ('{kernel = "rows", rows = 4, tile = 16, vector = 8, parallel = false, '
             'interleave = 2, order = "tiles", kblocks = 7}', "block, 4, 1"),
            ('{kernel = "rows", rows = 1, tile = 40, vector = 8, parallel = false, '
             'interleave = 1, order = "tiles", kblocks = 2}', "nm, 2, 4"),
            # ... with each segment's rows sorted by length, in parallel and
            # on blocks.
            ('{kernel = "rows", rows = 1, tile = 24, vector = 8, parallel = true, '
             'interleave = 2, order = "tiles", kblocks = 5, sorted = true}', "csr"),
            ('{kernel = "rows", rows = 4, tile = 16, vector = 8, parallel = false, '
             'interleave = 1, order = "tiles", kblocks = 3, sorted = true}',
             "block, 4, 1"),
            # Dense rows in segments of whole input channels (24 / 3, and
            # 24 / 4 in parallel).
            ('{kernel = "rows", rows = 4, tile = 16, vector = 8, parallel = false, '
             'order = "tiles", kblocks = 3}', "dense"),
            ('{kernel = "rows", rows = 2, tile = 24, vector = 8, parallel = true, '
             'order = "tiles", kblocks = 4}', "dense"),
            # Lanes along output rows (flat = false): 11 columns in tiles of
            # 8 (the second shifted inwards), in segments, in parallel over
            # the rows, sorted; dense rows in both loop orders.
            ('{kernel = "rows", rows = 1, tile = 8, vector = 8, parallel = true, '
             'interleave = 2, order = "tiles", kblocks = 3, flat = false}', "csr"),
            ('{kernel = "rows", rows = 1, tile = 8, vector = 8, parallel = false, '
             'interleave = 1, order = "tiles", kblocks = 4, sorted = true, flat = false}',
             "csr"),
            ('{kernel = "rows", rows = 4, tile = 8, vector = 8, parallel = true, '
             'order = "rows", flat = false}', "dense"),
            ('{kernel = "rows", rows = 4, tile = 8, vector = 8, parallel = false, '
             'order = "tiles", kblocks = 3, flat = false}', "block, 4, 1")]):
        nets.append(conv_net(f"scheduled_{i}", [1, 24, 9, 11], 20 + i, out=12,
                             kernel=(3, 3), padding=(1, 1), fmt=fmt, schedule=sched,
                             pattern="nm:2:4" if fmt.startswith("nm")
                             else "block:4:1" if fmt.startswith("block") else "random",
                             sparsity=0.0 if fmt == "dense" else 0.5 if fmt.startswith("nm") else 0.8))
    # Sorted segments over rows of two groups (their offsets differ).
    nets.append(conv_net("sorted_groups", [1, 16, 8, 12], 41, out=10, kernel=(3, 3),
                         padding=(1, 1), groups=2, fmt="csr", sparsity=0.7,
                         schedule='{kernel = "rows", rows = 1, tile = 16, vector = 8, '
                                  'parallel = false, interleave = 1, order = "tiles", '
                                  'kblocks = 4, sorted = true}'))
    # Row lanes of a dilated kernel with asymmetric padding, 20 columns in
    # tiles of 16, in parallel over two images.
    nets.append(conv_net("row_lanes_dilated", [2, 8, 10, 17], 42, out=8, kernel=(3, 3),
                         dilation=(2, 1), padding=(2, 1, 2, 2), fmt="csr", sparsity=0.6,
                         schedule='{kernel = "rows", rows = 1, tile = 16, vector = 8, '
                                  'parallel = true, interleave = 1, order = "tiles", '
                                  'kblocks = 2, flat = false}'))
    # Dense segments within each group's channels (8 per group, 2 per segment).
    nets.append(conv_net("dense_kblocks_groups", [1, 16, 8, 12], 40, out=8, kernel=(3, 3),
                         padding=(1, 1), groups=2, fmt="dense",
                         schedule='{kernel = "rows", rows = 4, tile = 16, vector = 8, '
                                  'parallel = false, order = "tiles", kblocks = 4}'))
    return nets
