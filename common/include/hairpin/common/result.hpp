#pragma once
// Result<T>: a value or an Error, for library code that must not throw.
//
// An Error is what a user needs to fix the problem in one line: what went wrong,
// where (file:line, interface, node...), and how to fix it. Libraries return
// Result; only the edges (CLI main, daemon roots) turn errors into messages and
// exit codes.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace hairpin {

struct Error {
  std::string what;   // e.g. "unknown fault 'no-ud'"
  std::string where;  // e.g. "fixtures/topologies/seed.yaml:12" (may be empty)
  std::string fix;    // e.g. "valid faults: no-udr, ..." (may be empty)

  // One line: "where: what; fix".
  std::string to_string() const {
    std::string line = where.empty() ? what : where + ": " + what;
    if (!fix.empty()) line += "; " + fix;
    return line;
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<T>(state_); }
  const T& value() const& { assert(ok()); return std::get<T>(state_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that produce nothing but can fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace hairpin
