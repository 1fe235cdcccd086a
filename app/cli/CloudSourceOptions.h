// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CliCommands.h"
#include "CloudSource.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTextStream>

#include <optional>

namespace sunset {

// sunset-cli's options for Exchange Online and Entra ID read live, instead of --exo/--graph files, read into
// CloudSettings.
class CloudSourceOptions final {
public:
    CloudSourceOptions();

    // --tenant, --client-id, --client-secret-file, --certificate, --device-code, --legacy-x5t, --authority,
    // --graph-endpoint, --exo-endpoint, --graph-resource, --exo-resource, --exo-api, --exo-parallel, --ca-file,
    // --cloud-profile, --full-scan, --cloud-full-every, --remember-secret.
    QList<QCommandLineOption> options() const;
    bool isSet(const QCommandLineParser& parser) const; // --tenant given: read the cloud live
    // Reads the settings; warnings (a secret file others may read) go to err. Without a credential option, the
    // client secret (or, for a .pfx without SUNSET_CERTIFICATE_PASSWORD, its password) remembered in the desktop
    // keyring for --tenant and --client-id is used, and err says so.
    Expected<void, CliError> read(const QCommandLineParser& parser, QTextStream& err, CloudSettings& settings) const;

private:
    QCommandLineOption m_tenant;
    QCommandLineOption m_clientId;
    QCommandLineOption m_secretFile;
    QCommandLineOption m_certificate;
    QCommandLineOption m_deviceCode;
    QCommandLineOption m_legacyX5t;
    QCommandLineOption m_authority;
    QCommandLineOption m_graphEndpoint;
    QCommandLineOption m_exoEndpoint;
    QCommandLineOption m_graphResource;
    QCommandLineOption m_exoResource;
    QCommandLineOption m_exoApi;
    QCommandLineOption m_exoParallel;
    QCommandLineOption m_caFile;
    QCommandLineOption m_profile;
    QCommandLineOption m_fullScan;
    QCommandLineOption m_fullEvery;
    QCommandLineOption m_rememberSecret;
};

// sunset-cli secret forget --tenant T --client-id ID: removes what --remember-secret kept for that app.
int runSecretCommand(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace sunset
