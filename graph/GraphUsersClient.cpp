// SPDX-License-Identifier: Apache-2.0
#include "GraphUsersClient.h"

#include "CloudPager.h"
#include "GraphLogging.h"
#include "GraphUsersJsonReader.h"
#include "JsonPullParser.h"
#include "TokenProvider.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrlQuery>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QUrl withPath(QUrl base, const QString& path)
{
    QString p = base.path();
    while (p.endsWith(u'/'))
        p.chop(1);
    base.setPath(p + path);
    return base;
}

// The ids of the users a delta page marks "@removed" (the reader leaves those users out).
Result<QList<QByteArray>> readRemovedIds(QByteArrayView body, const QString& requestName)
{
    using Token = JsonPullParser::Token;
    JsonPullParser parser(body, requestName);
    QList<QByteArray> removed;
    if (parser.next() != Token::BeginObject)
        return parser.hasError() ? parser.error() : parser.unexpected("a page object"_L1);
    for (;;) {
        Token t = parser.next();
        if (t == Token::EndObject)
            break;
        if (t == Token::Error)
            return parser.error();
        if (parser.text() != "value") {
            if (!parser.skipValue())
                return parser.error();
            continue;
        }
        if (parser.next() != Token::BeginArray)
            return parser.hasError() ? parser.error() : parser.unexpected("an array of users"_L1);
        while ((t = parser.next()) == Token::BeginObject) {
            QByteArray id;
            bool isRemoved = false;
            while ((t = parser.next()) == Token::Key) {
                if (parser.text() == "id") {
                    if (parser.next() != Token::String)
                        return parser.hasError() ? parser.error() : parser.unexpected("a string"_L1);
                    id = parser.text().toByteArray().toLower();
                } else {
                    isRemoved = isRemoved || parser.text() == "@removed";
                    if (!parser.skipValue())
                        return parser.error();
                }
            }
            if (t != Token::EndObject)
                return parser.error();
            if (isRemoved && !id.isEmpty())
                removed.append(id);
        }
        if (t != Token::EndArray)
            return parser.hasError() ? parser.error() : parser.unexpected("a user object"_L1);
    }
    return removed;
}

} // namespace

GraphUsersClient::GraphUsersClient(const QUrl& endpoint, TokenProvider* tokens, QObject* parent)
    : QObject(parent)
    , m_endpoint(endpoint)
    , m_tokens(tokens)
    , m_resource(defaultResource(endpoint))
    , m_network(new QNetworkAccessManager(this))
{
    rebuildPager();
}

GraphUsersClient::~GraphUsersClient()
{
    delete m_pager; // before the QNetworkAccessManager and its replies
}

const QByteArray& GraphUsersClient::selectedFields()
{
    static const QByteArray fields = "id,userPrincipalName,mail,mailNickname,proxyAddresses,onPremisesImmutableId,"
                                     "onPremisesSecurityIdentifier,onPremisesSyncEnabled,onPremisesExtensionAttributes";
    return fields;
}

QString GraphUsersClient::defaultResource(const QUrl& endpoint)
{
    return endpoint.toString(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::RemoveUserInfo |
                             QUrl::StripTrailingSlash);
}

void GraphUsersClient::setResource(const QString& resource)
{
    m_resource = resource;
    rebuildPager();
}

void GraphUsersClient::setPageSize(int top)
{
    m_top = std::clamp(top, 1, 999);
    rebuildPager();
}

void GraphUsersClient::setRetryPolicy(const RetryPolicy& policy)
{
    m_policy = policy;
    m_pager->setRetryPolicy(policy);
}

QString GraphUsersClient::check() const
{
    return checkEndpointUrl(m_endpoint, u"Graph endpoint"_s);
}

void GraphUsersClient::rebuildPager()
{
    delete m_pager;
    QUrl url = withPath(m_endpoint, m_delta ? u"/v1.0/users/delta"_s : u"/v1.0/users"_s);
    QUrlQuery query;
    query.addQueryItem(u"$select"_s, QString::fromLatin1(selectedFields()));
    if (!m_delta) { // delta pages are sized by the service and not counted
        query.addQueryItem(u"$top"_s, QString::number(m_top));
        query.addQueryItem(u"$count"_s, u"true"_s);
    }
    url.setQuery(query);
    if (!m_deltaStart.isEmpty())
        url = QUrl::fromEncoded(m_deltaStart, QUrl::StrictMode);
    CloudPager::Request request;
    request.method = "GET";
    request.firstUrl = url;
    if (!m_delta)
        request.headers = {{"ConsistencyLevel", "eventual"}};
    request.resource = m_resource;
    request.itemName = u"users"_s;
    if (m_delta && !m_resynced) // once: a second 410 on the resync itself is an error
        request.gone = [this](const QUrl& location) {
            QMetaObject::invokeMethod(
                this, [this, location] { resync(location); }, Qt::QueuedConnection);
        };
    m_pager = new CloudPager(
        m_network, m_tokens, std::move(request),
        [this](QByteArrayView body, const QString& requestName) -> Result<CloudPage> {
            Result<ODataPageLinks> links = readODataPageLinks(body, requestName);
            if (!links)
                return links.error();
            Result<GraphDirectory> users = readGraphUsersJson(body, requestName);
            if (!users)
                return users.error();
            CloudPage page{users->usersById.size(), links->nextLink, links->count};
            if (m_delta) {
                m_changes += users->usersById.size();
                Result<QList<QByteArray>> removed = readRemovedIds(body, requestName);
                if (!removed)
                    return removed.error();
                for (const QByteArray& id : removed.value()) {
                    m_directory.usersById.remove(id);
                    m_removedIds.insert(id);
                }
                page.items += removed->size();
                m_changes += removed->size();
                if (links->nextLink.isEmpty()) {
                    if (links->deltaLink.isEmpty())
                        return ImportError{requestName,
                                           0,
                                           {},
                                           u"the last delta page has neither @odata.nextLink nor @odata.deltaLink"_s};
                    m_deltaLink = links->deltaLink;
                }
            }
            for (auto it = users->usersById.begin(); it != users->usersById.end(); ++it)
                m_directory.usersById.insert(it.key(), std::move(it.value()));
            return page;
        },
        this);
    m_pager->setRetryPolicy(m_policy);
    m_pager->setClock(*m_clock);
    connect(m_pager, &CloudPager::progress, this,
            [this](qint64 items, qint64 total) { Q_EMIT progress(items, total >= 0 ? total : m_countTotal); });
    connect(m_pager, &CloudPager::finished, this, &GraphUsersClient::finished);
}

