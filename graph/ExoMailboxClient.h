// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudHttp.h"
#include "ImportError.h"
#include "PagedCloudScan.h"
#include "Snapshot.h"

#include <QObject>
#include <QUrl>

#include <functional>
#include <optional>

class QJsonObject;
class QNetworkAccessManager;

namespace sunset {

class CloudPager;
class RateLimitGate;
class TokenProvider;

// Which Exchange Online admin API runs Get-Mailbox:
// - InvokeCommand: POST /adminapi/beta/{tenant}/InvokeCommand, the undocumented gateway Exchange Online
//   PowerShell V3 uses (any cmdlet; app role Exchange.ManageAsApp);
// - V2: POST /adminapi/v2.0/{tenant}/Mailbox, Microsoft's documented "Exchange Online Admin API" (preview,
//   Get-Mailbox and a narrow Set-Mailbox; app role Exchange.ManageAsAppV2).
// Both take the same CmdletInput body and page by re-POSTing it to @odata.nextLink.
enum class ExoAdminApi : quint8 { InvokeCommand, V2 };

// Reads every mailbox from Exchange Online through an admin API (see ExoAdminApi) running
// Get-Mailbox -ResultSize Unlimited with $select of the properties read, X-AnchorMailbox and
// "Prefer: odata.maxpagesize"; each @odata.nextLink gets the same body re-POSTed. Pages are
// parsed by the same streaming reader and mapper as Get-Mailbox JSON files, into the same MailboxRecords.
class ExoMailboxClient final : public QObject, public PagedCloudScan {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExoMailboxClient)

public:
    // endpoint: "https://outlook.office365.com" (or a national cloud's, or the emulator on loopback);
    // tenant: GUID or "contoso.onmicrosoft.com".
    ExoMailboxClient(const QUrl& endpoint, const QString& tenant, TokenProvider* tokens, QObject* parent = nullptr);
    ~ExoMailboxClient() override;

    // filter: an OPATH -Filter (e.g. whenChangedFilter() or a slice's); empty: every mailbox. InvokeCommand only.
    static QByteArray getMailboxBody(const QString& filter = {});
    static QByteArray appAnchorMailbox(const QString& tenant);
    // The properties asked for with $select: those Sunset reads (identity, anchors, the catalog's cloud
    // properties), so that Exchange Online sends nothing else (Get-Mailbox has about 250).
    static const QByteArray& selectedProperties();

    void setApi(ExoAdminApi api); // before start(); default InvokeCommand
    ExoAdminApi api() const { return m_api; }
    // Delegated sign-in: "UPN:<admin>" routes the request to the admin's mailbox; default the app anchor.
    void setAnchorMailbox(const QByteArray& anchor);

    void setResource(const QString& resource); // before start(); default: the endpoint's scheme and host
    void setPageSize(int maxPageSize);         // Prefer: odata.maxpagesize, default 1000
    void setRetryPolicy(const RetryPolicy& policy);
    // Get-Mailbox -Filter (OPATH) for one slice of a parallel read (ExoMailboxSliceReader); InvokeCommand only:
    // the v2.0 Mailbox endpoint documents no Filter parameter.
    void setFilter(const QString& opathFilter);
    const QString& filter() const { return m_filter; }
    void setRateLimitGate(RateLimitGate* gate); // shared with the other slices; not owned
    // One slice of a parallel read: its own end and cancellation are logged at debug level (CloudPager::Request).
    void setSlice(bool slice)
    {
        m_slice = slice;
        rebuildPager();
    }
    // Keep the Name of each mailbox read (for choosing slice borders); off by default.
    void setCollectNames(bool collect) { m_collectNames = collect; }
    const QStringList& names() const { return m_names; }
    qint64 pagesRead() const;
    bool hasMorePages() const; // the last page read had a nextLink
    // Users from Graph, to give mailboxes their on-premises anchors; must outlive the scan.
    void setGraphDirectory(const GraphDirectory* graph) { m_graph = graph; }
    const GraphDirectory* graphDirectory() const { return m_graph; }

    // An incremental read: only the mailboxes changed after this time (Get-Mailbox -Filter "WhenChangedUTC -gt
    // '…'", InvokeCommand only); 0: every mailbox. Before start().
    void setChangedSince(qint64 msecs);
    qint64 changedSince() const { return m_changedSince; }
    // Hears each mailbox object of each page accepted, as Exchange Online sent it (to keep it for a rescan).
    void setMailboxObjectSink(std::function<void(const QJsonObject&)> sink) { m_sink = std::move(sink); }

    // The -Filter sent: the slice's, the incremental read's, or both joined with -and.
    QString effectiveFilter() const;

    QString check() const;
    void start();

    // The mailboxes read so far. Record numbers (sourceLine) count within their page.
    const Snapshot& snapshot() const { return m_snapshot; }
    Snapshot takeSnapshot() { return std::move(m_snapshot); }

Q_SIGNALS:
    void progress(qint64 mailboxes, qint64 total); // total is -1: Get-Mailbox does not count
    void finished(bool ok);
    void throttled(qint64 delayMsecs); // a 429 is being waited out

private:
    void rebuildPager();
    QUrl commandUrl() const;

    QUrl m_endpoint;
    QString m_tenant;
    TokenProvider* m_tokens;
    QString m_resource;
    int m_pageSize = 1000;
    ExoAdminApi m_api = ExoAdminApi::InvokeCommand;
    QByteArray m_anchor;
    RetryPolicy m_policy;
    const GraphDirectory* m_graph = nullptr;
    QString m_filter;
    RateLimitGate* m_rateLimit = nullptr;
    bool m_collectNames = false;
    bool m_slice = false;
    QStringList m_names;
    QNetworkAccessManager* m_network;
    Snapshot m_snapshot;
    qint64 m_changedSince = 0;
    std::function<void(const QJsonObject&)> m_sink;
};

} // namespace sunset
