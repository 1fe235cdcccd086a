// SPDX-License-Identifier: Apache-2.0
#include "ExchangeConfiguration.h"

#include "CloudSyncState.h"
#include "ExchangeSchema.h"
#include "LdapEscape.h"
#include "LdapLogging.h"
#include "LdifReader.h"

#include <QFile>
#include <QSet>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// The Autodiscover SCP keywords (decommission.md): the service's GUID and the site-scope one.
const QByteArrayList kScpKeywords{QByteArray(kAutodiscoverScpKeyword.data(), kAutodiscoverScpKeyword.size()),
                                  QByteArray(kAutodiscoverSiteScpKeyword.data(), kAutodiscoverSiteScpKeyword.size())};

QByteArray dnOf(const LdifEntry& entry)
{
    return entry.dn.toByteArray();
}

QStringList valuesOf(const LdifEntry& entry, QByteArrayView name)
{
    QStringList values;
    for (const LdifAttribute& a : entry.attributes) {
        if (a.name.compare(name, Qt::CaseInsensitive) == 0)
            values.append(QString::fromUtf8(a.value));
    }
    return values;
}

bool hasValue(const QStringList& values, QLatin1StringView wanted)
{
    return std::any_of(values.begin(), values.end(),
                       [&](const QString& v) { return v.compare(wanted, Qt::CaseInsensitive) == 0; });
}

// A search whose base may not exist: NoSuchObject is "nothing there", not an error.
LdapResult<void> searchIfPresent(LdapConnection& connection, const LdapSearchRequest& request,
                                 const LdapEntryHandler& onEntry)
{
    LdapResult<void> searched = connection.search(request, onEntry);
    if (!searched && searched.error().code == LdapErrorCode::NoSuchObject)
        return {};
    return searched;
}

LdapError withContext(LdapError error, const QString& reading)
{
    error.message = u"Reading %1: %2"_s.arg(reading, error.message);
    return error;
}

} // namespace

ExchangeAdInventory ExchangeConfiguration::inventory() const
{
    ExchangeAdInventory inv;
    inv.schemaExtended = schemaExtended;
    inv.recipientsWithExchangeAttributes = recipientsWithExchangeAttributes;
    inv.exchangeContainers = exchangeContainers;
    inv.systemObjects = systemObjects;
    inv.securityGroupContainers = securityGroupContainers;
    return inv;
}

