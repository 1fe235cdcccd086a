// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudTenantSettings.h"

class QSettings;

namespace sunset {

// CloudTenantSettings in QSettings, under the group the caller has begun: the keys a connection profile's cloud/
// part has always had (tenant, clientId, signIn, certificateFile, authority, graphEndpoint, exoEndpoint,
// graphResource, exoResource), which the decommission wizard's settings group shares (its tenant and clientId are
// these keys). The one loader, so saved profiles and wizard settings keep loading as they are. A key not set keeps
// the type's default. Never a secret; never caFile (sunset-cli's only, and the wizard's caFile key is the domain
// controller's), nor legacyRs256X5t (the dialog has no such choice).
CloudTenantSettings readCloudTenantSettings(const QSettings& settings);
// The audiences only when set (empty for every documented cloud), the rest always.
void writeCloudTenantSettings(QSettings& settings, const CloudTenantSettings& cloud);

} // namespace sunset
