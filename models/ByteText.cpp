// SPDX-License-Identifier: Apache-2.0
#include "ByteText.h"

namespace sunset {

qsizetype utf8SequenceLength(QByteArrayView text, qsizetype i)
{
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80)
        return 1;
    int continuation;
    quint32 codePoint;
    if (c >= 0xc2 && c <= 0xdf) {
        continuation = 1;
        codePoint = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        continuation = 2;
        codePoint = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        continuation = 3;
        codePoint = c & 0x07;
    } else {
        return 0;
    }
    if (text.size() - i <= continuation)
        return 0;
    for (int k = 1; k <= continuation; ++k) {
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xc0) != 0x80)
            return 0;
        codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (continuation == 2 && (codePoint < 0x800 || (codePoint >= 0xd800 && codePoint <= 0xdfff)))
        return 0;
    if (continuation == 3 && (codePoint < 0x10000 || codePoint > 0x10ffff))
        return 0;
    return continuation + 1;
}

bool isValidUtf8Slow(QByteArrayView text)
{
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        while (n - i >= 8 && isAscii(text.data() + i, 8)) // mostly ASCII even here: eight bytes at a time
            i += 8;
        if (i == n)
            break;
        const qsizetype length = utf8SequenceLength(text, i);
        if (length == 0)
            return false;
        i += length;
    }
    return true;
}

} // namespace sunset
