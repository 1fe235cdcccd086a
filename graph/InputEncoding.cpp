// SPDX-License-Identifier: Apache-2.0
#include "InputEncoding.h"

#include <QString>
#include <QStringDecoder>

#include <algorithm>

namespace sunset {

QByteArrayView utf8Input(QByteArrayView data, QByteArray& storage)
{
    if (data.size() < 2)
        return data;
    const auto b0 = static_cast<unsigned char>(data[0]);
    const auto b1 = static_cast<unsigned char>(data[1]);
    QStringDecoder::Encoding encoding;
    if (b0 == 0xFF && b1 == 0xFE)
        encoding = QStringDecoder::Utf16LE;
    else if (b0 == 0xFE && b1 == 0xFF)
        encoding = QStringDecoder::Utf16BE;
    else
        return data;
    QStringDecoder decoder(encoding); // stateful: a surrogate pair may straddle two slices
    storage.clear();
    storage.reserve(data.size() / 2 + 16);
    constexpr qsizetype kSlice = qsizetype(1) << 20; // even, so no code unit is split across slices
    for (qsizetype at = 2; at < data.size(); at += kSlice)
        storage += QString(decoder.decode(data.sliced(at, std::min(kSlice, data.size() - at)))).toUtf8();
    return storage;
}

} // namespace sunset
