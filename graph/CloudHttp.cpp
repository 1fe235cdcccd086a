// SPDX-License-Identifier: Apache-2.0
#include "CloudHttp.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

bool isLoopbackHost(const QString& host)
{
    if (host.compare("localhost"_L1, Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

constexpr const char* kBreachProperty = "sunsetLimitBreach";

void breach(QNetworkReply* reply, LimitBreach what)
{
    if (reply->isFinished() || reply->property(kBreachProperty).isValid())
        return;
    reply->setProperty(kBreachProperty, int(what));
    reply->abort(); // finished() follows, with OperationCanceledError
}

// How far past the body limit Qt may buffer before it stops reading (watchTransferLimits).
constexpr qint64 kReadBufferSlack = qint64(1) << 20;

QString sizeInWords(qint64 bytes)
{
    if (bytes >= (qint64(1) << 20) && bytes % (qint64(1) << 20) == 0)
        return u"%1 MiB"_s.arg(bytes >> 20);
    if (bytes >= 1024 && bytes % 1024 == 0)
        return u"%1 KiB"_s.arg(bytes >> 10);
    return u"%1 bytes"_s.arg(bytes);
}

QString secondsInWords(int msecs)
{
    return msecs % 1000 == 0 ? u"%1 s"_s.arg(msecs / 1000) : u"%1 s"_s.arg(double(msecs) / 1000.0, 0, 'g', 3);
}

} // namespace

TransferLimits tokenEndpointLimits()
{
    return TransferLimits{qint64(1) << 20, 60000, 120000};
}

void applyTransferLimits(QNetworkRequest& request, const TransferLimits& limits)
{
    request.setTransferTimeout(limits.stallTimeoutMsecs);
}

void watchTransferLimits(QNetworkReply* reply, const TransferLimits& limits)
{
    const qint64 maxBytes = limits.maxBodyBytes;
    // Qt reads a reply on its own network thread, in a loop that returns to that thread's event loop only when
    // the socket has nothing more to give. A server that sends faster than that loop reads (an endless page on a
    // fast link, or on loopback) keeps it there, and neither the abort below nor the next request ever reaches
    // the thread: the connection stays open and the resume times out. A bounded read buffer makes Qt stop
    // reading once it is full; the slack past the limit lets readyRead see the breach before that happens.
    // (Observed with Qt 6.4 under AddressSanitizer, where the reader is the slower side: TestCloudLimits::
    // hugePage's resume timed out in 4 of 4 runs before this.)
    // Queued, not set here: a POST reply connects its network-thread side only when its queued start runs, and a
    // buffer size set before that is never passed on (qnetworkreplyhttpimpl.cpp, Qt 6.4). Queued behind that
    // start, it arrives before the first byte of the answer can.
    QMetaObject::invokeMethod(
        reply, [reply, maxBytes] { reply->setReadBufferSize(maxBytes + kReadBufferSlack); }, Qt::QueuedConnection);
    // The announced length first: a 2 GB page is refused at its headers, before a byte of it is read.
    QObject::connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, maxBytes] {
        bool ok = false;
        const qint64 announced = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok);
        if (ok && announced > maxBytes)
            breach(reply, LimitBreach::TooLarge);
    });
    // Then what actually arrives (no Content-Length, chunked, or a server that sends more than it announced):
    // the reply buffers at most maxBytes plus what one network read brings before it is cut.
    // readyRead, not only downloadProgress: Qt chokes the progress signal to a few per second, and a fast link
    // delivers hundreds of MiB in between. The handlers read the body only when the reply has finished, so what
    // is available is all that arrived.
    QObject::connect(reply, &QIODevice::readyRead, reply, [reply, maxBytes] {
        if (reply->bytesAvailable() > maxBytes)
            breach(reply, LimitBreach::TooLarge);
    });
    QObject::connect(reply, &QNetworkReply::downloadProgress, reply, [reply, maxBytes](qint64 received, qint64) {
        if (received > maxBytes)
            breach(reply, LimitBreach::TooLarge);
    });
    // A server that trickles a byte a second never trips the stall timeout; the total deadline ends it.
    auto* deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    QObject::connect(deadline, &QTimer::timeout, reply, [reply] { breach(reply, LimitBreach::TooSlow); });
    deadline->start(limits.totalTimeoutMsecs);
}

LimitBreach transferLimitBreach(const QNetworkReply* reply)
{
    const QVariant marked = reply->property(kBreachProperty);
    if (marked.isValid())
        return LimitBreach(marked.toInt());
    // Qt aborts a request whose transfer timeout expired; Sunset's own cancels disconnect before they abort, so
    // an OperationCanceledError that reaches a handler is the stall timeout. Newer Qt says TimeoutError.
    if (reply->error() == QNetworkReply::OperationCanceledError)
        return LimitBreach::Stalled;
    return LimitBreach::None;
}

QString describeLimitBreach(LimitBreach breach, const TransferLimits& limits, const QString& advice)
{
    QString text;
    switch (breach) {
    case LimitBreach::None:
        return {};
    case LimitBreach::TooLarge:
        text = u"the answer is larger than the %1 limit and was refused unread; a damaged or hostile endpoint, "
               "or a proxy answering in its place, is the likely cause: check the endpoint URL"_s.arg(
                   sizeInWords(limits.maxBodyBytes));
        break;
    case LimitBreach::Stalled:
        text = u"the server sent nothing for %1 (the stall time limit); check the network path and the service's "
               "health"_s.arg(secondsInWords(limits.stallTimeoutMsecs));
        break;
    case LimitBreach::TooSlow:
        text = u"the answer did not finish within %1 (the time limit per request); the server or a proxy is "
               "answering too slowly: check the network path and the service's health"_s.arg(
                   secondsInWords(limits.totalTimeoutMsecs));
        break;
    }
    return advice.isEmpty() ? text : text + u"; "_s + advice;
}

