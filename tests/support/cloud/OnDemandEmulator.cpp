// SPDX-License-Identifier: Apache-2.0
#include "OnDemandEmulator.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QUuid>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QString nowWithMilliseconds()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString compact(const QJsonObject& o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// The parts of …/servicePrincipals/{sp}/synchronization/jobs/{job}/{action}; empty when the path is not one.
QStringList jobPath(const QString& path)
{
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    if (parts.size() != 7 || parts[0] != "v1.0"_L1 || parts[1] != "servicePrincipals"_L1 ||
        parts[3] != "synchronization"_L1 || parts[4] != "jobs"_L1)
        return {};
    return {parts[2], parts[5], parts[6]};
}

// The LDIF an ldapsearch prints, unfolded, per attribute (lower-case name) its values.
QHash<QByteArray, QByteArrayList> parseLdif(const QByteArray& ldif)
{
    QHash<QByteArray, QByteArrayList> values;
    QByteArrayList lines;
    for (const QByteArray& line : ldif.split('\n')) {
        if (line.startsWith(' ') && !lines.isEmpty())
            lines.back() += line.mid(1);
        else
            lines.append(line);
    }
    for (const QByteArray& line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.startsWith("dn:"))
            continue;
        const QByteArray name = line.left(colon).toLower();
        if (line.mid(colon + 1).startsWith(':'))
            values[name].append(QByteArray::fromBase64(line.mid(colon + 2).trimmed()));
        else
            values[name].append(line.mid(colon + 1).trimmed());
    }
    return values;
}

} // namespace

void OnDemandEmulator::setJob(const QString& servicePrincipalId, const QString& jobId, const QString& ruleId)
{
    m_sp = servicePrincipalId;
    m_job = jobId;
    m_rule = ruleId;
}

void OnDemandEmulator::setObject(const QString& entraObjectId, const QByteArray& dn,
                                 const QHash<QByteArray, QByteArrayList>& cloud)
{
    m_objects.insert(entraObjectId.toLower(), Object{dn, cloud});
}

bool OnDemandEmulator::handles(const QByteArray& method, const QString& path) const
{
    const QStringList job = jobPath(path);
    if (job.isEmpty())
        return false;
    if (method == "POST" && job[2] == "provisionOnDemand"_L1)
        return true;
    // The schema only of the job this class knows: the other synchronization paths are SyncEmulator's.
    return method == "GET" && job[2] == "schema"_L1 && job[1] == m_job;
}

