// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "CloudHttp.h"
#include "ImportError.h"

#include <QObject>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace sunset {

class CloudPager;
class TokenProvider;

// Reads the groups or the mail contacts whose source of authority is still on-premises from Microsoft Graph beta:
// GET {endpoint}/beta/groups (or /beta/contacts)?$filter=onPremisesSyncBehavior/isCloudManaged eq false
// &$select=…&$count=true&$top=999 with ConsistencyLevel: eventual, paged by @odata.nextLink through CloudPager
// (tokens, 401 renewal, Retry-After). Pages are parsed by the saved-file reader (readSyncedObjectsJson), so a
// live read and --groups/--contacts give the same objects.
// [documented] the list filter on onPremisesSyncBehavior/isCloudManaged is an advanced query (ConsistencyLevel
// and $count); the documented example filters "eq true". [assumed] "eq false" is accepted alike (eq on a
// Boolean); a synced object never transferred is expected to read false, not null. The checklist judges each
// object (SyncedDirectoryObject::blocksDecommission), so objects the filter lets through needlessly do no harm.
// A 403 is not an error of the run: result() is then "not read", naming the permission to grant.
class SyncedObjectsClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SyncedObjectsClient)

public:
    // kind: MailContact reads /beta/contacts, any other kind /beta/groups.
    SyncedObjectsClient(const QUrl& endpoint, TokenProvider* tokens, SyncedObjectKind kind, QObject* parent = nullptr);
    ~SyncedObjectsClient() override;

    void setResource(const QString& resource); // token audience; default the endpoint's scheme and host
    void setRetryPolicy(const RetryPolicy& policy);
    void setPageSize(int top); // 1..999, default 999
    void start();

    // After finished(true): what was read, or read=false with the permission lacking.
    const SyncedObjectsRead& result() const { return m_result; }
    // After finished(false): why (network, a damaged page, any refusal but 403).
    const std::optional<ImportError>& error() const { return m_error; }
    // What the app needs to read this kind (for messages): Group.Read.All / OrgContact.Read.All, and the
    // onPremisesSyncBehavior scope (only ReadWrite scopes are documented).
    QString requiredPermissions() const;

Q_SIGNALS:
    void finished(bool ok);

private:
    void pagerFinished(bool ok);

    QUrl m_endpoint;
    TokenProvider* m_tokens;
    SyncedObjectKind m_kind;
    QString m_resource;
    RetryPolicy m_policy;
    int m_top = 999;
    QNetworkAccessManager* m_network;
    CloudPager* m_pager = nullptr;
    SyncedObjectsRead m_result;
    std::optional<ImportError> m_error;
};

} // namespace sunset
