// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <functional>
#include <optional>
#include <utility>
#include <variant>

namespace sunset {

// Why an input could not be read, said so that an admin can find the spot and fix it:
// the file, then the line (text formats) or the JSON path, then what was expected and what was found.
struct ImportError {
    QString file;
    qint64 line = 0;     // 1-based; 0 when not applicable
    QString jsonPath;    // e.g. "$[12].EmailAddresses[3]"; empty when not applicable
    QString message;

    QString toString() const
    {
        QString where = file;
        if (line > 0)
            where += u':' + QString::number(line);
        if (!jsonPath.isEmpty())
            where += QStringLiteral(" at ") + jsonPath;
        return where.isEmpty() ? message : where + QStringLiteral(": ") + message;
    }
};

// A value or the error that prevented it (std::expected is C++23; this is the part we need). Each layer names
// its own error type: Result<T> for imports, LdapResult<T>, HistoryResult<T>. [[nodiscard]]: a fallible call whose
// outcome is dropped does not compile (with the warnings as errors of CI), so no failure goes unseen.
template <typename T, typename Error>
class [[nodiscard]] Expected final {
public:
    Expected(T value) : m_state(std::move(value)) {}
    Expected(Error error) : m_state(std::move(error)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_state); }
    const T& value() const { return std::get<0>(m_state); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(m_state); }

private:
    std::variant<T, Error> m_state;
};

// A fallible call that yields nothing on success: ok, or the error that stopped it. It replaces
// std::optional<Error>, whose "has a value" meant failure and which is not [[nodiscard]]: here true means it
// worked, as for every other Expected, and a dropped outcome does not compile. `return {};` is success. No alias of
// its own: each layer's Result alias takes void (HistoryResult<void>, LdapResult<void>, Result<void>), so a reader
// meets one family of names whether a call yields a value or not.
template <typename Error>
class [[nodiscard]] Expected<void, Error> final {
public:
    Expected() = default;
    Expected(Error error) : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return m_error.value(); } // throws on success, as the value form's does

private:
    std::optional<Error> m_error; // empty: it worked
};

template <typename T>
using Result = Expected<T, ImportError>;

// Called now and then with the number of input bytes consumed so far. Returning false cancels the read,
// which then fails with a "cancelled" error. The callee may also use it to release consumed input.
using ReadProgress = std::function<bool(qint64 bytesConsumed)>;

} // namespace sunset
