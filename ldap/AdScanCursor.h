// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>

namespace sunset {

// Where the previous live AD scan of a profile left off, so that the next one reads only what changed since:
// the domain controller it read (USNs are numbered per DC), that DC's database identity (its nTDSDSA object's
// invocationId, which a restore from backup changes), the highestCommittedUSN read *before* that scan began, what
// was read (base DN and a digest of the filter and attribute set), and the SHA-256 of the kept entries
// (ad-entries.bin, beside it: AdKeptEntries). Kept per profile, owner-only, beside the cloud state; never a secret: DC name,
// numbers and a DN.
struct AdScanCursor {
    QString dcHost;             // the DC's dnsHostName (what it calls itself, not the URI: an alias may switch DCs)
    QByteArray invocationId;    // lower-case GUID text
    qint64 highestCommittedUsn = 0;
    QByteArray baseDn;
    QByteArray readSignature;   // adReadSignature() of the read that wrote it
    QDateTime savedAt;          // UTC
    qint64 entries = 0;         // in ad-entries.bin
    QByteArray entriesSha256;   // hex, of ad-entries.bin
};

// The version of what a read asks for (filter, attributes, replication metadata) and of the cache's content: a
// cursor written by a read that asked for something else cannot be continued.
QByteArray adReadSignature(bool replicationMetadata);

// The two files in a profile's directory.
QString adCursorPath(const QString& directory);
QString adEntriesPath(const QString& directory);

// The cursor in directory; nullopt when none was kept. A damaged one is an error naming the file.
Result<std::optional<AdScanCursor>> loadAdScanCursor(const QString& directory);
// Written owner-only and whole (OwnerOnlyFile).
Result<void> saveAdScanCursor(const QString& directory, const AdScanCursor& cursor);
// Forgets both files, and the LDIF an earlier version kept (the next scan reads in full).
void removeAdScanState(const QString& directory);

} // namespace sunset
