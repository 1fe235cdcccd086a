// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ExoRescan.h"
#include "ImportError.h"
#include "Snapshot.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QUrl>

#include <optional>

namespace sunset {

struct CloudScanResult;

// What a later run needs to read Graph by delta instead of in full: the deltaLink of the last complete round,
// or where an interrupted round stopped (its @odata.nextLink), and the users that round left, which the
// changes are merged into. Kept per profile, owner-only (0600): cloud-state.json (small: links, tenant,
// endpoint, time) and cloud-users.json (the users in Graph's own page format). Never a token or a secret:
// links hold only Graph's opaque $deltatoken/$skiptoken.
struct CloudScanState {
    QString tenant;
    QUrl graphEndpoint;
    QByteArray deltaLink;  // the next round starts here ...
    QByteArray resumeLink; // ... unless an interrupted round continues here first
    QDateTime savedAt;
    GraphDirectory users;
    // Where the next Exchange Online rescan starts (the mailboxes are in cloud-mailboxes.json, MailboxCache.h).
    // Only a scan that finished leaves one: an interrupted scan may have taken Graph's removals without applying
    // them to the kept mailboxes, so the next one reads every mailbox.
    ExoRescanCursor exoCursor;

    // The state of a scan that finished (result) or stopped part-way (result with usersResumeLink).
    static CloudScanState fromResult(const QString& tenant, const QUrl& graphEndpoint, const CloudScanResult& result);
    // For CloudScanSettings::previous; nullptr when there is nothing to start from. For another tenant or Graph
    // endpoint only the Exchange Online cursor is passed on (planExoRead() then says why it reads everything).
    std::shared_ptr<const CloudScanResult> asPrevious(const QString& tenant, const QUrl& graphEndpoint) const;
};

// <GenericDataLocation>/sunset/profiles/<profile>/, the directory sunset and sunset-cli share per profile
// (Linux: ~/.local/share/sunset/profiles/default/), as the history does.
QString cloudStateDirectory(const QString& profile);

// Reads the state from directory; nullopt when none was saved there. A damaged state is an error naming the file.
Result<std::optional<CloudScanState>> loadCloudScanState(const QString& directory);
// Writes both files atomically and owner-only (OwnerOnlyFile); the directory is created owner-only if missing.
Result<void> saveCloudScanState(const QString& directory, const CloudScanState& state);
// Forgets the state (a full read follows next time).
void removeCloudScanState(const QString& directory);

} // namespace sunset
