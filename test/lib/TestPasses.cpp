//===- TestPasses.cpp - Registration of sparsec's test passes ---*- C++ -*-===//
//
// Part of sparsec.
//
//===----------------------------------------------------------------------===//

namespace sparsec::test {
void registerTestGradientsPass();

void registerTestPasses() { registerTestGradientsPass(); }
} // namespace sparsec::test
