// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"
#include "CloudHttp.h"
#include "ImportError.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace sunset {

// An application's certificate credential: the private key that signs client assertions and the certificate
// registered with the app (its DER bytes give the thumbprint the assertion names). OpenSSL stays in the .cpp.
class ClientCertificate final {
public:
    // PEM private key (PKCS#8 or PKCS#1, unencrypted) and PEM certificate, e.g. both from one file.
    // source names them in errors.
    static Result<ClientCertificate> fromPem(QByteArrayView keyPem, QByteArrayView certificatePem,
                                             const QString& source);

    // A PKCS#12 file (.pfx, as the Windows certificate export writes it) with its password (may be empty).
    static Result<ClientCertificate> fromPkcs12(QByteArrayView pfx, const QByteArray& password, const QString& source);

    // The app's certificate file as the admin has it: a .pfx/.p12 (told by its name, see isPkcs12File) opened with
    // its password, else PEM holding both the key and the certificate. path names it in errors.
    static Result<ClientCertificate> fromFileContents(QByteArrayView contents, const QByteArray& pkcs12Password,
                                                      const QString& path);
    static bool isPkcs12File(const QString& path); // .pfx or .p12, whatever the case

    const QByteArray& certificateDer() const { return m_der; }
    QByteArray thumbprintSha256() const; // base64url, for "x5t#S256"
    QByteArray thumbprintSha1() const;   // base64url, for "x5t"

    enum class Algorithm : quint8 { PS256, RS256 };
    // Signature over data; empty on an OpenSSL failure (logged).
    QByteArray sign(QByteArrayView data, Algorithm algorithm) const;

private:
    struct Key;
    // Takes ownership of both (EVP_PKEY* and X509*, kept out of this header).
    static Result<ClientCertificate> fromKeyAndCertificate(void* pkey, void* x509, const QString& source);
    std::shared_ptr<const Key> m_key;
    QByteArray m_der;
};

// Credentials for the token endpoint: app-only (client credentials grant with a secret or a certificate), or
// delegated (an admin signs in by device code; clientId is then a public client and neither secret nor
// certificate is given).
struct AppCredentials {
    QString tenant;                               // GUID or domain ("contoso.onmicrosoft.com")
    QString clientId;                             // application (client) id
    QString clientSecret;                         // either this ...
    std::optional<ClientCertificate> certificate; // ... or this ...
    bool delegated = false;                       // ... or the device code flow
    // Current documentation: PS256 with "x5t#S256". Older registrations: RS256 with "x5t" (SHA-1).
    bool legacyRs256X5t = false;
};

// What the token endpoint answered to one sign-in: the access token and its lifetime. Pure, for the sign-in and
// its fuzzer (tests/fuzz): any other status, a body that is not the expected JSON, an empty access_token or a
// non-positive expires_in is an ImportError naming request.
struct TokenAnswer {
    QByteArray accessToken;
    qint64 expiresInSeconds = 0;
};
Result<TokenAnswer> parseTokenAnswer(int status, QByteArrayView contentType, QByteArrayView body,
                                     const QString& request);

// Gets access tokens from the Microsoft identity platform v2 token endpoint, one per resource
// ("https://graph.microsoft.com", "https://outlook.office365.com"), keeps them in memory only and asks for a
// new one shortly before expiry. Concurrent requests for one resource share one sign-in.
// Delegated: the first resource asked for starts the device code flow (deviceCode() tells what to show) with
// offline_access; the refresh token it gives (memory only) then gets the other resource's token and every
// renewal, so the admin signs in once per run.
class DeviceCodeSignIn;

class TokenProvider final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenProvider)

public:
    // authority: the login host as a base URL ("https://login.microsoftonline.com", "https://login.microsoftonline.us",
    // "https://login.chinacloudapi.cn", or the emulator on loopback).
    TokenProvider(const QUrl& authority, AppCredentials credentials, QObject* parent = nullptr);
    ~TokenProvider() override;

    // Empty when the authority and credentials can be used, otherwise why not.
    QString check() const;

    using TokenCallback = std::function<void(const Result<QByteArray>& accessToken)>;
    // Calls back (always asynchronously) with a valid token for resource, unless context is gone by then.
    // A failed sign-in gives an ImportError naming the token request and the AADSTS message.
    void accessToken(const QString& resource, QObject* context, TokenCallback callback);

    // The resource answered 401 with token: drop it so the next accessToken() signs in again.
    void invalidate(const QString& resource, const QByteArray& token);

    // The clock token lifetimes and client assertions are reckoned on (the real one unless a test sets its own,
    // to let a token expire without waiting); must outlive this provider.
    void setClock(const Clock& clock) { m_clock = &clock; }
    // Renew this long before expiry (default 5 minutes, at most half the lifetime).
    void setRenewLeadSeconds(int seconds) { m_renewLeadSeconds = seconds; }
    // Size and time limits on the token endpoint's answers (default tokenEndpointLimits(): 1 MiB, 60 s without
    // a byte, 120 s in all). Client credential and refresh requests; the device code flow uses the defaults.
    void setTransferLimits(const TransferLimits& limits) { m_limits = limits; }
    int signInCount() const { return m_signIns; }    // for tests and logs: token requests sent
    int refreshCount() const { return m_refreshes; } // delegated: refresh_token grants sent

    QUrl tokenUrl() const;

    // Delegated: the signed-in admin's user name (preferred_username of the id_token), once known.
    const QString& signedInUser() const { return m_signedInUser; }
    // Delegated: how long one "second" of the device code polling interval is (tests shrink it).
    void setDeviceCodeSecondMsecs(int msecs) { m_deviceSecondMsecs = msecs; }
    void cancelSignIn(); // stops a device code sign-in in progress; waiting callers get a "cancelled" error

Q_SIGNALS:
    void deviceCode(const QString& userCode, const QUrl& verificationUri, const QString& message,
                    qint64 expiresInSeconds);
    void signedIn(); // the device code sign-in completed

private:
    struct Waiter {
        QPointer<QObject> context;
        bool hadContext = false;
        TokenCallback callback;
    };
    struct Entry {
        QByteArray token;
        qint64 renewAtMsecs = 0;
        QNetworkReply* pending = nullptr;
        bool awaitingDeviceCode = false; // delegated: waits for the admin's sign-in
        std::vector<Waiter> waiters;
    };

    void signIn(const QString& resource);
    void startDeviceCode(const QString& resource);
    void finishDeviceCode(bool ok);
    void post(const QString& resource, const QByteArray& body);
    void finishSignIn(const QString& resource, QNetworkReply* reply);
    void deliver(const QString& resource, const Result<QByteArray>& result);
    QByteArray clientAssertion() const;

    QUrl m_authority;
    AppCredentials m_credentials;
    QNetworkAccessManager* m_network;
    QHash<QString, Entry> m_entries;
    const Clock* m_clock = &Clock::system();
    int m_renewLeadSeconds = 300;
    TransferLimits m_limits = tokenEndpointLimits();
    int m_signIns = 0;
    int m_refreshes = 0;
    // Delegated sign-in state. The refresh token never leaves memory.
    DeviceCodeSignIn* m_deviceSignIn = nullptr;
    QString m_deviceResource;
    QByteArray m_refreshToken;
    QString m_signedInUser;
    int m_deviceSecondMsecs = 1000;
};

} // namespace sunset
