// SPDX-License-Identifier: Apache-2.0
#include "SyncEmulator.h"

#include "AttributeCatalog.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrlQuery>
#include <QUuid>

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

const QString kWritebackTemplate = u"Entra2ADExchangeOnlineAttributeWriteback"_s;

QStringList pathParts(const QUrl& url)
{
    return url.path().split(u'/', Qt::SkipEmptyParts);
}

qint64 timeOf(const QString& iso)
{
    const QDateTime t = QDateTime::fromString(iso, Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : -1;
}

// The JSON texts of saved answers: one, several concatenated, or an array of them; each answer's items (a page's
// "value", or the answer itself).
QList<QJsonObject> itemsOfAnswers(const QByteArray& data)
{
    QList<QJsonObject> items;
    qsizetype pos = 0;
    auto take = [&](const QJsonValue& answer) {
        const QJsonObject o = answer.toObject();
        if (o.value("value"_L1).isArray()) {
            for (const QJsonValue& item : o.value("value"_L1).toArray())
                items << item.toObject();
        } else if (!o.isEmpty()) {
            items << o;
        }
    };
    for (;;) {
        while (pos < data.size() && static_cast<unsigned char>(data[pos]) <= ' ')
            ++pos;
        if (pos >= data.size())
            break;
        const QByteArray rest = data.mid(pos);
        QJsonParseError error{};
        QJsonDocument doc = QJsonDocument::fromJson(rest, &error);
        qsizetype used = rest.size();
        if (error.error == QJsonParseError::GarbageAtEnd) { // answers concatenated: this one ends there
            used = error.offset;
            doc = QJsonDocument::fromJson(rest.left(used), &error);
        }
        if (error.error != QJsonParseError::NoError)
            qFatal("SyncEmulator::loadAnswers: unreadable JSON: %s", qPrintable(error.errorString()));
        if (doc.isArray()) {
            for (const QJsonValue& answer : doc.array())
                take(answer);
        } else {
            take(doc.object());
        }
        pos += used;
    }
    return items;
}

// One clause of a provisioning log $filter, as documented: "<property> <op> <value>".
struct Clause {
    QString property;
    QString op;
    QString text;     // a quoted string's content
    qint64 time = -1; // an unquoted ISO time (activityDateTime)
};

// The documented filterable properties and their operators [documented: provisioningobjectsummary-list.md]:
// contains exists too for the display names, but no client here uses it; it is refused like ge (not listed for
// activityDateTime).
std::optional<Clause> parseClause(const QString& text)
{
    static const QRegularExpression form(uR"(^([A-Za-z]+(?:/[A-Za-z]+)?) (eq|gt|lt) ('(?:[^']|'')*'|\S+)$)"_s);
    const QRegularExpressionMatch m = form.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    Clause c{m.captured(1), m.captured(2), {}, -1};
    const QString value = m.captured(3);
    static const QStringList stringProperties{u"jobId"_s,
                                              u"id"_s,
                                              u"cycleId"_s,
                                              u"changeId"_s,
                                              u"provisioningAction"_s,
                                              u"provisioningStatusInfo/status"_s,
                                              u"sourceIdentity/id"_s,
                                              u"targetIdentity/id"_s};
    if (c.property == "activityDateTime"_L1) {
        c.time = timeOf(value);
        return c.time >= 0 ? std::optional(c) : std::nullopt;
    }
    if (!stringProperties.contains(c.property) || c.op != "eq"_L1 || !value.startsWith(u'\''))
        return std::nullopt;
    c.text = value.mid(1, value.size() - 2).replace(u"''"_s, u"'"_s);
    return c;
}

QString memberPath(const QJsonObject& o, const QString& path)
{
    const QStringList parts = path.split(u'/');
    QJsonValue v = o;
    for (const QString& p : parts)
        v = v.toObject().value(p);
    return v.toString();
}

bool matches(const QJsonObject& entry, const Clause& c)
{
    if (c.property == "activityDateTime"_L1) {
        const qint64 t = timeOf(entry.value("activityDateTime"_L1).toString());
        return c.op == "gt"_L1 ? t > c.time : c.op == "lt"_L1 ? t < c.time : t == c.time;
    }
    return memberPath(entry, c.property) == c.text; // case-sensitive [documented]
}

QByteArray skipToken(qsizetype offset, const QString& filter)
{
    return QByteArray("o=" + QByteArray::number(offset) + ";f=" + QByteArray::number(qHash(filter), 16))
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

bool SyncEmulator::handles(const QByteArray& method, const QUrl& url)
{
    Q_UNUSED(method);
    const QStringList parts = pathParts(url);
    if (parts.size() >= 2 && parts[0] == "v1.0"_L1 && parts[1] == "servicePrincipals"_L1)
        return !(parts.size() > 2 && parts.last() == "provisionOnDemand"_L1);
    return parts == QStringList{u"v1.0"_s, u"auditLogs"_s, u"provisioning"_s};
}

SyncEmulator::Answer SyncEmulator::json(int status, const QJsonObject& body)
{
    Answer a;
    a.status = status;
    a.headers.append(std::pair<QByteArray, QByteArray>{"Content-Type",
                                                       "application/json;odata.metadata=minimal;odata.streaming=true;"
                                                       "IEEE754Compatible=false;charset=utf-8"});
    a.headers.append(
        std::pair<QByteArray, QByteArray>{"request-id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)});
    a.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return a;
}

SyncEmulator::Answer SyncEmulator::error(int status, const QString& code, const QString& message)
{
    return json(
        status,
        QJsonObject{
            {u"error"_s,
             QJsonObject{{u"code"_s, code},
                         {u"message"_s, message},
                         {u"innerError"_s,
                          QJsonObject{{u"date"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                                      {u"request-id"_s, QUuid::createUuid().toString(QUuid::WithoutBraces)}}}}}});
}

bool SyncEmulator::denied(const QString& permission, const QString& clientId) const
{
    return m_denied.contains({permission, QString()}) || m_denied.contains({permission, clientId});
}

void SyncEmulator::denyPermission(const QString& permission, const QString& clientId)
{
    m_denied.insert({permission, clientId});
}

SyncEmulator::Answer SyncEmulator::handle(const QByteArray& method, const QUrl& url, const QString& clientId,
                                          const Clock& clock)
{
    m_requests << url;
    if (method != "GET")
        return error(405, u"Request_BadRequest"_s,
                     u"The HTTP method '%1' is not allowed here."_s.arg(QString::fromLatin1(method)));
    const QStringList parts = pathParts(url);
    // Graph's answer to an app without the permission [documented: Graph errors, 403 Authorization_RequestDenied].
    auto forbid = [](const QString& permission) {
        return error(403, u"Authorization_RequestDenied"_s,
                     u"Insufficient privileges to complete the operation. (%1 is required.)"_s.arg(permission));
    };
    if (parts[1] == "auditLogs"_L1) {
        if (denied(QLatin1StringView(kAuditLogRead), clientId))
            return forbid(QLatin1StringView(kAuditLogRead));
        return provisioning(url, clientId, clock);
    }
    if (parts.size() == 2) {
        if (denied(QLatin1StringView(kApplicationRead), clientId))
            return forbid(QLatin1StringView(kApplicationRead));
        return servicePrincipals(url);
    }
    if (denied(QLatin1StringView(kSynchronizationRead), clientId))
        return forbid(QLatin1StringView(kSynchronizationRead));
    const QString sp = parts[2];
    if (!std::any_of(m_servicePrincipals.begin(), m_servicePrincipals.end(),
                     [&](const ServicePrincipal& s) { return s.id == sp; }))
        return error(404, u"Request_ResourceNotFound"_s,
                     u"Resource '%1' does not exist or one of its queried reference-property objects are not "
                     "present."_s.arg(sp));
    if (parts.size() == 5 && parts[3] == "synchronization"_L1 && parts[4] == "jobs"_L1)
        return jobs(sp);
    if (parts.size() >= 6 && parts.size() <= 7 && parts[3] == "synchronization"_L1 && parts[4] == "jobs"_L1) {
        const QString jobId = parts[5];
        if (servicePrincipalOfJob(jobId) != sp)
            return error(404, u"NotFound"_s, u"The job '%1' was not found."_s.arg(jobId));
        if (parts.size() == 6)
            return json(200, job(jobId));
        if (parts[6] == "schema"_L1) {
            QJsonObject schema = m_schemas.value(jobId);
            if (schema.isEmpty()) { // a job keeps its template's default mappings until changed
                QStringList all;
                for (const AttributeSpec& spec : AttributeCatalog::all())
                    if (spec.writtenBackByCloudSync)
                        all << spec.ldapName;
                schema = makeSchema(jobId, all);
            }
            return json(200, schema);
        }
    }
    return error(404, u"NotFound"_s, u"Resource not found for the segment '%1'."_s.arg(parts.last()));
}

SyncEmulator::Answer SyncEmulator::servicePrincipals(const QUrl& url)
{
    const QUrlQuery query(url);
    QString templateId;
    for (const auto& [name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (name == "$filter"_L1) {
            // Only the documented form this emulates: applicationTemplateId eq '<id>'.
            static const QRegularExpression form(uR"(^applicationTemplateId eq '([^']*)'$)"_s);
            const QRegularExpressionMatch m = form.match(value);
            if (!m.hasMatch())
                return error(400, u"Request_UnsupportedQuery"_s,
                             u"Unsupported or invalid query filter clause specified for property "
                             "'applicationTemplateId' of resource 'ServicePrincipal'."_s);
            templateId = m.captured(1);
        } else if (name == "$select"_L1) {
            static const QStringList known{
                u"id"_s,  u"appId"_s, u"displayName"_s, u"applicationTemplateId"_s, u"servicePrincipalType"_s,
                u"tags"_s};
            for (const QString& field : value.split(u','))
                if (!known.contains(field))
                    return error(
                        400, u"Request_BadRequest"_s,
                        u"Could not find a property named '%1' on type 'microsoft.graph.servicePrincipal'."_s.arg(
                            field));
        } else {
            return error(400, u"Request_BadRequest"_s, u"Unsupported query parameter '%1'."_s.arg(name));
        }
    }
    QJsonArray value;
    for (const ServicePrincipal& sp : m_servicePrincipals)
        if (templateId.isEmpty() || sp.applicationTemplateId == templateId)
            value.append(QJsonObject{{u"id"_s, sp.id},
                                     {u"appId"_s, QUuid::createUuidV5(QUuid(), sp.id).toString(QUuid::WithoutBraces)},
                                     {u"displayName"_s, sp.displayName},
                                     {u"applicationTemplateId"_s, sp.applicationTemplateId}});
    return json(200,
                QJsonObject{{u"@odata.context"_s, u"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals"_s},
                            {u"value"_s, value}});
}

SyncEmulator::Answer SyncEmulator::jobs(const QString& servicePrincipalId)
{
    QJsonArray value;
    for (const auto& [sp, job] : m_jobs)
        if (sp == servicePrincipalId)
            value.append(job);
    return json(200, QJsonObject{{u"@odata.context"_s,
                                  u"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('%1')/synchronization/"
                                  "jobs"_s.arg(servicePrincipalId)},
                                 {u"value"_s, value}});
}

SyncEmulator::Answer SyncEmulator::provisioning(const QUrl& url, const QString& clientId, const Clock& clock)
{
    ++m_provisioningRequests;
    // The throttle first, as Graph does: 5 requests per 10 s per app and tenant [documented].
    const qint64 now = clock.nowMsecs();
    std::deque<qint64>& answered = m_answeredAt[clientId];
    while (!answered.empty() && answered.front() <= now - m_throttleWindowMsecs)
        answered.pop_front();
    if (int(answered.size()) >= m_throttleRequests) {
        ++m_throttled;
        const qint64 wait = answered.front() + m_throttleWindowMsecs - now;
        if (m_throttleObserver)
            m_throttleObserver(wait);
        Answer a = error(429, u"TooManyRequests"_s, u"Too many requests."_s);
        a.headers.append(
            std::pair<QByteArray, QByteArray>{"Retry-After", QByteArray::number(double(wait) / 1000.0, 'f', 3)});
        return a;
    }
    answered.push_back(now);
    m_mostInWindow = std::max(m_mostInWindow, int(answered.size()));

    const QUrlQuery query(url);
    QString filter;
    int top = m_pageSize;
    qsizetype offset = 0;
    QByteArray token;
    for (const auto& [name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (name == "$filter"_L1) {
            filter = value;
        } else if (name == "$top"_L1) {
            bool ok = false;
            top = value.toInt(&ok);
            if (!ok || top < 1 || top > 1000)
                return error(400, u"BadRequest"_s, u"Invalid page size specified: '%1'."_s.arg(value));
        } else if (name == "$skiptoken"_L1) {
            token = value.toLatin1();
        } else {
            return error(400, u"BadRequest"_s, u"Query option '%1' is not allowed."_s.arg(name));
        }
    }
    QList<Clause> clauses;
    if (!filter.isEmpty()) {
        for (const QString& text : filter.split(u" and "_s)) {
            const auto clause = parseClause(text);
            if (!clause)
                return error(400, u"BadRequest"_s, u"Invalid filter clause: '%1'."_s.arg(text));
            clauses << *clause;
        }
    }
    if (!token.isEmpty()) {
        const QByteArray decoded = QByteArray::fromBase64(token, QByteArray::Base64UrlEncoding);
        static const QRegularExpression form(uR"(^o=(\d+);f=([0-9a-f]+)$)"_s);
        const QRegularExpressionMatch m = form.match(QString::fromLatin1(decoded));
        if (!m.hasMatch() || m.captured(2) != QString::number(qHash(filter), 16))
            return error(400, u"BadRequest"_s, u"Invalid $skiptoken."_s);
        offset = m.captured(1).toLongLong();
    }
    QList<QJsonObject> matched;
    for (const QJsonValue& v : std::as_const(m_entries)) {
        const QJsonObject entry = v.toObject();
        if (std::all_of(clauses.begin(), clauses.end(), [&](const Clause& c) { return matches(entry, c); }))
            matched << entry;
    }
    // Newest first [observed]; ties in a stable order.
    std::stable_sort(matched.begin(), matched.end(), [](const QJsonObject& a, const QJsonObject& b) {
        return timeOf(a.value("activityDateTime"_L1).toString()) > timeOf(b.value("activityDateTime"_L1).toString());
    });
    QJsonArray value;
    for (qsizetype i = offset; i < matched.size() && i < offset + top; ++i)
        value.append(matched[i]);
    QJsonObject page{{u"@odata.context"_s, u"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning"_s},
                     {u"value"_s, value}};
    if (offset + top < matched.size()) {
        QUrl next = url;
        QUrlQuery nextQuery;
        if (!filter.isEmpty())
            nextQuery.addQueryItem(u"$filter"_s, filter);
        if (query.hasQueryItem(u"$top"_s))
            nextQuery.addQueryItem(u"$top"_s, QString::number(top));
        nextQuery.addQueryItem(u"$skiptoken"_s, QString::fromLatin1(skipToken(offset + top, filter)));
        next.setQuery(nextQuery);
        page.insert(u"@odata.nextLink"_s, QString::fromUtf8(next.toEncoded()));
    }
    return json(200, page);
}

void SyncEmulator::addServicePrincipal(const QString& id, const QString& applicationTemplateId,
                                       const QString& displayName)
{
    m_servicePrincipals.append({id, applicationTemplateId, displayName});
}

void SyncEmulator::addJob(const QString& servicePrincipalId, const QJsonObject& job)
{
    m_jobs.append({servicePrincipalId, job});
}

void SyncEmulator::setSchema(const QString& jobId, const QJsonObject& schema)
{
    m_schemas.insert(jobId, schema);
}

void SyncEmulator::addProvisioningEntry(const QJsonObject& entry)
{
    m_entries.append(entry);
}

void SyncEmulator::loadAnswers(const QString& servicePrincipalId, const QByteArray& jobsJson,
                               const QByteArray& schemaJson, const QByteArray& provisioningJson)
{
    for (const QJsonObject& job : itemsOfAnswers(jobsJson))
        addJob(servicePrincipalId, job);
    for (const QJsonObject& schema : itemsOfAnswers(schemaJson))
        setSchema(schema.value("id"_L1).toString(), schema);
    for (const QJsonObject& entry : itemsOfAnswers(provisioningJson))
        addProvisioningEntry(entry);
}

QJsonObject SyncEmulator::job(const QString& jobId) const
{
    for (const auto& [sp, job] : m_jobs)
        if (job.value("id"_L1).toString() == jobId)
            return job;
    return {};
}

QString SyncEmulator::servicePrincipalOfJob(const QString& jobId) const
{
    for (const auto& [sp, job] : m_jobs)
        if (job.value("id"_L1).toString() == jobId)
            return sp;
    return {};
}

bool SyncEmulator::updateJob(const QJsonObject& job)
{
    for (auto& [sp, known] : m_jobs) {
        if (known.value("id"_L1) == job.value("id"_L1)) {
            known = job;
            return true;
        }
    }
    return false;
}

QJsonObject SyncEmulator::makeJob(const JobSpec& spec)
{
    auto execution = [](const QString& when) -> QJsonValue {
        if (when.isEmpty()) // never: Graph fills the times with 0001-01-01 [observed]
            return QJsonObject{{u"timeBegan"_s, u"0001-01-01T00:00:00Z"_s},
                               {u"timeEnded"_s, u"0001-01-01T00:00:00Z"_s}};
        return QJsonObject{{u"timeBegan"_s, when},
                           {u"timeEnded"_s, when},
                           {u"state"_s, u"Succeeded"_s},
                           {u"countExported"_s, 0},
                           {u"error"_s, QJsonValue::Null}};
    };
    QJsonObject status{{u"code"_s, spec.code},
                       {u"countSuccessiveCompleteFailures"_s, spec.countSuccessiveCompleteFailures},
                       {u"escrowsPruned"_s, false},
                       {u"lastExecution"_s, execution(spec.lastSuccessfulRun)},
                       {u"lastSuccessfulExecution"_s, execution(spec.lastSuccessfulRun)},
                       {u"lastSuccessfulExecutionWithExports"_s, execution(spec.lastSuccessfulRun)},
                       {u"quarantine"_s, QJsonValue::Null},
                       {u"steadyStateFirstAchievedTime"_s, u"0001-01-01T00:00:00Z"_s},
                       {u"steadyStateLastAchievedTime"_s, u"0001-01-01T00:00:00Z"_s},
                       {u"synchronizedEntryCountByType"_s, QJsonArray{}},
                       {u"troubleshootingUrl"_s, QJsonValue::Null}};
    if (!spec.quarantineReason.isEmpty())
        status.insert(u"quarantine"_s, QJsonObject{{u"currentBegan"_s, spec.quarantineSince},
                                                   {u"nextAttempt"_s, QJsonValue::Null},
                                                   {u"reason"_s, spec.quarantineReason},
                                                   {u"seriesBegan"_s, spec.quarantineSince},
                                                   {u"seriesCount"_s, 1}});
    return QJsonObject{
        {u"id"_s, spec.id},
        {u"templateId"_s, kWritebackTemplate},
        {u"schedule"_s, QJsonObject{{u"expiration"_s, QJsonValue::Null},
                                    {u"interval"_s, spec.interval},
                                    {u"state"_s, spec.scheduleState}}},
        {u"status"_s, status},
        {u"synchronizationJobSettings"_s,
         QJsonArray{QJsonObject{{u"name"_s, u"DomainFQDN"_s}, {u"value"_s, spec.domain}}}},
    };
}

QJsonObject SyncEmulator::makeSchema(const QString& jobId, const QStringList& targetAttributes)
{
    QJsonArray mappings;
    for (const QString& target : targetAttributes)
        mappings.append(QJsonObject{{u"targetAttributeName"_s, target},
                                    {u"flowType"_s, u"Always"_s},
                                    {u"flowBehavior"_s, u"FlowWhenChanged"_s},
                                    {u"matchingPriority"_s, 0},
                                    {u"source"_s, QJsonObject{{u"expression"_s, u"[%1]"_s.arg(target)},
                                                              {u"name"_s, target},
                                                              {u"type"_s, u"Attribute"_s},
                                                              {u"parameters"_s, QJsonArray{}}}}});
    const QJsonObject objectMapping{{u"name"_s, u"Provision Entra ID users"_s}, {u"enabled"_s, true},
                                    {u"flowTypes"_s, u"Add, Update"_s},         {u"sourceObjectName"_s, u"user"_s},
                                    {u"targetObjectName"_s, u"user"_s},         {u"attributeMappings"_s, mappings}};
    return QJsonObject{
        {u"id"_s, jobId},
        {u"version"_s, u"date:2026-08-01T00:00:00Z"_s},
        {u"synchronizationRules"_s, QJsonArray{QJsonObject{{u"id"_s, kWritebackTemplate},
                                                           {u"name"_s, u"USER_ENTRA_TO_AD"_s},
                                                           {u"editable"_s, true},
                                                           {u"sourceDirectoryName"_s, u"Azure Active Directory"_s},
                                                           {u"targetDirectoryName"_s, u"Active Directory"_s},
                                                           {u"objectMappings"_s, QJsonArray{objectMapping}}}}},
        {u"directories"_s, QJsonArray{}}};
}

} // namespace sunset
