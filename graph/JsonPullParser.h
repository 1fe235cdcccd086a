// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>

#include <array>
#include <optional>

namespace sunset {

// A streaming pull parser for one JSON text (RFC 8259) held in memory, e.g. an mmapped 900 MB Get-Mailbox
// export or one Graph / Exchange admin API page. It never builds a DOM: the caller pulls tokens and keeps only
// what it needs, so memory stays bounded by what the caller builds.
//
// Strings without escapes are views into the input; escaped strings are decoded into one reusable scratch
// buffer, so text() is valid only until the next call to next() or skipValue(). The input must outlive the parser.
//
// Every error (bad syntax, truncation, invalid UTF-8, nesting deeper than kMaxDepth) turns the parser into the
// Error state for good; error() then says where (line and JSON path such as "$[12].EmailAddresses[3]"),
// what was expected and what was found.
class JsonPullParser final {
public:
    enum class Token : quint8 {
        None, // before the first next()
        BeginObject,
        EndObject,
        BeginArray,
        EndArray,
        Key, // an object member name; text() is the decoded name, the member's value follows
        String,
        Number, // text() is the number as written
        True,
        False,
        Null,
        EndOfInput, // the one top-level value was read and only whitespace followed it
        Error,
    };

    static constexpr int kMaxDepth = 64;

    JsonPullParser(QByteArrayView data, QString fileName);

    Token next();
    Token token() const { return m_token; }

    // Key and String: decoded UTF-8. Number: the literal as written. Otherwise empty.
    QByteArrayView text() const { return m_text; }
    // The Number token as an integer; nullopt for fractions, exponents and values outside qint64.
    std::optional<qint64> integer() const;

    // Skips the value the current token begins (after a Key: the member's value), still checking its syntax so
    // that a damaged file fails instead of being half-read; after it, token() is the value's last token.
    // A scalar token is already complete. False on a syntax error.
    bool skipValue();

    bool hasError() const { return m_token == Token::Error; }
    const ImportError& error() const { return m_error; }

    // An error at the current position, for callers that find the JSON well-formed but not what they need.
    ImportError errorHere(const QString& message) const;
    // "expected <expected>, found <what the current token is>".
    ImportError unexpected(QLatin1StringView expected) const;
    static QLatin1StringView describe(Token token);

    int depth() const { return m_depth; }
    qint64 line() const { return m_line; }            // 1-based line of the parse position
    qint64 offset() const { return m_pos - m_begin; } // bytes consumed, for progress reports
    QString path() const;                             // JSON path of the current value, "$" at the top

private:
    enum class State : quint8 { Value, FirstInArray, FirstInObject, AfterValue, Done };

    struct Frame {
        bool isArray = false;
        qint64 index = -1;  // arrays: index of the current element
        QByteArrayView key; // objects: the current member name (a view into the input or into keyCopy)
        QByteArray keyCopy; // holds a name that had escapes; its capacity is reused
    };

    Token parseValue();
    Token parseKey();
    Token closeContainer(Token token);
    Token openContainer(bool isArray);
    Token finishScalar(Token token);
    bool scanString();
    bool decodeEscapedString(const char* start);
    bool scanNumber();
    bool validateUtf8Sequence();
    void skipWhitespace()
    {
        if (m_pos != m_end && static_cast<unsigned char>(*m_pos) <= ' ')
            skipWhitespaceRun(); // most tokens follow the previous one directly
    }
    void skipWhitespaceRun();
    Token fail(const QString& message);
    Token failExpected(QLatin1StringView expected);
    QString describeInputHere() const;

    const char* m_begin;
    const char* m_pos;
    const char* m_end;
    QString m_fileName;
    qint64 m_line = 1;
    Token m_token = Token::None;
    State m_state = State::Value;
    QByteArrayView m_text;
    QByteArray m_scratch;
    int m_depth = 0;
    std::array<Frame, kMaxDepth> m_frames;
    ImportError m_error;
};

} // namespace sunset
