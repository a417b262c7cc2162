//===- Status.h - Success or an error message -------------------*- C++ -*-===//
//
// Part of sparsec's runtime. The runtime is built without exceptions (like the
// rest of sparsec) and reports failures that a user's files or options can
// cause as a Status whose message names the file and the problem.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSEC_RUNTIME_STATUS_H
#define SPARSEC_RUNTIME_STATUS_H

#include <string>
#include <utility>

namespace sparsec::runtime {

class [[nodiscard]] Status {
public:
  Status() = default;
  static Status success() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.failed = true;
    s.msg = std::move(message);
    return s;
  }

  bool ok() const { return !failed; }
  explicit operator bool() const { return ok(); }
  const std::string &message() const { return msg; }

private:
  bool failed = false;
  std::string msg;
};

} // namespace sparsec::runtime

#endif // SPARSEC_RUNTIME_STATUS_H
