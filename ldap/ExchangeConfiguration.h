// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "Checklist.h"
#include "LdapConnection.h"

#include <QByteArray>
#include <QMap>
#include <QStringList>

#include <vector>

namespace sunset {

// What of Exchange an AD forest still holds, for the decommission checklist: read from the configuration
// partition (the root DSE's configurationNamingContext) and the domain partition.
struct ExchangeConfiguration {
    QByteArray configurationNamingContext;
    QByteArray domainNamingContext;
    QStringList exchangeContainers; // CN=Microsoft Exchange,CN=Services,… and the msExchOrganizationContainer(s)
    std::vector<ExchangeServerObject> servers;              // msExchExchangeServer objects
    std::vector<ServiceConnectionPoint> autodiscoverScps;   // serviceConnectionPoint with an Autodiscover keyword
    QStringList hybridConfigurations;                       // msExchHybridConfiguration objects
    QStringList cloudSyncAgentAccounts;                     // the Cloud Sync agent's gMSA(s) in the domain
    QStringList systemObjects;                              // CN=Microsoft Exchange System Objects,<domain>
    QStringList securityGroupContainers;                    // OU=Microsoft Exchange Security Groups,<domain>
    bool schemaExtended = false;                            // the Exchange recipient attributes are in the schema
    qint64 recipientsWithExchangeAttributes = 0;
    // Those recipients counted per AD domain (their DN's DC= components, lower case): the domains a Cloud Sync
    // writeback job must cover. Live, only the domain read (domainNamingContext); an LDIF, every domain it holds.
    QMap<QString, qint64> recipientDomains;

    ExchangeAdInventory inventory() const;
};

struct ExchangeConfigurationOptions {
    QByteArray domainDn;        // empty: the root DSE's defaultNamingContext
    QByteArray configurationDn; // empty: the root DSE's configurationNamingContext
    // The Cloud Sync provisioning agent's gMSA: provAgentgMSA$ unless the admin chose a custom one at install.
    QString agentAccountName = QStringLiteral("provAgentgMSA");
};

// Reads it all over a bound connection: a handful of searches, every value in a filter escaped (RFC 4515).
// Containers that do not exist are simply absent from the answer (a forest that never had Exchange, or one
// whose uninstall finished); any other failure is an error naming what was being read.
LdapResult<ExchangeConfiguration> readExchangeConfiguration(LdapConnection& connection,
                                                            const ExchangeConfigurationOptions& options = {});

// The same from LDIF snapshots (ldifde or ldapsearch exports: the configuration partition's CN=Microsoft Exchange,
// the Exchange schema attributes, the domain's Exchange objects and, for the recipient count, the users), read
// with LdifReader and sorted by object class as the live searches select them, so the same checks judge it. The
// naming contexts are taken from the objects found. An unreadable or malformed file is an error naming it.
Result<ExchangeConfiguration> readExchangeConfigurationLdif(const QStringList& files,
                                                            const ExchangeConfigurationOptions& options = {});

} // namespace sunset
