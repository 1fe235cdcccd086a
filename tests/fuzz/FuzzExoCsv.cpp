// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: Get-Mailbox | Export-Csv output (graph/ExoMailboxCsvReader). The first byte picks the
// multi-value separator the admin would have chosen, so both ';' and '|' splitting are explored.
#include "ExoMailboxCsvReader.h"

#include <QString>

#include <cstddef>
#include <cstdint>

using namespace Qt::Literals::StringLiterals;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    char separator = ';';
    if (size > 0 && data[0] == '|') {
        separator = '|';
        ++data;
        --size;
    }
    const QByteArrayView bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    const sunset::Result<sunset::Snapshot> snapshot =
        sunset::readExoMailboxesCsv(bytes, u"fuzz.csv"_s, nullptr, {}, separator);
    if (!snapshot)
        (void)snapshot.error().toString();
    return 0;
}
