#!/usr/bin/env python3
"""Writes small MNIST-named IDX files for the tests.

  make_idx.py DIR [--count N] [--rows R] [--cols C] [--labels N] [--gzip]
              [--split train|t10k] [--truncate BYTES] [--classes K]

Image i has pixel j = (i * 7 + j * 3) % 256; label i = i % classes.
"""
import argparse
import gzip
import os
import struct

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--count", type=int, default=6)
p.add_argument("--rows", type=int, default=28)
p.add_argument("--cols", type=int, default=28)
p.add_argument("--labels", type=int, default=None)
p.add_argument("--classes", type=int, default=10)
p.add_argument("--gzip", action="store_true")
p.add_argument("--split", default="both")
p.add_argument("--truncate", type=int, default=0)
a = p.parse_args()
os.makedirs(a.dir, exist_ok=True)


def write(name, data):
    if a.truncate:
        data = data[:-a.truncate]
    path = os.path.join(a.dir, name + (".gz" if a.gzip else ""))
    if a.gzip:
        with gzip.GzipFile(path, "wb", mtime=0) as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


splits = ["train", "t10k"] if a.split == "both" else [a.split]
for split in splits:
    n = a.count
    px = bytes((i * 7 + j * 3) % 256 for i in range(n)
               for j in range(a.rows * a.cols))
    write(f"{split}-images-idx3-ubyte",
          struct.pack(">IIII", 0x803, n, a.rows, a.cols) + px)
    nl = a.labels if a.labels is not None else n
    write(f"{split}-labels-idx1-ubyte",
          struct.pack(">II", 0x801, nl) + bytes(i % a.classes for i in range(nl)))
