// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "JsonPullParser.h"

#include <optional>

namespace sunset {

// What every streaming JSON reader shares: the parser, the first error, and progress (with cancel) about every
// MiB of input. The readers derive from it and add the walk over their own document shape.
class StreamingJsonReader {
protected:
    using Token = JsonPullParser::Token;

    StreamingJsonReader(QByteArrayView data, const QString& fileName, const ReadProgress& progress)
        : m_parser(data, fileName)
        , m_progress(progress)
    {
    }

    bool fail(const ImportError& error)
    {
        m_error = error;
        return false;
    }
    bool failParser() { return fail(m_parser.error()); }

    bool reportProgress()
    {
        if (!m_progress || m_parser.offset() - m_lastProgress < kProgressInterval)
            return true;
        m_lastProgress = m_parser.offset();
        return m_progress(m_lastProgress) || fail(m_parser.errorHere(QStringLiteral("cancelled")));
    }

    // After the top-level value: nothing may follow it, and progress hears of the end.
    bool finishInput()
    {
        if (m_parser.next() != Token::EndOfInput)
            return failParser();
        if (m_progress && !m_progress(m_parser.offset()))
            return fail(m_parser.errorHere(QStringLiteral("cancelled")));
        return true;
    }

    static constexpr qint64 kProgressInterval = qint64(1) << 20;

    JsonPullParser m_parser;
    const ReadProgress& m_progress;
    std::optional<ImportError> m_error;
    qint64 m_lastProgress = 0;
};

} // namespace sunset
