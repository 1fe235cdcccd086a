// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "CloudTenantSettings.h"
#include "DcConnectionSettings.h"
#include "DriftSummary.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

class QSettings;

namespace sunset {

// Where the AD side of a scan comes from: an LDIF export, or a domain controller read live.
struct AdSourceProfile {
    enum class Kind : quint8 { Snapshot, Live };

    Kind kind = Kind::Snapshot;
    QString ldifFile;
    DcConnectionSettings dc;       // live: which domain controller, how to bind (the defaults are its defaults)
    bool rememberPassword = false; // the bind password is kept in the desktop keyring (never in the settings)

    friend bool operator==(const AdSourceProfile&, const AdSourceProfile&) = default;
};

// Where the cloud side comes from: Get-Mailbox (and Graph users) exports, or the tenant read live.
struct CloudSourceProfile {
    enum class Kind : quint8 { Snapshot, Live };

    Kind kind = Kind::Snapshot;
    QString exoFile;   // Get-Mailbox JSON or CSV
    QString graphFile; // Graph users JSON, optional
    CloudTenantSettings connection; // live: which tenant and app, how to sign in (the defaults are its defaults)
    // The client secret / the .pfx password are kept in the desktop keyring (only these flags are in the settings).
    bool rememberClientSecret = false;
    bool rememberCertificatePassword = false;

    friend bool operator==(const CloudSourceProfile&, const CloudSourceProfile&) = default;
};

// A named pair of sources the admin scans again and again. Holds no secret: passwords and client secrets are
// asked for when a scan starts (ScanSecrets) and never written to the settings; where the admin asks, they are
// kept in the desktop keyring (SecretStore) and the profile holds only that they are.
struct ConnectionProfile {
    QString name;
    AdSourceProfile ad;
    CloudSourceProfile cloud;

    static ConnectionProfile fromFiles(const ReportSources& files, const QString& name = {});
    bool isSnapshotOnly() const
    {
        return ad.kind == AdSourceProfile::Kind::Snapshot && cloud.kind == CloudSourceProfile::Kind::Snapshot;
    }
    // The files both sides read, when both are snapshots.
    ReportSources files() const { return {ad.ldifFile, cloud.exoFile, cloud.graphFile}; }
    // What the status bar and the scan's record call the sources: file names or server and tenant.
    QString adLabel() const;
    QString cloudLabel() const;
    bool needsAdPassword() const
    {
        return ad.kind == AdSourceProfile::Kind::Live && !ad.dc.kerberos;
    }
    bool needsClientSecret() const
    {
        return cloud.kind == CloudSourceProfile::Kind::Live &&
               cloud.connection.signIn == CloudTenantSettings::SignIn::ClientSecret;
    }

    friend bool operator==(const ConnectionProfile&, const ConnectionProfile&) = default;
};

// What the admin typed for one scan only. Kept in memory until the sources have signed in.
struct ScanSecrets {
    QByteArray adPassword;
    QString clientSecret;
    QByteArray certificatePassword; // for a .pfx/.p12
};

struct ScanRequest {
    ConnectionProfile profile;
    ScanSecrets secrets;
};

// A problem with a profile, said so the admin can fix it: the field (a widget's object name in the connection
// dialog) and a sentence naming the field and what to put there.
struct ProfileProblem {
    QString field;
    QString message;
};

// Every problem, in the order the dialog shows its fields; empty when the profile can be scanned. Files are
// checked for existence; secrets are not part of a profile and not checked here.
QList<ProfileProblem> validateProfile(const ConnectionProfile& profile);

// Profiles in QSettings under "profiles/<name>/…", plus the one used last. Never a secret: save() writes only the
// fields of ConnectionProfile.
class ConnectionProfileStore final {
public:
    explicit ConnectionProfileStore(QSettings& settings) : m_settings(settings) {}

    QStringList names() const;
    ConnectionProfile load(const QString& name) const;
    void save(const ConnectionProfile& profile);
    void remove(const QString& name);
    QString lastUsed() const;
    void setLastUsed(const QString& name);

private:
    QSettings& m_settings;
};

} // namespace sunset

Q_DECLARE_METATYPE(sunset::ScanRequest)