void GraphUsersClient::start()
{
    m_delta = false;
    m_deltaStart.clear();
    rebuildPager();
    m_directory = {};
    beginScan(u"/v1.0/users"_s, {});
}

void GraphUsersClient::startDelta(const QByteArray& deltaLink)
{
    m_delta = true;
    m_resynced = false;
    m_changes = 0;
    m_removedIds.clear();
    m_deltaStart = deltaLink;
    m_deltaLink.clear();
    m_countTotal = -1;
    ++m_countGeneration;
    rebuildPager();
    if (deltaLink.isEmpty()) {
        m_directory = {};
        fetchCount();
    }
    QString problem;
    if (const QUrl link = QUrl::fromEncoded(deltaLink);
        !deltaLink.isEmpty() && (!link.isValid() || link.host() != m_endpoint.host()))
        problem = u"the deltaLink %1 does not belong to this Graph endpoint"_s.arg(describeRequest("GET", link));
    beginScan(u"/v1.0/users/delta"_s, problem);
}

QSet<QByteArray> GraphUsersClient::removedIds() const
{
    QSet<QByteArray> gone;
    for (const QByteArray& id : m_removedIds) {
        if (!m_directory.usersById.contains(id)) // removed, then back within the same round: still there
            gone.insert(id);
    }
    return gone;
}

void GraphUsersClient::fetchCount()
{
    if (!check().isEmpty())
        return;
    const quint64 generation = m_countGeneration;
    m_tokens->accessToken(m_resource, this, [this, generation](const Result<QByteArray>& token) {
        if (!token || generation != m_countGeneration)
            return; // the pages report the sign-in failure
        QNetworkRequest request(withPath(m_endpoint, u"/v1.0/users/$count"_s));
        request.setRawHeader("Authorization", "Bearer " + token.value());
        request.setRawHeader("ConsistencyLevel", "eventual");
        request.setRawHeader("Accept", "text/plain");
        TransferLimits limits = m_policy.pageLimits();
        limits.maxBodyBytes = 1 << 10; // a number in text
        applyTransferLimits(request, limits);
        QNetworkReply* reply = m_network->get(request);
        watchTransferLimits(reply, limits);
        connect(reply, &QNetworkReply::finished, this, [this, reply, generation] {
            reply->deleteLater();
            bool ok = false;
            const qint64 count = reply->readAll().trimmed().toLongLong(&ok);
            // Only for progress: a failure here costs the total, never the scan.
            if (generation == m_countGeneration && ok && count >= 0 &&
                reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
                m_countTotal = count;
            else if (generation == m_countGeneration)
                qCInfo(lcGraph).noquote() << "the user count is unknown:" << describeRequest("GET", reply->url())
                                          << reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        });
    });
}

void GraphUsersClient::resync(const QUrl& location)
{
    // The delta token expired (Graph keeps them about 7 days for users): the changes since cannot be told, so
    // everything is read again, from Graph's fresh-start URL when it gave one, and replaces what was kept.
    qCInfo(lcGraph) << "delta token refused with 410 Gone; reading all users again";
    m_resynced = true;
    m_changes = 0;
    m_removedIds.clear();
    m_deltaStart = location.isEmpty() ? QByteArray() : location.toEncoded();
    m_deltaLink.clear();
    m_directory = {};
    rebuildPager();
    beginScan(u"/v1.0/users/delta"_s, {});
}

void GraphUsersClient::beginScan(const QString& path, QString problem)
{
    m_directory.source = describeRequest("GET", withPath(m_endpoint, path));
    if (problem.isEmpty())
        problem = check();
    if (!problem.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT finished(false); }, Qt::QueuedConnection);
        m_checkError = ImportError{m_directory.source, 0, {}, problem};
        return;
    }
    m_checkError.reset();
    m_pager->start();
}

} // namespace sunset
