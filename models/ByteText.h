// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArrayView>

#include <cstring>

// Small byte-level helpers for UTF-8 text that the readers and the LDAP layer share. Inline where they sit in
// hot loops (a 600,000-mailbox export passes every value through them).
namespace sunset {

// 0-15 for a hex digit of either case, -1 otherwise.
inline int hexDigitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// True when every byte is ASCII; reads whole words, overlapping at the end, instead of byte by byte.
Q_ALWAYS_INLINE bool isAscii(const char* p, qsizetype n)
{
    constexpr quint64 kHigh = 0x8080808080808080ull;
    if (n >= 8) {
        quint64 any = 0;
        for (qsizetype i = 0; i + 8 <= n; i += 8) {
            quint64 w;
            std::memcpy(&w, p + i, 8);
            any |= w;
        }
        quint64 last;
        std::memcpy(&last, p + n - 8, 8);
        return ((any | last) & kHigh) == 0;
    }
    if (n >= 4) {
        quint32 a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        return ((a | b) & 0x80808080u) == 0;
    }
    unsigned any = 0;
    for (qsizetype i = 0; i < n; ++i)
        any |= static_cast<unsigned char>(p[i]);
    return any < 0x80;
}
inline bool isAscii(QByteArrayView text) { return isAscii(text.data(), text.size()); }

// Length of the well-formed UTF-8 sequence starting at text[i] (1 for ASCII), 0 if it is not well-formed
// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, or cut off by the end of text).
qsizetype utf8SequenceLength(QByteArrayView text, qsizetype i);

bool isValidUtf8Slow(QByteArrayView text);
// Almost every value is ASCII: that is checked inline, anything else the long way.
inline bool isValidUtf8(QByteArrayView text) { return isAscii(text) || isValidUtf8Slow(text); }

// Byte equality without a memcmp call for the short strings attribute and member names are.
Q_ALWAYS_INLINE bool sameBytes(QByteArrayView a, QByteArrayView b)
{
    const qsizetype n = a.size();
    if (n != b.size())
        return false;
    const char* x = a.data();
    const char* y = b.data();
    const auto word = [](const char* p) {
        quint64 w;
        std::memcpy(&w, p, 8);
        return w;
    };
    if (n >= 8 && n <= 16) // two overlapping words
        return ((word(x) ^ word(y)) | (word(x + n - 8) ^ word(y + n - 8))) == 0;
    if (n > 16 && n <= 32) {
        return ((word(x) ^ word(y)) | (word(x + 8) ^ word(y + 8)) | (word(x + n - 16) ^ word(y + n - 16)) |
                (word(x + n - 8) ^ word(y + n - 8))) == 0;
    }
    return std::memcmp(x, y, size_t(n)) == 0;
}

} // namespace sunset
