// SPDX-License-Identifier: Apache-2.0
#include "DeviceCodeSignIn.h"

#include "CloudHttp.h"
#include "GraphLogging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray form(std::initializer_list<std::pair<const char*, QByteArray>> fields)
{
    QByteArray body;
    for (const auto& [name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QByteArray(name) + '=' + QByteArray(value).toPercentEncoding();
    }
    return body;
}

} // namespace

DeviceCodeSignIn::DeviceCodeSignIn(const QUrl& authority, const QString& tenant, const QString& clientId,
                                   QObject* parent)
    : QObject(parent)
    , m_authority(authority)
    , m_tenant(tenant)
    , m_clientId(clientId)
    , m_network(new QNetworkAccessManager(this))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DeviceCodeSignIn::poll);
}

DeviceCodeSignIn::~DeviceCodeSignIn()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

QUrl DeviceCodeSignIn::endpoint(const QString& leaf) const
{
    QUrl url = m_authority;
    QString path = url.path();
    if (!path.endsWith(u'/'))
        path += u'/';
    url.setPath(path + QString::fromUtf8(QUrl::toPercentEncoding(m_tenant)) + u"/oauth2/v2.0/"_s + leaf,
                QUrl::TolerantMode);
    return url;
}

void DeviceCodeSignIn::start(const QString& scope)
{
    m_error.reset();
    m_accessToken.clear();
    m_refreshToken.clear();
    m_idToken.clear();
    m_polls = 0;
    const QUrl url = endpoint(u"devicecode"_s);
    if (const QString problem = checkEndpointUrl(m_authority, u"authority"_s); !problem.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this, url, problem] { fail(describeRequest("POST", url), problem); }, Qt::QueuedConnection);
        return;
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    applyTransferLimits(request, tokenEndpointLimits());
    m_reply = m_network->post(request, form({{"client_id", m_clientId.toUtf8()}, {"scope", scope.toUtf8()}}));
    QNetworkReply* reply = m_reply;
    watchTransferLimits(reply, tokenEndpointLimits());
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onDeviceCode(reply); });
}

void DeviceCodeSignIn::cancel()
{
    m_timer.stop();
    if (QNetworkReply* reply = std::exchange(m_reply, nullptr)) {
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    fail(describeRequest("POST", endpoint(u"token"_s)), u"cancelled"_s);
}

void DeviceCodeSignIn::onDeviceCode(QNetworkReply* reply)
{
    reply->deleteLater();
    m_reply = nullptr;
    const QString request = describeRequest("POST", reply->url());
    if (const LimitBreach breach = transferLimitBreach(reply); breach != LimitBreach::None) {
        fail(request, describeLimitBreach(breach, tokenEndpointLimits()));
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (status != 200) {
        fail(request, status > 0 ? describeHttpFailure(
                                       status, reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(), body)
                                 : describeNetworkError(reply));
        return;
    }
    const QJsonObject answer = QJsonDocument::fromJson(body).object();
    m_deviceCode = answer.value("device_code"_L1).toString().toUtf8();
    const QString userCode = answer.value("user_code"_L1).toString();
    const QUrl verificationUri(answer.value("verification_uri"_L1).toString());
    const qint64 expiresIn = qint64(answer.value("expires_in"_L1).toDouble(900));
    m_intervalSeconds = std::max<qint64>(1, qint64(answer.value("interval"_L1).toDouble(5)));
    if (m_deviceCode.isEmpty() || userCode.isEmpty() || !verificationUri.isValid()) {
        fail(request, u"the answer lacks device_code, user_code or verification_uri"_s);
        return;
    }
    m_deadlineMsecs = QDateTime::currentMSecsSinceEpoch() + expiresIn * m_secondMsecs;
    Q_EMIT codeReady(userCode, verificationUri, answer.value("message"_L1).toString(), expiresIn);
    schedule();
}

void DeviceCodeSignIn::schedule()
{
    m_timer.start(int(m_intervalSeconds * m_secondMsecs));
}

void DeviceCodeSignIn::poll()
{
    const QUrl url = endpoint(u"token"_s);
    if (QDateTime::currentMSecsSinceEpoch() > m_deadlineMsecs) {
        fail(describeRequest("POST", url), u"the code expired before the sign-in was completed; start again"_s);
        return;
    }
    ++m_polls;
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    applyTransferLimits(request, tokenEndpointLimits());
    m_reply = m_network->post(request, form({{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                                             {"client_id", m_clientId.toUtf8()},
                                             {"device_code", m_deviceCode}}));
    QNetworkReply* reply = m_reply;
    watchTransferLimits(reply, tokenEndpointLimits());
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPoll(reply); });
}

void DeviceCodeSignIn::onPoll(QNetworkReply* reply)
{
    reply->deleteLater();
    m_reply = nullptr;
    const QString request = describeRequest("POST", reply->url());
    const LimitBreach breach = transferLimitBreach(reply);
    if (breach == LimitBreach::TooLarge) {
        fail(request, describeLimitBreach(breach, tokenEndpointLimits()));
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (breach != LimitBreach::None) {
        // Stalled or too slow: poll again later, bounded by the code's expiry.
        m_intervalSeconds *= 2; // as PrismLauncher does
        schedule();
        return;
    }
    if (status == 0) {
        if (reply->error() == QNetworkReply::TimeoutError || reply->error() == QNetworkReply::OperationCanceledError) {
            m_intervalSeconds *= 2; // as PrismLauncher does
            schedule();
            return;
        }
        fail(request, describeNetworkError(reply));
        return;
    }
    const QJsonObject answer = QJsonDocument::fromJson(body).object();
    if (status == 200) {
        m_accessToken = answer.value("access_token"_L1).toString().toUtf8();
        m_refreshToken = answer.value("refresh_token"_L1).toString().toUtf8();
        m_idToken = answer.value("id_token"_L1).toString().toUtf8();
        m_expiresIn = qint64(answer.value("expires_in"_L1).toDouble());
        if (m_accessToken.isEmpty()) {
            fail(request, u"the answer lacks access_token"_s);
            return;
        }
        qCInfo(lcGraph) << "device code sign-in completed after" << m_polls << "polls";
        Q_EMIT finished(true);
        return;
    }
    const QString error = answer.value("error"_L1).toString();
    if (error == "authorization_pending"_L1) {
        schedule();
        return;
    }
    if (error == "slow_down"_L1) {
        m_intervalSeconds += 5;
        schedule();
        return;
    }
    fail(request, describeHttpFailure(status, reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(), body));
}

void DeviceCodeSignIn::fail(const QString& request, const QString& message)
{
    m_timer.stop();
    m_error = ImportError{request, 0, {}, u"device code sign-in failed: "_s + message};
    qCWarning(lcGraph).noquote() << m_error->toString();
    Q_EMIT finished(false);
}

} // namespace sunset
