// SPDX-License-Identifier: Apache-2.0
#include "CloudPager.h"

#include "GraphLogging.h"
#include "JsonPullParser.h"
#include "RateLimitGate.h"
#include "RequestPacer.h"
#include "TokenProvider.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

bool isTransientNetworkError(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProtocolFailure:
        return true;
    default:
        return false;
    }
}

bool sameOrigin(const QUrl& a, const QUrl& b)
{
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 &&
           a.port(a.scheme() == "https"_L1 ? 443 : 80) == b.port(b.scheme() == "https"_L1 ? 443 : 80);
}

} // namespace

CloudPager::CloudPager(QNetworkAccessManager* network, TokenProvider* tokens, Request request, CloudPageHandler handler,
                       QObject* parent)
    : QObject(parent)
    , m_network(network)
    , m_tokens(tokens)
    , m_request(std::move(request))
    , m_handler(std::move(handler))
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &CloudPager::fetch);
}

CloudPager::~CloudPager()
{
    ++m_generation;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

QString CloudPager::requestName() const
{
    return describeRequest(m_request.method, m_url) + u", page "_s + QString::number(m_pages + 1);
}

void CloudPager::start()
{
    if (m_running)
        return;
    m_url = m_request.firstUrl;
    m_items = 0;
    m_pages = 0;
    m_total = -1;
    m_retries = 0;
    m_lastRetryDelayMsecs = -1;
    resume();
}

void CloudPager::resume()
{
    if (m_running)
        return;
    if (m_url.isEmpty()) {
        if (m_pages > 0) { // the last run read every page: nothing to resume
            QMetaObject::invokeMethod(
                this, [this] { Q_EMIT finished(true); }, Qt::QueuedConnection);
            return;
        }
        m_url = m_request.firstUrl;
    }
    m_error.reset();
    m_failedHttpStatus = 0;
    m_running = true;
    m_attempt = 0;
    m_throttledAttempt = 0;
    m_renewedAfter401 = false;
    fetch();
}

void CloudPager::cancel()
{
    if (!m_running)
        return;
    ++m_generation;
    m_retryTimer.stop();
    if (QNetworkReply* reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    fail(u"cancelled"_s);
}

void CloudPager::fetch()
{
    const quint64 generation = ++m_generation;
    if (m_request.rateLimit) {
        if (const qint64 wait = m_request.rateLimit->delayMsecs(m_clock->nowMsecs(), m_policy.maxRetryAfterMsecs);
            wait > 0) {
            // The budget the service reported is spent until its reset: wait for it rather than be refused.
            // A precise timer a little past the reset: a coarse one may fire up to 5 % early, into the old window.
            m_request.rateLimit->notePaced(wait);
            QTimer::singleShot(int(wait + 25), Qt::PreciseTimer, this, [this, generation] {
                if (generation == m_generation && m_running)
                    fetch();
            });
            return;
        }
    }
    if (!m_request.pacer) {
        fetchToken(generation);
        return;
    }
    m_request.pacer->acquire(this, [this, generation] {
        if (generation == m_generation && m_running)
            fetchToken(generation);
    });
}

void CloudPager::fetchToken(quint64 generation)
{
    m_tokens->accessToken(m_request.resource, this, [this, generation](const Result<QByteArray>& token) {
        if (generation != m_generation || !m_running)
            return;
        if (!token.ok()) {
            fail(token.error());
            return;
        }
        send(token.value(), generation);
    });
}

void CloudPager::send(const QByteArray& token, quint64 generation)
{
    QNetworkRequest request(m_url);
    request.setRawHeader("Authorization", "Bearer " + token);
    request.setRawHeader("Accept", "application/json");
    for (const auto& [name, value] : m_request.headers)
        request.setRawHeader(name, value);
    applyTransferLimits(request, m_policy.pageLimits());
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    if (m_request.method == "POST") {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        m_reply = m_network->post(request, m_request.body);
    } else {
        m_reply = m_network->get(request);
    }
    QNetworkReply* reply = m_reply;
    watchTransferLimits(reply, m_policy.pageLimits());
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, token, generation] { handleReply(reply, token, generation); });
}

