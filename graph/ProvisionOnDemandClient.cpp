// SPDX-License-Identifier: Apache-2.0
#include "ProvisionOnDemandClient.h"

#include "GraphLogging.h"
#include "GraphUsersClient.h"
#include "TokenProvider.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// A member that is documented as a JSON string holding JSON; tolerated: the object itself.
Result<QJsonObject> embeddedObject(const QJsonObject& pair, QLatin1StringView member, const QString& requestName)
{
    const QJsonValue v = pair.value(member);
    const QString path = u"$."_s + member;
    if (v.isObject())
        return v.toObject();
    if (!v.isString())
        return ImportError{requestName, 0, path,
                           u"expected a string holding a JSON object (provisionOnDemand's answer is a "
                           "stringKeyStringValuePair), found %1"_s.arg(v.isUndefined() ? u"nothing"_s
                                                                        : v.isNull()    ? u"null"_s
                                                                                        : u"another JSON type"_s)};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(v.toString().toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return ImportError{requestName, 0, path,
                           u"the string does not hold a JSON object (%1 at offset %2): \"%3\""_s
                               .arg(parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                                 : u"not an object"_s)
                               .arg(parseError.offset)
                               .arg(v.toString().left(80))};
    return doc.object();
}

// A documented string member that may be null or absent.
QString text(const QJsonObject& o, QLatin1StringView member)
{
    const QJsonValue v = o.value(member);
    if (v.isString())
        return v.toString();
    if (v.isDouble() || v.isBool())
        return v.toVariant().toString();
    return {};
}

std::optional<OnDemandOutcome> outcomeOf(const QString& result)
{
    const QString r = result.trimmed().toLower();
    if (r == "success"_L1 || r == "succeeded"_L1 || r == "warning"_L1)
        return OnDemandOutcome::Success;
    if (r == "skipped"_L1 || r == "skip"_L1)
        return OnDemandOutcome::Skipped;
    if (r == "failure"_L1 || r == "failed"_L1 || r == "error"_L1)
        return OnDemandOutcome::Failure;
    return std::nullopt;
}

} // namespace

QLatin1StringView onDemandOutcomeName(OnDemandOutcome outcome)
{
    switch (outcome) {
    case OnDemandOutcome::Success: return "success"_L1;
    case OnDemandOutcome::Skipped: return "skipped"_L1;
    case OnDemandOutcome::Failure: return "failure"_L1;
    }
    return "failure"_L1;
}

std::optional<OnDemandOutcome> onDemandOutcomeFromName(QStringView name)
{
    for (OnDemandOutcome o : {OnDemandOutcome::Success, OnDemandOutcome::Skipped, OnDemandOutcome::Failure})
        if (name == onDemandOutcomeName(o))
            return o;
    return std::nullopt;
}

