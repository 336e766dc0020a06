// Expected<T>: a value or an Error, for errors that cross a layer boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace wa {

// What went wrong, in a form a user can act on. `kind` is a stable machine-readable
// tag ("invalid_module", "unsupported_feature", "not_found", ...); `message` is prose.
struct Error {
  std::string kind;
  std::string message;
};

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}
  Expected(Error error) : state_(std::move(error)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For operations that produce nothing but may fail.
struct Ok {};
using Status = Expected<Ok>;
inline Status ok_status() { return Ok{}; }

inline Error make_error(std::string kind, std::string message) {
  return Error{std::move(kind), std::move(message)};
}

}  // namespace wa