LdapResult<ExchangeConfiguration> readExchangeConfiguration(LdapConnection& connection,
                                                            const ExchangeConfigurationOptions& options)
{
    LdapResult<RootDse> root = connection.readRootDse();
    if (!root)
        return root.error();
    ExchangeConfiguration config;
    config.configurationNamingContext =
        options.configurationDn.isEmpty() ? root->configurationNamingContext : options.configurationDn;
    config.domainNamingContext = options.domainDn.isEmpty() ? root->defaultNamingContext : options.domainDn;
    if (config.configurationNamingContext.isEmpty())
        return LdapError{LdapErrorCode::InvalidResponse, 0,
                         u"The directory at %1 names no configurationNamingContext in its root DSE: is it an Active "
                         "Directory domain controller?"_s.arg(connection.host()),
                         {}};

    // 1. The Exchange organization under CN=Services: containers, servers, hybrid configuration. One subtree
    // search; an object class the schema lacks simply matches nothing.
    const QByteArray exchangeDn = "CN=Microsoft Exchange,CN=Services," + config.configurationNamingContext;
    LdapSearchRequest org;
    org.baseDn = exchangeDn;
    org.filter = "(|(objectClass=msExchConfigurationContainer)(objectClass=msExchOrganizationContainer)"
                 "(objectClass=msExchExchangeServer)(objectClass=msExchHybridConfiguration))";
    org.attributes = {"objectClass", "name", "serialNumber"};
    LdapResult<void> searched = searchIfPresent(connection, org, [&](const LdifEntry& entry) {
        const QStringList classes = valuesOf(entry, "objectClass");
        const QString dn = QString::fromUtf8(dnOf(entry));
        if (hasValue(classes, "msExchExchangeServer"_L1)) {
            const QStringList name = valuesOf(entry, "name");
            const QStringList serial = valuesOf(entry, "serialNumber");
            config.servers.push_back({dn, name.value(0), serial.value(0)});
        } else if (hasValue(classes, "msExchHybridConfiguration"_L1)) {
            config.hybridConfigurations.append(dn);
        } else {
            config.exchangeContainers.append(dn);
        }
        return LdapResult<void>();
    });
    if (!searched)
        return withContext(searched.error(), u"the Exchange organization in the configuration partition"_s);

    // 2. Autodiscover SCPs, anywhere in the configuration partition (Exchange puts them under each server's
    // CN=Protocols,CN=Autodiscover; a half-removed server can leave them elsewhere).
    LdapSearchRequest scp;
    scp.baseDn = config.configurationNamingContext;
    QByteArray keywords;
    for (const QByteArray& k : kScpKeywords)
        keywords += "(keywords=" + escapeFilterValue(k) + ')';
    scp.filter = "(&(objectClass=serviceConnectionPoint)(|" + keywords + "))";
    scp.attributes = {"keywords", "serviceBindingInformation"};
    searched = connection.search(scp, [&](const LdifEntry& entry) {
        config.autodiscoverScps.push_back({QString::fromUtf8(dnOf(entry)), valuesOf(entry, "keywords"),
                                           valuesOf(entry, "serviceBindingInformation")});
        return LdapResult<void>();
    });
    if (!searched)
        return withContext(searched.error(), u"Autodiscover service connection points"_s);

    // 3. The Cloud Sync agent's group managed service account in the domain (sAMAccountName ends in '$').
    LdapSearchRequest agent;
    agent.baseDn = config.domainNamingContext;
    agent.filter = "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=" +
                   escapeFilterValue(QByteArray(options.agentAccountName.toUtf8() + '$')) + "))";
    agent.attributes = {"sAMAccountName"};
    searched = connection.search(agent, [&](const LdifEntry& entry) {
        config.cloudSyncAgentAccounts.append(QString::fromUtf8(dnOf(entry)));
        return LdapResult<void>();
    });
    if (!searched)
        return withContext(searched.error(), u"the Cloud Sync agent's account %1$"_s.arg(options.agentAccountName));

    // 4. The domain's Exchange containers that uninstalling the last server removes.
    for (const auto& [rdn, into] : {std::pair{QByteArray("CN=Microsoft Exchange System Objects,"), &config.systemObjects},
                                    std::pair{QByteArray("OU=Microsoft Exchange Security Groups,"),
                                              &config.securityGroupContainers}}) {
        LdapSearchRequest base;
        base.baseDn = rdn + config.domainNamingContext;
        base.scope = LdapScope::Base;
        base.attributes = {"1.1"};
        base.pageSize = 0;
        QStringList* list = into;
        searched = searchIfPresent(connection, base, [&](const LdifEntry& entry) {
            list->append(QString::fromUtf8(dnOf(entry)));
            return LdapResult<void>();
        });
        if (!searched)
            return withContext(searched.error(), QString::fromUtf8(base.baseDn));
    }

    // 5. What must stay: the schema, and the recipients' Exchange values.
    LdapResult<SchemaCheck> schema = checkExchangeSchema(connection, {"msExchRecipientTypeDetails", "extensionAttribute1"});
    if (!schema)
        return withContext(schema.error(), u"the Exchange schema"_s);
    config.schemaExtended = schema->complete();
    if (config.schemaExtended) {
        LdapSearchRequest recipients;
        recipients.baseDn = config.domainNamingContext;
        recipients.filter = "(|(msExchRecipientTypeDetails=*)(msExchRecipientDisplayType=*)(extensionAttribute1=*))";
        recipients.attributes = {"1.1"};
        searched = connection.search(recipients, [&](const LdifEntry& entry) {
            ++config.recipientsWithExchangeAttributes;
            ++config.recipientDomains[domainOfDn(QString::fromUtf8(dnOf(entry)))];
            return LdapResult<void>();
        });
        if (!searched)
            return withContext(searched.error(), u"the recipients with Exchange attributes"_s);
    }
    qCInfo(lcLdap) << "Exchange configuration:" << config.servers.size() << "servers,"
                   << config.autodiscoverScps.size() << "Autodiscover SCPs," << config.hybridConfigurations.size()
                   << "hybrid configurations," << config.cloudSyncAgentAccounts.size() << "agent accounts";
    return config;
}

