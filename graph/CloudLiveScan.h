// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudConnection.h"
#include "CloudHttp.h"
#include "CloudSyncClient.h"
#include "ExoMailboxClient.h"
#include "ExoMailboxSliceReader.h"
#include "ExoRescan.h"
#include "Snapshot.h"
#include "TokenProvider.h"
#include "platform/BackgroundTask.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

namespace sunset {

// How Exchange Online was read in one scan: in full, or only the mailboxes changed since the previous scan merged
// into the ones it kept (ExoRescan.h, MailboxCache.h).
struct ExoReadSummary {
    bool incremental = false;
    QString fullReason;     // why a full read (empty on a profile's very first read or an incremental one)
    qint64 changedSinceMsecs = 0; // incremental: the -Filter's time (the previous read's start less the margin)
    qint64 changed = 0;     // incremental: mailboxes Get-Mailbox returned as changed (new ones included)
    qint64 added = 0;       // ... of which not kept before
    qint64 removed = 0;     // kept mailboxes left out because Graph reported their user removed
    QString cacheProblem;   // the mailboxes could not be kept: the next scan reads everything (a warning)
};

// What one cloud read produced: the mailboxes (the cloud side of the drift) and the Graph users that gave
// them their on-premises anchors, with the deltaLink a rescan starts from.
struct CloudScanResult {
    Snapshot mailboxes;   // Side::Cloud; no records when Exchange Online was not read
    GraphDirectory users; // empty when Graph was not read
    QByteArray deltaLink; // Graph /users/delta link for the next rescan; empty when Graph was not read
    // An interrupted Graph round (see CloudLiveScan::interrupted): the page it stopped at; `users` holds what
    // was read until then, and a scan given this result as `previous` continues from there.
    QByteArray usersResumeLink;
    bool usersFromDelta = false; // true: users came from `previous` plus what its link fetched (changes only)
    qint64 userChanges = 0;      // users changed or removed in that round (every user on a full read)
    // Cloud Sync's jobs, schemas and provisioning log read live (CloudScanSettings::readCloudSync); null when not
    // asked. A part the app may not read is unread with its reason inside, never a failed scan.
    std::shared_ptr<const CloudSyncState> cloudSync;
    // Where the next Exchange Online rescan can start (unset when nothing was kept), and how this one read.
    ExoRescanCursor exoCursor;
    ExoReadSummary exoRead;
};

// One sentence on how Exchange Online was read, for the CLI summary and the GUI's status: the changes of a rescan,
// or a full read and why.
QString describeExoRead(const CloudScanResult& result);

// How to reach and read the cloud for one scan.
struct CloudScanSettings {
    // Which tenant and app, the endpoints and token audiences, and how to sign in: app-only (secret or
    // certificate), or delegated (a device code sign-in by the admin, then the refresh token, in memory only, for
    // the second resource and renewals). The secret beside it; cloudConnectionFor() maps the two.
    CloudTenantSettings connection;
    CloudSignInSecret secret;
    bool readGraph = true; // Graph users (on-premises anchors, delta)
    bool readExo = true;   // Exchange Online mailboxes
    bool readCloudSync = false; // Cloud Sync's writeback jobs, schemas and provisioning log (Graph), after the rest
    CloudSyncReadOptions cloudSync;
    ExoAdminApi exoApi = ExoAdminApi::InvokeCommand;
    // Get-Mailbox slices read at once (ExoMailboxSliceReader); 1: one stream. V2 is always one stream.
    int exoParallel = 4;
    RetryPolicy retryPolicy; // also the size and time limits of each page (maxPageBytes, requestTimeoutMsecs)
    TransferLimits tokenLimits = tokenEndpointLimits(); // token endpoint answers: 1 MiB, 60 s stall, 120 s in all
    // A rescan: the result of an earlier scan of the same tenant. With its deltaLink, Graph sends only the users
    // changed since, merged into its users; a 410 Gone (delta token too old) falls back to a full read. With a
    // usersResumeLink (an interrupted scan), Graph continues from that page instead.
    std::shared_ptr<const CloudScanResult> previous;
    // Incremental Exchange Online rescans: with a cache directory, Get-Mailbox reads only the mailboxes changed
    // since previous->exoCursor, merged into the mailboxes that scan kept; removals from Graph's delta round.
    ExoRescanPolicy exoRescan;
    int deviceCodeSecondMsecs = 1000; // tests shrink the service's polling "seconds"
};

// Reads Exchange Online and/or Graph on a thread of its own, with its own QNetworkAccessManagers and token
// provider, so the GUI stays responsive. Progress, the device code to show, and the result arrive as queued
// signals on the thread that owns this object. cancel() takes effect within a tenth of a second, also during a
// device code poll or a Retry-After wait; the page in flight is dropped (interrupted() says where to resume).
// No nested event loop in the caller.
class CloudLiveScan final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CloudLiveScan)

public:
    enum class Service : quint8 { Graph, ExchangeOnline, CloudSync };
    Q_ENUM(Service)

    explicit CloudLiveScan(QObject* parent = nullptr);
    ~CloudLiveScan() override; // cancels and waits for the worker

    // Ignored while a scan runs; once its outcome is out (in a slot of finished, failed or cancelled, or later), a
    // new scan starts after the old worker has ended.
    void start(CloudScanSettings settings);
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    // total is -1 when the service does not say (Get-Mailbox never does); itemsPerSecond since that service's
    // first request.
    void progress(sunset::CloudLiveScan::Service service, qint64 itemsSoFar, qint64 total, double itemsPerSecond);
    // Delegated sign-in: show this to the admin (open verificationUri, enter userCode); message is the
    // service's own sentence. Polling goes on until the admin finishes, declines, or the code expires.
    void deviceCode(const QString& userCode, const QUrl& verificationUri, const QString& message,
                    qint64 expiresInSeconds);
    void signedIn(); // the device code sign-in completed: the code can be hidden
    void finished(std::shared_ptr<const sunset::CloudScanResult> result);
    // Before failed() or cancelled(), when Graph users were read in full or in part: what a later scan can
    // start from (pass it as CloudScanSettings::previous), so that the pages read are not read again.
    void interrupted(std::shared_ptr<const sunset::CloudScanResult> partial);
    // What failed, naming the request and how far the scan got ("…; 3000 mailboxes were read in 3 pages …").
    void failed(const QString& message);
    void cancelled();

private:
    bool m_outcomeDelivered = false; // finished, failed or cancelled was emitted: start() may wait for the worker
    BackgroundTask<void> m_task{this, QStringLiteral("sunset-cloud-scan")};
};

} // namespace sunset
