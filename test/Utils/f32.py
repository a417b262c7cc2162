#!/usr/bin/env python3
"""Writes or prints raw little-endian float32 files for the lit tests.

  f32.py FILE "EXPR"       writes the floats of the Python list EXPR to FILE
  f32.py --print FILE      prints FILE's floats, one per line
"""
import struct
import sys


def main():
    if sys.argv[1] == "--print":
        data = open(sys.argv[2], "rb").read()
        for (v,) in struct.iter_unpack("<f", data):
            print(f"{v:.6g}")
        return
    values = eval(sys.argv[2], {"range": range, "list": list})
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack(f"<{len(values)}f", *values))


if __name__ == "__main__":
    main()
