// SPDX-License-Identifier: Apache-2.0
#include "ExoMailboxClient.h"

#include "AttributeCatalog.h"
#include "CloudPager.h"
#include "ExoMailboxJsonReader.h"
#include "ExoRescan.h"
#include "GraphUsersClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QUrlQuery>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

ExoMailboxClient::ExoMailboxClient(const QUrl& endpoint, const QString& tenant, TokenProvider* tokens, QObject* parent)
    : QObject(parent)
    , m_endpoint(endpoint)
    , m_tenant(tenant)
    , m_tokens(tokens)
    , m_resource(GraphUsersClient::defaultResource(endpoint))
    , m_network(new QNetworkAccessManager(this))
{
    m_snapshot.side = Side::Cloud;
    rebuildPager();
}

ExoMailboxClient::~ExoMailboxClient()
{
    delete m_pager; // before the QNetworkAccessManager and its replies
}

QByteArray ExoMailboxClient::getMailboxBody(const QString& filter)
{
    if (filter.isEmpty())
        return QByteArrayLiteral(
            R"({"CmdletInput":{"CmdletName":"Get-Mailbox","Parameters":{"ResultSize":"Unlimited"}}})");
    // -Filter is a Get-Mailbox parameter [D: Get-Mailbox reference]; InvokeCommand passes any parameter [C]. The
    // filter is user data (names chosen as slice borders): QJsonDocument escapes it for JSON.
    const QJsonObject parameters{{u"ResultSize"_s, u"Unlimited"_s}, {u"Filter"_s, filter}};
    const QJsonObject input{{u"CmdletName"_s, u"Get-Mailbox"_s}, {u"Parameters"_s, parameters}};
    return QJsonDocument(QJsonObject{{u"CmdletInput"_s, input}}).toJson(QJsonDocument::Compact);
}

void ExoMailboxClient::setChangedSince(qint64 msecs)
{
    m_changedSince = msecs;
    rebuildPager();
}

QString ExoMailboxClient::effectiveFilter() const
{
    // An incremental read is one stream (CloudLiveScan); were it also a slice, both conditions must hold.
    if (m_changedSince <= 0)
        return m_filter;
    const QString changed = whenChangedFilter(m_changedSince);
    return m_filter.isEmpty() ? changed : u"(%1) -and (%2)"_s.arg(m_filter, changed);
}

QByteArray ExoMailboxClient::appAnchorMailbox(const QString& tenant)
{
    // The system mailbox EXO PowerShell V3 anchors app-only sessions on (community-observed, not documented).
    return "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + tenant.toUtf8();
}

const QByteArray& ExoMailboxClient::selectedProperties()
{
    static const QByteArray properties = [] {
        // What CloudRecordMapper reads besides the catalog's properties, and the ExchangeGuid kept for support.
        // Name: what a parallel read's slices filter on (ExoMailboxSliceReader) and choose their borders from.
        QByteArray list = "ExternalDirectoryObjectId,UserPrincipalName,PrimarySmtpAddress,DisplayName,ExchangeGuid,Name,"
                          "WhenChangedUTC,WhenChanged,IsDirSynced,IsExchangeCloudManaged";
        for (int p = 0; p < int(CloudProperty::Count); ++p) {
            const QLatin1StringView name = cloudPropertyName(CloudProperty(p));
            list += ',' + QByteArray(name.data(), name.size());
        }
        return list;
    }();
    return properties;
}

void ExoMailboxClient::setApi(ExoAdminApi api)
{
    m_api = api;
    rebuildPager();
}

void ExoMailboxClient::setAnchorMailbox(const QByteArray& anchor)
{
    m_anchor = anchor;
    rebuildPager();
}

void ExoMailboxClient::setResource(const QString& resource)
{
    m_resource = resource;
    rebuildPager();
}

void ExoMailboxClient::setPageSize(int maxPageSize)
{
    m_pageSize = std::clamp(maxPageSize, 1, 1000);
    rebuildPager();
}

void ExoMailboxClient::setFilter(const QString& opathFilter)
{
    m_filter = opathFilter;
    rebuildPager();
}

void ExoMailboxClient::setRateLimitGate(RateLimitGate* gate)
{
    m_rateLimit = gate;
    rebuildPager();
}

qint64 ExoMailboxClient::pagesRead() const
{
    return m_pager->pages();
}

bool ExoMailboxClient::hasMorePages() const
{
    return m_pager->pages() > 0 && !m_pager->resumeUrl().isEmpty();
}

