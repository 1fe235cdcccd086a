// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdSource.h"
#include "Checklist.h"
#include "CloudSource.h"
#include "HistoryStore.h"

#include <QDateTime>
#include <QFuture>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace sunset {

// Where the decommission checks read from. Each source is optional: a step whose source is missing gets an
// error in its run (an unread source proves nothing), naming the option that gives it.
struct ChecklistSources {
    std::optional<AdLiveScanSettings> ad;      // AD read live (the configuration and domain partitions)
    std::optional<CloudSettings> cloud;    // Exchange Online read live (Get-Mailbox, hybrid cmdlets)
    QString exoFile;                       // or a Get-Mailbox export for the prerequisites
    // Or snapshots instead of the live reads (the demo tenant's files, an offline review):
    QStringList configLdifFiles;           // LDIF of the Exchange configuration objects (and users) for AD
    QString hybridFile;                    // the hybrid cmdlets' answers, for Exchange Online's hybrid objects
    QString adFile;                        // the AD snapshot (LDIF) for the verification's fresh scan
    QString graphFile;                     // Graph users for that scan's anchors (optional)
    std::optional<ScanFacts> latestScan;   // the history's latest scan (read by the caller, on its thread)
    QString latestScanHistory;             // or the history file it is read from, on the step's own thread
    // Cloud Sync's writeback jobs for the prerequisites: already read (live, by the caller), or the saved Graph
    // answers (GET /servicePrincipals/{id}/synchronization/jobs, …/jobs/{jobId}/schema) as sunset-cli diff reads
    // them. Neither: the writeback checks are unread and the attestation is asked for instead.
    std::shared_ptr<const CloudSyncState> cloudSync;
    QString syncJobsFile;
    QString syncSchemaFile;
    // Groups and contacts not yet cloud-managed, for the prerequisites: Graph beta's answers saved
    // (GET /beta/groups, /beta/contacts filtered by onPremisesSyncBehavior/isCloudManaged), or read live with
    // cloud's credentials when no file is given.
    QString groupsFile;
    QString contactsFile;
    QString agentAccountName = QStringLiteral("provAgentgMSA");
};

// What to give when Cloud Sync's jobs were not read (the options, the wizard's sources, or the attestation).
QString cloudSyncMissingHint();

// Runs one step's automatic checks; the future carries the run (findings, errors), stamped with by and the time
// they started. Its reads go side by side: the live cloud reads on this thread's event loop (clientFuture), the
// LDAP and file reads each on a BackgroundTask (backgroundFuture); the step is judged once all are in. Call it on a
// thread with an event loop: the GUI thread, or sunset-cli's while it waits at its edge. owner, when given, owns
// the run and its threads (destroyed, it cancels them and waits); without one the run deletes itself when done.
// Cancelling the future ends it at once without a run (nothing to record): the live reads stop, the LDAP read
// stops where it next looks.
QFuture<ChecklistRun> runChecklistStep(ChecklistStep step, const ChecklistSources& sources, const QString& by,
                                       QObject* owner = nullptr);

} // namespace sunset
