// SPDX-License-Identifier: Apache-2.0
#include "TokenProvider.h"

#include "CloudHttp.h"
#include "DeviceCodeSignIn.h"
#include "GraphLogging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUuid>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray base64Url(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray digest(QByteArrayView data, const EVP_MD* md)
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    if (EVP_Digest(data.data(), size_t(data.size()), reinterpret_cast<unsigned char*>(out.data()), &length, md,
                   nullptr) != 1)
        return {};
    out.resize(length);
    return out;
}

QByteArray formEncode(std::initializer_list<std::pair<const char*, QByteArray>> fields)
{
    QByteArray body;
    for (const auto& [name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += name;
        body += '=';
        body += QByteArray(value).toPercentEncoding();
    }
    return body;
}

QString scopeOf(const QString& resource)
{
    return resource.endsWith(u'/') ? resource + u".default"_s : resource + u"/.default"_s;
}

// The user an id_token names. Its claims are meant for the client (unlike an access token's), and it came
// straight from the token endpoint over TLS, so it is read without checking the signature.
QString userOfIdToken(const QByteArray& idToken)
{
    const QList<QByteArray> parts = idToken.split('.');
    if (parts.size() < 2)
        return {};
    const QJsonObject claims =
        QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], QByteArray::Base64UrlEncoding)).object();
    const QString name = claims.value("preferred_username"_L1).toString();
    return name.isEmpty() ? claims.value("upn"_L1).toString() : name;
}

} // namespace

struct ClientCertificate::Key {
    EVP_PKEY* pkey = nullptr;
    ~Key() { EVP_PKEY_free(pkey); }
};

Result<ClientCertificate> ClientCertificate::fromPem(QByteArrayView keyPem, QByteArrayView certificatePem,
                                                     const QString& source)
{
    BIO* keyBio = BIO_new_mem_buf(keyPem.data(), int(keyPem.size()));
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey(keyBio, nullptr, nullptr, nullptr);
    BIO_free(keyBio);
    BIO* certBio = BIO_new_mem_buf(certificatePem.data(), int(certificatePem.size()));
    X509* cert = PEM_read_bio_X509(certBio, nullptr, nullptr, nullptr);
    BIO_free(certBio);
    ERR_clear_error(); // a failed PEM read leaves its reason queued; the message below says it
    if (!pkey) {
        X509_free(cert);
        return ImportError{source, 0, {}, u"no unencrypted PEM private key found (\"-----BEGIN PRIVATE KEY-----\")"_s};
    }
    if (!cert) {
        EVP_PKEY_free(pkey);
        return ImportError{source, 0, {}, u"no PEM certificate found (\"-----BEGIN CERTIFICATE-----\")"_s};
    }
    return fromKeyAndCertificate(pkey, cert, source);
}

Result<ClientCertificate> ClientCertificate::fromPkcs12(QByteArrayView pfx, const QByteArray& password,
                                                        const QString& source)
{
    BIO* bio = BIO_new_mem_buf(pfx.data(), int(pfx.size()));
    PKCS12* p12 = d2i_PKCS12_bio(bio, nullptr);
    BIO_free(bio);
    if (!p12) {
        ERR_clear_error();
        return ImportError{source, 0, {}, u"not a PKCS#12 (.pfx) file"_s};
    }
    EVP_PKEY* pkey = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* chain = nullptr;
    const QByteArray pass = password; // NUL-terminated copy
    const bool ok = PKCS12_parse(p12, pass.constData(), &pkey, &cert, &chain) == 1;
    PKCS12_free(p12);
    sk_X509_pop_free(chain, X509_free);
    ERR_clear_error();
    if (!ok)
        return ImportError{source, 0, {}, u"the PKCS#12 file could not be opened: wrong password or damaged file"_s};
    if (!pkey || !cert) {
        EVP_PKEY_free(pkey);
        X509_free(cert);
        return ImportError{source, 0, {}, u"the PKCS#12 file lacks the private key or the certificate"_s};
    }
    return fromKeyAndCertificate(pkey, cert, source);
}