void CloudPager::handleReply(QNetworkReply* reply, const QByteArray& token, quint64 generation)
{
    reply->deleteLater();
    if (generation != m_generation || reply != m_reply.data())
        return;
    m_reply = nullptr;
    if (const LimitBreach breach = transferLimitBreach(reply); breach != LimitBreach::None) {
        // Too large: the service would send the same page again, so no retry. Too slow or stalled: transient,
        // retried (bounded) like a dropped connection.
        QString failure = describeLimitBreach(breach, m_policy.pageLimits(),
                                              breach == LimitBreach::TooLarge
                                                  ? u"if the service really sends pages this large, raise the page "
                                                    "size limit"_s
                                                  : QString());
        if (breach != LimitBreach::TooLarge && retryLater(failure, std::nullopt))
            return;
        if (breach != LimitBreach::TooLarge)
            failure = u"gave up after %1 retries: "_s.arg(m_attempt) + failure;
        fail(failure);
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_request.rateLimit && reply->hasRawHeader("Rate-Limit-Remaining"))
        m_request.rateLimit->observe(reply->rawHeader("Rate-Limit-Remaining"), reply->rawHeader("Rate-Limit-Reset"));
    const QByteArray contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    const QByteArray body = reply->readAll();
    const QNetworkReply::NetworkError networkError = reply->error();

    if (status == 401 && !m_renewedAfter401) {
        // The token expired or was revoked mid-scan: one renewal, then the same request again.
        m_renewedAfter401 = true;
        m_tokens->invalidate(m_request.resource, token);
        fetch();
        return;
    }
    if (status == 410 && m_request.gone) {
        ++m_generation;
        m_running = false;
        QUrl location = QUrl::fromEncoded(reply->rawHeader("Location"), QUrl::StrictMode);
        if (location.isRelative() && location.isValid())
            location = m_url.resolved(location);
        if (!location.isEmpty() && !sameOrigin(location, m_request.firstUrl))
            location = QUrl(); // never follow the token elsewhere; the caller starts from its own endpoint
        qCInfo(lcGraph).noquote() << requestName() << "answered 410 Gone: a full resync follows";
        m_request.gone(location); // may not delete this pager synchronously
        return;
    }
    if (status >= 200 && status < 300) {
        // A 200 that is not a whole JSON page (an HTML page from a proxy or gateway in the way, a body cut off
        // mid-way, garbled JSON) says nothing about the page itself, and the same request may well answer properly
        // a moment later [assumed: admins report such pages from proxies and gateways; Microsoft documents none],
        // so it is retried like a 503 (bounded, backoff with jitter); only when the retries are spent does the
        // scan stop, resumably, with what was wrong.
        if (looksLikeHtml(contentType, body)) {
            retryOrFail(ImportError{requestName(), 0, {}, describeHttpFailure(status, contentType, body)});
            return;
        }
        // The page's links are checked before the page is taken, so that a refused page leaves nothing behind
        // and a resume reads it again without doubling its items. Reading them checks the whole body's syntax.
        Result<ODataPageLinks> links = readODataPageLinks(body, requestName());
        if (!links.ok()) {
            ImportError error = links.error();
            error.line = 0; // a page is one line of compact JSON: the JSON path says where
            retryOrFail(std::move(error));
            return;
        }
        QUrl next;
        if (!links.value().nextLink.isEmpty()) {
            next = QUrl::fromEncoded(links.value().nextLink, QUrl::StrictMode);
            const bool trusted =
                sameOrigin(next, m_request.firstUrl) ||
                (next.scheme() == "https"_L1 && m_request.nextLinkHosts.contains(next.host(), Qt::CaseInsensitive));
            if (!next.isValid() || !trusted) {
                // The bearer token goes only to the endpoint the admin configured.
                fail(u"the next page link points elsewhere (%1)"_s.arg(describeRequest(m_request.method, next)));
                return;
            }
        }
        // A well-formed page the handler refuses (a record beyond the limits, a member of the wrong type) would
        // come back the same: not retried.
        Result<CloudPage> page = m_handler(body, requestName());
        if (!page.ok()) {
            ImportError error = page.error();
            error.line = 0; // a page is one line of compact JSON: the JSON path says where
            fail(std::move(error));
            return;
        }
        ++m_pages;
        m_items += page->items;
        if (page->total >= 0)
            m_total = page->total;
        m_attempt = 0;
        m_throttledAttempt = 0;
        m_renewedAfter401 = false;
        m_url = next; // from here on, a resume starts at the next page
        if (next.isEmpty())
            m_running = false;
        Q_EMIT progress(m_items, m_total);
        if (next.isEmpty()) {
            const QString summary = u"read %1 %2 in %3 pages (%4 retries)"_s.arg(
                QString::number(m_items), m_request.itemName, QString::number(m_pages), QString::number(m_retries));
            if (m_request.isSlice)
                qCDebug(lcGraphSlices).noquote() << summary;
            else
                qCInfo(lcGraph).noquote() << summary;
            Q_EMIT finished(true);
            return;
        }
        if (m_running) // a progress handler may have cancelled
            fetch();
        return;
    }
    QString failure = status > 0 ? describeHttpFailure(status, contentType, body) : describeNetworkError(reply);
    const bool transient = status > 0 ? isTransientStatus(status) : isTransientNetworkError(networkError);
    const std::optional<qint64> retryAfter = parseRetryAfterMsecs(reply->rawHeader("Retry-After"), *m_clock);
    if (status == 429 && retryAfter && m_throttledAttempt < m_policy.maxThrottledRetries) {
        // Paced, not failing: waited out on its own budget (RetryPolicy::maxThrottledRetries).
        ++m_throttledAttempt;
        ++m_retries;
        const qint64 delay = m_policy.delayMsecs(1, retryAfter);
        qCInfo(lcGraph).noquote() << u"%1 throttled (429); sent again in %2 ms"_s.arg(requestName(),
                                                                                      QString::number(delay));
        m_lastRetryDelayMsecs = delay;
        m_retryTimer.start(int(delay));
        Q_EMIT throttled(delay);
        return;
    }
    if (transient && retryLater(failure, retryAfter))
        return;
    if (transient)
        failure = u"gave up after %1 retries: "_s.arg(m_attempt) + failure;
    m_failedHttpStatus = status;
    fail(failure);
}

