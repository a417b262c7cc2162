#!/usr/bin/env python3
"""Compares the zeros of an imported network with the pruned model's.

  zeros.py net.mlir stats.json zeros.txt

Prints the masked-off elements of net.mlir's masks (the i1 blobs `m...` in
its dialect_resources: a 4-byte alignment, then one byte per element), the
weights' zeros by `sparsec stats --json` (params - nonzeros; biases and
batchnorm statistics hold none) and make_model.py's count of the zeros
PyTorch's pruning made ("<weights> weights, <zeros> zeros").
"""
import json
import re
import sys

masked = 0
for key, blob in re.findall(r'^\s*(m(?:_\d+)?): "0x([0-9A-Fa-f]+)"', open(sys.argv[1]).read(), re.M):
    data = bytes.fromhex(blob)[4:]
    masked += data.count(0)
total = json.load(open(sys.argv[2]))["total"]
torch_zeros = int(open(sys.argv[3]).read().split()[2])
print(f"zeros: masked {masked}, stats {total['params'] - total['nonzeros']}, PyTorch {torch_zeros}")
