// SPDX-License-Identifier: Apache-2.0
#include "CloudSource.h"

#include "CloudConnection.h"
#include "CloudScanState.h"
#include "CloudSyncClient.h"
#include "TokenProvider.h"

#include "platform/AsyncRun.h"
#include "platform/ClientFuture.h"
#include "platform/WhenFinished.h"

#include <QPromise>
#include <QSslConfiguration>

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

QFuture<SecretResult<void>> storeSecret(const SecretKey& key, const std::optional<QByteArray>& secret)
{
    KeyringAnswer<SecretResult<void>> answer;
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

namespace {

// One live read of the tenant (readCloudSnapshot): a CloudLiveScan (which reads on a worker thread of its own),
// heard on this run's thread; the kept delta state read before and saved after; the secret remembered once it has
// signed in.
class CloudSnapshotRun final : public AsyncRun<Result<CloudSnapshotRead>> {
public:
    CloudSnapshotRun(CloudSettings cloud, SourceReport report, CloudScanProgress progress, QObject* owner)
        : AsyncRun<Result<CloudSnapshotRead>>(owner)
        , m_cloud(std::move(cloud))
        , m_report(std::move(report))
    {
        const CloudConnection connection = cloudConnectionFor(m_cloud.scan.connection, m_cloud.scan.secret);
        m_tenant = connection.credentials.tenant;
        m_graphEndpoint = connection.graphEndpoint;
        if (progress)
            QObject::connect(&m_scan, &CloudLiveScan::progress, this, std::move(progress));
        QObject::connect(&m_scan, &CloudLiveScan::deviceCode, this,
                         [this](const QString& userCode, const QUrl& uri, const QString& message, qint64 expiresIn) {
                             // The service's own sentence names the URL and the code; say both in case it is empty.
                             m_report.tell(
                                 (message.isEmpty()
                                      ? u"To sign in, open %1 and enter the code %2."_s.arg(uri.toString(), userCode)
                                      : message) +
                                 u" (The code expires in %1 minutes; waiting for the sign-in.)"_s.arg(expiresIn / 60));
                         });
        QObject::connect(&m_scan, &CloudLiveScan::signedIn, this, [this] { m_report.tell(u"Signed in."_s); });
        QObject::connect(&m_scan, &CloudLiveScan::interrupted, this,
                         [this](std::shared_ptr<const CloudScanResult> partial) { save(*partial); });
        QObject::connect(
            &m_scan, &CloudLiveScan::finished, this,
            [this](std::shared_ptr<const CloudScanResult> result) { rememberThenDeliver(std::move(result)); });
        QObject::connect(&m_scan, &CloudLiveScan::failed, this, [this](const QString& message) {
            deliver(ImportError{{}, 0, {}, message});
            deleteLater();
        });
        QObject::connect(&m_scan, &CloudLiveScan::cancelled, this, [this] {
            deliver(ImportError{{}, 0, {}, u"The Exchange Online read was cancelled."_s});
            deleteLater();
        });
    }

    void start()
    {
        CloudScanSettings settings = m_cloud.scan;
        if (!m_cloud.extraCaCertificates.isEmpty()) {
            // sunset-cli reads one tenant per process: the extra trust anchors go into the default configuration
            // every request of this process starts from. Verification stays on.
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.addCaCertificates(m_cloud.extraCaCertificates);
            QSslConfiguration::setDefaultConfiguration(tls);
        }
        if (!m_cloud.fullScan)
            continueFromKeptState(settings);
        m_scan.start(std::move(settings));
    }

private:
    void continueFromKeptState(CloudScanSettings& settings) const
    {
        Result<std::optional<CloudScanState>> kept = loadCloudScanState(m_cloud.stateDirectory);
        if (!kept) {
            m_report.warn(kept.error().toString() + u"; reading every user."_s);
            settings.exoRescan.fullReason = u"the kept state cannot be read"_s;
            return;
        }
        if (kept.value())
            settings.previous = kept.value()->asPrevious(m_tenant, m_graphEndpoint);
        if (settings.previous &&
            !(settings.previous->deltaLink.isEmpty() && settings.previous->usersResumeLink.isEmpty()))
            m_report.tell(
                u"Reading only the Entra ID users changed since "_s + kept.value()->savedAt.toString(Qt::ISODate) +
                (settings.previous->usersResumeLink.isEmpty() ? QString() : u" (continuing the interrupted read)"_s) +
                u" (--full-scan reads all)."_s);
    }

    void save(const CloudScanResult& result) const
    {
        if (auto saved = saveCloudScanState(m_cloud.stateDirectory,
                                            CloudScanState::fromResult(m_tenant, m_graphEndpoint, result));
            !saved)
            m_report.warn(saved.error().toString() + u" (the next run reads every user)"_s);
    }

    // Only a secret that signed in (the read finished) is worth keeping.
    void rememberThenDeliver(std::shared_ptr<const CloudScanResult> result)
    {
        if (!m_cloud.rememberAs) {
            finish(*result);
            return;
        }
        whenFinished(storeSecret(*m_cloud.rememberAs, m_cloud.rememberSecret), this,
                     [this, result](QFuture<SecretResult<void>> stored) {
                         if (stored.resultCount() == 0 || !stored.result())
                             m_report.warn((stored.resultCount() > 0 ? stored.result().error().message
                                                                     : u"the desktop keyring did not answer"_s) +
                                           u"; the secret was used for this run only."_s);
                         else
                             m_report.tell(u"Remembered "_s + describeSecretKey(*m_cloud.rememberAs) +
                                           u" in the desktop keyring."_s);
                         finish(*result);
                     });
    }

    void finish(const CloudScanResult& result)
    {
        save(result);
        if (result.usersFromDelta)
            m_report.tell(u"%1 Entra ID users changed since the last run."_s.arg(result.userChanges));
        if (m_cloud.scan.readExo) {
            m_report.tell(describeExoRead(result) +
                          (result.exoRead.incremental ? u" --full-scan reads every mailbox."_s : QString()));
            if (!result.exoRead.cacheProblem.isEmpty())
                m_report.warn(u"the mailboxes could not be kept for the next rescan ("_s + result.exoRead.cacheProblem +
                              u"); it reads every mailbox."_s);
        }
        deliver(CloudSnapshotRead{result.mailboxes, result.users, result.cloudSync});
        deleteLater();
    }

    // The scan stops within a tenth of a second and then says cancelled, which deletes this run; until then it
    // is kept, so that its worker is not waited for here.
    void stop() override
    {
        m_scan.cancel();
        end();
        if (!m_scan.isRunning())
            deleteLater();
    }

    CloudSettings m_cloud;
    SourceReport m_report;
    QString m_tenant;
    QUrl m_graphEndpoint;
    CloudLiveScan m_scan; // last: destroyed first, while what its signals reach is still here
};

} // namespace

QFuture<Result<CloudSnapshotRead>> readCloudSnapshot(const CloudSettings& settings, const SourceReport& report,
                                                     const CloudScanProgress& progress, QObject* owner)
{
    auto* run = new CloudSnapshotRun(settings, report, progress, owner);
    QFuture<Result<CloudSnapshotRead>> future = run->future();
    run->start();
    return future;
}

QFuture<Result<std::shared_ptr<const CloudSyncState>>> readCloudSyncJobsLive(const CloudSettings& cloud, QObject* owner)
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
