// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdSource.h"
#include "CloudSource.h"
#include "DriftEngine.h"
#include "DriftSummary.h"
#include "SnapshotFiles.h"
#include "SourceReport.h"

#include <QFuture>

#include <optional>

namespace sunset {

// What a comparison reads, loaded: both sides, what they were read from, and the drift options (as-of time,
// Cloud Sync's state).
struct ScanInputs {
    Snapshot ad;
    Snapshot cloud;
    ReportSources sources;
    DriftOptions options;
    QString adReadNote;            // AD read live: incremental or full, and why (for the summary)
    QStringList unattachedSchemas; // Cloud Sync schemas from a file that match no job read (left out)
};

// Where a comparison reads from: AD from an LDIF file or a domain controller, Exchange Online (and Graph users)
// from files or the tenant live, Cloud Sync's state live (with the cloud) or from saved answers.
struct ScanInputRequest {
    QString adFile;                           // the LDIF file, unless liveAd
    std::optional<AdLiveScanSettings> liveAd; // read AD live instead
    QString exoFile;                          // Get-Mailbox export, unless liveCloud
    QString graphFile;                        // Graph users export (optional; files only)
    std::optional<CloudSettings> liveCloud;   // read Exchange Online and Entra ID live instead
    CloudSyncFiles syncFiles;                 // when Cloud Sync is not read live
    qint64 asOfMsecs = 0;                     // 0: the newest change found
};

// Who hears how the reads go; every member may be empty.
struct ScanInputProgress {
    LoadProgress files;                                                 // a file's fraction read
    std::function<bool(const QString& host, qint64 entries)> adEntries; // AD read live: entries so far
    CloudScanProgress cloud;                                            // the cloud read live, per service
    SourceReport report;                                                // warnings and notes of the live reads
};

// Reads both sides and Cloud Sync's state, one after the other: the file and LDAP reads on a thread of their own
// (progress and report then hear them there), the tenant's live read on this thread's event loop (CloudLiveScan
// reads on its own worker). Call it on a thread with an event loop: sunset-cli waits for it at its edge. The
// error names what could not be read and why. owner, when given, bounds the reads' life.
QFuture<Expected<ScanInputs, QString>> loadScanInputs(const ScanInputRequest& request,
                                                      const ScanInputProgress& progress = {}, QObject* owner = nullptr);

} // namespace sunset
