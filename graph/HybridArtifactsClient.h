// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "CloudHttp.h"
#include "ImportError.h"

#include <QObject>
#include <QUrl>

#include <optional>
#include <vector>

class QNetworkAccessManager;

namespace sunset {

class CloudPager;
class TokenProvider;

// What Exchange Online still holds of a hybrid deployment, for the decommission checklist's hybrid cleanup step:
// Get-OrganizationRelationship, Get-InboundConnector and Get-OutboundConnector through the admin API's
// InvokeCommand, one after the other (same sign-in, paging and retry policy as the mailbox scan).
struct HybridArtifacts {
    std::vector<CloudHybridObject> organizationRelationships;
    std::vector<CloudHybridObject> inboundConnectors;
    std::vector<CloudHybridObject> outboundConnectors;
};

// The same read from a file that holds each cmdlet's InvokeCommand answer under the cmdlet's name
// ({"Get-OrganizationRelationship": {"value": [...]}, "Get-InboundConnector": …, "Get-OutboundConnector": …}), as
// the demo tenant's demo-hybrid.json does; each answer is parsed as a page from the API is. A cmdlet that is
// absent is an error naming it (an unread cmdlet proves nothing).
Result<HybridArtifacts> readHybridArtifactsFile(const QString& path);

class HybridArtifactsClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HybridArtifactsClient)

public:
    HybridArtifactsClient(const QUrl& endpoint, const QString& tenant, TokenProvider* tokens,
                          QObject* parent = nullptr);
    ~HybridArtifactsClient() override;

    void setResource(const QString& resource) { m_resource = resource; } // before start()
    void setRetryPolicy(const RetryPolicy& policy) { m_policy = policy; }

    void start();
    void cancel();

    const HybridArtifacts& artifacts() const { return m_artifacts; }
    const std::optional<ImportError>& error() const { return m_error; }

Q_SIGNALS:
    void finished(bool ok);

private:
    void runNext();

    QUrl m_endpoint;
    QString m_tenant;
    TokenProvider* m_tokens;
    QString m_resource;
    RetryPolicy m_policy;
    QNetworkAccessManager* m_network;
    CloudPager* m_pager = nullptr;
    int m_next = 0;
    HybridArtifacts m_artifacts;
    std::optional<ImportError> m_error;
};

} // namespace sunset
