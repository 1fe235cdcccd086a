// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace sunset {

class Clock;

// Where an incremental Exchange Online rescan starts: what the previous complete scan of this profile read, and
// the mailbox cache it left (MailboxCache.h). Kept in cloud-state.json beside the Graph delta state. Never a token
// or a secret: times, counts, the tenant and endpoint, and the cache's random id.
struct ExoRescanCursor {
    QString tenant;
    QString exoEndpoint;          // endpoint and admin API together ("https://outlook.office365.com|InvokeCommand")
    int cacheFormat = 0;          // MailboxCache::kFormat of the Sunset that wrote it
    QByteArray cacheId;           // the cache file's own id: a cache left by another scan is not this one's
    qint64 mailboxes = 0;         // records in that cache
    qint64 readStartedMsecs = 0;  // when that scan's Get-Mailbox began (client clock, UTC)
    qint64 lastFullReadMsecs = 0; // when the last full Get-Mailbox began
    int rescansSinceFull = 0;
    // Name borders of the last full read's slices (ExoMailboxSliceReader::rescanBorders): a rescan cuts its
    // filtered Get-Mailbox at them, so that its changed mailboxes come in a few requests at once instead of one
    // (each request costs its latency plus its mailboxes). Empty: the rescan is one request.
    QStringList sliceBorders;

    bool isSet() const { return !cacheId.isEmpty(); }
};

// How the next Exchange Online read is chosen (CloudScanSettings::exoRescan).
struct ExoRescanPolicy {
    QString cacheDirectory;       // the profile's directory; empty: every read is full and nothing is kept
    bool forceFull = false;       // --full-scan / "Full read": read everything even with a good cursor
    QString fullReason;           // set by the caller when it already knows the cursor cannot be used
    int fullEveryDays = 7;        // periodic full reconcile (finds mailboxes gone whose user still exists); 0: never
    int fullEveryRescans = 0;     // ... or after this many incremental rescans; 0: no count limit
    int marginMinutes = 15;       // re-read what changed this long before the previous read began (clock skew)
    const Clock* clock = nullptr; // null: the system clock
};

// What the next read does: incremental from changedSinceMsecs, or full, and then why.
struct ExoReadPlan {
    bool incremental = false;
    qint64 changedSinceMsecs = 0;
    QString fullReason; // empty for the very first read of a profile with nothing kept
};

// The decision, a pure function of its inputs so each fallback can be tested alone. graphDelta: Graph users were
// read in this scan by delta from the previous round (its @removed gives the deletions); false when Graph was not
// read, was read in full, or its delta link expired (410 Gone).
ExoReadPlan planExoRead(const ExoRescanPolicy& policy, const ExoRescanCursor& cursor, const QString& tenant,
                        const QString& exoEndpoint, bool filterSupported, bool graphDelta, bool graphResynced,
                        qint64 nowMsecs);

// The -Filter value for "changed after t": WhenChangedUTC -gt 'M/d/yyyy h:mm:ss AM' in en-US form. Rounded down
// to the second and one second earlier, so that a change within the second the previous read began is not lost
// to the comparison's resolution.
QString whenChangedFilter(qint64 sinceMsecs);

} // namespace sunset
