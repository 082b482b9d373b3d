// A non-owning reference to a callable, for parameters called only while
// the call that takes them runs (the thread pool's parallel regions). A
// std::function made from a lambda that captures more than two pointers
// allocates, and Invoke() must not (interpreter.h). Internal header.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace edgetl {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  // Refers to `fn`, which must outlive every call through this reference.
  template <typename Fn>
  requires(!std::is_same_v<std::remove_cvref_t<Fn>, FunctionRef> &&
           std::is_invocable_r_v<R, Fn&, Args...>)
      FunctionRef(Fn&& fn)  // NOLINT(google-explicit-constructor): passed as lambdas
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(fn)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<Fn>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace edgetl
