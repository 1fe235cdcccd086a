// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdChangeMetadata.h"
#include "MailboxRecord.h"

#include <QHash>
#include <QString>

#include <vector>

namespace sunset {

// Every mailbox one source holds at one point in time.
struct Snapshot {
    Side side = Side::ActiveDirectory;
    QString source;                     // what it was read from, for reports ("demo-ad.ldif")
    std::vector<MailboxRecord> records;
    qint64 skippedEntries = 0;          // entries read but not mailboxes (counted, never silently dropped)
    QString skippedReason;              // what the skipped entries were, e.g. "entries without Exchange attributes"
    qint64 newestChangeMsecs = 0;       // newest whenChanged seen, 0 if none
    AdChangeMetadata changeMetadata;    // AD side only, when the source carried replication metadata
};

// The Entra ID (Graph) view of a user, used to give Exchange Online mailboxes their on-premises anchors.
struct GraphUser {
    QByteArray id;                      // lower-case GUID text
    QByteArray userPrincipalName;
    QByteArray onPremisesImmutableId;   // base64 text
    QByteArray onPremisesSecurityIdentifier;
};

// Graph users keyed by lower-case object id (= Exchange Online ExternalDirectoryObjectId).
struct GraphDirectory {
    QString source;
    QHash<QByteArray, GraphUser> usersById;
};

} // namespace sunset