bool ClientCertificate::isPkcs12File(const QString& path)
{
    return path.endsWith(u".pfx"_s, Qt::CaseInsensitive) || path.endsWith(u".p12"_s, Qt::CaseInsensitive);
}

Result<ClientCertificate> ClientCertificate::fromFileContents(QByteArrayView contents, const QByteArray& pkcs12Password,
                                                              const QString& path)
{
    return isPkcs12File(path) ? fromPkcs12(contents, pkcs12Password, path) : fromPem(contents, contents, path);
}

Result<ClientCertificate> ClientCertificate::fromKeyAndCertificate(void* pkeyHandle, void* x509Handle,
                                                                   const QString& source)
{
    auto key = std::make_shared<Key>();
    key->pkey = static_cast<EVP_PKEY*>(pkeyHandle);
    X509* cert = static_cast<X509*>(x509Handle);
    auto failure = [&](const QString& message) {
        ERR_clear_error();
        X509_free(cert);
        return ImportError{source, 0, {}, message};
    };
    if (EVP_PKEY_get_base_id(key->pkey) != EVP_PKEY_RSA)
        return failure(u"the private key is not an RSA key; Entra client assertions are signed PS256 or RS256"_s);
    if (X509_check_private_key(cert, key->pkey) != 1)
        return failure(u"the certificate does not belong to the private key"_s);
    unsigned char* der = nullptr;
    const int derLength = i2d_X509(cert, &der);
    if (derLength <= 0)
        return failure(u"the certificate could not be encoded"_s);
    ClientCertificate result;
    result.m_der = QByteArray(reinterpret_cast<const char*>(der), derLength);
    OPENSSL_free(der);
    X509_free(cert);
    result.m_key = std::move(key);
    return result;
}

QByteArray ClientCertificate::thumbprintSha256() const
{
    return base64Url(digest(m_der, EVP_sha256()));
}

QByteArray ClientCertificate::thumbprintSha1() const
{
    return base64Url(digest(m_der, EVP_sha1()));
}

QByteArray ClientCertificate::sign(QByteArrayView data, Algorithm algorithm) const
{
    if (!m_key)
        return {};
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX* pctx = nullptr;
    QByteArray signature;
    size_t length = 0;
    bool ok = EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, m_key->pkey) == 1;
    if (ok && algorithm == Algorithm::PS256) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1; // RFC 7518: salt = hash length
    }
    ok = ok && EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(data.data()),
                              size_t(data.size())) == 1;
    if (ok) {
        signature.resize(qsizetype(length));
        ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                            reinterpret_cast<const unsigned char*>(data.data()), size_t(data.size())) == 1;
        signature.resize(qsizetype(length));
    }
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        qCWarning(lcGraph) << "signing the client assertion failed";
        return {};
    }
    return signature;
}

TokenProvider::TokenProvider(const QUrl& authority, AppCredentials credentials, QObject* parent)
    : QObject(parent)
    , m_authority(authority)
    , m_credentials(std::move(credentials))
    , m_network(new QNetworkAccessManager(this))
{
}

TokenProvider::~TokenProvider()
{
    for (Entry& entry : m_entries) {
        if (entry.pending) {
            entry.pending->disconnect(this);
            entry.pending->abort();
        }
    }
}

QString TokenProvider::check() const
{
    if (QString error = checkEndpointUrl(m_authority, u"authority"_s); !error.isEmpty())
        return error;
    if (m_credentials.tenant.isEmpty())
        return u"no tenant given (its GUID or a domain such as contoso.onmicrosoft.com)"_s;
    if (m_credentials.clientId.isEmpty())
        return u"no client id given (the application id of the app registration)"_s;
    if (m_credentials.delegated) {
        if (!m_credentials.clientSecret.isEmpty() || m_credentials.certificate)
            return u"a device code sign-in uses a public client: give no client secret or certificate"_s;
        return {};
    }
    if (m_credentials.clientSecret.isEmpty() == !m_credentials.certificate)
        return u"give either a client secret or a certificate"_s;
    return {};
}