Result<OnDemandAnswer> parseProvisionOnDemandAnswer(QByteArrayView body, const QString& requestName)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return ImportError{requestName, 0, u"$"_s,
                           u"the answer is not a JSON object (%1 at offset %2)"_s
                               .arg(parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                                 : u"another JSON type"_s)
                               .arg(parseError.offset)};
    const QJsonObject pair = doc.object();
    Result<QJsonObject> key = embeddedObject(pair, "key"_L1, requestName);
    if (!key)
        return key.error();
    Result<QJsonObject> value = embeddedObject(pair, "value"_L1, requestName);
    if (!value)
        return value.error();

    OnDemandAnswer answer;
    const QJsonObject details = key->value("details"_L1).toObject();
    const QJsonObject status = value->value("statusInfo"_L1).toObject();
    answer.resultText = text(key.value(), "result"_L1);
    QString path = u"$.key.result"_s;
    if (answer.resultText.isEmpty()) { // tolerated: the record's own status decides
        answer.resultText = text(status, "status"_L1);
        path = u"$.value.statusInfo.status"_s;
    }
    const std::optional<OnDemandOutcome> outcome = outcomeOf(answer.resultText);
    if (!outcome)
        return ImportError{requestName, 0, path,
                           answer.resultText.isEmpty()
                               ? u"the answer states no result (expected Success, Skipped or Failure)"_s
                               : u"unknown result \"%1\" (expected Success, Skipped or Failure)"_s.arg(
                                     answer.resultText.left(80))};
    answer.outcome = *outcome;
    answer.errorCode = text(details, "errorCode"_L1);
    if (answer.errorCode.isEmpty())
        answer.errorCode = text(status, "errorCode"_L1);
    answer.message = text(details, "errorMessage"_L1);
    if (answer.message.isEmpty())
        answer.message = text(status, "reason"_L1);
    answer.recommendedAction = text(status, "recommendedAction"_L1);
    answer.changeId = text(value.value(), "changeId"_L1);
    const QJsonArray steps = value->value("provisioningSteps"_L1).toArray();
    for (const QJsonValue& step : steps) {
        const QString reason = text(step.toObject().value("details"_L1).toObject(), "SkipReason"_L1);
        if (!reason.isEmpty())
            answer.skipReason = reason;
    }
    if (answer.outcome == OnDemandOutcome::Skipped && answer.skipReason.isEmpty())
        answer.skipReason = answer.errorCode; // the documented example: details.errorCode RedundantExport
    const QJsonValue modified = value->value("modifiedProperties"_L1);
    if (!modified.isUndefined() && !modified.isNull() && !modified.isArray())
        return ImportError{requestName, 0, u"$.value.modifiedProperties"_s, u"expected an array"_s};
    const QJsonArray properties = modified.toArray();
    for (qsizetype i = 0; i < properties.size(); ++i) {
        const QJsonObject p = properties.at(i).toObject();
        const QString name = text(p, "displayName"_L1);
        if (name.isEmpty())
            return ImportError{requestName, 0, u"$.value.modifiedProperties[%1].displayName"_s.arg(i),
                               u"expected the property's name"_s};
        answer.modifiedProperties.push_back({name, text(p, "oldValue"_L1), text(p, "newValue"_L1)});
    }
    return answer;
}

Result<QString> parseSchemaRuleId(QByteArrayView body, const QString& requestName)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return ImportError{requestName, 0, u"$"_s, u"the schema is not a JSON object"_s};
    const QJsonArray rules = doc.object().value("synchronizationRules"_L1).toArray();
    const QString id = rules.isEmpty() ? QString() : text(rules.first().toObject(), "id"_L1);
    if (id.isEmpty())
        return ImportError{requestName, 0, u"$.synchronizationRules[0].id"_s,
                           u"the job's schema names no synchronization rule, so there is no rule to provision on "
                           "demand with; pass the rule id (--rule-id) or check the job in the Entra portal"_s};
    return id;
}

