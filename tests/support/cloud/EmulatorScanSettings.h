// SPDX-License-Identifier: Apache-2.0
#pragma once

// A live cloud scan pointed at the in-process emulator: authority, Graph and Exchange Online on its loopback
// address, its resource names, and an app of its registry signing in with a secret. What each test or bench then
// sets (retries, the rescan cache, the clock) stays with it.
#include "CloudEmulator.h"
#include "CloudLiveScan.h"

namespace sunset {

// An app of the emulator's registry (CloudEmulator::registerApp) signing in with its secret.
inline AppCredentials emulatorAppCredentials(const QString& tenant, const QString& clientId, const QString& secret)
{
    AppCredentials c;
    c.tenant = tenant;
    c.clientId = clientId;
    c.clientSecret = secret;
    return c;
}

// The tenant of the emulator at baseUrl (every service on that address, its resource names), for an app of its
// registry signing in with a client secret.
inline CloudTenantSettings emulatorTenantSettings(const QUrl& baseUrl, const QString& tenant, const QString& clientId)
{
    CloudTenantSettings c;
    c.tenant = tenant;
    c.clientId = clientId;
    c.authority = c.graphEndpoint = c.exoEndpoint = baseUrl.toString();
    c.graphResource = QLatin1StringView(CloudEmulator::kGraphResource);
    c.exoResource = QLatin1StringView(CloudEmulator::kExoResource);
    return c;
}

inline CloudScanSettings emulatorScanSettings(const QUrl& baseUrl, const QString& tenant, const QString& clientId,
                                              const QString& secret)
{
    CloudScanSettings s;
    s.connection = emulatorTenantSettings(baseUrl, tenant, clientId);
    s.secret.clientSecret = secret;
    return s;
}

inline CloudScanSettings emulatorScanSettings(const CloudEmulator& emulator, const QString& tenant,
                                              const QString& clientId, const QString& secret)
{
    return emulatorScanSettings(emulator.baseUrl(), tenant, clientId, secret);
}

} // namespace sunset