QUrl TokenProvider::tokenUrl() const
{
    QUrl url = m_authority;
    QString path = url.path();
    if (!path.endsWith(u'/'))
        path += u'/';
    url.setPath(path + QString::fromUtf8(QUrl::toPercentEncoding(m_credentials.tenant)) + u"/oauth2/v2.0/token"_s,
                QUrl::TolerantMode);
    return url;
}

void TokenProvider::accessToken(const QString& resource, QObject* context, TokenCallback callback)
{
    Entry& entry = m_entries[resource];
    entry.waiters.push_back({context, context != nullptr, std::move(callback)});
    if (entry.pending || entry.awaitingDeviceCode)
        return;
    if (!entry.token.isEmpty() && m_clock->nowMsecs() < entry.renewAtMsecs) {
        const QByteArray token = entry.token;
        QMetaObject::invokeMethod(
            this, [this, resource, token] { deliver(resource, token); }, Qt::QueuedConnection);
        return;
    }
    signIn(resource);
}

void TokenProvider::invalidate(const QString& resource, const QByteArray& token)
{
    auto it = m_entries.find(resource);
    if (it != m_entries.end() && it->token == token) {
        qCInfo(lcGraph) << "token for" << resource << "was refused; signing in again";
        it->token.clear();
    }
}

QByteArray TokenProvider::clientAssertion() const
{
    const ClientCertificate& cert = *m_credentials.certificate;
    QJsonObject header{{u"typ"_s, u"JWT"_s}};
    if (m_credentials.legacyRs256X5t) {
        header.insert(u"alg"_s, u"RS256"_s);
        header.insert(u"x5t"_s, QString::fromLatin1(cert.thumbprintSha1()));
    } else {
        header.insert(u"alg"_s, u"PS256"_s);
        header.insert(u"x5t#S256"_s, QString::fromLatin1(cert.thumbprintSha256()));
    }
    const qint64 now = m_clock->nowSecs();
    const QJsonObject claims{
        {u"aud"_s, tokenUrl().toString()},
        {u"iss"_s, m_credentials.clientId},
        {u"sub"_s, m_credentials.clientId},
        {u"jti"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)},
        {u"nbf"_s, now},
        {u"iat"_s, now},
        {u"exp"_s, now + 600},
    };
    const QByteArray signingInput = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                                    base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature =
        cert.sign(signingInput, m_credentials.legacyRs256X5t ? ClientCertificate::Algorithm::RS256
                                                             : ClientCertificate::Algorithm::PS256);
    if (signature.isEmpty())
        return {};
    return signingInput + '.' + base64Url(signature);
}

