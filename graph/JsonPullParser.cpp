// SPDX-License-Identifier: Apache-2.0
#include "JsonPullParser.h"

#include "ByteText.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Bytes that may stand for themselves inside a string. Everything else needs a closer look: the closing quote,
// a backslash, control characters (not allowed raw) and the lead byte of a multi-byte UTF-8 sequence.
constexpr std::array<bool, 256> kPlainStringByte = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x80; ++c)
        t[size_t(c)] = c != '"' && c != '\\';
    return t;
}();

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

const char* skipSpaces(const char* p, const char* end)
{
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(' ');
    while (end - p >= 16) {
        const int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), space));
        if (mask != 0xFFFF)
            return p + __builtin_ctz(~unsigned(mask));
        p += 16;
    }
#endif
    while (p < end && *p == ' ')
        ++p;
    return p;
}

// Advances over bytes that stand for themselves in a string, 16 at a time where SSE2 exists (every x86-64).
// Mailbox exports are mostly long runs of plain ASCII; the byte loop after it handles the rest and the tail.
Q_ALWAYS_INLINE const char* skipPlainStringBytes(const char* p, const char* end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        // A signed compare with 0x20 catches control characters and, as negative bytes, every non-ASCII byte.
        const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                             _mm_cmplt_epi8(v, space));
        const int mask = _mm_movemask_epi8(special);
        if (mask != 0)
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
#endif
    while (p < end && kPlainStringByte[static_cast<unsigned char>(*p)])
        ++p;
    return p;
}

void appendUtf8(QByteArray& out, char32_t cp)
{
    if (cp < 0x80) {
        out.append(char(cp));
    } else if (cp < 0x800) {
        out.append(char(0xC0 | (cp >> 6)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.append(char(0xE0 | (cp >> 12)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    } else {
        out.append(char(0xF0 | (cp >> 18)));
        out.append(char(0x80 | ((cp >> 12) & 0x3F)));
        out.append(char(0x80 | ((cp >> 6) & 0x3F)));
        out.append(char(0x80 | (cp & 0x3F)));
    }
}

bool isIdentifierLike(QByteArrayView key)
{
    if (key.isEmpty())
        return false;
    for (char c : key) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

JsonPullParser::JsonPullParser(QByteArrayView data, QString fileName)
    : m_begin(data.data())
    , m_pos(data.data())
    , m_end(data.data() + data.size())
    , m_fileName(std::move(fileName))
{
    if (data.size() >= 3 && std::memcmp(m_pos, "\xEF\xBB\xBF", 3) == 0)
        m_pos += 3; // a UTF-8 BOM, as PowerShell 5.1 Out-File -Encoding UTF8 writes
}

std::optional<qint64> JsonPullParser::integer() const
{
    if (m_token != Token::Number)
        return std::nullopt;
    bool ok = false;
    const qint64 v = m_text.toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

void JsonPullParser::skipWhitespaceRun()
{
    if (*m_pos == ' ' && m_end - m_pos >= 2 && static_cast<unsigned char>(m_pos[1]) > ' ') {
        ++m_pos; // the one space after a member name's colon
        return;
    }
#if defined(__SSE2__)
    // ConvertTo-Json puts "\n" and an indent of 4 to 60 spaces before every member: sixteen bytes at a time,
    // counting the line breaks among them.
    const __m128i space = _mm_set1_epi8(' ');
    const __m128i newline = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i tab = _mm_set1_epi8('\t');
    while (m_end - m_pos >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_pos));
        const __m128i isNewline = _mm_cmpeq_epi8(v, newline);
        const __m128i isSpace = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, space), isNewline),
                                             _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, tab)));
        const unsigned spaces = unsigned(_mm_movemask_epi8(isSpace));
        const unsigned newlines = unsigned(_mm_movemask_epi8(isNewline));
        if (spaces != 0xffff) {
            const int skipped = __builtin_ctz(~spaces);
            for (unsigned bits = newlines & ((1u << skipped) - 1); bits != 0; bits &= bits - 1)
                ++m_line; // no popcnt instruction in baseline x86-64; there are one or two line breaks here
            m_pos += skipped;
            return;
        }
        for (unsigned bits = newlines; bits != 0; bits &= bits - 1)
            ++m_line;
        m_pos += 16;
    }
