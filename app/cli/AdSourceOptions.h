// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdSource.h"
#include "CliCommands.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTextStream>

#include <optional>

namespace sunset {

// sunset-cli's options for Active Directory read live (diff, dump, apply, checklist, provision-on-demand), read
// into AdLiveScanSettings. Passwords never come from the command line: only from a file (--password-file) or the
// SUNSET_BIND_PASSWORD environment variable.
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
    Expected<void, CliError> readIncremental(const QCommandLineParser& parser, bool live,
                                            AdLiveScanSettings& settings) const;
    // An error when a live-only option is set but --ad is a file.
    std::optional<QString> checkUnusedWithFile(const QCommandLineParser& parser) const;
    // Reads the settings for --ad uri; warnings (a password file others may read) go to err.
    Expected<void, CliError> read(const QCommandLineParser& parser, const QString& uri, QTextStream& err,
                                 AdLiveScanSettings& settings) const;

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

} // namespace sunset
