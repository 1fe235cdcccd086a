// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "LdapSnapshotReader.h"
#include "Snapshot.h"

#include <QString>

namespace sunset {

class LdapConnection;

struct AdIncrementalOptions {
    QString stateDirectory;    // the profile's directory (cursor and kept entries); empty: a full read, nothing kept
    bool forceFull = false;    // read everything, then keep a fresh cursor (sunset-cli --full-scan or --ad-full)
    int maxCursorAgeDays = 7;  // an older cursor is not continued: a periodic full read
    AdLdapReadOptions read;    // page size, forced ranges, replication metadata (onEntry is not used)
};

// What a live AD read did, besides the snapshot: an incremental rescan, or a full read and why.
struct AdIncrementalResult {
    Snapshot snapshot;
    bool incremental = false;
    QString fullReason;       // a full read although a cursor could have been used: why (empty when none was kept)
    QString dcHost;           // the DC that was read, as it names itself
    qint64 sinceUsn = 0;      // incremental: the changes above this USN were read
    qint64 reread = 0;        // incremental: entries read again (changed, added, or under a changed OU)
    qint64 removed = 0;       // incremental: kept entries dropped (deleted, out of the filter or the base DN)
    qint64 kept = 0;          // incremental: kept entries used as they were
    QString stateWarning;     // the cursor could not be kept: the next scan reads in full

    // One line for the CLI summary and the GUI status: "AD: incremental read of dc01 (changes since USN …)" or
    // "AD: full read (why)".
    QString describe() const;
};

// Reads every mailbox under baseDn like readAdSnapshotFromLdap, but continues from the cursor the previous scan
// of the profile kept when it can be trusted: reads only the mailboxes whose uSNChanged is above the
// highestCommittedUSN read before that scan, finds what was deleted (show-deleted control), what left the filter
// or the base DN (a broader query of the changed objects, decided by objectGUID), and what an OU rename or move
// carried along, and merges them into the kept entries by objectGUID. The snapshot equals a full read's (record
// order aside). Then keeps the new cursor and entries. A cursor that cannot be trusted (another DC, a changed
// invocationId, another base DN or attribute set, too old, damaged entries) means a full read, and fullReason
// says why.
Result<AdIncrementalResult> readAdSnapshotIncrementally(LdapConnection& connection, const QByteArray& baseDn,
                                                        const ReadProgress& progress,
                                                        const AdIncrementalOptions& options);

} // namespace sunset
