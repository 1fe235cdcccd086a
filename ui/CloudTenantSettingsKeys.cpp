// SPDX-License-Identifier: Apache-2.0
#include "CloudTenantSettingsKeys.h"

#include <QSettings>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using SignIn = CloudTenantSettings::SignIn;

// signIn's values as the settings have always spelled them.
QString signInName(SignIn signIn)
{
    switch (signIn) {
    case SignIn::Certificate: return u"certificate"_s;
    case SignIn::DeviceCode: return u"deviceCode"_s;
    case SignIn::ClientSecret: break;
    }
    return u"clientSecret"_s;
}

SignIn signInNamed(const QString& name)
{
    for (const SignIn signIn : {SignIn::Certificate, SignIn::DeviceCode})
        if (name == signInName(signIn))
            return signIn;
    return SignIn::ClientSecret;
}

} // namespace

CloudTenantSettings readCloudTenantSettings(const QSettings& settings)
{
    CloudTenantSettings c;
    auto text = [&settings](QLatin1StringView key, const QString& fallback) {
        return settings.value(key, fallback).toString();
    };
    c.tenant = text("tenant"_L1, c.tenant);
    c.clientId = text("clientId"_L1, c.clientId);
    c.signIn = signInNamed(text("signIn"_L1, signInName(c.signIn)));
    c.certificateFile = text("certificateFile"_L1, c.certificateFile);
    c.authority = text("authority"_L1, c.authority);
    c.graphEndpoint = text("graphEndpoint"_L1, c.graphEndpoint);
    c.exoEndpoint = text("exoEndpoint"_L1, c.exoEndpoint);
    c.graphResource = text("graphResource"_L1, c.graphResource);
    c.exoResource = text("exoResource"_L1, c.exoResource);
    return c;
}

void writeCloudTenantSettings(QSettings& settings, const CloudTenantSettings& cloud)
{
    settings.setValue(u"tenant"_s, cloud.tenant);
    settings.setValue(u"clientId"_s, cloud.clientId);
    settings.setValue(u"signIn"_s, signInName(cloud.signIn));
    settings.setValue(u"certificateFile"_s, cloud.certificateFile);
    settings.setValue(u"authority"_s, cloud.authority);
    settings.setValue(u"graphEndpoint"_s, cloud.graphEndpoint);
    settings.setValue(u"exoEndpoint"_s, cloud.exoEndpoint);
    if (!cloud.graphResource.isEmpty())
        settings.setValue(u"graphResource"_s, cloud.graphResource);
    if (!cloud.exoResource.isEmpty())
        settings.setValue(u"exoResource"_s, cloud.exoResource);
}

} // namespace sunset
