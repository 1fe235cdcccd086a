// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudConnection.h"
#include "CloudLiveScan.h"
#include "ImportError.h"
#include "Snapshot.h"
#include "SourceReport.h"
#include "TokenProvider.h"
#include "platform/SecretStore.h"

#include <QFuture>
#include <QList>
#include <QSslCertificate>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace sunset {

// Exchange Online and Entra ID read live (sunset-cli diff --tenant, checklist, provision-on-demand; the wizard's
// checks): app-only sign-in (client secret or certificate) or an admin's device code sign-in, Graph users (by
// delta when an earlier run of this profile left its state), then Get-Mailbox through the admin API.
struct CloudSettings {
    CloudScanSettings scan;
    QList<QSslCertificate> extraCaCertificates; // trusted besides the system's: scan.connection.caFile's, read
    QString stateDirectory;                     // the profile's directory for the delta state
    bool fullScan = false;                      // ignore the kept state
    // Kept in the desktop keyring under this key once the sign-in worked (sunset-cli's --remember-secret).
    std::optional<SecretKey> rememberAs;
    QByteArray rememberSecret;
};

// What the cloud read has done so far, per service, as CloudLiveScan::progress says it.
using CloudScanProgress =
    std::function<void(CloudLiveScan::Service service, qint64 done, qint64 total, double perSecond)>;
// "Entra ID users", "Exchange Online mailboxes", …: what a progress line reads.
QString cloudServiceName(CloudLiveScan::Service service);

// What a live cloud read gives: every mailbox (joined to the users), the Graph users, and Cloud Sync's state when
// settings.scan.readCloudSync asked for it (parts the app may not read are unread inside it, with the reason).
struct CloudSnapshotRead {
    Snapshot mailboxes;
    GraphDirectory users;
    std::shared_ptr<const CloudSyncState> cloudSync;
};

// Signs in (a device code sign-in's message is a note to report), reads the Graph users (by delta from the
// profile's kept state, which it then updates), then every mailbox, through CloudLiveScan: its own worker thread
// reads, this thread's event loop hears it (report and progress are called here), so call it on a thread with an
// event loop (the GUI's, or sunset-cli's while it waits at its edge). When settings.rememberAs is set, the secret
// is then stored in the desktop keyring (a keyring that cannot is a warning: the secret was used for this run
// only). Cancelling the future stops the scan within a fraction of a second (the future then carries nothing).
// owner, when given, bounds the read's life.
QFuture<Result<CloudSnapshotRead>> readCloudSnapshot(const CloudSettings& settings, const SourceReport& report,
                                                     const CloudScanProgress& progress = {}, QObject* owner = nullptr);

// A cloud client with its own sign-in (a TokenProvider made from settings, kept as long as the client: a child of
// it, deleted after the client's own parts), for the services' async reads (clientFuture).
// make(tokens, connection) builds the client from the tenant's connection (cloudConnectionFor: endpoints, token
// audiences): std::make_unique<CloudSyncClient>(connection.graphEndpoint, tokens), its audience set.
template <typename Make>
auto signedInClient(const CloudScanSettings& settings, Make make)
    -> decltype(make(static_cast<TokenProvider*>(nullptr), std::declval<const CloudConnection&>()))
{
    const CloudConnection connection = cloudConnectionFor(settings.connection, settings.secret);
    auto tokens = std::make_unique<TokenProvider>(connection.authority, connection.credentials);
    tokens->setTransferLimits(settings.tokenLimits);
    auto client = make(tokens.get(), connection);
    tokens.release()->setParent(client.get());
    return client;
}

// Cloud Sync's writeback jobs and their schemas, read live with the cloud's credentials (no provisioning log: the
// decommission checklist and provision-on-demand need the jobs only), on this thread's event loop (clientFuture;
// owner bounds its life). A permission lacking leaves the jobs unread inside the state, with the permission named;
// an error only when the client stopped.
QFuture<Result<std::shared_ptr<const CloudSyncState>>> readCloudSyncJobsLive(const CloudSettings& cloud,
                                                                             QObject* owner = nullptr);

// The desktop keyring's answer as a future (sunset-cli waits for it at its edge). storeSecret with nullopt forgets
// the key.
QFuture<SecretResult<QByteArray>> recallSecret(const SecretKey& key);
QFuture<SecretResult<void>> storeSecret(const SecretKey& key, const std::optional<QByteArray>& secret);
// "the client secret of <app> in <tenant>": a remembered secret as messages name it.
QString describeSecretKey(const SecretKey& key);

} // namespace sunset