#endif
    while (m_pos < m_end) {
        const char c = *m_pos;
        if (c == ' ') {
            m_pos = skipSpaces(m_pos + 1, m_end); // ConvertTo-Json indents deeply: runs of 4 to 60 spaces
        } else if (c == '\n') {
            ++m_line; // strings cannot hold a raw line break, so lines are only counted here
            ++m_pos;
        } else if (c == '\r' || c == '\t') {
            ++m_pos;
        } else {
            break;
        }
    }
}

JsonPullParser::Token JsonPullParser::next()
{
    if (m_token == Token::Error || m_token == Token::EndOfInput)
        return m_token;
    m_text = {};
    skipWhitespace();
    switch (m_state) {
    case State::Value:
        return parseValue();
    case State::FirstInArray:
        if (m_pos < m_end && *m_pos == ']') {
            ++m_pos;
            return closeContainer(Token::EndArray);
        }
        return parseValue();
    case State::FirstInObject:
        if (m_pos < m_end && *m_pos == '}') {
            ++m_pos;
            return closeContainer(Token::EndObject);
        }
        if (m_pos < m_end && *m_pos == '"')
            return parseKey();
        return failExpected("a member name in double quotes or '}'"_L1);
    case State::AfterValue: {
        const bool inArray = m_frames[size_t(m_depth - 1)].isArray;
        if (m_pos < m_end && *m_pos == ',') {
            ++m_pos;
            skipWhitespace();
            if (inArray)
                return parseValue();
            if (m_pos < m_end && *m_pos == '"')
                return parseKey();
            return failExpected("a member name in double quotes"_L1);
        }
        if (m_pos < m_end && *m_pos == (inArray ? ']' : '}')) {
            ++m_pos;
            return closeContainer(inArray ? Token::EndArray : Token::EndObject);
        }
        return failExpected(inArray ? "',' or ']'"_L1 : "',' or '}'"_L1);
    }
    case State::Done:
        if (m_pos == m_end)
            return m_token = Token::EndOfInput;
        return failExpected("nothing after the end of the JSON value"_L1);
    }
    return m_token;
}

JsonPullParser::Token JsonPullParser::parseValue()
{
    if (m_depth > 0 && m_frames[size_t(m_depth - 1)].isArray)
        ++m_frames[size_t(m_depth - 1)].index;
    if (m_pos == m_end)
        return failExpected("a value"_L1);
    switch (*m_pos) {
    case '{':
        ++m_pos;
        return openContainer(false);
    case '[':
        ++m_pos;
        return openContainer(true);
    case '"':
        ++m_pos;
        if (!scanString())
            return m_token;
        return finishScalar(Token::String);
    case 't':
        if (m_end - m_pos >= 4 && std::memcmp(m_pos, "true", 4) == 0) {
            m_pos += 4;
            return finishScalar(Token::True);
        }
        break;
    case 'f':
        if (m_end - m_pos >= 5 && std::memcmp(m_pos, "false", 5) == 0) {
            m_pos += 5;
            return finishScalar(Token::False);
        }
        break;
    case 'n':
        if (m_end - m_pos >= 4 && std::memcmp(m_pos, "null", 4) == 0) {
            m_pos += 4;
            return finishScalar(Token::Null);
        }
        break;
    default:
        if (*m_pos == '-' || isDigit(*m_pos)) {
            if (!scanNumber())
                return m_token;
            return finishScalar(Token::Number);
        }
        break;
    }
    return failExpected("a value (object, array, string, number, true, false or null)"_L1);
}

