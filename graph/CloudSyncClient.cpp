// SPDX-License-Identifier: Apache-2.0
#include "CloudSyncClient.h"

#include "CloudSyncJsonReader.h"
#include "GraphLogging.h"
#include "GraphUsersClient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTimeZone>
#include <QUrlQuery>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Graph's own words for a permission the app lacks: 403 with error code Authorization_RequestDenied
// [documented: Graph errors]. Any 403 is taken as such here: Graph answers nothing else with it for these reads.
constexpr int kForbidden = 403;

// The ids of a GET /servicePrincipals page's service principals ({"value":[{"id":…}]}).
Result<QStringList> readServicePrincipalIds(QByteArrayView body, const QString& requestName)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject() || !doc.object().value("value"_L1).isArray())
        return ImportError{requestName, 0, {}, u"expected a page of service principals {\"value\":[…]}"_s};
    QStringList ids;
    for (const QJsonValue& sp : doc.object().value("value"_L1).toArray())
        if (const QString id = sp.toObject().value("id"_L1).toString(); !id.isEmpty())
            ids << id;
    return ids;
}

// "2026-10-25T09:00:00Z", as Graph's examples write times in $filter. Never "+00:00": an unencoded '+' in a query
// reads as a space.
QString isoUtc(qint64 msecs)
{
    return QDateTime::fromMSecsSinceEpoch(msecs, QTimeZone::utc()).toString(u"yyyy-MM-dd'T'HH:mm:ss'Z'"_s);
}

} // namespace

CloudSyncClient::CloudSyncClient(const QUrl& endpoint, TokenProvider* tokens, QObject* parent)
    : QObject(parent)
    , m_endpoint(endpoint)
    , m_tokens(tokens)
    , m_resource(GraphUsersClient::defaultResource(endpoint))
    , m_network(new QNetworkAccessManager(this))
    , m_pacer(
          std::make_unique<RequestPacer>(m_options.provisioningRequestsPerWindow, m_options.provisioningWindowMsecs))
{
}

CloudSyncClient::~CloudSyncClient()
{
    delete m_pager; // before the QNetworkAccessManager and its replies
}

void CloudSyncClient::setResource(const QString& resource)
{
    m_resource = resource;
}

void CloudSyncClient::setOptions(const CloudSyncReadOptions& options)
{
    m_options = options;
    m_pacer = std::make_unique<RequestPacer>(options.provisioningRequestsPerWindow, options.provisioningWindowMsecs);
    m_pacer->setClock(*m_clock);
}

void CloudSyncClient::setClock(const Clock& clock)
{
    m_clock = &clock;
    m_pacer->setClock(clock);
}

QUrl CloudSyncClient::url(const QString& path) const
{
    QUrl base = m_endpoint;
    QString p = base.path();
    while (p.endsWith(u'/'))
        p.chop(1);
    base.setPath(p + path);
    return base;
}

QString CloudSyncClient::windowFilter() const
{
    // gt, not ge: ge is not among the documented operators for activityDateTime [documented: eq, gt, lt].
    return u"activityDateTime gt "_s + isoUtc(m_windowStartMsecs);
}

void CloudSyncClient::start()
{
    m_state = {};
    m_cancelled = false;
    m_retries = 0;
    m_index = 0;
    m_servicePrincipals = m_options.servicePrincipalIds;
    m_windowStartMsecs = m_clock->nowMsecs() - qint64(std::max(1, m_options.windowDays)) * 24 * 3600 * 1000;
    if (const QString problem = checkEndpointUrl(m_endpoint, u"Graph endpoint"_s); !problem.isEmpty()) {
        m_state.jobsMissingReason = u"Cloud Sync's jobs were not read: "_s + problem;
        m_state.provisioningMissingReason = u"the provisioning log was not read: "_s + problem;
        m_step = Step::Done;
        nextLater();
        return;
    }
    m_step = m_servicePrincipals.isEmpty() ? Step::ServicePrincipals : Step::Jobs;
    nextLater();
}

void CloudSyncClient::cancel()
{
    if (m_step == Step::Done)
        return;
    m_cancelled = true;
    if (m_pager && m_pager->isRunning())
        m_pager->cancel(); // finished(false) follows through pageDone
}

void CloudSyncClient::request(const QUrl& url, const QString& itemName, const CloudPageHandler& take, bool paced)
{
    delete m_pager;
    CloudPager::Request request;
    request.firstUrl = url;
    request.resource = m_resource;
    request.itemName = itemName;
    request.pacer = paced ? m_pacer.get() : nullptr;
    m_pager = new CloudPager(m_network, m_tokens, std::move(request), take, this);
    m_pager->setRetryPolicy(m_policy);
    m_pager->setClock(*m_clock);
    connect(m_pager, &CloudPager::finished, this, &CloudSyncClient::pageDone);
    m_pager->start();
}

