//===- sparsec.cpp - The sparsec command-line tool --------------*- C++ -*-===//
//
// Part of sparsec. All logic lives in lib/Driver.
//
//===----------------------------------------------------------------------===//

#include "sparsec/Driver/Driver.h"

int main(int argc, char **argv) { return sparsec::driver::main(argc, argv); }