QString checkEndpointUrl(const QUrl& url, const QString& what)
{
    if (!url.isValid() || url.host().isEmpty())
        return u"%1: \"%2\" is not a URL with a host"_s.arg(what, url.toString());
    if (!url.userInfo().isEmpty())
        return u"%1: a URL must not carry a user name or password"_s.arg(what);
    if (url.scheme() == "https"_L1)
        return {};
    if (url.scheme() == "http"_L1) {
        if (isLoopbackHost(url.host()))
            return {};
        return u"%1: plain http:// is accepted only for loopback hosts; use https://%2"_s.arg(what, url.host());
    }
    return u"%1: \"%2\" must start with https://"_s.arg(what, url.toString());
}

QString describeRequest(QByteArrayView method, const QUrl& url)
{
    return QString::fromLatin1(method) + u' ' +
           url.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo | QUrl::RemoveFragment);
}

QString describeNetworkError(const QNetworkReply* reply)
{
    QString text = reply->errorString();
    if (reply->error() == QNetworkReply::SslHandshakeFailedError)
        text += u" (the server's TLS certificate is not trusted: check the endpoint URL; behind a TLS-inspecting "
                "proxy, trust its CA, e.g. sunset-cli --ca-file)"_s;
    return text;
}

bool looksLikeHtml(QByteArrayView contentType, QByteArrayView body)
{
    if (contentType.toByteArray().toLower().contains("text/html"))
        return true;
    const QByteArray head = body.first(std::min<qsizetype>(body.size(), 256)).toByteArray().trimmed().toLower();
    return head.startsWith("<!doctype html") || head.startsWith("<html");
}

QString describeHttpFailure(int status, QByteArrayView contentType, QByteArrayView body)
{
    QString text = status > 0 ? u"HTTP %1"_s.arg(status) : u"no HTTP answer"_s;
    if (body.isEmpty())
        return text + u" with an empty body"_s;
    if (looksLikeHtml(contentType, body)) {
        static const QRegularExpression title(u"<title[^>]*>([^<]*)</title>"_s,
                                              QRegularExpression::CaseInsensitiveOption);
        const auto match = title.match(QString::fromUtf8(body.first(std::min<qsizetype>(body.size(), 4096))));
        const QString t = match.hasMatch() ? match.captured(1).simplified() : QString();
        return text + u" with an HTML page instead of JSON"_s + (t.isEmpty() ? QString() : u" (\"%1\")"_s.arg(t));
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &parseError);
    if (doc.isObject()) {
        const QJsonObject root = doc.object();
        // Graph and EXO: {"error":{"code":..,"message":..}}; identity platform: {"error":"..","error_description":..}
        const QJsonValue error = root.value("error"_L1);
        if (error.isObject()) {
            const QJsonObject e = error.toObject();
            QString message = e.value("message"_L1).toString();
            const QJsonArray details = e.value("details"_L1).toArray();
            if (!details.isEmpty() && details.first().toObject().contains("message"_L1))
                message += u" ("_s + details.first().toObject().value("message"_L1).toString() + u')';
            return text + u": "_s + e.value("code"_L1).toString() + u": "_s + message;
        }
        if (error.isString()) {
            const QString description = root.value("error_description"_L1).toString();
            // AADSTS descriptions append "\r\nTrace ID: ..\r\nCorrelation ID: .."; the first line is the message.
            const QString first = description.section(u'\n', 0, 0).trimmed();
            return text + u": "_s + error.toString() + (first.isEmpty() ? QString() : u": "_s + first);
        }
    }
    QString start = QString::fromUtf8(body.first(std::min<qsizetype>(body.size(), 200))).simplified();
    return text + u": \""_s + start + (body.size() > 200 ? u"…\""_s : u"\""_s);
}

std::optional<qint64> parseRetryAfterMsecs(QByteArrayView value, const Clock& clock)
{
    const QByteArray v = value.toByteArray().trimmed();
    if (v.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double seconds = v.toDouble(&ok);
    if (ok && std::isfinite(seconds) && seconds >= 0)
        return qint64(std::ceil(std::min(seconds, 86400.0) * 1000.0));
    const QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(v), u"ddd, dd MMM yyyy HH:mm:ss 'GMT'"_s);
    if (!when.isValid())
        return std::nullopt;
    const QDateTime utc(when.date(), when.time(), Qt::UTC);
    return std::max<qint64>(0, utc.toMSecsSinceEpoch() - clock.nowMsecs());
}

qint64 RetryPolicy::delayMsecs(int attempt, std::optional<qint64> retryAfter) const
{
    if (retryAfter)
        return std::min(*retryAfter, maxRetryAfterMsecs);
    const int shift = std::clamp(attempt - 1, 0, 20);
    const qint64 ceiling = std::min(maxDelayMsecs, baseDelayMsecs << shift);
    // Full jitter: clients that failed together do not come back together.
    return ceiling / 2 + qint64(QRandomGenerator::global()->bounded(quint64(ceiling / 2 + 1)));
}

bool isTransientStatus(int status)
{
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

} // namespace sunset
