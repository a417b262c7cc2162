//===- Driver.h - The sparsec command-line tool -----------------*- C++ -*-===//
//
// Part of sparsec. `sparsec <command> ...`: the tool's main only calls
// `sparsec::driver::main`; each command lives in its own file in lib/Driver.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_DRIVER_DRIVER_H
#define SPARSEC_DRIVER_DRIVER_H

namespace sparsec::driver {

/// Parses the command line and runs the chosen command; returns the exit
/// status.
int main(int argc, char **argv);

} // namespace sparsec::driver

#endif // SPARSEC_DRIVER_DRIVER_H
