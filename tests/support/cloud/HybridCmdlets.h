// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

namespace sunset {

class CloudEmulator;

// The emulator's answers for the hybrid cmdlets of the admin API's InvokeCommand (Get-OrganizationRelationship,
// Get-InboundConnector, Get-OutboundConnector), kept apart from CloudEmulator.cpp: one hook line there calls
// answerHybridCmdlet. Each list holds the objects as the admin API returns them (Name, Identity, Enabled, …).
struct EmulatedHybridTenant {
    QJsonArray organizationRelationships;
    QJsonArray inboundConnectors;
    QJsonArray outboundConnectors;

    // What the Hybrid Configuration Wizard leaves: "O365 to On-premises - <guid>", "Inbound from <guid>",
    // "Outbound to <guid>", plus a partner relationship and connector that are not hybrid leftovers.
    static EmulatedHybridTenant afterHybridWizard();
};

// The hybrid objects an emulator answers with (empty lists until set).
EmulatedHybridTenant& emulatedHybridTenant(const CloudEmulator* emulator);

// The page for a hybrid cmdlet (cmdletInput is the request's "CmdletInput"), or nullopt when the cmdlet is not one
// of them (the emulator then answers as before). The lists are small: one page, no nextLink.
std::optional<QJsonObject> answerHybridCmdlet(const CloudEmulator* emulator, const QJsonObject& cmdletInput);

} // namespace sunset