JsonPullParser::Token JsonPullParser::parseKey()
{
    ++m_pos; // the opening quote
    Frame& frame = m_frames[size_t(m_depth - 1)];
    frame.key = {}; // an error inside the name points at the object, not at the previous member
    if (!scanString())
        return m_token;
    if (m_text.data() == m_scratch.constData() && !m_text.isEmpty()) {
        // The scratch buffer is reused by the next string; the path needs the name until the next member.
        frame.keyCopy.resize(0);
        frame.keyCopy.append(m_text.data(), m_text.size());
        frame.key = frame.keyCopy;
    } else {
        frame.key = m_text;
    }
    m_text = frame.key;
    skipWhitespace();
    if (m_pos == m_end || *m_pos != ':')
        return failExpected("':' after the member name"_L1);
    ++m_pos;
    m_state = State::Value;
    return m_token = Token::Key;
}

JsonPullParser::Token JsonPullParser::openContainer(bool isArray)
{
    if (m_depth == kMaxDepth)
        return fail(u"the JSON is nested deeper than %1 levels"_s.arg(kMaxDepth));
    Frame& frame = m_frames[size_t(m_depth++)];
    frame.isArray = isArray;
    frame.index = -1;
    frame.key = {};
    m_state = isArray ? State::FirstInArray : State::FirstInObject;
    return m_token = isArray ? Token::BeginArray : Token::BeginObject;
}

JsonPullParser::Token JsonPullParser::closeContainer(Token token)
{
    --m_depth;
    m_state = m_depth > 0 ? State::AfterValue : State::Done;
    return m_token = token;
}

JsonPullParser::Token JsonPullParser::finishScalar(Token token)
{
    m_state = m_depth > 0 ? State::AfterValue : State::Done;
    return m_token = token;
}

bool JsonPullParser::scanString()
{
    const char* start = m_pos;
    for (;;) {
        // The hot loop: most strings are plain ASCII without escapes and end up as views into the input.
        m_pos = skipPlainStringBytes(m_pos, m_end);
        if (m_pos == m_end) {
            fail(u"a string is not closed before the end of the input (the file may be truncated)"_s);
            return false;
        }
        const auto c = static_cast<unsigned char>(*m_pos);
        if (c == '"') {
            m_text = QByteArrayView(start, m_pos - start);
            ++m_pos;
            return true;
        }
        if (c == '\\')
            return decodeEscapedString(start);
        if (c >= 0x80) {
            if (!validateUtf8Sequence())
                return false;
            continue;
        }
        if (c == 0)
            fail(u"found a NUL byte inside a string (the file is damaged or not UTF-8 text)"_s);
        else if (c == '\n' || c == '\r')
            fail(u"a line break inside a string: the string is not closed on its line"_s);
        else
            fail(u"a control character (0x%1) inside a string must be escaped"_s.arg(int(c), 2, 16, QChar(u'0')));
        return false;
    }
}