QByteArray provisionOnDemandBody(const QString& ruleId, const QString& entraObjectId)
{
    const QJsonObject subject{{u"objectId"_s, QString(u"User_"_s + entraObjectId)}, {u"objectTypeName"_s, u"User"_s}};
    QJsonObject parameters{{u"ruleId"_s, ruleId}};
    parameters.insert(u"subjects"_s, QJsonArray{subject});
    QJsonObject body;
    body.insert(u"parameters"_s, QJsonArray{parameters});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

qint64 OnDemandRateLimit::waitMsecs(qint64 nowMsecs) const
{
    if (qsizetype(m_sends.size()) < kRequests)
        return 0;
    // The oldest of the last five sends must be a whole window ago.
    return std::max<qint64>(0, m_sends[m_sends.size() - kRequests] + kWindowMsecs - nowMsecs);
}

void OnDemandRateLimit::recordSend(qint64 nowMsecs)
{
    m_sends.push_back(nowMsecs);
    while (qsizetype(m_sends.size()) > kRequests)
        m_sends.pop_front();
}

ProvisionOnDemandClient::ProvisionOnDemandClient(const QUrl& endpoint, TokenProvider* tokens, QObject* parent)
    : QObject(parent)
    , m_endpoint(endpoint)
    , m_tokens(tokens)
    , m_resource(GraphUsersClient::defaultResource(endpoint))
    , m_network(new QNetworkAccessManager(this))
{
    m_wait.setSingleShot(true);
    connect(&m_wait, &QTimer::timeout, this, &ProvisionOnDemandClient::sendWhenAllowed);
}

ProvisionOnDemandClient::~ProvisionOnDemandClient()
{
    ++m_generation;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

QUrl ProvisionOnDemandClient::jobUrl(const QString& tail) const
{
    QUrl url = m_endpoint;
    url.setPath(u"/v1.0/servicePrincipals/%1/synchronization/jobs/%2/%3"_s.arg(
                    QString::fromLatin1(QUrl::toPercentEncoding(m_job.servicePrincipalId)),
                    QString::fromLatin1(QUrl::toPercentEncoding(m_job.jobId)), tail),
                QUrl::StrictMode);
    return url;
}

QString ProvisionOnDemandClient::requestName() const
{
    return m_step == Step::Schema ? describeRequest("GET", jobUrl(u"schema"_s))
                                  : describeRequest("POST", jobUrl(u"provisionOnDemand"_s)) +
                                        u" for User_"_s + m_ids.value(m_index);
}

void ProvisionOnDemandClient::start(const OnDemandJob& job, const QStringList& entraObjectIds)
{
    if (m_running)
        return;
    m_job = job;
    m_ids = entraObjectIds;
    m_index = 0;
    m_results.clear();
    m_error.reset();
    m_retries = 0;
    m_sent = 0;
    m_running = true;
    QString problem = checkEndpointUrl(m_endpoint, u"Graph endpoint"_s);
    if (problem.isEmpty() && (job.servicePrincipalId.isEmpty() || job.jobId.isEmpty()))
        problem = u"the writeback job is not known: its service principal id and job id are both needed"_s;
    if (!problem.isEmpty()) {
        QMetaObject::invokeMethod(this, [this, problem] { stop(problem); }, Qt::QueuedConnection);
        return;
    }
    m_step = m_job.ruleId.isEmpty() ? Step::Schema : Step::Provision;
    QMetaObject::invokeMethod(this, [this] { next(); }, Qt::QueuedConnection);
}

void ProvisionOnDemandClient::cancel()
{
    if (m_running)
        stop(u"cancelled"_s);
}

void ProvisionOnDemandClient::next()
{
    if (!m_running)
        return;
    if (m_step == Step::Provision && m_index >= m_ids.size()) {
        m_running = false;
        qCInfo(lcGraph).noquote() << u"provisionOnDemand: %1 objects asked, %2 requests, %3 retries"_s.arg(
            QString::number(m_ids.size()), QString::number(m_sent), QString::number(m_retries));
        Q_EMIT finished(true);
        return;
    }
    m_attempt = 0;
    m_renewed = false;
    sendWhenAllowed();
}

void ProvisionOnDemandClient::waitThen(qint64 msecs)
{
    m_lastWaitMsecs = msecs;
    m_wait.start(int(msecs));
}

void ProvisionOnDemandClient::sendWhenAllowed()
{
    if (!m_running)
        return;
    if (m_step == Step::Provision) {
        if (const qint64 wait = m_rate.waitMsecs(m_clock->nowMsecs()); wait > 0) {
            waitThen(wait);
            return;
        }
    }
    const quint64 generation = ++m_generation;
    m_tokens->accessToken(m_resource, this, [this, generation](const Result<QByteArray>& token) {
        if (generation != m_generation || !m_running)
            return;
        if (!token.ok()) {
            m_error = token.error();
            stop({});
            return;
        }
        send(token.value());
    });
}

void ProvisionOnDemandClient::send(const QByteArray& token)
{
    const bool schema = m_step == Step::Schema;
    QNetworkRequest request(jobUrl(schema ? u"schema"_s : u"provisionOnDemand"_s));
    request.setRawHeader("Authorization", "Bearer " + token);
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    applyTransferLimits(request, m_policy.pageLimits());
    if (schema) {
        m_reply = m_network->get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        m_rate.recordSend(m_clock->nowMsecs());
        ++m_sent;
        m_reply = m_network->post(request, provisionOnDemandBody(m_job.ruleId, m_ids.value(m_index)));
    }
    QNetworkReply* reply = m_reply;
    watchTransferLimits(reply, m_policy.pageLimits());
    const quint64 generation = m_generation;
    connect(reply, &QNetworkReply::finished, this, [this, reply, token, generation] {
        reply->deleteLater();
        if (generation == m_generation && reply == m_reply.data())
            handleReply(reply, token);
    });
}

void ProvisionOnDemandClient::handleReply(QNetworkReply* reply, const QByteArray& token)
{
    m_reply = nullptr;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    const QByteArray body = reply->readAll();
    if (status == 401 && !m_renewed) {
        m_renewed = true; // expired or revoked: one renewal, then the same request again
        m_tokens->invalidate(m_resource, token);
        sendWhenAllowed();
        return;
    }
    if (status == 403) {
        stop(describeHttpFailure(status, contentType, body) +
             u": the app (or the signed-in admin) may not %1. Grant the app the Microsoft Graph application "
             "permission Synchronization.ReadWrite.All (admin consent), or sign in as a Hybrid Identity "
             "Administrator"_s.arg(m_step == Step::Schema ? u"read the writeback job's schema"_s
                                                          : u"provision on demand"_s));
        return;
    }
    const LimitBreach breach = transferLimitBreach(reply);
    const bool transient = breach == LimitBreach::Stalled || breach == LimitBreach::TooSlow ||
                           (status > 0 ? isTransientStatus(status) : reply->error() != QNetworkReply::NoError);
    QString failure = breach != LimitBreach::None ? describeLimitBreach(breach, m_policy.pageLimits())
                      : status > 0                ? describeHttpFailure(status, contentType, body)
                                                  : describeNetworkError(reply);
    if (transient && !(status >= 200 && status < 300)) {
        if (m_attempt < m_policy.maxRetries) {
            ++m_attempt;
            ++m_retries;
            const qint64 delay =
                m_policy.delayMsecs(m_attempt, parseRetryAfterMsecs(reply->rawHeader("Retry-After"), *m_clock));
            qCInfo(lcGraph).noquote() << u"%1 failed (%2); retry %3 in %4 ms"_s.arg(
                requestName(), failure, QString::number(m_attempt), QString::number(delay));
            waitThen(delay);
            return;
        }
        failure = u"gave up after %1 retries: "_s.arg(m_attempt) + failure;
    }
    const bool ok = status >= 200 && status < 300 && breach == LimitBreach::None && !looksLikeHtml(contentType, body);
    if (m_step == Step::Schema) {
        if (!ok) {
            stop(u"cannot read the writeback job's schema (for its rule id): "_s + failure);
            return;
        }
        Result<QString> rule = parseSchemaRuleId(body, requestName());
        if (!rule) {
            m_error = rule.error();
            stop({});
            return;
        }
        m_job.ruleId = rule.value();
        m_step = Step::Provision;
        next();
        return;
    }
    OnDemandObjectResult result;
    result.entraObjectId = m_ids.value(m_index);
    if (!ok) {
        result.requestError = failure;
    } else if (Result<OnDemandAnswer> answer = parseProvisionOnDemandAnswer(body, requestName()); answer) {
        result.answer = std::move(answer.value());
    } else {
        result.requestError = answer.error().toString();
    }
    finishObject(std::move(result));
}

void ProvisionOnDemandClient::finishObject(OnDemandObjectResult result)
{
    m_results.push_back(std::move(result));
    const int index = int(m_index++);
    Q_EMIT objectDone(index, m_results.back());
    next();
}

void ProvisionOnDemandClient::stop(const QString& message)
{
    ++m_generation;
    m_wait.stop();
    if (QNetworkReply* reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    if (!message.isEmpty())
        m_error = ImportError{requestName(), 0, {}, message};
    m_running = false;
    if (m_error)
        qCWarning(lcGraph).noquote() << m_error->toString();
    Q_EMIT finished(false);
}

} // namespace sunset
