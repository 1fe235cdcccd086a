// SPDX-License-Identifier: Apache-2.0
#include "CloudSource.h"

#include "CloudConnection.h"
#include "CloudScanState.h"
#include "CloudSyncClient.h"
#include "TokenProvider.h"

#include "platform/ClientFuture.h"

#include <QEventLoop>
#include <QFutureWatcher>
#include <QPromise>
#include <QSslConfiguration>
#include <QTimer>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// The keyring answers through a callback; the store is kept until it has (deleted with the answer).
template <typename T> struct KeyringAnswer final {
    SecretStore* store = new SecretStore;
    std::shared_ptr<QPromise<T>> promise = std::make_shared<QPromise<T>>();

    KeyringAnswer() { promise->start(); }
    auto done() const
    {
        return [store = store, promise = promise](const T& answer) {
            promise->addResult(answer);
            promise->finish();
            store->deleteLater();
        };
    }
};

} // namespace

QFuture<SecretResult<QByteArray>> recallSecret(const SecretKey& key)
{
    KeyringAnswer<SecretResult<QByteArray>> answer;
    answer.store->recall(key, answer.store, answer.done());
    return answer.promise->future();
}

QFuture<std::optional<SecretStoreError>> storeSecret(const SecretKey& key, const std::optional<QByteArray>& secret)
{
    KeyringAnswer<std::optional<SecretStoreError>> answer;
    if (secret)
        answer.store->remember(key, *secret, answer.store, answer.done());
    else
        answer.store->forget(key, answer.store, answer.done());
    return answer.promise->future();
}

QString describeSecretKey(const SecretKey& key)
{
    const QString what = key.kind == SecretKey::Kind::ClientSecret ? u"client secret"_s : u"certificate password"_s;
    return u"the %1 of %2 in %3"_s.arg(what, key.clientId, key.tenant);
}

QString cloudServiceName(CloudLiveScan::Service service)
{
    switch (service) {
    case CloudLiveScan::Service::Graph:
        return u"Entra ID users"_s;
    case CloudLiveScan::Service::CloudSync:
        return u"Cloud Sync's jobs and provisioning log"_s;
    default:
        return u"Exchange Online mailboxes"_s;
    }
}

