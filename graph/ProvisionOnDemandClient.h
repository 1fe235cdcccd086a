// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"
#include "CloudHttp.h"
#include "ImportError.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <optional>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace sunset {

class TokenProvider;

// "Ask Cloud Sync to write it back now": Microsoft Graph's provisionOnDemand on the Exchange attribute writeback
// job, one Entra object at a time [documented: api/synchronization-synchronizationjob-provisionondemand.md]:
//   POST {endpoint}/v1.0/servicePrincipals/{spId}/synchronization/jobs/{jobId}/provisionOnDemand
//   {"parameters":[{"ruleId":"<rule>","subjects":[{"objectId":"User_<Entra object id>","objectTypeName":"User"}]}]}
// The subject's form for the writeback job (User_ prefix, objectTypeName User) is [observed], not on Microsoft's
// pages. Needs Synchronization.ReadWrite.All [documented].

// Which job to ask. ruleId empty: read from the job's schema first (synchronizationRules[0].id: Cloud Sync uses
// the first rule [documented: Entra cloud-sync docs]).
struct OnDemandJob {
    QString servicePrincipalId;
    QString jobId;
    QString ruleId;
};

enum class OnDemandOutcome : quint8 { Success, Skipped, Failure };
QLatin1StringView onDemandOutcomeName(OnDemandOutcome outcome); // "success", "skipped", "failure"
std::optional<OnDemandOutcome> onDemandOutcomeFromName(QStringView name);

// One property the provisioning changed, as the answer's modifiedProperties names it.
struct OnDemandModifiedProperty {
    QString name; // displayName
    QString oldValue;
    QString newValue;
};

// What Cloud Sync answered for one object.
struct OnDemandAnswer {
    OnDemandOutcome outcome = OnDemandOutcome::Failure;
    QString resultText;  // the key's "result" as written ("Success", "Skipped", "Failure")
    QString skipReason;  // Skipped: e.g. NotInScope, RedundantExport
    QString errorCode;   // Failure (and a skip's documented errorCode): e.g. InsufficientRights
    QString message;     // details.errorMessage or statusInfo.reason, for an admin
    QString recommendedAction;
    QString changeId;
    std::vector<OnDemandModifiedProperty> modifiedProperties;
};

// Parses a 200 answer: a stringKeyStringValuePair whose "key" and "value" are both JSON *strings* holding JSON
// [documented example]: key {"result": "...", "details": {"errorCode", "errorMessage"}}, value the provisioning
// record (statusInfo {status, errorCode, reason, recommendedAction}, provisioningSteps [{details: {SkipReason}}],
// modifiedProperties [{displayName, oldValue, newValue}]). Tolerated variants [assumed, seen nowhere but cheap]:
// key or value already an object instead of a string; a key without "result" (statusInfo.status then decides);
// "Failed"/"Error" for Failure and any letter case; null members. Anything else is an ImportError naming
// requestName, the JSON path and what was expected.
Result<OnDemandAnswer> parseProvisionOnDemandAnswer(QByteArrayView body, const QString& requestName);

// The rule id of a synchronizationSchema answer: synchronizationRules[0].id [documented].
Result<QString> parseSchemaRuleId(QByteArrayView body, const QString& requestName);

// The request body for one subject (bare Entra object id; "User_" is added).
QByteArray provisionOnDemandBody(const QString& ruleId, const QString& entraObjectId);

// provisionOnDemand is limited to 5 requests per 10 s [documented]: a sliding window of the last sends. The
// client waits before a send the window does not allow, instead of earning 429s.
class OnDemandRateLimit final {
public:
    static constexpr int kRequests = 5;
    static constexpr qint64 kWindowMsecs = 10000;
    // How long to wait from nowMsecs before the next request may go (0: now).
    qint64 waitMsecs(qint64 nowMsecs) const;
    void recordSend(qint64 nowMsecs);

private:
    std::deque<qint64> m_sends;
};

// The result for one requested object: the answer, or why there is none.
struct OnDemandObjectResult {
    QString entraObjectId;
    std::optional<OnDemandAnswer> answer;
    QString requestError; // no answer: HTTP error or unreadable answer, in words
    OnDemandOutcome outcome() const { return answer ? answer->outcome : OnDemandOutcome::Failure; }
};

// Asks for each object in turn. One subject per request: the documented request takes a subjects array, but the
// answer is ONE key/value pair with one result and one record, so with several subjects the other results would
// be lost [documented shape; that Graph then answers for the first subject only is assumed]. The rate limit
// above and 429/503 with Retry-After (retried under the RetryPolicy) pace the requests. 401 renews the token once.
// 403 stops the run: the app lacks Synchronization.ReadWrite.All (or the signed-in admin the role), which no
// other object would have either. Other failures are recorded for that object and the run goes on.
class ProvisionOnDemandClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProvisionOnDemandClient)

public:
    ProvisionOnDemandClient(const QUrl& endpoint, TokenProvider* tokens, QObject* parent = nullptr);
    ~ProvisionOnDemandClient() override;

    void setResource(const QString& resource) { m_resource = resource; } // before start()
    void setRetryPolicy(const RetryPolicy& policy) { m_policy = policy; }
    void setClock(const Clock& clock) { m_clock = &clock; }

    // entraObjectIds: bare GUIDs, as Exchange Online's ExternalDirectoryObjectId. finished() follows, also on an
    // immediate refusal (queued).
    void start(const OnDemandJob& job, const QStringList& entraObjectIds);
    void cancel(); // finished(false) with a "cancelled" error; results() keeps what was answered

    const OnDemandJob& job() const { return m_job; } // with the rule id read from the schema
    const std::vector<OnDemandObjectResult>& results() const { return m_results; }
    const std::optional<ImportError>& error() const { return m_error; } // the run stopped: why
    int retries() const { return m_retries; }
    qint64 lastWaitMsecs() const { return m_lastWaitMsecs; } // the last pause (rate limit or Retry-After)
    int requestsSent() const { return m_sent; }

Q_SIGNALS:
    void objectDone(int index, const sunset::OnDemandObjectResult& result);
    void finished(bool ok);

private:
    enum class Step : quint8 { Schema, Provision };
    QUrl jobUrl(const QString& tail) const;
    void next();
    void sendWhenAllowed();
    void send(const QByteArray& token);
    void handleReply(QNetworkReply* reply, const QByteArray& token);
    void finishObject(OnDemandObjectResult result);
    void stop(const QString& message);
    void waitThen(qint64 msecs);
    QString requestName() const;

    QUrl m_endpoint;
    TokenProvider* m_tokens;
    QString m_resource;
    RetryPolicy m_policy;
    const Clock* m_clock = &Clock::system();
    QNetworkAccessManager* m_network;
    QPointer<QNetworkReply> m_reply;
    QTimer m_wait;
    OnDemandRateLimit m_rate;
    OnDemandJob m_job;
    QStringList m_ids;
    qsizetype m_index = 0;
    Step m_step = Step::Provision;
    std::vector<OnDemandObjectResult> m_results;
    std::optional<ImportError> m_error;
    bool m_running = false;
    bool m_renewed = false;
    int m_attempt = 0;
    int m_retries = 0;
    int m_sent = 0;
    quint64 m_generation = 0;
    qint64 m_lastWaitMsecs = -1;
};

} // namespace sunset
