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

} // namespace sunset