Result<ExchangeConfiguration> readExchangeConfigurationLdif(const QStringList& files,
                                                            const ExchangeConfigurationOptions& options)
{
    ExchangeConfiguration config;
    config.domainNamingContext = options.domainDn;
    config.configurationNamingContext = options.configurationDn;
    const QString agentSam = options.agentAccountName + u'$';
    QSet<QString> schemaAttributes;
    bool recipientValues = false;
    auto suffixAfter = [](const QString& dn, QLatin1StringView rdnPrefix) {
        return dn.startsWith(rdnPrefix, Qt::CaseInsensitive) ? dn.mid(rdnPrefix.size()).toUtf8() : QByteArray();
    };
    for (const QString& path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return ImportError{path, 0, {},
                               u"cannot read it (%1): give the LDIF export of the configuration partition's "
                               "Exchange objects"_s.arg(file.errorString())};
        const QByteArray data = file.readAll();
        LdifReader reader(data, path);
        const Result<void> read = reader.read([&](const LdifEntry& entry) -> Result<void> {
            const QStringList classes = valuesOf(entry, "objectClass");
            const QString dn = QString::fromUtf8(dnOf(entry));
            const bool inExchange = dn.contains(u",CN=Microsoft Exchange,CN=Services,"_s, Qt::CaseInsensitive) ||
                                    dn.startsWith(u"CN=Microsoft Exchange,CN=Services,"_s, Qt::CaseInsensitive);
            if (hasValue(classes, "msExchExchangeServer"_L1) && inExchange) {
                const QStringList name = valuesOf(entry, "name");
                const QStringList cn = valuesOf(entry, "cn");
                config.servers.push_back({dn, name.value(0, cn.value(0)), valuesOf(entry, "serialNumber").value(0)});
            } else if (hasValue(classes, "msExchHybridConfiguration"_L1) && inExchange) {
                config.hybridConfigurations.append(dn);
            } else if (hasValue(classes, "msExchConfigurationContainer"_L1) ||
                       hasValue(classes, "msExchOrganizationContainer"_L1)) {
                config.exchangeContainers.append(dn);
                if (config.configurationNamingContext.isEmpty())
                    config.configurationNamingContext = suffixAfter(dn, "CN=Microsoft Exchange,CN=Services,"_L1);
            } else if (hasValue(classes, "serviceConnectionPoint"_L1)) {
                const QStringList keywords = valuesOf(entry, "keywords");
                const bool autodiscover = std::any_of(kScpKeywords.begin(), kScpKeywords.end(), [&](const QByteArray& k) {
                    return hasValue(keywords, QLatin1StringView(k));
                });
                if (autodiscover)
                    config.autodiscoverScps.push_back({dn, keywords, valuesOf(entry, "serviceBindingInformation")});
            } else if (hasValue(classes, "msDS-GroupManagedServiceAccount"_L1) &&
                       hasValue(valuesOf(entry, "sAMAccountName"), QLatin1StringView(agentSam.toLatin1()))) {
                config.cloudSyncAgentAccounts.append(dn);
            } else if (hasValue(classes, "attributeSchema"_L1)) {
                for (const QString& name : valuesOf(entry, "lDAPDisplayName"))
                    schemaAttributes.insert(name.toLower());
            } else if (const QByteArray domain = suffixAfter(dn, "CN=Microsoft Exchange System Objects,"_L1);
                       !domain.isEmpty()) {
                config.systemObjects.append(dn);
                if (config.domainNamingContext.isEmpty())
                    config.domainNamingContext = domain;
            } else if (dn.startsWith(u"OU=Microsoft Exchange Security Groups,"_s, Qt::CaseInsensitive)) {
                config.securityGroupContainers.append(dn);
            }
            // A recipient's Exchange values (what the live read counts), wherever the export put them.
            for (const LdifAttribute& a : entry.attributes) {
                const QByteArrayView name = a.name;
                if (name.compare("msExchRecipientTypeDetails", Qt::CaseInsensitive) == 0 ||
                    name.compare("msExchRecipientDisplayType", Qt::CaseInsensitive) == 0 ||
                    name.compare("extensionAttribute1", Qt::CaseInsensitive) == 0) {
                    ++config.recipientsWithExchangeAttributes;
                    ++config.recipientDomains[domainOfDn(dn)];
                    recipientValues = true;
                    break;
                }
            }
            return {};
        });
        if (!read)
            return read.error();
    }
    // An export that holds recipients' Exchange values proves the schema as much as its attributeSchema entries.
    config.schemaExtended = recipientValues || (schemaAttributes.contains(u"msexchrecipienttypedetails"_s) &&
                                                schemaAttributes.contains(u"extensionattribute1"_s));
    qCInfo(lcLdap) << "Exchange configuration from" << files << ':' << config.servers.size() << "servers,"
                   << config.autodiscoverScps.size() << "Autodiscover SCPs," << config.hybridConfigurations.size()
                   << "hybrid configurations," << config.cloudSyncAgentAccounts.size() << "agent accounts";
    return config;
}

} // namespace sunset
