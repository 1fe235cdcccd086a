// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "Snapshot.h"

#include <QByteArrayView>
#include <QString>

namespace sunset {

// Reads `Get-Mailbox | Select ... | Export-Csv -NoTypeInformation` output (a leading "#TYPE ..." line is tolerated):
// RFC 4180 quoting with embedded line breaks, case-insensitive header names, ',' or (-UseCulture) ';' between
// columns, UTF-8 with or without BOM, or UTF-16 with BOM (PowerShell 5.1 -Encoding Unicode; converted, one copy).
// Multi-valued columns (EmailAddresses, ExtensionCustomAttribute1-5) must have been flattened in the export and are
// split on multiValueSeparator; a column holding a collection's type name instead of its values is refused.
Result<Snapshot> readExoMailboxesCsv(QByteArrayView data, const QString& fileName,
                                     const GraphDirectory* graph = nullptr, const ReadProgress& progress = {},
                                     char multiValueSeparator = ';');

} // namespace sunset
