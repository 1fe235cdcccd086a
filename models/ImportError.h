// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QString>

#include <functional>
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

template <typename T>
using Result = Expected<T, ImportError>;

// Called now and then with the number of input bytes consumed so far. Returning false cancels the read,
// which then fails with a "cancelled" error. The callee may also use it to release consumed input.
using ReadProgress = std::function<bool(qint64 bytesConsumed)>;

} // namespace sunset