void TokenProvider::signIn(const QString& resource)
{
    const QString request = describeRequest("POST", tokenUrl());
    auto failLater = [this, resource, request](const QString& problem) {
        QMetaObject::invokeMethod(
            this,
            [this, resource, request, problem] {
                deliver(resource, ImportError{request, 0, {}, problem});
            },
            Qt::QueuedConnection);
    };
    if (const QString problem = check(); !problem.isEmpty()) {
        failLater(problem);
        return;
    }
    const QString scope = scopeOf(resource);
    if (m_credentials.delegated) {
        if (m_refreshToken.isEmpty()) {
            startDeviceCode(resource);
            return;
        }
        // The admin signed in once: the refresh token gets a token for this resource (the second one, or a
        // renewal). Entra rotates refresh tokens; the newest one is kept.
        ++m_refreshes;
        post(resource, formEncode({{"client_id", m_credentials.clientId.toUtf8()},
                                   {"grant_type", "refresh_token"},
                                   {"refresh_token", m_refreshToken},
                                   {"scope", (scope + u" offline_access openid profile"_s).toUtf8()}}));
        return;
    }
    QByteArray body;
    if (m_credentials.certificate) {
        const QByteArray assertion = clientAssertion();
        if (assertion.isEmpty()) {
            failLater(u"the client assertion could not be signed"_s);
            return;
        }
        body = formEncode({{"client_id", m_credentials.clientId.toUtf8()},
                           {"scope", scope.toUtf8()},
                           {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                           {"client_assertion", assertion},
                           {"grant_type", "client_credentials"}});
    } else {
        body = formEncode({{"client_id", m_credentials.clientId.toUtf8()},
                           {"scope", scope.toUtf8()},
                           {"client_secret", m_credentials.clientSecret.toUtf8()},
                           {"grant_type", "client_credentials"}});
    }
    post(resource, body);
}

void TokenProvider::post(const QString& resource, const QByteArray& body)
{
    QNetworkRequest req(tokenUrl());
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    req.setRawHeader("Accept", "application/json");
    applyTransferLimits(req, m_limits);
    ++m_signIns;
    qCInfo(lcGraph) << "signing in for" << resource << "at" << describeRequest("POST", tokenUrl());
    QNetworkReply* reply = m_network->post(req, body);
    watchTransferLimits(reply, m_limits);
    m_entries[resource].pending = reply;
    connect(reply, &QNetworkReply::finished, this, [this, resource, reply] { finishSignIn(resource, reply); });
}

void TokenProvider::startDeviceCode(const QString& resource)
{
    m_entries[resource].awaitingDeviceCode = true;
    if (m_deviceSignIn) // another resource's sign-in is under way; its refresh token will serve this one
        return;
    m_deviceResource = resource;
    m_deviceSignIn = new DeviceCodeSignIn(m_authority, m_credentials.tenant, m_credentials.clientId, this);
    m_deviceSignIn->setSecondMsecs(m_deviceSecondMsecs);
    connect(m_deviceSignIn, &DeviceCodeSignIn::codeReady, this, &TokenProvider::deviceCode);
    connect(m_deviceSignIn, &DeviceCodeSignIn::finished, this, &TokenProvider::finishDeviceCode);
    ++m_signIns;
    qCInfo(lcGraph) << "device code sign-in for" << resource;
    // offline_access: a refresh token for the second resource and renewals; openid profile: the admin's name
    // (for the Exchange admin API's X-AnchorMailbox).
    m_deviceSignIn->start(scopeOf(resource) + u" offline_access openid profile"_s);
}

void TokenProvider::cancelSignIn()
{
    if (m_deviceSignIn)
        m_deviceSignIn->cancel(); // finished(false) with "cancelled"
}

void TokenProvider::finishDeviceCode(bool ok)
{
    DeviceCodeSignIn* flow = std::exchange(m_deviceSignIn, nullptr);
    flow->deleteLater();
    const QString resource = std::exchange(m_deviceResource, QString());
    QStringList waiting;
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if (it->awaitingDeviceCode) {
            it->awaitingDeviceCode = false;
            if (it.key() != resource)
                waiting.append(it.key());
        }
    }
    if (!ok) {
        const ImportError error = *flow->error();
        deliver(resource, error);
        for (const QString& other : std::as_const(waiting))
            deliver(other, error);
        return;
    }
    m_refreshToken = flow->refreshToken();
    m_signedInUser = userOfIdToken(flow->idToken());
    const qint64 expiresIn = std::max<qint64>(1, flow->expiresInSeconds());
    const qint64 lead = std::min<qint64>(m_renewLeadSeconds, expiresIn / 2);
    Entry& entry = m_entries[resource];
    entry.token = flow->accessToken();
    entry.renewAtMsecs = m_clock->nowMsecs() + (expiresIn - lead) * 1000;
    Q_EMIT signedIn();
    if (m_refreshToken.isEmpty())
        qCWarning(lcGraph) << "the sign-in gave no refresh token; another resource will need another sign-in";
    deliver(resource, entry.token);
    for (const QString& other : std::as_const(waiting))
        signIn(other);
}