QString CloudSyncClient::failureReason(const QString& what, const QString& permission) const
{
    const std::optional<ImportError>& error = m_pager->error();
    const QString detail = error ? error->toString() : u"unknown failure"_s;
    if (m_pager->failedHttpStatus() == kForbidden)
        return u"%1 could not be read: the app lacks the Graph permission %2 (grant it as an application permission "
               "with admin consent, or sign in as an admin who has it); %3"_s.arg(what, permission, detail);
    return u"%1 could not be read: %2"_s.arg(what, detail);
}

void CloudSyncClient::jobsDenied(const QString& reason)
{
    qCWarning(lcGraph).noquote() << reason;
    m_state.jobsRead = false;
    m_state.jobs.clear();
    m_state.jobsMissingReason = reason;
    m_state.provisioningMissingReason =
        u"the provisioning log was not read: it is read per writeback job, and the jobs could not be read"_s;
    m_step = Step::Done;
    nextLater();
}

void CloudSyncClient::provisioningDenied(const QString& reason)
{
    qCWarning(lcGraph).noquote() << reason;
    m_state.provisioningRead = false;
    m_state.provisioning = {};
    m_state.provisioningMissingReason = reason;
    m_step = Step::Done;
    nextLater();
}

void CloudSyncClient::nextLater()
{
    // Never from inside the finished() of the pager that next() replaces.
    QMetaObject::invokeMethod(
        this, [this] { next(); }, Qt::QueuedConnection);
}

void CloudSyncClient::pageDone(bool ok)
{
    m_retries += m_pager->retries();
    if (m_cancelled) {
        m_step = Step::Done;
        Q_EMIT finished(false);
        return;
    }
    switch (m_step) {
    case Step::ServicePrincipals:
        if (!ok)
            return jobsDenied(failureReason(u"Cloud Sync's service principal"_s, u"Application.Read.All"_s));
        m_step = Step::Jobs;
        break;
    case Step::Jobs:
        if (!ok)
            return jobsDenied(failureReason(u"Cloud Sync's writeback jobs"_s, u"Synchronization.Read.All"_s));
        ++m_index;
        break;
    case Step::Schema:
        // The job was read, its mappings were not: the items say the schema is missing (EvidenceMissing::Schema).
        if (!ok)
            qCWarning(lcGraph).noquote() << failureReason(u"The writeback job's schema"_s,
                                                          u"Synchronization.Read.All"_s);
        ++m_index;
        break;
    case Step::Provisioning:
        if (!ok)
            return provisioningDenied(failureReason(u"The provisioning log"_s, u"AuditLog.Read.All"_s));
        ++m_index;
        break;
    case Step::Done:
        return;
    }
    nextLater();
}

