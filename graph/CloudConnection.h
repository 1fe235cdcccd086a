// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudTenantSettings.h"
#include "TokenProvider.h"

#include <QString>
#include <QUrl>

#include <optional>

namespace sunset {

// The secret that goes with a CloudTenantSettings, in memory only and only as far as the sign-in: the client
// secret, or the app's certificate loaded with its private key. A device code sign-in needs neither.
struct CloudSignInSecret {
    QString clientSecret;
    std::optional<ClientCertificate> certificate;
};

// What the cloud clients are made with: the token provider's authority and credentials, and each service's
// endpoint and token audience.
struct CloudConnection {
    QUrl authority;
    QUrl graphEndpoint;
    QUrl exoEndpoint;
    QString graphResource; // the configured audience, else the endpoint's scheme and host
    QString exoResource;
    AppCredentials credentials;
};

// The one place a CloudTenantSettings (plus its secret) becomes what the clients need, as ldap/'s
// connectionOptionsFor() is for a domain controller: the sign-in kind says which part of the secret is used (the
// client secret, the certificate, or neither for a device code sign-in).
CloudConnection cloudConnectionFor(const CloudTenantSettings& settings, const CloudSignInSecret& secret);

} // namespace sunset
