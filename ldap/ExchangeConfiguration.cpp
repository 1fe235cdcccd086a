#include "ExchangeConfiguration.h"

#include "ExchangeSchema.h"
#include "LdapEscape.h"
#include "LdapLogging.h"

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
std::optional<LdapError> searchIfPresent(LdapConnection& connection, const LdapSearchRequest& request,
                                         const LdapEntryHandler& onEntry)
{
    std::optional<LdapError> error = connection.search(request, onEntry);
    if (error && error->code == LdapErrorCode::NoSuchObject)
        return std::nullopt;
    return error;
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
    std::optional<LdapError> error = searchIfPresent(connection, org, [&](const LdifEntry& entry) {
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
        return std::optional<LdapError>();
    });
    if (error)
        return withContext(*error, u"the Exchange organization in the configuration partition"_s);

    // 2. Autodiscover SCPs, anywhere in the configuration partition (Exchange puts them under each server's
    // CN=Protocols,CN=Autodiscover; a half-removed server can leave them elsewhere).
    LdapSearchRequest scp;
    scp.baseDn = config.configurationNamingContext;
    QByteArray keywords;
    for (const QByteArray& k : kScpKeywords)
        keywords += "(keywords=" + escapeFilterValue(k) + ')';
    scp.filter = "(&(objectClass=serviceConnectionPoint)(|" + keywords + "))";
    scp.attributes = {"keywords", "serviceBindingInformation"};
    error = connection.search(scp, [&](const LdifEntry& entry) {
        config.autodiscoverScps.push_back({QString::fromUtf8(dnOf(entry)), valuesOf(entry, "keywords"),
                                           valuesOf(entry, "serviceBindingInformation")});
        return std::optional<LdapError>();
    });
    if (error)
        return withContext(*error, u"Autodiscover service connection points"_s);

    // 3. The Cloud Sync agent's group managed service account in the domain (sAMAccountName ends in '$').
    LdapSearchRequest agent;
    agent.baseDn = config.domainNamingContext;
    agent.filter = "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=" +
                   escapeFilterValue(QByteArray(options.agentAccountName.toUtf8() + '$')) + "))";
    agent.attributes = {"sAMAccountName"};
    error = connection.search(agent, [&](const LdifEntry& entry) {
        config.cloudSyncAgentAccounts.append(QString::fromUtf8(dnOf(entry)));
        return std::optional<LdapError>();
    });
    if (error)
        return withContext(*error, u"the Cloud Sync agent's account %1$"_s.arg(options.agentAccountName));

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
        error = searchIfPresent(connection, base, [&](const LdifEntry& entry) {
            list->append(QString::fromUtf8(dnOf(entry)));
            return std::optional<LdapError>();
        });
        if (error)
            return withContext(*error, QString::fromUtf8(base.baseDn));
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
        error = connection.search(recipients, [&](const LdifEntry&) {
            ++config.recipientsWithExchangeAttributes;
            return std::optional<LdapError>();
        });
        if (error)
            return withContext(*error, u"the recipients with Exchange attributes"_s);
    }
    qCInfo(lcLdap) << "Exchange configuration:" << config.servers.size() << "servers,"
                   << config.autodiscoverScps.size() << "Autodiscover SCPs," << config.hybridConfigurations.size()
                   << "hybrid configurations," << config.cloudSyncAgentAccounts.size() << "agent accounts";
    return config;
}

} // namespace sunset
