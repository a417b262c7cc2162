"""Networks for gradients.test: between them every snn op, with strides,
asymmetric padding, dilation, groups, ceil mode and both average-pool
paddings. Writes OUTDIR/<name>.mlir."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Utils"))
import netgen  # noqa: E402


def strided():
    net = netgen.Net("strided", [2, 3, 9, 9], seed=11)
    x = net.conv2d(net.input, 4, (3, 3), stride=(2, 2), padding=(1, 0, 1, 1),
                   sparsity=0.3)
    x = net.tanh(net.batchnorm(x, epsilon=1e-3))
    x = net.dense(net.flatten(x), 5)
    net.ret(x)
    return net


def depthwise():
    net = netgen.Net("depthwise", [1, 4, 6, 5], seed=13)
    x = net.conv2d(net.input, 4, (3, 3), padding=(2, 2, 2, 2),
                   dilation=(2, 2), groups=4)
    x = net.dense(net.flatten(net.sigmoid(x)), 4)
    net.ret(net.softmax(x))
    return net


def maxpool():
    net = netgen.Net("maxpool", [1, 2, 7, 7], seed=14)
    x = net.relu(net.conv2d(net.input, 3, (2, 2)))
    x = net.pool(x, "max", (2, 2), (2, 2), padding=(1, 1), ceil=True)
    x = net.dense(net.flatten(x), 4, sparsity=0.5, pattern="nm:2:4")
    net.ret(x)
    return net


def mlp():
    net = netgen.Net("mlp", [3, 8], seed=15)
    x = net.dropout(net.tanh(net.dense(net.input, 6)))
    x = net.dense(x, 4, sparsity=0.5)
    net.ret(x)
    return net


def pools():
    net = netgen.Net("pools", [1, 4, 8, 8], seed=12)
    x = net.conv2d(net.input, 4, (3, 3), padding=(1, 1, 1, 1), groups=2)
    y = net.conv2d(net.tanh(x), 4, (1, 1), bias=False, sparsity=0.5,
                   pattern="channel")
    x = net.add(x, y)
    a = net.pool(x, "avg", (3, 3), (2, 2), padding=(1, 1))
    b = net.pool(x, "avg", (3, 3), (2, 2), padding=(1, 1),
                 count_include_pad=False)
    x = net.global_avgpool(net.add(a, b))
    x = net.flatten(x)
    x = net.dense(x, 3)
    net.ret(x)
    return net


out = sys.argv[1]
for net in (strided(), depthwise(), maxpool(), pools(), mlp()):
    with open(os.path.join(out, net.name + ".mlir"), "w") as f:
        f.write(net.mlir())