void ExoMailboxClient::setRetryPolicy(const RetryPolicy& policy)
{
    m_policy = policy;
    m_pager->setRetryPolicy(policy);
}

QString ExoMailboxClient::check() const
{
    if (m_tenant.isEmpty())
        return u"no tenant given for the Exchange Online admin API"_s;
    return checkEndpointUrl(m_endpoint, u"Exchange Online endpoint"_s);
}

QUrl ExoMailboxClient::commandUrl() const
{
    QUrl url = m_endpoint;
    QString p = url.path();
    while (p.endsWith(u'/'))
        p.chop(1);
    const QString tenant = QString::fromUtf8(QUrl::toPercentEncoding(m_tenant));
    url.setPath(p + (m_api == ExoAdminApi::V2 ? u"/adminapi/v2.0/"_s + tenant + u"/Mailbox"_s
                                              : u"/adminapi/beta/"_s + tenant + u"/InvokeCommand"_s),
                QUrl::TolerantMode);
    QUrlQuery query;
    query.addQueryItem(u"$select"_s, QString::fromLatin1(selectedProperties()));
    url.setQuery(query);
    return url;
}

void ExoMailboxClient::rebuildPager()
{
    delete m_pager;
    CloudPager::Request request;
    request.method = "POST";
    request.firstUrl = commandUrl();
    request.body = getMailboxBody(effectiveFilter());
    request.rateLimit = m_rateLimit;
    request.isSlice = m_slice;
    request.headers = {{"X-AnchorMailbox", m_anchor.isEmpty() ? appAnchorMailbox(m_tenant) : m_anchor},
                       {"Prefer", "odata.maxpagesize=" + QByteArray::number(m_pageSize)},
                       {"X-ResponseFormat", "json"}};
    request.resource = m_resource;
    request.itemName = u"mailboxes"_s;
    const QStringList exoHosts{u"outlook.office365.com"_s, u"outlook.office.com"_s};
    if (exoHosts.contains(m_endpoint.host(), Qt::CaseInsensitive))
        request.nextLinkHosts = exoHosts;
    m_pager = new CloudPager(
        m_network, m_tokens, std::move(request),
        [this](QByteArrayView body, const QString& requestName) -> Result<CloudPage> {
            Result<ODataPageLinks> links = readODataPageLinks(body, requestName);
            if (!links)
                return links.error();
            Result<Snapshot> page = readExoMailboxesJson(body, requestName, m_graph);
            if (!page)
                return page.error();
            if (m_collectNames || m_sink) {
                // The page was read whole above, so this second parse of the same bytes cannot fail half-way; one
                // parse serves both the slice borders' names and the mailbox cache's sink.
                const QJsonArray mailboxes =
                    QJsonDocument::fromJson(body.toByteArray()).object().value("value"_L1).toArray();
                for (const QJsonValue& value : mailboxes) {
                    const QJsonObject mailbox = value.toObject();
                    if (m_collectNames)
                        m_names.append(mailbox.value("Name"_L1).toString());
                    if (m_sink)
                        m_sink(mailbox);
                }
            }
            const qint64 items = qint64(page->records.size());
            for (MailboxRecord& record : page->records)
                m_snapshot.records.push_back(std::move(record));
            m_snapshot.skippedEntries += page->skippedEntries;
            m_snapshot.newestChangeMsecs = std::max(m_snapshot.newestChangeMsecs, page->newestChangeMsecs);
            return CloudPage{items, links->nextLink, -1};
        },
        this);
    m_pager->setRetryPolicy(m_policy);
    m_pager->setClock(*m_clock);
    connect(m_pager, &CloudPager::progress, this, &ExoMailboxClient::progress);
    connect(m_pager, &CloudPager::finished, this, &ExoMailboxClient::finished);
    connect(m_pager, &CloudPager::throttled, this, &ExoMailboxClient::throttled);
}

void ExoMailboxClient::start()
{
    m_snapshot = {};
    m_snapshot.side = Side::Cloud;
    m_names.clear();
    m_snapshot.source = describeRequest("POST", commandUrl()) +
                        (m_changedSince > 0 ? u" (Get-Mailbox -Filter \"%1\")"_s.arg(whenChangedFilter(m_changedSince))
                                            : u" (Get-Mailbox)"_s);
    if (const QString problem = check(); !problem.isEmpty()) {
        m_checkError = ImportError{m_snapshot.source, 0, {}, problem};
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT finished(false); }, Qt::QueuedConnection);
        return;
    }
    m_checkError.reset();
    m_pager->start();
}

} // namespace sunset
