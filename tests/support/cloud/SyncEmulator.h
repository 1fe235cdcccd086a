// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Clock.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <deque>
#include <functional>
#include <utility>

namespace sunset {

// Entra Cloud Sync's read side of Microsoft Graph v1.0, for the CloudEmulator (which routes these paths here after
// checking the bearer token), following ../shared/reference/sync-engine.md with field names as documented:
// - GET /v1.0/servicePrincipals[?$filter=applicationTemplateId eq '…'][&$select=…]
// - GET /v1.0/servicePrincipals/{id}/synchronization/jobs ({"value":[synchronizationJob]}, unpaged [documented])
// - GET /v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId} and …/{jobId}/schema
// - GET /v1.0/auditLogs/provisioning with $filter (clauses joined by " and ": jobId eq, activityDateTime
//   eq|gt|lt, cycleId eq, changeId eq, provisioningAction eq, provisioningStatusInfo/status eq, sourceIdentity/id eq,
//   targetIdentity/id eq; anything else is refused with 400 as Graph refuses it), $top, an opaque $skiptoken in an
//   absolute @odata.nextLink, newest entries first [observed], and its throttle: more than 5 requests in 10 s per
//   app (on the emulator's clock) are answered 429 with Retry-After [documented: Graph throttling limits].
// A permission can be withheld from one app or all: the read it guards is answered 403 Authorization_RequestDenied.
// POST …/jobs/{jobId}/provisionOnDemand is not routed here (the on-demand emulation handles it); it can look jobs
// up through job() and servicePrincipalOfJob().
class SyncEmulator final {
public:
    // Cloud Sync's application template id [observed, not documented].
    static constexpr auto kCloudSyncAppTemplateId = "3b99513e-0cee-4291-aea8-84356239fb82";
    static constexpr auto kApplicationRead = "Application.Read.All";
    static constexpr auto kSynchronizationRead = "Synchronization.Read.All";
    static constexpr auto kAuditLogRead = "AuditLog.Read.All";

    struct Answer {
        int status = 200;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body; // JSON
    };

    // True for the paths answered here.
    static bool handles(const QByteArray& method, const QUrl& url);
    // clientId: the app the bearer token was issued to; clock: the emulator's.
    Answer handle(const QByteArray& method, const QUrl& url, const QString& clientId, const Clock& clock);

    // Configuration. Jobs, schemas and entries are JSON as Graph returns them.
    void addServicePrincipal(const QString& id,
                             const QString& applicationTemplateId = QLatin1StringView(kCloudSyncAppTemplateId),
                             const QString& displayName = QStringLiteral("Microsoft Entra Cloud Sync"));
    void addJob(const QString& servicePrincipalId, const QJsonObject& job);
    void setSchema(const QString& jobId, const QJsonObject& schema);
    void addProvisioningEntry(const QJsonObject& entry);
    // Saved answers (one JSON text, several concatenated, or an array of them, as the file readers accept): their
    // jobs go to servicePrincipalId, schemas to the job their "id" names, entries to the log.
    void loadAnswers(const QString& servicePrincipalId, const QByteArray& jobsJson, const QByteArray& schemaJson,
                     const QByteArray& provisioningJson);
    void setProvisioningPageSize(int size) { m_pageSize = size; }
    void setThrottle(int requests, qint64 windowMsecs)
    {
        m_throttleRequests = requests;
        m_throttleWindowMsecs = windowMsecs;
    }
    // Withholds a permission (kSynchronizationRead, kAuditLogRead, kApplicationRead) from one app, or every app.
    void denyPermission(const QString& permission, const QString& clientId = {});
    // Told the wait of each 429 it answers, before answering: a test moves its clock by it (no sleeping).
    void setThrottleObserver(std::function<void(qint64 retryAfterMsecs)> observer)
    {
        m_throttleObserver = std::move(observer);
    }

    // Look-ups (e.g. for provisionOnDemand): the job as configured, and the service principal it belongs to.
    QJsonObject job(const QString& jobId) const;
    QString servicePrincipalOfJob(const QString& jobId) const;
    // Replaces a job (e.g. its status after a restart); false when no job has that id.
    bool updateJob(const QJsonObject& job);

    // What was asked.
    int provisioningRequests() const { return m_provisioningRequests; }
    int throttledRequests() const { return m_throttled; }
    QList<QUrl> requests() const { return m_requests; }
    // The most provisioning requests answered (not 429) within any one throttle window, per the emulator's clock.
    int mostRequestsInOneWindow() const { return m_mostInWindow; }

    // Builders for tests: a writeback job (templateId Entra2ADExchangeOnlineAttributeWriteback) for a domain.
    struct JobSpec {
        QString id;
        QString domain;
        QString code = QStringLiteral("Active"); // NotConfigured|NotRun|Active|Paused|Quarantine
        QString interval = QStringLiteral("PT20M");
        QString scheduleState = QStringLiteral("Active");
        QString lastSuccessfulRun; // ISO time; empty: never
        QString quarantineReason;  // with code Quarantine
        QString quarantineSince;
        int countSuccessiveCompleteFailures = 0;
    };
    static QJsonObject makeJob(const JobSpec& spec);
    // A schema whose first rule maps these target (AD) attributes.
    static QJsonObject makeSchema(const QString& jobId, const QStringList& targetAttributes);

private:
    Answer servicePrincipals(const QUrl& url);
    Answer jobs(const QString& servicePrincipalId);
    Answer provisioning(const QUrl& url, const QString& clientId, const Clock& clock);
    bool denied(const QString& permission, const QString& clientId) const;
    static Answer json(int status, const QJsonObject& body);
    static Answer error(int status, const QString& code, const QString& message);

    struct ServicePrincipal {
        QString id;
        QString applicationTemplateId;
        QString displayName;
    };
    QList<ServicePrincipal> m_servicePrincipals;
    QList<std::pair<QString, QJsonObject>> m_jobs; // service principal id, job
    QHash<QString, QJsonObject> m_schemas;         // by job id
    QJsonArray m_entries;
    int m_pageSize = 100;
    int m_throttleRequests = 5;
    qint64 m_throttleWindowMsecs = 10000;
    QHash<QString, std::deque<qint64>> m_answeredAt; // per app: provisioning requests answered, by time
    QSet<std::pair<QString, QString>> m_denied;      // (permission, client id or empty for all)
    std::function<void(qint64)> m_throttleObserver;
    int m_provisioningRequests = 0;
    int m_throttled = 0;
    int m_mostInWindow = 0;
    QList<QUrl> m_requests;
};

} // namespace sunset