void CloudSyncClient::next()
{
    if (m_step == Step::ServicePrincipals) {
        // [documented: applicationTemplateId supports eq]; the id itself is only [observed] (see the options).
        QUrl search = url(u"/v1.0/servicePrincipals"_s);
        QUrlQuery query;
        query.addQueryItem(u"$filter"_s, u"applicationTemplateId eq '%1'"_s.arg(m_options.applicationTemplateId));
        query.addQueryItem(u"$select"_s, u"id,appId,displayName"_s);
        search.setQuery(query);
        Q_EMIT progress(u"Cloud Sync's service principal"_s, 0);
        request(search, u"service principals"_s, [this](QByteArrayView body, const QString& name) -> Result<CloudPage> {
            Result<QStringList> ids = readServicePrincipalIds(body, name);
            if (!ids)
                return ids.error();
            m_servicePrincipals << ids.value();
            Result<ODataPageLinks> links = readODataPageLinks(body, name);
            if (!links)
                return links.error();
            return CloudPage{ids->size(), links->nextLink, -1};
        });
        return;
    }
    if (m_step == Step::Jobs) {
        if (m_servicePrincipals.isEmpty()) {
            // No service principal: Cloud Sync may not be set up, or its template id is not the one observed.
            m_state.jobsMissingReason =
                u"no Cloud Sync service principal was found (GET /v1.0/servicePrincipals with applicationTemplateId "
                "eq '%1', an id only observed, not documented): Cloud Sync may not be set up in this tenant"_s.arg(
                    m_options.applicationTemplateId);
            m_state.provisioningMissingReason =
                u"the provisioning log was not read: no Cloud Sync writeback job was found to read it for"_s;
            m_step = Step::Done;
            next();
            return;
        }
        if (m_index < size_t(m_servicePrincipals.size())) {
            const QString sp = m_servicePrincipals[qsizetype(m_index)];
            Q_EMIT progress(u"Cloud Sync's writeback jobs"_s, qint64(m_state.jobs.size()));
            request(url(u"/v1.0/servicePrincipals/%1/synchronization/jobs"_s.arg(
                        QString::fromLatin1(QUrl::toPercentEncoding(sp)))),
                    u"synchronization jobs"_s,
                    [this, sp](QByteArrayView body, const QString& name) -> Result<CloudPage> {
                        // Other templates' jobs (e.g. AD2AADProvisioning) are left out by the reader, by templateId.
                        auto jobs = readSyncJobsJson(body, name);
                        if (!jobs)
                            return jobs.error();
                        for (WritebackJob& job : jobs.value()) {
                            job.servicePrincipalId = sp;
                            m_state.jobs.push_back(std::move(job));
                        }
                        Result<ODataPageLinks> links = readODataPageLinks(body, name);
                        if (!links)
                            return links.error();
                        return CloudPage{qint64(jobs->size()), links->nextLink, -1};
                    });
            return;
        }
        m_state.jobsRead = true;
        m_state.jobsSource = u"Graph (GET %1/v1.0/servicePrincipals/{id}/synchronization/jobs)"_s.arg(
            GraphUsersClient::defaultResource(m_endpoint));
        m_step = Step::Schema;
        m_index = 0;
    }
    if (m_step == Step::Schema) {
        if (m_index < m_state.jobs.size()) {
            const WritebackJob& job = m_state.jobs[m_index];
            Q_EMIT progress(u"Cloud Sync's schema (%1)"_s.arg(job.domain.isEmpty() ? job.id : job.domain),
                            qint64(m_index));
            const size_t index = m_index;
            request(url(u"/v1.0/servicePrincipals/%1/synchronization/jobs/%2/schema"_s.arg(
                        QString::fromLatin1(QUrl::toPercentEncoding(job.servicePrincipalId)),
                        QString::fromLatin1(QUrl::toPercentEncoding(job.id)))),
                    u"schemas"_s, [this, index](QByteArrayView body, const QString& name) -> Result<CloudPage> {
                        auto schemas = readSyncSchemaJson(body, name);
                        if (!schemas)
                            return schemas.error();
                        // The schema answers for the job it was asked of, whatever its own id says.
                        WritebackJob& job = m_state.jobs[index];
                        for (const WritebackSchema& schema : schemas.value()) {
                            job.schemaRead = true;
                            job.mappedAttributes |= schema.mappedAttributes;
                        }
                        return CloudPage{qint64(schemas->size()), {}, -1};
                    });
            return;
        }
        if (std::any_of(m_state.jobs.begin(), m_state.jobs.end(), [](const WritebackJob& j) { return j.schemaRead; }))
            m_state.schemaSource = u"Graph (GET …/synchronization/jobs/{jobId}/schema)"_s;
        m_step = Step::Provisioning;
        m_index = 0;
        if (!m_options.readProvisioningLog) {
            m_state.provisioningMissingReason = u"the provisioning log was not asked for"_s;
            m_step = Step::Done;
        }
    }
    if (m_step == Step::Provisioning) {
        if (m_index < m_state.jobs.size()) {
            const WritebackJob& job = m_state.jobs[m_index];
            const QString step =
                u"Cloud Sync's provisioning log (%1)"_s.arg(job.domain.isEmpty() ? job.id : job.domain);
            QUrl log = url(u"/v1.0/auditLogs/provisioning"_s);
            QUrlQuery query;
            // [documented: $filter on jobId (eq) and activityDateTime (gt), joined by and]
            query.addQueryItem(u"$filter"_s, u"jobId eq '%1' and %2"_s.arg(job.id, windowFilter()));
            log.setQuery(query);
            Q_EMIT progress(step, m_state.provisioning.entriesRead);
            request(
                log, u"provisioning log entries"_s,
                [this, step](QByteArrayView body, const QString& name) -> Result<CloudPage> {
                    const qint64 before = m_state.provisioning.entriesRead;
                    auto folded = readProvisioningLogJson(body, name, {}, std::move(m_state.provisioning));
                    if (!folded)
                        return folded.error();
                    m_state.provisioning = std::move(folded.value());
                    Result<ODataPageLinks> links = readODataPageLinks(body, name);
                    if (!links)
                        return links.error();
                    Q_EMIT progress(step, m_state.provisioning.entriesRead);
                    return CloudPage{m_state.provisioning.entriesRead - before, links->nextLink, -1};
                },
                true);
            return;
        }
        m_state.provisioningRead = true;
        m_state.provisioningSource = u"Graph (GET %1/v1.0/auditLogs/provisioning, %2)"_s.arg(
            GraphUsersClient::defaultResource(m_endpoint), windowFilter());
        m_step = Step::Done;
    }
    m_step = Step::Done;
    QMetaObject::invokeMethod(
        this, [this] { Q_EMIT finished(true); }, Qt::QueuedConnection);
}

} // namespace sunset
