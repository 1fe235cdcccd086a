// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QLatin1StringView>
#include <QString>

namespace sunset {

// Which tenant and app, how to sign in, and where the cloud's services are: the one type for the connection
// dialog's profile, sunset-cli's --tenant options, the decommission wizard's settings and the live reads, with one
// set of defaults (Microsoft's global cloud). Holds no secret: the client secret, or the certificate's key and its
// password, travels beside it, only as far as the sign-in. Here, in the lowest layer, because the dialog (ui/)
// reaches no further down; graph/'s cloudConnectionFor() turns it into what the cloud clients are made with.
struct CloudTenantSettings {
    enum class SignIn : quint8 { ClientSecret, Certificate, DeviceCode };

    // The global cloud's hosts: the defaults below, and what sunset-cli's help and the dialog name.
    static constexpr QLatin1StringView kDefaultAuthority{"https://login.microsoftonline.com"};
    static constexpr QLatin1StringView kDefaultGraphEndpoint{"https://graph.microsoft.com"};
    static constexpr QLatin1StringView kDefaultExoEndpoint{"https://outlook.office365.com"};

    QString tenant;   // GUID or contoso.onmicrosoft.com
    QString clientId; // the app registration's application (client) id
    // ClientSecret and Certificate sign in as the app; DeviceCode as an admin (clientId is then a public client).
    SignIn signIn = SignIn::ClientSecret;
    QString certificateFile;     // Certificate: PEM with its key, or .pfx/.p12
    bool legacyRs256X5t = false; // Certificate: RS256 with x5t (SHA-1) for older registrations (--legacy-x5t)
    QString authority = QString(kDefaultAuthority); // the login host
    QString graphEndpoint = QString(kDefaultGraphEndpoint);
    QString exoEndpoint = QString(kDefaultExoEndpoint);
    // Token audiences when they differ from the endpoints' scheme and host (sunset-cli's --graph-resource and
    // --exo-resource); empty for every documented cloud.
    QString graphResource;
    QString exoResource;
    // PEM file of CAs trusted besides the system's (sunset-cli's --ca-file: a TLS-inspecting proxy, a test
    // service); empty: the system's trust store only.
    QString caFile;

    friend bool operator==(const CloudTenantSettings&, const CloudTenantSettings&) = default;
};

} // namespace sunset