OnDemandEmulator::Answer OnDemandEmulator::error(int status, const QString& code, const QString& message)
{
    Answer a;
    a.status = status;
    a.headers.append(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
    a.body = QJsonDocument(QJsonObject{{u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}})
                 .toJson(QJsonDocument::Compact);
    return a;
}

OnDemandEmulator::Answer OnDemandEmulator::handle(const QByteArray& method, const QString& path,
                                                  const QByteArray& body)
{
    const QStringList job = jobPath(path);
    if (job.value(0) != m_sp || job.value(1) != m_job)
        return error(404, u"Request_ResourceNotFound"_s,
                     u"Resource '%1' does not exist or one of its queried reference-property objects are not "
                     "present."_s.arg(job.value(0) != m_sp ? job.value(0) : job.value(1)));
    if (method == "GET") { // the schema, reduced to its rule [documented shape]
        Answer a;
        a.headers.append(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
        a.body = QJsonDocument(QJsonObject{{u"id"_s, m_job},
                                           {u"synchronizationRules"_s,
                                            QJsonArray{QJsonObject{{u"id"_s, m_rule},
                                                                   {u"name"_s, u"AAD2ADExchangeOnlineWriteback"_s}}}}})
                     .toJson(QJsonDocument::Compact);
        return a;
    }
    ++m_requests;
    const qint64 now = m_clock->nowMsecs();
    m_times.append(now);
    // 5 requests per 10 s [documented]; what the service answers beyond is assumed to be Graph's usual 429.
    while (!m_window.empty() && m_window.front() <= now - 10000)
        m_window.pop_front();
    if (m_enforceRateLimit && m_window.size() >= 5) {
        ++m_rateLimited;
        Answer a = error(429, u"TooManyRequests"_s, u"Too many requests. Please retry after some time."_s);
        a.headers.append(std::pair<QByteArray, QByteArray>("Retry-After", QByteArray::number((m_window.front() + 10000 - now + 999) / 1000)));
        return a;
    }
    m_window.push_back(now);

    const QJsonObject request = QJsonDocument::fromJson(body).object();
    const QJsonArray parameters = request.value("parameters"_L1).toArray();
    const QJsonObject parameter = parameters.at(0).toObject();
    const QJsonArray subjects = parameter.value("subjects"_L1).toArray();
    if (parameters.size() != 1 || subjects.size() != 1)
        return error(400, u"BadRequest"_s, u"Exactly one parameter with one subject is expected."_s);
    if (parameter.value("ruleId"_L1).toString() != m_rule)
        return error(400, u"BadRequest"_s,
                     u"The rule '%1' is not a rule of job '%2'."_s.arg(parameter.value("ruleId"_L1).toString(), m_job));
    const QJsonObject subject = subjects.at(0).toObject();
    const QString objectId = subject.value("objectId"_L1).toString();
    if (!objectId.startsWith("User_"_L1) || subject.value("objectTypeName"_L1).toString() != "User"_L1)
        return error(400, u"BadRequest"_s,
                     u"The subject '%1' of type '%2' is not an object this job provisions."_s.arg(
                         objectId, subject.value("objectTypeName"_L1).toString()));
    return provision(objectId.mid(5).toLower());
}

OnDemandEmulator::Answer OnDemandEmulator::provision(const QString& entraObjectId)
{
    const Behaviour behaviour = m_behaviour.value(entraObjectId, Behaviour::Write);
    if (behaviour == Behaviour::Forbidden)
        return error(403, u"Authorization_RequestDenied"_s, u"Insufficient privileges to complete the operation."_s);
    if (behaviour == Behaviour::RateLimited) {
        ++m_rateLimited;
        m_behaviour.remove(entraObjectId); // once: the retry goes through
        Answer a = error(429, u"TooManyRequests"_s, u"Too many requests. Please retry after some time."_s);
        a.headers.append(std::pair<QByteArray, QByteArray>("Retry-After", "0.2"));
        return a;
    }
    const auto found = m_objects.constFind(entraObjectId);
    QString result = u"Success"_s;
    QString errorCode;
    QString errorMessage;
    QString skipReason;
    QJsonArray modified;
    if (behaviour == Behaviour::SkipNotInScope) {
        result = u"Skipped"_s;
        skipReason = u"NotInScope"_s;
        errorMessage = u"The user is not in the scope of the writeback job."_s;
    } else if (behaviour == Behaviour::FailInsufficientRights) {
        result = u"Failure"_s;
        errorCode = u"InsufficientRights"_s;
        errorMessage = u"The provisioning agent's account may not write the user's AD object."_s;
    } else if (found == m_objects.constEnd()) {
        result = u"Failure"_s;
        errorCode = u"SourceObjectNotFound"_s;
        errorMessage = u"The user User_%1 was not found in Microsoft Entra ID."_s.arg(entraObjectId);
    } else if (behaviour == Behaviour::SucceedWithoutAd) {
        for (auto it = found->cloud.cbegin(); it != found->cloud.cend(); ++it)
            modified.append(QJsonObject{{u"displayName"_s, QString::fromUtf8(it.key())},
                                        {u"oldValue"_s, QJsonValue()},
                                        {u"newValue"_s, QString::fromUtf8(it.value().join(';'))}});
    } else {
        const auto before = readAd(*found);
        QByteArray ldif = "dn: " + found->dn + "\nchangetype: modify\n";
        bool changes = false;
        for (auto it = found->cloud.cbegin(); it != found->cloud.cend(); ++it) {
            const QByteArrayList old = before ? before->value(it.key().toLower()) : QByteArrayList();
            if (before && old == it.value())
                continue;
            changes = true;
            ldif += "replace: " + it.key() + '\n';
            for (const QByteArray& v : it.value())
                ldif += it.key() + ":: " + v.toBase64() + '\n';
            ldif += "-\n";
            modified.append(QJsonObject{
                {u"displayName"_s, QString::fromUtf8(it.key())},
                {u"oldValue"_s, old.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(old.join(';')))},
                {u"newValue"_s, QString::fromUtf8(it.value().join(';'))}});
        }
        if (!changes) {
            result = u"Skipped"_s;
            skipReason = u"RedundantExport"_s;
            errorCode = u"RedundantExport"_s;
            errorMessage = u"The state of the user in both the source and target systems already match."_s;
        } else {
            const auto [code, output] = runAgentTool(u"ldapmodify"_s, {}, ldif);
            if (code == 0) {
                ++m_adWrites;
            } else {
                result = u"Failure"_s;
                modified = {};
                // 50 insufficientAccessRights is the documented InsufficientRights; other codes keep their number.
                errorCode = code == 50 ? u"InsufficientRights"_s : u"LdapError%1"_s.arg(code);
                errorMessage = QString::fromUtf8(output).simplified();
            }
        }
    }
    const QString changeId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QJsonObject details;
    if (!errorCode.isEmpty())
        details.insert(u"errorCode"_s, errorCode);
    if (!errorMessage.isEmpty())
        details.insert(u"errorMessage"_s, errorMessage);
    QJsonArray steps{QJsonObject{{u"name"_s, u"EntryImport"_s},
                                 {u"type"_s, u"Import"_s},
                                 {u"status"_s, u"Success"_s},
                                 {u"timestamp"_s, nowWithMilliseconds()},
                                 {u"details"_s, QJsonObject{{u"objectId"_s, entraObjectId}}}}};
    if (result == "Skipped"_L1)
        steps.append(QJsonObject{{u"name"_s, u"EntrySynchronizationSkip"_s},
                                 {u"type"_s, u"Export"_s},
                                 {u"status"_s, u"Skipped"_s},
                                 {u"timestamp"_s, nowWithMilliseconds()},
                                 {u"details"_s, QJsonObject{{u"SkipReason"_s, skipReason}}}});
    const QJsonObject status{{u"status"_s, result},
                             {u"errorCode"_s, errorCode.isEmpty() ? QJsonValue() : QJsonValue(errorCode)},
                             {u"reason"_s, errorMessage.isEmpty() ? QJsonValue() : QJsonValue(errorMessage)},
                             {u"recommendedAction"_s, errorCode == "InsufficientRights"_L1
                                                          ? QJsonValue(u"Grant the provisioning agent's account write "
                                                                       "access to the object's OU."_s)
                                                          : QJsonValue()}};
    QJsonObject value{{u"action"_s, result == "Success"_L1 ? u"Update"_s : u"Other"_s},
                      {u"changeId"_s, changeId},
                      {u"startTime"_s, nowWithMilliseconds()},
                      {u"endTime"_s, nowWithMilliseconds()},
                      {u"statusInfo"_s, status},
                      {u"sourceIdentity"_s, QJsonObject{{u"id"_s, entraObjectId}, {u"type"_s, u"User"_s}}}};
    value.insert(u"provisioningSteps"_s, steps);
    value.insert(u"modifiedProperties"_s, modified);
    QJsonObject key{{u"result"_s, result}};
    key.insert(u"details"_s, details);
    Answer a;
    a.headers.append(std::pair<QByteArray, QByteArray>("Content-Type", "application/json"));
    a.body = QJsonDocument(QJsonObject{{u"@odata.context"_s,
                                        u"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.stringKeyStringValuePair"_s},
                                       {u"key"_s, compact(key)},
                                       {u"value"_s, compact(value)}})
                 .toJson(QJsonDocument::Compact);
    return a;
}

std::optional<QHash<QByteArray, QByteArrayList>> OnDemandEmulator::readAd(const Object& object) const
{
    QStringList arguments{u"-LLL"_s, u"-s"_s, u"base"_s, u"-b"_s, QString::fromUtf8(object.dn)};
    for (auto it = object.cloud.cbegin(); it != object.cloud.cend(); ++it)
        arguments << QString::fromUtf8(it.key());
    const auto [code, output] = runAgentTool(u"ldapsearch"_s, arguments, {});
    if (code != 0)
        return std::nullopt;
    return parseLdif(output);
}

std::pair<int, QByteArray> OnDemandEmulator::runAgentTool(const QString& tool, const QStringList& arguments,
                                                          const QByteArray& input) const
{
    if (m_agent.ldapsUri.isEmpty())
        return {80, "the emulator has no agent account to write AD with (setAgent)"};
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"LDAPTLS_CACERT"_s, m_agent.caFile);
    environment.insert(u"LDAPTLS_REQCERT"_s, u"hard"_s);
    process.setProcessEnvironment(environment);
    process.start(tool, QStringList{u"-x"_s, u"-H"_s, m_agent.ldapsUri, u"-D"_s, m_agent.bindName, u"-y"_s,
                                    m_agent.passwordFile} +
                            arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
        return {81, tool.toUtf8() + " did not finish"};
    // OpenLDAP's tools exit with the LDAP result code.
    const int code = process.exitCode();
    return {code, code == 0 ? process.readAllStandardOutput() : process.readAllStandardError()};
}

} // namespace sunset
