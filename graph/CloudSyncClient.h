// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudHttp.h"
#include "CloudPager.h"
#include "CloudSyncState.h"
#include "RequestPacer.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace sunset {

class TokenProvider;

// What to read of Cloud Sync live, and how.
struct CloudSyncReadOptions {
    // The provisioning log's window: entries newer than this many days. Graph keeps 30 days with Entra ID P1/P2,
    // 7 without [documented: entra-docs howto-analyze-provisioning-logs].
    int windowDays = 30;
    // The Cloud Sync service principal's application template id [observed only: seen on Cloud Sync tenants and
    // in community reports, not on Microsoft's pages], used as GET /servicePrincipals?$filter=applicationTemplateId
    // eq '…' [the filter is documented]. When it finds nothing, servicePrincipalIds can name them instead.
    QString applicationTemplateId = QStringLiteral("3b99513e-0cee-4291-aea8-84356239fb82");
    QStringList servicePrincipalIds; // read these instead of searching (empty: search)
    // The decommission checklist needs the jobs and their schemas only: it leaves the log (the slow, throttled part)
    // unread, saying so.
    bool readProvisioningLog = true;
    // The provisioning log's throttle: 5 requests per 10 s per app and tenant [documented: Graph throttling
    // limits]. Requests are paced to it client-side.
    int provisioningRequestsPerWindow = 5;
    qint64 provisioningWindowMsecs = 10000;
};

// Reads Entra Cloud Sync's state live from Microsoft Graph v1.0, into the CloudSyncState the drift causes are
// measured from: the Cloud Sync service principal(s), their writeback jobs (templateId
// Entra2ADExchangeOnlineAttributeWriteback, one per AD domain), each job's schema, and the provisioning log of
// each job over the window, paged by @odata.nextLink. Every answer is parsed by the readers of the saved files
// (CloudSyncJsonReader), so a live read and the same answers saved as files give the same state.
// A permission the app lacks (403) is not a failure: the part it guards is left unread with a reason naming the
// permission (Synchronization.Read.All for jobs and schemas, AuditLog.Read.All for the provisioning log), and
// the drift items it would have explained say so. Other failures, after the pager's bounded retries, leave their
// part unread the same way, with the error as the reason. finished(true) unless cancelled.
class CloudSyncClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CloudSyncClient)

public:
    // endpoint: "https://graph.microsoft.com" (or a national cloud's, or the emulator on loopback).
    CloudSyncClient(const QUrl& endpoint, TokenProvider* tokens, QObject* parent = nullptr);
    ~CloudSyncClient() override;

    void setResource(const QString& resource); // token audience; default the endpoint's scheme and host
    void setOptions(const CloudSyncReadOptions& options);
    void setRetryPolicy(const RetryPolicy& policy) { m_policy = policy; }
    // The clock the window is counted back from, Retry-After dates are read on, and requests are paced by.
    void setClock(const Clock& clock);
    RequestPacer& provisioningPacer() { return *m_pacer; } // tests replace its waiter and look at its delays

    void start();
    void cancel(); // finished(false) follows

    const CloudSyncState& state() const { return m_state; }
    CloudSyncState takeState() { return std::move(m_state); }
    int retries() const { return m_retries; } // transient failures retried over the whole read
    // "activityDateTime gt 2026-10-25T09:00:00Z": the window the provisioning log was asked for.
    QString windowFilter() const;

Q_SIGNALS:
    // step: what is being read, in words ("Cloud Sync provisioning log (contoso.com)"); items so far in it.
    void progress(const QString& step, qint64 items);
    void finished(bool ok);

private:
    enum class Step : quint8 { ServicePrincipals, Jobs, Schema, Provisioning, Done };
    void next();
    void nextLater();
    void request(const QUrl& url, const QString& itemName, const CloudPageHandler& take, bool paced = false);
    void pageDone(bool ok);
    void jobsDenied(const QString& reason);
    void provisioningDenied(const QString& reason);
    QUrl url(const QString& path) const;
    QString failureReason(const QString& what, const QString& permission) const;

    QUrl m_endpoint;
    TokenProvider* m_tokens;
    QString m_resource;
    CloudSyncReadOptions m_options;
    RetryPolicy m_policy;
    const Clock* m_clock = &Clock::system();
    QNetworkAccessManager* m_network;
    std::unique_ptr<RequestPacer> m_pacer;
    CloudPager* m_pager = nullptr;
    Step m_step = Step::Done;
    size_t m_index = 0; // the service principal or job being read
    QStringList m_servicePrincipals;
    qint64 m_windowStartMsecs = 0;
    int m_retries = 0;
    bool m_cancelled = false;
    CloudSyncState m_state;
};

} // namespace sunset
