// One error policy for kernel and netlink calls (STYLE.md lesson 11): a Result<T> carries either the
// value or {operation, errno, detail}. No exceptions cross this boundary; callers map errors to messages.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace ipvsd {

struct Error {
    std::string operation;  // what was attempted, e.g. "add service"
    int errnum = 0;         // errno as the kernel returned it (positive)
    std::string detail;     // extra context for logs
};

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    Result(Error error) : v_(std::move(error)) {}  // NOLINT

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<T>(v_); }
    const T& value() const& { return std::get<T>(v_); }
    T&& value() && { return std::get<T>(std::move(v_)); }
    const Error& error() const { return std::get<Error>(v_); }

private:
    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace ipvsd
