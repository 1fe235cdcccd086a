// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

namespace QKeychain {
class Job;
}

namespace sunset {

// Which secret an entry holds: the client secret of an app registration, or the password of its certificate
// file (.pfx), where tenant and clientId name the registration; or the password of an AD simple bind, where
// tenant holds the domain controller's host and clientId the account bound as (UPN or DN).
struct SecretKey {
    enum class Kind : quint8 { ClientSecret, CertificatePassword, AdBindPassword };
    Kind kind = Kind::ClientSecret;
    QString tenant;
    QString clientId;
};

// Why the keyring did not answer as asked. message says it for an admin, with what to do.
struct SecretStoreError {
    enum class Reason : quint8 {
        NotFound,     // nothing remembered for this key
        NoKeyring,    // no keyring service (no Secret Service / KWallet on the session bus, e.g. over SSH or in CI)
        AccessDenied, // the keyring is locked and the admin refused to unlock it, or policy forbids access
        Failed,       // anything else the keyring reported
    };
    Reason reason = Reason::Failed;
    QString message;
};

template <typename T> using SecretResult = Expected<T, SecretStoreError>;

// Remembers a secret in the desktop keyring (Secret Service such as GNOME Keyring or KWallet on Linux, the
// Keychain on macOS, the Credential Manager on Windows) through QtKeychain, only when the admin asks Sunset
// to. Never anywhere else: QtKeychain's plaintext fallback (a settings file) is switched off for every job,
// so without a keyring the answer is a NoKeyring error, not a file. Asynchronous: each call answers once,
// later, on the caller's thread, unless context is gone by then.
class SecretStore final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    explicit SecretStore(QObject* parent = nullptr);
    ~SecretStore() override;

    // The keyring service name Sunset's entries are filed under ("Sunset"), and one entry's name
    // ("client-secret/<tenant>/<client id>", "certificate-password/<tenant>/<client id>",
    // "ad-bind-password/<server>/<bind dn>").
    static QString serviceName();
    static QString entryName(const SecretKey& key);

    using Done = std::function<void(const SecretResult<void>& outcome)>; // ok, or why the keyring would not
    using Recalled = std::function<void(const SecretResult<QByteArray>& secret)>;

    void remember(const SecretKey& key, const QByteArray& secret, QObject* context, Done done);
    void recall(const SecretKey& key, QObject* context, Recalled done);
    void forget(const SecretKey& key, QObject* context, Done done); // forgetting nothing is no error

    // Tests file their entries under another service name, so they never touch the admin's.
    void setServiceName(const QString& service) { m_service = service; }

    // Keyring calls not answered yet. Tests wait for 0 to know that nothing asynchronous is left that could
    // still remember, forget or report (instead of sleeping and hoping it was long enough).
    int jobsUnderWay() const { return m_jobsUnderWay; }

private:
    void track(QKeychain::Job* job);

    QString m_service;
    int m_jobsUnderWay = 0;
};

} // namespace sunset
