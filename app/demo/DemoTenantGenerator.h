// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>

namespace sunset {

// Generates a deterministic tenant: the AD side as ldifde-style LDIF, the cloud side as Get-Mailbox JSON
// (and the same as Export-Csv), Graph users for the anchors, and a manifest of the drift it planted.
// The demo tenant in resources/demo is its output with the default options; the benchmark asks for 600,000.
struct DemoTenantOptions {
    int mailboxes = 3000;
    quint64 seed = 20261124;
    // Planted scenarios (each on its own mailbox, listed in the manifest). The benchmark turns them off and
    // uses randomDriftPercent instead.
    bool plantScenarios = true;
    double randomDriftPercent = 0.0; // share of mailboxes given one random custom-attribute drift
    bool includeBigMailbox = true;   // one shared mailbox with 1,600 proxy addresses (ranged in the LDIF)
    qint64 asOfMsecs = 1795510800000; // 2026-11-23T09:00:00Z: the newest change in the tenant
};

struct DemoTenantSinks {
    std::function<void(const QByteArray&)> ldif;
    std::function<void(const QByteArray&)> exoJson;
    std::function<void(const QByteArray&)> exoCsv;     // optional
    std::function<void(const QByteArray&)> graphJson;
    std::function<void(const QByteArray&)> manifest;   // optional: planted drift, JSON
    // optional: what of Exchange the forest still holds, for the decommission checklist: the organization, a
    // server still registered, its Autodiscover SCP, the hybrid configuration object, the Cloud Sync agent's gMSA
    // (ldifde export of the configuration partition's CN=Microsoft Exchange and the domain's Exchange objects)
    std::function<void(const QByteArray&)> configLdif;
    // optional: Exchange Online's hybrid leftovers, one InvokeCommand answer per cmdlet
    // ({"Get-OrganizationRelationship": {"value": [...]}, "Get-InboundConnector": …, "Get-OutboundConnector": …})
    std::function<void(const QByteArray&)> hybridJson;
    // optional: Cloud Sync's own state as Graph returns it: the writeback jobs (one per AD domain), their schemas
    // (answers concatenated) and a provisioning log page, carrying the planted causes (issue 14)
    std::function<void(const QByteArray&)> syncJobsJson;
    std::function<void(const QByteArray&)> syncSchemaJson;
    std::function<void(const QByteArray&)> provisioningJson;
};

// Writes everything through the sinks, in chunks.
void generateDemoTenant(const DemoTenantOptions& options, const DemoTenantSinks& sinks);

} // namespace sunset
