// SPDX-License-Identifier: Apache-2.0
#include "SyncedObjectsClient.h"

#include "CloudPager.h"
#include "CloudSyncJsonReader.h"
#include "GraphUsersClient.h"

#include <QNetworkAccessManager>
#include <QUrlQuery>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

SyncedObjectsClient::SyncedObjectsClient(const QUrl& endpoint, TokenProvider* tokens, SyncedObjectKind kind,
                                         QObject* parent)
    : QObject(parent)
    , m_endpoint(endpoint)
    , m_tokens(tokens)
    , m_kind(kind)
    , m_resource(GraphUsersClient::defaultResource(endpoint))
    , m_network(new QNetworkAccessManager(this))
{
}

SyncedObjectsClient::~SyncedObjectsClient()
{
    delete m_pager; // before the QNetworkAccessManager and its replies
}

void SyncedObjectsClient::setResource(const QString& resource)
{
    m_resource = resource;
}

void SyncedObjectsClient::setRetryPolicy(const RetryPolicy& policy)
{
    m_policy = policy;
}

void SyncedObjectsClient::setPageSize(int top)
{
    m_top = std::clamp(top, 1, 999);
}

QString SyncedObjectsClient::requiredPermissions() const
{
    // [documented] Group.Read.All / OrgContact.Read.All read the objects; the onPremisesSyncBehavior permissions
    // are documented only as ReadWrite (../shared/reference/sync-engine.md §3: read-only scopes not found).
    return m_kind == SyncedObjectKind::MailContact
               ? u"OrgContact.Read.All and Contacts-OnPremisesSyncBehavior.ReadWrite.All"_s
               : u"Group.Read.All and Group-OnPremisesSyncBehavior.ReadWrite.All"_s;
}

void SyncedObjectsClient::start()
{
    delete m_pager;
    m_result = {};
    m_error.reset();
    const bool contacts = m_kind == SyncedObjectKind::MailContact;
    const QString collection = contacts ? u"contacts"_s : u"groups"_s;
    QUrl url = m_endpoint;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/beta/"_s + collection);
    QUrlQuery query;
    query.addQueryItem(u"$filter"_s, u"onPremisesSyncBehavior/isCloudManaged eq false"_s);
    query.addQueryItem(u"$select"_s, contacts ? u"id,displayName,mail,onPremisesSyncEnabled"_s
                                              : u"id,displayName,mail,mailEnabled,securityEnabled,groupTypes,"
                                                "onPremisesSyncEnabled"_s);
    query.addQueryItem(u"$count"_s, u"true"_s);
    query.addQueryItem(u"$top"_s, QString::number(m_top));
    url.setQuery(query);
    CloudPager::Request request;
    request.firstUrl = url;
    request.headers = {{"ConsistencyLevel", "eventual"}}; // an advanced query [documented]
    request.resource = m_resource;
    request.itemName = collection;
    m_result.source = u"Graph beta /"_s + collection;
    m_pager = new CloudPager(
        m_network, m_tokens, std::move(request),
        [this](QByteArrayView body, const QString& requestName) -> Result<CloudPage> {
            Result<ODataPageLinks> links = readODataPageLinks(body, requestName);
            if (!links)
                return links.error();
            Result<std::vector<SyncedDirectoryObject>> objects = readSyncedObjectsJson(body, requestName, m_kind);
            if (!objects)
                return objects.error();
            const qint64 items = qint64(objects->size());
            for (SyncedDirectoryObject& o : objects.value()) {
                // The filter said so; an object carrying its own answer keeps it.
                if (!o.cloudManaged)
                    o.cloudManaged = false;
                m_result.objects.push_back(std::move(o));
            }
            return CloudPage{items, links->nextLink, links->count};
        },
        this);
    m_pager->setRetryPolicy(m_policy);
    connect(m_pager, &CloudPager::finished, this, &SyncedObjectsClient::pagerFinished);
    m_pager->start();
}

void SyncedObjectsClient::pagerFinished(bool ok)
{
    if (ok) {
        m_result.read = true;
        Q_EMIT finished(true);
        return;
    }
    const ImportError error = m_pager->error().value_or(ImportError{{}, 0, {}, u"the read failed"_s});
    // describeHttpFailure starts with the status: a refusal of the permission degrades the check instead of
    // failing the run (the pager exposes no status of its own).
    if (error.message.startsWith(u"HTTP 403"_s)) {
        m_result = {};
        m_result.missingReason = u"Graph refused %1 (%2): grant the app %3"_s.arg(error.file, error.message,
                                                                                 requiredPermissions());
        Q_EMIT finished(true);
        return;
    }
    m_error = error;
    Q_EMIT finished(false);
}

} // namespace sunset
