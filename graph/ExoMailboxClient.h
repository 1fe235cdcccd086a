#pragma once

#include "CloudHttp.h"
#include "ImportError.h"
#include "PagedCloudScan.h"
#include "Snapshot.h"

#include <QObject>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace sunset {

class CloudPager;
class TokenProvider;

// Reads every mailbox from Exchange Online through the admin API Exchange Online PowerShell V3 uses:
// POST {endpoint}/adminapi/beta/{tenant}/InvokeCommand running Get-Mailbox -ResultSize Unlimited, with
// X-AnchorMailbox and "Prefer: odata.maxpagesize"; each @odata.nextLink gets the same body re-POSTed. Pages are
// parsed by the same streaming reader and mapper as Get-Mailbox JSON files, into the same MailboxRecords.
class ExoMailboxClient final : public QObject, public PagedCloudScan {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExoMailboxClient)

public:
    // endpoint: "https://outlook.office365.com" (or a national cloud's, or the emulator on loopback);
    // tenant: GUID or "contoso.onmicrosoft.com".
    ExoMailboxClient(const QUrl& endpoint, const QString& tenant, TokenProvider* tokens, QObject* parent = nullptr);
    ~ExoMailboxClient() override;

    static QByteArray getMailboxBody();
    static QByteArray appAnchorMailbox(const QString& tenant);

    void setResource(const QString& resource); // before start(); default: the endpoint's scheme and host
    void setPageSize(int maxPageSize);         // Prefer: odata.maxpagesize, default 1000
    void setRetryPolicy(const RetryPolicy& policy);
    // Users from Graph, to give mailboxes their on-premises anchors; must outlive the scan.
    void setGraphDirectory(const GraphDirectory* graph) { m_graph = graph; }

    QString check() const;
    void start();

    // The mailboxes read so far. Record numbers (sourceLine) count within their page.
    const Snapshot& snapshot() const { return m_snapshot; }
    Snapshot takeSnapshot() { return std::move(m_snapshot); }

Q_SIGNALS:
    void progress(qint64 mailboxes, qint64 total); // total is -1: Get-Mailbox does not count
    void finished(bool ok);

private:
    void rebuildPager();
    QUrl invokeCommandUrl() const;

    QUrl m_endpoint;
    QString m_tenant;
    TokenProvider* m_tokens;
    QString m_resource;
    int m_pageSize = 1000;
    RetryPolicy m_policy;
    const GraphDirectory* m_graph = nullptr;
    QNetworkAccessManager* m_network;
    Snapshot m_snapshot;
};

} // namespace sunset
