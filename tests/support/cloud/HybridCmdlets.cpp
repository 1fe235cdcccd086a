// SPDX-License-Identifier: Apache-2.0
#include "HybridCmdlets.h"

#include "CloudEmulator.h"

#include <QHash>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {
const QString kOrgGuid = u"6b8a6b2e-1f0c-4c5e-9a57-0c9b1d6b1e2f"_s;
}

EmulatedHybridTenant EmulatedHybridTenant::afterHybridWizard()
{
    EmulatedHybridTenant t;
    t.organizationRelationships = {
        QJsonObject{{u"Name"_s, QString(u"O365 to On-premises - "_s + kOrgGuid)},
                    {u"Identity"_s, QString(u"O365 to On-premises - "_s + kOrgGuid)},
                    {u"Enabled"_s, true},
                    {u"DomainNames"_s, QJsonArray{u"sunset.test"_s}}},
        QJsonObject{{u"Name"_s, u"Fabrikam free/busy"_s}, {u"Identity"_s, u"Fabrikam free/busy"_s}, {u"Enabled"_s, true}}};
    t.inboundConnectors = {QJsonObject{{u"Name"_s, QString(u"Inbound from "_s + kOrgGuid)},
                                       {u"Identity"_s, QString(u"Inbound from "_s + kOrgGuid)},
                                       {u"Enabled"_s, true},
                                       {u"ConnectorType"_s, u"OnPremises"_s}}};
    t.outboundConnectors = {QJsonObject{{u"Name"_s, QString(u"Outbound to "_s + kOrgGuid)},
                                        {u"Identity"_s, QString(u"Outbound to "_s + kOrgGuid)},
                                        {u"Enabled"_s, false},
                                        {u"ConnectorType"_s, u"OnPremises"_s}},
                            QJsonObject{{u"Name"_s, u"Partner TLS to Fabrikam"_s},
                                        {u"Identity"_s, u"Partner TLS to Fabrikam"_s},
                                        {u"Enabled"_s, true},
                                        {u"ConnectorType"_s, u"Partner"_s}}};
    return t;
}

EmulatedHybridTenant& emulatedHybridTenant(const CloudEmulator* emulator)
{
    static QHash<const CloudEmulator*, EmulatedHybridTenant> tenants; // test process, one thread
    return tenants[emulator];
}

std::optional<QJsonObject> answerHybridCmdlet(const CloudEmulator* emulator, const QJsonObject& cmdletInput)
{
    const QString name = cmdletInput.value("CmdletName"_L1).toString();
    const EmulatedHybridTenant& tenant = emulatedHybridTenant(emulator);
    const QJsonArray* list = nullptr;
    if (name.compare("Get-OrganizationRelationship"_L1, Qt::CaseInsensitive) == 0)
        list = &tenant.organizationRelationships;
    else if (name.compare("Get-InboundConnector"_L1, Qt::CaseInsensitive) == 0)
        list = &tenant.inboundConnectors;
    else if (name.compare("Get-OutboundConnector"_L1, Qt::CaseInsensitive) == 0)
        list = &tenant.outboundConnectors;
    if (!list)
        return std::nullopt;
    const QString context =
        emulator->baseUrl().toString() + u"/adminapi/beta/$metadata#Collection(Exchange.GenericHashTable)"_s;
    return QJsonObject{{u"@odata.context"_s, context},
                       {u"adminapi.warnings@odata.type"_s, u"#Collection(String)"_s},
                       {u"@adminapi.warnings"_s, QJsonArray{}},
                       {u"value"_s, *list}};
}

} // namespace sunset
