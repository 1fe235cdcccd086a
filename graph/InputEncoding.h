// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace sunset {

// Windows PowerShell 5.1 writes UTF-16LE with a byte order mark for "> file", Out-File and -Encoding Unicode.
// The readers parse UTF-8 only; this gives them UTF-8: data itself when it has no UTF-16 byte order mark,
// else a converted copy held in storage (converted in slices, so the peak is about the UTF-8 size).
// A UTF-8 byte order mark is left in place for the reader to skip.
QByteArrayView utf8Input(QByteArrayView data, QByteArray& storage);

} // namespace sunset
