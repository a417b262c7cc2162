"""Every other op: pooling with padding, ceil mode and dilation, global
average pooling, activations, batch norm, residual adds, flatten, dropout,
softmax, and values read by several ops."""
import netgen


def build():
    nets = []
    net = netgen.Net("pools", [2, 3, 9, 11], seed=1)
    a = net.pool(net.input, "max", (3, 3), (2, 2), padding=(1, 1), ceil=True)
    b = net.pool(net.input, "avg", (3, 3), (2, 2), padding=(1, 1), ceil=True)
    c = net.add(a, b)
    d = net.pool(c, "avg", (2, 2), (1, 1), padding=(1, 1), count_include_pad=False)
    e = net.pool(d, "max", (2, 2), (1, 1), dilation=(2, 2))
    net.ret(net.flatten(e))
    nets.append(net)

    net = netgen.Net("activations", [2, 4, 5, 6], seed=2)
    x = net.batchnorm(net.input)
    s = net.sigmoid(x)
    t = net.tanh(x)
    r = net.relu(net.add(s, t))
    g = net.global_avgpool(r)
    f = net.flatten(g)
    f = net.batchnorm(f, epsilon=0.001)
    net.ret(net.softmax(net.dropout(f)))
    nets.append(net)

    # A residual block: conv -> bn -> relu -> conv, added to its input, read
    # twice; then pooling and a classifier.
    net = netgen.Net("residual", [1, 8, 12, 12], seed=3)
    x = net.conv2d(net.input, 8, (3, 3), padding=(1, 1), sparsity=0.7, fmt="csr")
    x = net.relu(net.batchnorm(x))
    y = net.conv2d(x, 8, (3, 3), padding=(1, 1), sparsity=0.5)
    z = net.relu(net.add(x, y))
    z = net.add(z, x)
    p = net.pool(z, "max", (2, 2))
    q = net.flatten(p)
    net.ret(net.softmax(net.dense(q, 10, sparsity=0.9)))
    nets.append(net)

    net = netgen.Net("lenet_like", [2, 1, 28, 28], seed=4)
    x = net.relu(net.conv2d(net.input, 6, (5, 5), padding=(2, 2), sparsity=0.8))
    x = net.pool(x, "max", (2, 2))
    x = net.relu(net.conv2d(x, 16, (5, 5), sparsity=0.9))
    x = net.pool(x, "avg", (2, 2))
    x = net.flatten(x)
    x = net.relu(net.dense(x, 120, sparsity=0.9))
    x = net.relu(net.dense(x, 84, sparsity=0.9))
    net.ret(net.dense(x, 10, sparsity=0.8))
    nets.append(net)

    # Deep enough (81 lowered values) that the lowering's value map grows
    # several times while kernels with fused epilogues are recorded: a
    # MobileNet-like stack of depthwise and pruned pointwise layers.
    net = netgen.Net("deep", [1, 4, 10, 10], seed=5)
    x = net.input
    for i in range(20):
        x = net.relu(net.conv2d(x, 4, (3, 3), padding=(1, 1), groups=4))
        x = net.relu(net.conv2d(x, 4, (1, 1), sparsity=0.5, fmt="csr"))
    net.ret(net.flatten(net.global_avgpool(x)))
    nets.append(net)

    # MobileNet-style blocks big enough to run in parallel with two threads:
    # depthwise stencils with fused epilogues, a pruned 1x1 layer reading the
    # depthwise output in place, a strided depthwise layer.
    net = netgen.Net("mobile", [1, 16, 40, 40], seed=6)
    x = net.relu(net.conv2d(net.input, 16, (3, 3), padding=(1, 1), groups=16))
    x = net.relu(net.batchnorm(net.conv2d(x, 24, (1, 1), sparsity=0.9)))
    x = net.relu(net.conv2d(x, 24, (3, 3), stride=(2, 2), padding=(1, 1), groups=24))
    x = net.conv2d(x, 16, (1, 1), sparsity=0.8)
    net.ret(net.flatten(net.global_avgpool(x)))
    nets.append(net)

    # A pruned 1x1 layer whose one lane tile holds the whole 7x7 plane, in
    # column segments: with two threads its row blocks are split within the
    # tile, segment by segment (the first, middle and last segments' loops).
    net = netgen.Net("one_tile", [1, 64, 7, 7], seed=7)
    x = net.relu(net.conv2d(net.input, 256, (1, 1), sparsity=0.5, fmt="csr",
                            schedule='{kernel = "rows", rows = 1, tile = 56, '
                                     'vector = 8, parallel = true, interleave = 1, '
                                     'order = "tiles", kblocks = 3}'))
    net.ret(net.flatten(net.global_avgpool(x)))
    nets.append(net)
    return nets
