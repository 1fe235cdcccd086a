#pragma once

#include "AdSource.h"
#include "ImportError.h"
#include "Snapshot.h"
#include "TokenProvider.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTextStream>
#include <QUrl>

#include <optional>

namespace sunset {

// Exchange Online and Entra ID read live by sunset-cli diff, instead of --exo/--graph files: app-only sign-in
// (client secret from a file, or a certificate), Graph users, then Get-Mailbox through the admin API.
struct CloudSettings {
    QUrl authority{QStringLiteral("https://login.microsoftonline.com")};
    QUrl graphEndpoint{QStringLiteral("https://graph.microsoft.com")};
    QUrl exoEndpoint{QStringLiteral("https://outlook.office365.com")};
    QString graphResource; // token audiences; empty: the endpoint's scheme and host
    QString exoResource;
    AppCredentials credentials;
};

class CloudSourceOptions final {
public:
    CloudSourceOptions();

    // --tenant, --client-id, --client-secret-file, --certificate, --legacy-x5t, --authority, --graph-endpoint,
    // --exo-endpoint, --graph-resource, --exo-resource.
    QList<QCommandLineOption> options() const;
    bool isSet(const QCommandLineParser& parser) const; // --tenant given: read the cloud live
    // Reads the settings; warnings (a secret file others may read) go to err.
    std::optional<AdSourceError> read(const QCommandLineParser& parser, QTextStream& err,
                                      CloudSettings& settings) const;

private:
    QCommandLineOption m_tenant;
    QCommandLineOption m_clientId;
    QCommandLineOption m_secretFile;
    QCommandLineOption m_certificate;
    QCommandLineOption m_legacyX5t;
    QCommandLineOption m_authority;
    QCommandLineOption m_graphEndpoint;
    QCommandLineOption m_exoEndpoint;
    QCommandLineOption m_graphResource;
    QCommandLineOption m_exoResource;
};

// Signs in, reads every Graph user into graph, then every mailbox (joined to graph) into the snapshot.
// Runs its own event loop: call it from a command, not from inside another event loop.
Result<Snapshot> scanCloudSnapshot(const CloudSettings& settings, QTextStream& err, GraphDirectory& graph);

} // namespace sunset