void CloudPager::retryOrFail(ImportError error)
{
    if (retryLater(error.jsonPath.isEmpty() ? error.message : error.jsonPath + u": "_s + error.message, std::nullopt))
        return;
    error.message = u"gave up after %1 retries: "_s.arg(m_attempt) + error.message;
    fail(std::move(error));
}

bool CloudPager::retryLater(const QString& failure, std::optional<qint64> retryAfter)
{
    if (m_attempt >= m_policy.maxRetries)
        return false;
    ++m_attempt;
    ++m_retries;
    const qint64 delay = m_policy.delayMsecs(m_attempt, retryAfter);
    qCInfo(lcGraph).noquote() << u"%1 failed (%2); retry %3 in %4 ms"_s.arg(
        requestName(), failure, QString::number(m_attempt), QString::number(delay));
    m_lastRetryDelayMsecs = delay;
    m_retryTimer.start(int(delay));
    return true;
}

void CloudPager::fail(const QString& message)
{
    fail(ImportError{requestName(), 0, {}, message});
}

void CloudPager::fail(ImportError error)
{
    ++m_generation;
    m_running = false;
    error.message += u"; %1 %2 were read in %3 before it stopped, and the scan can resume from page %4"_s.arg(
        QString::number(m_items), m_request.itemName,
        m_pages == 1 ? u"1 page"_s : QString::number(m_pages) + u" pages"_s, QString::number(m_pages + 1));
    if (m_request.isSlice && error.message.startsWith("cancelled"_L1)) // split, or the whole read cancelled
        qCDebug(lcGraphSlices).noquote() << error.toString();
    else
        qCWarning(lcGraph).noquote() << error.toString();
    m_error = std::move(error);
    Q_EMIT finished(false);
}

Result<ODataPageLinks> readODataPageLinks(QByteArrayView body, const QString& requestName)
{
    using Token = JsonPullParser::Token;
    JsonPullParser parser(body, requestName);
    ODataPageLinks links;
    if (parser.next() != Token::BeginObject)
        return parser.hasError() ? parser.error() : parser.unexpected("a page object {\"value\": [...]}"_L1);
    for (;;) {
        const Token t = parser.next();
        if (t == Token::EndObject)
            break;
        if (t == Token::Error)
            return parser.error();
        const QByteArrayView key = parser.text();
        QByteArray* link = nullptr;
        if (key == "@odata.nextLink")
            link = &links.nextLink;
        else if (key == "@odata.deltaLink")
            link = &links.deltaLink;
        if (link) {
            if (parser.next() != Token::String)
                return parser.hasError() ? parser.error() : parser.unexpected("a URL string"_L1);
            *link = parser.text().toByteArray();
        } else if (key == "@odata.count") {
            if (parser.next() != Token::Number || !parser.integer())
                return parser.hasError() ? parser.error() : parser.unexpected("an integer"_L1);
            links.count = *parser.integer();
        } else if (!parser.skipValue()) {
            return parser.error();
        }
    }
    if (parser.next() != Token::EndOfInput)
        return parser.error();
    return links;
}

} // namespace sunset
