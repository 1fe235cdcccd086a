// SPDX-License-Identifier: Apache-2.0
#include "CloudConnection.h"

#include "GraphUsersClient.h"

namespace sunset {

namespace {

QString audienceFor(const QString& configured, const QUrl& endpoint)
{
    return configured.isEmpty() ? GraphUsersClient::defaultResource(endpoint) : configured;
}

} // namespace

CloudConnection cloudConnectionFor(const CloudTenantSettings& settings, const CloudSignInSecret& secret)
{
    CloudConnection c;
    c.authority = QUrl(settings.authority);
    c.graphEndpoint = QUrl(settings.graphEndpoint);
    c.exoEndpoint = QUrl(settings.exoEndpoint);
    c.graphResource = audienceFor(settings.graphResource, c.graphEndpoint);
    c.exoResource = audienceFor(settings.exoResource, c.exoEndpoint);
    c.credentials.tenant = settings.tenant;
    c.credentials.clientId = settings.clientId;
    switch (settings.signIn) {
    case CloudTenantSettings::SignIn::ClientSecret: c.credentials.clientSecret = secret.clientSecret; break;
    case CloudTenantSettings::SignIn::Certificate:
        c.credentials.certificate = secret.certificate;
        c.credentials.legacyRs256X5t = settings.legacyRs256X5t;
        break;
    case CloudTenantSettings::SignIn::DeviceCode: c.credentials.delegated = true; break;
    }
    return c;
}

} // namespace sunset
