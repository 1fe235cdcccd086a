// SPDX-License-Identifier: Apache-2.0
#include "SecretStore.h"

#include <QLoggingCategory>

#include <qt6keychain/keychain.h>

namespace sunset {

namespace {
// What the keyring was asked and answered (never a secret): "sunset.secrets".
Q_LOGGING_CATEGORY(lcSecrets, "sunset.secrets")
} // namespace

using namespace Qt::Literals::StringLiterals;

namespace {

SecretStoreError describe(QKeychain::Error error, const QString& detail, const QString& entry)
{
    switch (error) {
    case QKeychain::EntryNotFound:
        return {SecretStoreError::Reason::NotFound,
                u"nothing is remembered for %1 in the desktop keyring"_s.arg(entry)};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return {SecretStoreError::Reason::NoKeyring,
                u"no desktop keyring is available (%1); Sunset keeps secrets only there, never in a file. "
                "Start a keyring service (GNOME Keyring or KWallet) in your desktop session, or give the "
                "secret each time"_s.arg(detail)};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return {SecretStoreError::Reason::AccessDenied,
                u"the desktop keyring refused access to %1 (%2); unlock it and try again"_s.arg(entry, detail)};
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
    case QKeychain::NoError:
        break;
    }
    // On Linux QtKeychain reports an unreachable session bus or keyring daemon as OtherError with the D-Bus
    // (GDBus, libsecret or KWallet) message; those mean "no keyring here", not a failing keyring.
    static const QLatin1StringView unreachable[] = {
        "Could not connect"_L1,
        "org.freedesktop.DBus"_L1,
        "ServiceUnknown"_L1,
        "not provided by any"_L1,
        "D-Bus"_L1,
        "DBus"_L1,
        "kwalletd"_L1,
        "Cannot autolaunch"_L1,
    };
    for (const QLatin1StringView marker : unreachable) {
        if (detail.contains(marker, Qt::CaseInsensitive))
            return describe(QKeychain::NoBackendAvailable, detail, entry);
    }
    return {SecretStoreError::Reason::Failed, u"the desktop keyring failed for %1: %2"_s.arg(entry, detail)};
}

// Every job: never QtKeychain's insecure fallback, which would write the secret to a settings file in clear.
template <typename Job> Job* newJob(const QString& service, const QString& entry)
{
    auto* job = new Job(service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(entry);
    return job;
}

} // namespace

SecretStore::SecretStore(QObject* parent)
    : QObject(parent)
    , m_service(serviceName())
{
}

SecretStore::~SecretStore() = default;

QString SecretStore::serviceName()
{
    return u"Sunset"_s;
}

QString SecretStore::entryName(const SecretKey& key)
{
    const QString kind = key.kind == SecretKey::Kind::ClientSecret          ? u"client-secret"_s
                         : key.kind == SecretKey::Kind::CertificatePassword ? u"certificate-password"_s
                                                                            : u"ad-bind-password"_s;
    return kind + u'/' + key.tenant.toLower() + u'/' + key.clientId.toLower();
}

void SecretStore::track(QKeychain::Job* job)
{
    ++m_jobsUnderWay;
    connect(job, &QKeychain::Job::finished, this, [this] { --m_jobsUnderWay; });
}

void SecretStore::remember(const SecretKey& key, const QByteArray& secret, QObject* context, Done done)
{
    const QString entry = entryName(key);
    auto* job = newJob<QKeychain::WritePasswordJob>(m_service, entry);
    job->setBinaryData(secret);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this,
            [entry, guard, hadContext = context != nullptr, done](QKeychain::Job* j) {
                if (hadContext && !guard)
                    return;
                if (j->error() == QKeychain::NoError) {
                    qCInfo(lcSecrets).noquote() << "remembered" << entry << "in the desktop keyring";
                    done(SecretResult<void>());
                    return;
                }
                const SecretStoreError error = describe(j->error(), j->errorString(), entry);
                qCWarning(lcSecrets).noquote() << error.message;
                done(error);
            });
    track(job);
    job->start();
}

void SecretStore::recall(const SecretKey& key, QObject* context, Recalled done)
{
    const QString entry = entryName(key);
    auto* job = newJob<QKeychain::ReadPasswordJob>(m_service, entry);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this,
            [entry, guard, hadContext = context != nullptr, done](QKeychain::Job* j) {
                if (hadContext && !guard)
                    return;
                if (j->error() == QKeychain::NoError) {
                    done(static_cast<QKeychain::ReadPasswordJob*>(j)->binaryData());
                    return;
                }
                done(describe(j->error(), j->errorString(), entry));
            });
    track(job);
    job->start();
}

void SecretStore::forget(const SecretKey& key, QObject* context, Done done)
{
    const QString entry = entryName(key);
    auto* job = newJob<QKeychain::DeletePasswordJob>(m_service, entry);
    QPointer<QObject> guard(context);
    connect(job, &QKeychain::Job::finished, this,
            [entry, guard, hadContext = context != nullptr, done](QKeychain::Job* j) {
                if (hadContext && !guard)
                    return;
                if (j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound) {
                    done(SecretResult<void>());
                    return;
                }
                done(describe(j->error(), j->errorString(), entry));
            });
    track(job);
    job->start();
}

} // namespace sunset