Result<TokenAnswer> parseTokenAnswer(int status, QByteArrayView contentType, QByteArrayView body,
                                     const QString& request)
{
    if (status != 200)
        return ImportError{request, 0, {}, u"sign-in failed: "_s + describeHttpFailure(status, contentType, body)};
    const QJsonObject answer = QJsonDocument::fromJson(body.toByteArray()).object();
    TokenAnswer result;
    result.accessToken = answer.value("access_token"_L1).toString().toLatin1();
    // A double from a server Sunset does not control: converting 1e300 to an integer is undefined, and a lifetime
    // of centuries would overflow the renewal time. Longer than a day is read as a day (renewing early is harmless).
    const double expiresIn = answer.value("expires_in"_L1).toDouble();
    constexpr qint64 kDay = 24 * 60 * 60;
    result.expiresInSeconds = expiresIn >= double(kDay) ? kDay : expiresIn >= 1 ? qint64(expiresIn) : 0;
    if (result.accessToken.isEmpty() || result.expiresInSeconds <= 0)
        return ImportError{request,
                           0,
                           {},
                           u"sign-in answer without access_token and expires_in: "_s +
                               describeHttpFailure(status, contentType, body)};
    return result;
}

void TokenProvider::finishSignIn(const QString& resource, QNetworkReply* reply)
{
    reply->deleteLater();
    Entry& entry = m_entries[resource];
    entry.pending = nullptr;
    const QString request = describeRequest("POST", reply->url());
    if (const LimitBreach breach = transferLimitBreach(reply); breach != LimitBreach::None) {
        deliver(resource, ImportError{request, 0, {}, u"sign-in failed: "_s + describeLimitBreach(breach, m_limits)});
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    const QByteArray contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    if (status != 200) {
        QString message = describeHttpFailure(status, contentType, body);
        if (status == 0)
            message = describeNetworkError(reply);
        if (m_credentials.delegated && status == 400 && message.contains("invalid_grant"_L1)) {
            // The refresh token was revoked or has expired: only a new sign-in helps.
            m_refreshToken.clear();
            message += u" (the admin's sign-in is no longer valid; sign in again)"_s;
        }
        deliver(resource, ImportError{request, 0, {}, u"sign-in failed: "_s + message});
        return;
    }
    Result<TokenAnswer> answer = parseTokenAnswer(status, contentType, body, request);
    if (!answer) {
        deliver(resource, answer.error());
        return;
    }
    if (m_credentials.delegated) {
        const QJsonObject json = QJsonDocument::fromJson(body).object();
        if (const QByteArray refresh = json.value("refresh_token"_L1).toString().toUtf8(); !refresh.isEmpty())
            m_refreshToken = refresh;
        if (const QString user = userOfIdToken(json.value("id_token"_L1).toString().toUtf8()); !user.isEmpty())
            m_signedInUser = user;
    }
    const QByteArray token = answer->accessToken;
    const qint64 expiresIn = answer->expiresInSeconds;
    const qint64 lead = std::min<qint64>(m_renewLeadSeconds, expiresIn / 2);
    entry.token = token;
    entry.renewAtMsecs = m_clock->nowMsecs() + (expiresIn - lead) * 1000;
    deliver(resource, token);
}

void TokenProvider::deliver(const QString& resource, const Result<QByteArray>& result)
{
    std::vector<Waiter> waiters;
    waiters.swap(m_entries[resource].waiters);
    for (Waiter& w : waiters) {
        if (w.hadContext && !w.context)
            continue;
        w.callback(result);
    }
}

} // namespace sunset
