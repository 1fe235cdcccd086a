// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "LdapConnection.h"
#include "Snapshot.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTextStream>

#include <memory>
#include <optional>

namespace sunset {

// Active Directory read live by sunset-cli (diff, dump): the connection options both commands take, and
// "connect, bind, check the schema, find the base DN" from them. Passwords never come from the command line:
// only from a file (--password-file) or the SUNSET_BIND_PASSWORD environment variable.
struct LiveAdSettings {
    QString uri; // ldaps://host[:port] or ldap://host[:port]
    QString bindName;
    QByteArray password;
    QString baseDn; // empty: the root DSE's defaultNamingContext
    QString caFile;
    bool startTls = false;
    bool kerberos = false;
    bool insecurePlaintext = false;
    // Incremental rescans (diff, rollback-impact): the profile's directory for the AD cursor and kept entries
    // (empty: a full read, nothing kept), --ad-full, --ad-cursor-max-days.
    QString stateDirectory;
    bool fullRead = false;
    int maxCursorAgeDays = 7;
};

// A failure of the live source, as sunset-cli reports it: exitCode is CliUsage or CliBadInput.
struct AdSourceError {
    int exitCode = 1;
    QString message;
};

class AdSourceOptions final {
public:
    AdSourceOptions();

    // --bind, --password-file, --base, --ca, --starttls, --kerberos, --insecure-plaintext.
    QList<QCommandLineOption> options() const;
    static bool isLdapUri(const QString& adArgument);
    // A password given as an argument ("--password"): refused before parsing, with the alternatives named.
    static std::optional<QString> refusePasswordArgument(const QStringList& arguments);
    // --ad-profile, --ad-full, --ad-cursor-max-days: for the commands that scan (diff, rollback-impact), not dump.
    QList<QCommandLineOption> incrementalOptions() const;
    // Reads them into settings (after read()); an error for a bad value, or when set with --ad a file.
    std::optional<AdSourceError> readIncremental(const QCommandLineParser& parser, bool live,
                                                 LiveAdSettings& settings) const;
    // An error when a live-only option is set but --ad is a file.
    std::optional<QString> checkUnusedWithFile(const QCommandLineParser& parser) const;
    // Reads the settings for --ad uri; warnings (a password file others may read) go to err.
    std::optional<AdSourceError> read(const QCommandLineParser& parser, const QString& uri, QTextStream& err,
                                      LiveAdSettings& settings) const;

private:
    QCommandLineOption m_bind;
    QCommandLineOption m_passwordFile;
    QCommandLineOption m_base;
    QCommandLineOption m_ca;
    QCommandLineOption m_startTls;
    QCommandLineOption m_kerberos;
    QCommandLineOption m_insecure;
    QCommandLineOption m_profile;
    QCommandLineOption m_full;
    QCommandLineOption m_cursorDays;
};

struct LiveAd {
    std::unique_ptr<LdapConnection> connection; // bound
    QByteArray baseDn;
};

// Connects and binds (simple bind or Kerberos), checks the Exchange schema (a forest without it is an error;
// an incomplete one a warning to err), and settles the base DN.
std::optional<AdSourceError> connectLiveAd(const LiveAdSettings& settings, QTextStream& err, LiveAd& live);

// Reads the mailboxes under live.baseDn (progress to err on a terminal). onEntry sees each entry as read;
// progress, when given, the entries read so far (false stops the read: a "cancelled" error).
Result<Snapshot> readLiveAdSnapshot(LiveAd& live, QTextStream& err,
                                    const std::function<void(const LdifEntry&)>& onEntry = {},
                                    const ReadProgress& progress = {});

// Reads the mailboxes as readLiveAdSnapshot does, incrementally when settings.stateDirectory holds a cursor that
// can be trusted (readAdSnapshotIncrementally); readNote gets the line that says which read it was and, for a
// full one, why.
Result<Snapshot> readLiveAdSnapshotIncrementally(LiveAd& live, const LiveAdSettings& settings, QTextStream& err,
                                                 QString& readNote);

} // namespace sunset
