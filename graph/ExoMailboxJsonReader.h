// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "Snapshot.h"

#include <QByteArrayView>
#include <QString>

namespace sunset {

// Reads `Get-Mailbox -ResultSize Unlimited | ConvertTo-Json -Depth 4` output (PowerShell 7 or 5.1): a top-level
// array of mailbox objects, a single mailbox object, or an Exchange admin API page {"value":[...], "@odata...":..}.
// data is the whole file (the caller maps it); it is streamed, never turned into a DOM. A file starting with a
// UTF-16 byte order mark (Windows PowerShell 5.1 "> file.json") is converted to UTF-8 first, which costs one copy.
// graph, when given, adds ImmutableId and ObjectSid by ExternalDirectoryObjectId. progress is called about every MiB.
Result<Snapshot> readExoMailboxesJson(QByteArrayView data, const QString& fileName,
                                      const GraphDirectory* graph = nullptr, const ReadProgress& progress = {});

} // namespace sunset
