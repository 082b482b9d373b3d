// Error handling for the whole edgetl API: a Status (code + message) and a
// Result<T> (a value or a Status). edgetl never throws across its API; every
// failure that a caller can cause (bad file, bad model, bad arguments) comes
// back as one of these, with a message that names the offending object.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace edgetl {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller passed something unusable (shape, id, option)
  kNotFound,            // a file, tensor or class that does not exist
  kUnsupported,         // valid input that edgetl cannot handle (op, type, layout)
  kCorruptModel,        // a .tflite that fails verification or semantic checks
  kOutOfRange,          // an index or count past its limit (e.g. the 200-sample cap)
  kFailedPrecondition,  // the object is not in a state for this call (e.g. untrained)
  kIoError,             // reading or writing a file failed
  kInternal,            // a bug in edgetl
};

// Human-readable name of a code, e.g. "invalid argument".
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status CorruptModel(std::string m) { return {StatusCode::kCorruptModel, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value of type T, or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(runtime/explicit)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(runtime/explicit)
    assert(!std::get<Status>(data_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace edgetl

#define EDGETL_CONCAT_INNER_(a, b) a##b
#define EDGETL_CONCAT_(a, b) EDGETL_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it is an error.
#define EDGETL_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::edgetl::Status edgetl_status_ = (expr);        \
    if (!edgetl_status_.ok()) return edgetl_status_; \
  } while (0)

// `EDGETL_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result's value
// or returns the Result's error from the enclosing function.
#define EDGETL_ASSIGN_OR_RETURN(lhs, expr) \
  EDGETL_ASSIGN_OR_RETURN_IMPL_(EDGETL_CONCAT_(edgetl_result_, __LINE__), lhs, expr)
#define EDGETL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
