// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdSource.h"
#include "CloudLiveScan.h"
#include "ImportError.h"
#include "platform/SecretStore.h"
#include "Snapshot.h"
#include "TokenProvider.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QSslCertificate>
#include <QTextStream>
#include <QUrl>

#include <atomic>
#include <functional>
#include <optional>

namespace sunset {

// Exchange Online and Entra ID read live by sunset-cli diff, instead of --exo/--graph files: app-only sign-in
// (client secret from a file, or a certificate) or an admin's device code sign-in, Graph users (by delta when
// an earlier run of this profile left its state), then Get-Mailbox through the admin API.
struct CloudSettings {
    CloudScanSettings scan;
    QList<QSslCertificate> extraCaCertificates; // --ca-file: trusted besides the system's
    QString stateDirectory;                     // the profile's directory for the delta state
    bool fullScan = false;                      // --full-scan: ignore the kept state
    // --remember-secret: kept in the desktop keyring under this key once the sign-in worked.
    std::optional<SecretKey> rememberAs;
    QByteArray rememberSecret;
};

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
    std::optional<AdSourceError> read(const QCommandLineParser& parser, QTextStream& err,
                                      CloudSettings& settings) const;

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

// Signs in (a device code sign-in shows its message on err), reads the Graph users into graph (by delta from
// the profile's kept state, which it then updates), then every mailbox (joined to graph) into the snapshot,
// through CloudLiveScan. Runs an event loop until then: call it from a command, not from inside another loop.
// When settings.rememberAs is set, the secret is then stored in the desktop keyring (a keyring that cannot is
// a warning on err: the secret was used for this run only).
// progress, when given, hears each page ("Reading Exchange Online mailboxes … 2000") on this thread; cancel, when
// set, stops the scan within a fraction of a second (a "cancelled" error). With settings.scan.readCloudSync, Cloud
// Sync's state read live goes to cloudSync (parts the app may not read are unread inside it, with the reason).
Result<Snapshot> scanCloudSnapshot(const CloudSettings& settings, QTextStream& err, GraphDirectory& graph,
                                   const std::atomic_bool* cancel = nullptr,
                                   const std::function<void(const QString&)>& progress = {},
                                   std::shared_ptr<const CloudSyncState>* cloudSync = nullptr);

// Cloud Sync's writeback jobs and their schemas, read live with the cloud's credentials (no provisioning log: the
// decommission checklist and provision-on-demand need the jobs only). Blocking (a local event loop): call it from a
// command or a worker thread. A permission lacking leaves the jobs unread inside the state, with the permission
// named; an error only when cancelled.
Result<std::shared_ptr<const CloudSyncState>> readCloudSyncJobsLive(const CloudSettings& cloud);

// sunset-cli secret forget --tenant T --client-id ID: removes what --remember-secret kept for that app.
int runSecretCommand(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace sunset
