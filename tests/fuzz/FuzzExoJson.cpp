// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: Get-Mailbox | ConvertTo-Json output (graph/ExoMailboxJsonReader), UTF-8 or UTF-16, array,
// object or admin API page; the snapshot or an ImportError, nothing else.
#include "ExoMailboxJsonReader.h"

#include <QString>

#include <cstddef>
#include <cstdint>

using namespace Qt::Literals::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    const sunset::Result<sunset::Snapshot> snapshot = sunset::readExoMailboxesJson(bytes, u"fuzz.json"_s);
    if (!snapshot)
        (void)snapshot.error().toString();
    return 0;
}
