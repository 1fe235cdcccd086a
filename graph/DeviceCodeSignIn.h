// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace sunset {

// Delegated sign-in for an admin at the keyboard, by the device code flow of the Microsoft identity platform v2:
// POST {authority}/{tenant}/oauth2/v2.0/devicecode, show the user code and the verification URL (codeReady), then
// poll the token endpoint every `interval` seconds: authorization_pending → poll again, slow_down → 5 s more
// (RFC 8628; Entra does not document it), a timeout → twice the interval; authorization_declined,
// expired_token and bad_verification_code end the sign-in with that message.
class DeviceCodeSignIn final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeviceCodeSignIn)

public:
    DeviceCodeSignIn(const QUrl& authority, const QString& tenant, const QString& clientId, QObject* parent = nullptr);
    ~DeviceCodeSignIn() override;

    // scope: space-separated, one resource, e.g. "https://outlook.office365.com/.default offline_access".
    void start(const QString& scope);
    void cancel();

    const QByteArray& accessToken() const { return m_accessToken; }
    const QByteArray& refreshToken() const { return m_refreshToken; } // with offline_access
    const QByteArray& idToken() const { return m_idToken; }           // with openid
    qint64 expiresInSeconds() const { return m_expiresIn; }
    const std::optional<ImportError>& error() const { return m_error; }
    int polls() const { return m_polls; }
    // The wait between polls, in the service's seconds: its interval, +5 after each slow_down, doubled after a
    // timeout. What tests assert on instead of measuring the wait.
    qint64 intervalSeconds() const { return m_intervalSeconds; }

    // How long one "second" of the service's interval is. Tests shrink it; 1000 otherwise.
    void setSecondMsecs(int msecs) { m_secondMsecs = msecs; }

Q_SIGNALS:
    // Show this to the admin: open verificationUri and enter userCode. message is the service's own sentence.
    void codeReady(const QString& userCode, const QUrl& verificationUri, const QString& message,
                   qint64 expiresInSeconds);
    void finished(bool ok);

private:
    QUrl endpoint(const QString& leaf) const;
    void onDeviceCode(QNetworkReply* reply);
    void poll();
    void onPoll(QNetworkReply* reply);
    void schedule();
    void fail(const QString& request, const QString& message);

    QUrl m_authority;
    QString m_tenant;
    QString m_clientId;
    QNetworkAccessManager* m_network;
    QNetworkReply* m_reply = nullptr;
    QTimer m_timer;
    QByteArray m_deviceCode;
    qint64 m_intervalSeconds = 5;
    qint64 m_deadlineMsecs = 0;
    int m_secondMsecs = 1000;
    int m_polls = 0;
    QByteArray m_accessToken;
    QByteArray m_refreshToken;
    QByteArray m_idToken;
    qint64 m_expiresIn = 0;
    std::optional<ImportError> m_error;
};

} // namespace sunset
