"""Layers `sparsec compile --tune` has choices for: unstructured weights at
90 % and 70 % (where dense is also timed), a 2:4 weight the cost model keeps
dense (csr is also timed), 4x1 blocks, convolutions whose planes are not
a whole number of tiles, a wide layer (column segments), batch-1 sparse
layers (spmv) and depthwise layers (tile widths)."""
import netgen


def build():
    nets = []
    net = netgen.Net("tune_fc", [64, 37], seed=501)
    y = net.relu(net.dense(net.input, 48, sparsity=0.9, fmt="csr"))
    y = net.dense(y, 40, sparsity=0.7)
    net.ret(net.dense(y, 12, sparsity=0.5, pattern="nm:2:4"))
    nets.append(net)

    net = netgen.Net("tune_block", [32, 40], seed=502)
    net.ret(net.dense(net.input, 24, sparsity=0.9, pattern="block:4:1", fmt="block, 4, 1"))
    nets.append(net)

    net = netgen.Net("tune_conv", [1, 16, 14, 14], seed=503)
    y = net.relu(net.conv2d(net.input, out=24, kernel=(3, 3), padding=(1, 1, 1, 1),
                            sparsity=0.9))
    net.ret(net.conv2d(y, out=20, kernel=(1, 1), sparsity=0.7))
    nets.append(net)
    # Wide enough that column segments are timed (and planned).
    net = netgen.Net("tune_wide", [64, 1024], seed=504)
    net.ret(net.dense(net.input, 32, sparsity=0.9))
    nets.append(net)

    net = netgen.Net("tune_spmv", [1, 300], seed=505)
    y = net.relu(net.dense(net.input, 100, sparsity=0.9))
    net.ret(net.dense(y, 10, sparsity=0.8))
    nets.append(net)

    # 40 wide: tiles of 1-5 vectors (AVX2), the last one shifted inwards.
    net = netgen.Net("tune_dw", [1, 6, 9, 40], seed=506)
    y = net.relu(net.conv2d(net.input, out=6, kernel=(3, 3), padding=(1, 1, 1, 1),
                            groups=6))
    net.ret(net.conv2d(y, out=4, kernel=(1, 1), sparsity=0.5))
    nets.append(net)
    return nets