bool JsonPullParser::decodeEscapedString(const char* start)
{
    m_scratch.resize(0);
    m_scratch.append(start, m_pos - start);
    for (;;) {
        const char* run = m_pos;
        m_pos = skipPlainStringBytes(m_pos, m_end);
        m_scratch.append(run, m_pos - run);
        if (m_pos == m_end) {
            fail(u"a string is not closed before the end of the input (the file may be truncated)"_s);
            return false;
        }
        const auto c = static_cast<unsigned char>(*m_pos);
        if (c == '"') {
            ++m_pos;
            m_text = m_scratch;
            return true;
        }
        if (c >= 0x80) {
            const char* seq = m_pos;
            if (!validateUtf8Sequence())
                return false;
            m_scratch.append(seq, m_pos - seq);
            continue;
        }
        if (c != '\\') {
            fail(c == 0
                     ? u"found a NUL byte inside a string (the file is damaged or not UTF-8 text)"_s
                     : u"a control character (0x%1) inside a string must be escaped"_s.arg(int(c), 2, 16, QChar(u'0')));
            return false;
        }
        if (m_end - m_pos < 2) {
            fail(u"a string is not closed before the end of the input (the file may be truncated)"_s);
            return false;
        }
        const char e = m_pos[1];
        m_pos += 2;
        switch (e) {
        case '"':
            m_scratch.append('"');
            continue;
        case '\\':
            m_scratch.append('\\');
            continue;
        case '/':
            m_scratch.append('/');
            continue;
        case 'b':
            m_scratch.append('\b');
            continue;
        case 'f':
            m_scratch.append('\f');
            continue;
        case 'n':
            m_scratch.append('\n');
            continue;
        case 'r':
            m_scratch.append('\r');
            continue;
        case 't':
            m_scratch.append('\t');
            continue;
        case 'u':
            break;
        default:
            m_pos -= 2;
            fail(u"invalid escape sequence '\\%1' in a string"_s.arg(QChar::fromLatin1(e)));
            return false;
        }
        auto readHex4 = [this](char32_t& out) {
            if (m_end - m_pos < 4)
                return false;
            out = 0;
            for (int i = 0; i < 4; ++i) {
                const int h = hexDigitValue(m_pos[i]);
                if (h < 0)
                    return false;
                out = (out << 4) | char32_t(h);
            }
            m_pos += 4;
            return true;
        };
        char32_t cp = 0;
        if (!readHex4(cp)) {
            fail(u"'\\u' must be followed by four hex digits"_s);
            return false;
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail(u"a lone UTF-16 low surrogate (\\u%1) in a string"_s.arg(uint(cp), 4, 16, QChar(u'0')));
            return false;
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            char32_t low = 0;
            if (m_end - m_pos < 6 || m_pos[0] != '\\' || m_pos[1] != 'u') {
                fail(u"a lone UTF-16 high surrogate (\\u%1) in a string: it must be followed by a low surrogate"_s.arg(
                    uint(cp), 4, 16, QChar(u'0')));
                return false;
            }
            m_pos += 2;
            if (!readHex4(low)) {
                fail(u"'\\u' must be followed by four hex digits"_s);
                return false;
            }
            if (low < 0xDC00 || low > 0xDFFF) {
                fail(u"a lone UTF-16 high surrogate (\\u%1) in a string: it must be followed by a low surrogate"_s.arg(
                    uint(cp), 4, 16, QChar(u'0')));
                return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(m_scratch, cp);
    }
}

bool JsonPullParser::validateUtf8Sequence()
{
    // Well-formed UTF-8 per RFC 3629 (no overlongs, no surrogates, nothing above U+10FFFF). A Windows-1252 or
    // UTF-16 file fails here instead of producing mojibake in the drift report.
    const auto* p = reinterpret_cast<const unsigned char*>(m_pos);
    const qsizetype left = m_end - m_pos;
    const unsigned char b0 = p[0];
    int length = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        length = 3;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        length = 4;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    }
    bool ok = length > 0 && left >= length && p[1] >= lo && p[1] <= hi;
    for (int i = 2; ok && i < length; ++i)
        ok = p[i] >= 0x80 && p[i] <= 0xBF;
    if (!ok) {
        fail(u"invalid UTF-8 (byte 0x%1) in a string; save the file as UTF-8"_s.arg(uint(b0), 2, 16, QChar(u'0')));
        return false;
    }
    m_pos += length;
    return true;
}

bool JsonPullParser::scanNumber()
{
    const char* start = m_pos;
    auto digits = [this] {
        const char* d = m_pos;
        while (m_pos < m_end && isDigit(*m_pos))
            ++m_pos;
        return m_pos > d;
    };
    if (*m_pos == '-')
        ++m_pos;
    bool ok = true;
    if (m_pos < m_end && *m_pos == '0')
        ++m_pos; // no leading zeros: "012" stops after the 0 and fails on the next token
    else
        ok = digits();
    if (ok && m_pos < m_end && *m_pos == '.') {
        ++m_pos;
        ok = digits();
    }
    if (ok && m_pos < m_end && (*m_pos == 'e' || *m_pos == 'E')) {
        ++m_pos;
        if (m_pos < m_end && (*m_pos == '+' || *m_pos == '-'))
            ++m_pos;
        ok = digits();
    }
    if (!ok) {
        fail(u"invalid number: expected a digit, found %1"_s.arg(describeInputHere()));
        return false;
    }
    m_text = QByteArrayView(start, m_pos - start);
    return true;
}

bool JsonPullParser::skipValue()
{
    if (m_token == Token::Key)
        next();
    if (m_token == Token::BeginObject || m_token == Token::BeginArray) {
        const int target = m_depth - 1;
        while (m_depth > target)
            if (next() == Token::Error)
                return false;
    }
    return m_token != Token::Error;
}

QString JsonPullParser::path() const
{
    QString p = u"$"_s;
    for (int i = 0; i < m_depth; ++i) {
        const Frame& f = m_frames[size_t(i)];
        if (f.isArray) {
            if (f.index >= 0)
                p += u'[' + QString::number(f.index) + u']';
        } else if (f.key.data() != nullptr) {
            if (isIdentifierLike(f.key))
                p += u'.' + QString::fromUtf8(f.key);
            else
                p += u"[\""_s + QString::fromUtf8(f.key) + u"\"]"_s;
        }
    }
    return p;
}

ImportError JsonPullParser::errorHere(const QString& message) const
{
    return ImportError{m_fileName, m_line, path(), message};
}

QLatin1StringView JsonPullParser::describe(Token token)
{
    switch (token) {
    case Token::BeginObject:
        return "an object"_L1;
    case Token::EndObject:
        return "the end of an object"_L1;
    case Token::BeginArray:
        return "an array"_L1;
    case Token::EndArray:
        return "the end of an array"_L1;
    case Token::Key:
        return "a member name"_L1;
    case Token::String:
        return "a string"_L1;
    case Token::Number:
        return "a number"_L1;
    case Token::True:
        return "true"_L1;
    case Token::False:
        return "false"_L1;
    case Token::Null:
        return "null"_L1;
    case Token::EndOfInput:
        return "the end of the input"_L1;
    case Token::None:
    case Token::Error:
        break;
    }
    return "nothing readable"_L1;
}

ImportError JsonPullParser::unexpected(QLatin1StringView expected) const
{
    return errorHere(u"expected "_s + expected + u", found "_s + describe(m_token));
}

QString JsonPullParser::describeInputHere() const
{
    if (m_pos >= m_end)
        return u"the end of the input (the file may be truncated)"_s;
    const auto c = static_cast<unsigned char>(*m_pos);
    if ((c == 0xFF || c == 0xFE) && m_pos == m_begin)
        return u"a UTF-16 byte order mark (save the file as UTF-8)"_s;
    if (c == '<')
        return u"'<' (this looks like an HTML or XML page, not JSON)"_s;
    if (c == 0)
        return u"a NUL byte (the file is damaged or not UTF-8 text; UTF-16 files must be converted)"_s;
    if (c > 0x20 && c < 0x7F)
        return u"'"_s + QChar::fromLatin1(char(c)) + u"'"_s;
    return u"the byte 0x%1"_s.arg(uint(c), 2, 16, QChar(u'0'));
}

JsonPullParser::Token JsonPullParser::failExpected(QLatin1StringView expected)
{
    return fail(u"expected "_s + expected + u", found "_s + describeInputHere());
}

JsonPullParser::Token JsonPullParser::fail(const QString& message)
{
    m_error = errorHere(message);
    m_text = {};
    return m_token = Token::Error;
}

} // namespace sunset
