// SPDX-License-Identifier: Apache-2.0
#pragma once

// A live cloud scan pointed at the in-process emulator: authority, Graph and Exchange Online on its loopback
// address, its resource names, and an app of its registry signing in with a secret. What each test or bench then
// sets (retries, the rescan cache, the clock) stays with it.
#include "CloudEmulator.h"
#include "CloudLiveScan.h"

namespace sunset {

inline CloudScanSettings emulatorScanSettings(const CloudEmulator& emulator, const QString& tenant,
                                              const QString& clientId, const QString& secret)
{
    CloudScanSettings s;
    s.authority = s.graphEndpoint = s.exoEndpoint = emulator.baseUrl();
    s.graphResource = QLatin1StringView(CloudEmulator::kGraphResource);
    s.exoResource = QLatin1StringView(CloudEmulator::kExoResource);
    s.credentials.tenant = tenant;
    s.credentials.clientId = clientId;
    s.credentials.clientSecret = secret;
    return s;
}

} // namespace sunset