Result<Snapshot> scanCloudSnapshot(const CloudSettings& cloud, const SourceReport& report, GraphDirectory& graph,
                                   const std::atomic_bool* cancel, const CloudScanProgress& progress,
                                   std::shared_ptr<const CloudSyncState>* cloudSync)
{
    CloudScanSettings settings = cloud.scan;
    if (!cloud.extraCaCertificates.isEmpty()) {
        // sunset-cli reads one tenant per process: the extra trust anchors go into the default configuration
        // every request of this process starts from. Verification stays on.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(cloud.extraCaCertificates);
        QSslConfiguration::setDefaultConfiguration(tls);
    }
    const CloudConnection connection = cloudConnectionFor(settings.connection, settings.secret);
    const QString tenant = connection.credentials.tenant;
    const QUrl graphEndpoint = connection.graphEndpoint;
    if (!cloud.fullScan) {
        Result<std::optional<CloudScanState>> kept = loadCloudScanState(cloud.stateDirectory);
        if (!kept) {
            report.warn(kept.error().toString() + u"; reading every user."_s);
            settings.exoRescan.fullReason = u"the kept state cannot be read"_s;
        } else if (kept.value()) {
            settings.previous = kept.value()->asPrevious(tenant, graphEndpoint);
        }
        if (settings.previous &&
            !(settings.previous->deltaLink.isEmpty() && settings.previous->usersResumeLink.isEmpty()))
            report.tell(u"Reading only the Entra ID users changed since "_s +
                        kept.value()->savedAt.toString(Qt::ISODate) +
                        (settings.previous->usersResumeLink.isEmpty() ? QString()
                                                                      : u" (continuing the interrupted read)"_s) +
                        u" (--full-scan reads all)."_s);
    }
    auto save = [&](const CloudScanResult& result) {
        if (auto saved =
                saveCloudScanState(cloud.stateDirectory, CloudScanState::fromResult(tenant, graphEndpoint, result));
            !saved)
            report.warn(saved.error().toString() + u" (the next run reads every user)"_s);
    };

    // Blocking by design (sunset-cli's commands and the wizard's worker threads call it): the scan's signals are
    // delivered to this thread's local loop. The desktop app's scan drives CloudLiveScan itself, without a loop.
    CloudLiveScan scan;
    QEventLoop loop;
    std::shared_ptr<const CloudScanResult> result;
    QString failure;
    if (progress)
        QObject::connect(&scan, &CloudLiveScan::progress, &loop, progress);
    QObject::connect(&scan, &CloudLiveScan::deviceCode, &loop,
                     [&](const QString& userCode, const QUrl& uri, const QString& message, qint64 expiresIn) {
                         // The service's own sentence names the URL and the code; say both in case it is empty.
                         report.tell(
                             (message.isEmpty()
                                  ? u"To sign in, open %1 and enter the code %2."_s.arg(uri.toString(), userCode)
                                  : message) +
                             u" (The code expires in %1 minutes; waiting for the sign-in.)"_s.arg(expiresIn / 60));
                     });
    QObject::connect(&scan, &CloudLiveScan::signedIn, &loop, [&] { report.tell(u"Signed in."_s); });
    QObject::connect(&scan, &CloudLiveScan::interrupted, &loop,
                     [&](std::shared_ptr<const CloudScanResult> partial) { save(*partial); });
    QObject::connect(&scan, &CloudLiveScan::finished, &loop, [&](std::shared_ptr<const CloudScanResult> r) {
        result = std::move(r);
        loop.quit();
    });
    QObject::connect(&scan, &CloudLiveScan::failed, &loop, [&](const QString& message) {
        failure = message;
        loop.quit();
    });
    QObject::connect(&scan, &CloudLiveScan::cancelled, &loop, [&] {
        failure = u"The Exchange Online read was cancelled."_s;
        loop.quit();
    });
    QTimer cancelPoll; // the flag is set on another thread: look at it a few times a second
    if (cancel) {
        QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
            if (cancel->load())
                scan.cancel();
        });
        cancelPoll.start(100);
    }
    scan.start(std::move(settings));
    loop.exec();
    cancelPoll.stop();
    // Only a secret that signed in (the read finished) is worth keeping.
    if (cloud.rememberAs && result) {
        QFutureWatcher<std::optional<SecretStoreError>> stored;
        QObject::connect(&stored, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
        stored.setFuture(storeSecret(*cloud.rememberAs, cloud.rememberSecret));
        loop.exec();
        if (const auto failure = stored.result())
            report.warn(failure->message + u"; the secret was used for this run only."_s);
        else
            report.tell(u"Remembered "_s + describeSecretKey(*cloud.rememberAs) + u" in the desktop keyring."_s);
    }
    if (!result)
        return ImportError{{}, 0, {}, failure};
    save(*result);
    graph = result->users;
    if (cloudSync)
        *cloudSync = result->cloudSync;
    if (result->usersFromDelta)
        report.tell(u"%1 Entra ID users changed since the last run."_s.arg(result->userChanges));
    if (cloud.scan.readExo) {
        report.tell(describeExoRead(*result) +
                    (result->exoRead.incremental ? u" --full-scan reads every mailbox."_s : QString()));
        if (!result->exoRead.cacheProblem.isEmpty())
            report.warn(u"the mailboxes could not be kept for the next rescan ("_s + result->exoRead.cacheProblem +
                        u"); it reads every mailbox."_s);
    }
    return result->mailboxes;
}

QFuture<Result<std::shared_ptr<const CloudSyncState>>> readCloudSyncJobsLive(const CloudSettings& cloud,
                                                                             QObject* owner)
{
    auto client = signedInClient(cloud.scan, [](TokenProvider* tokens, const CloudConnection& connection) {
        auto sync = std::make_unique<CloudSyncClient>(connection.graphEndpoint, tokens);
        sync->setResource(connection.graphResource);
        return sync;
    });
    CloudSyncReadOptions options = cloud.scan.cloudSync;
    options.readProvisioningLog = false;
    client->setOptions(options);
    return clientFuture(
        std::move(client), [](CloudSyncClient& c) { c.start(); },
        [](CloudSyncClient& c, bool ok) -> Result<std::shared_ptr<const CloudSyncState>> {
            if (!ok)
                return ImportError{{}, 0, {}, u"the read of Cloud Sync's jobs was cancelled"_s};
            // Jobs left unread (a permission lacking) stay so inside the state, with the reason: the check says it.
            return std::shared_ptr<const CloudSyncState>(std::make_shared<CloudSyncState>(c.takeState()));
        },
        owner);
}

} // namespace sunset
