// SPDX-License-Identifier: Apache-2.0
#include "AdSourceOptions.h"

#include "CliCommands.h"
#include "CloudScanState.h"

#include <QFile>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

AdSourceOptions::AdSourceOptions()
    : m_bind(u"bind"_s, u"With --ad ldaps://…: the account to bind as, a UPN (admin@contoso.com) or a DN."_s, u"UPN"_s)
    , m_passwordFile(u"password-file"_s,
                     u"With --bind: a file holding the password (one line; keep it chmod 600). Without it, the "
                     "SUNSET_BIND_PASSWORD environment variable. Never a command-line argument."_s,
                     u"FILE"_s)
    , m_base(u"base"_s,
             u"With --ad ldaps://…: the DN to read mailboxes under; default: the domain "
             "(defaultNamingContext)."_s,
             u"DN"_s)
    , m_ca(u"ca"_s,
           u"With --ad ldaps://…: PEM file of the CA that issued the domain controller's certificate; "
           "default: the system's trusted CAs."_s,
           u"FILE"_s)
    , m_startTls(u"starttls"_s, u"With --ad ldap://…: upgrade the connection with StartTLS."_s)
    , m_kerberos(u"kerberos"_s, u"Bind with your Kerberos ticket (kinit, or a domain logon) instead of --bind. "
                                "Connect by the domain controller's DNS name: Kerberos asks for ldap/<that name>."_s)
    , m_insecure(u"insecure-plaintext"_s, u"Allow sending the password of a simple bind over ldap:// without "
                                          "TLS (anyone on the network can read it; AD usually refuses anyway)."_s)
    , m_profile(u"ad-profile"_s,
                u"With --ad ldaps://…: the profile whose kept AD cursor lets a rescan read only what changed since "
                "(uSNChanged above the last scan's highestCommittedUSN, on the same domain controller); default "
                "'default'."_s,
                u"NAME"_s)
    , m_full(u"ad-full"_s, u"Read every AD mailbox, ignoring (and then replacing) the kept AD cursor."_s)
    , m_cursorDays(u"ad-cursor-max-days"_s,
                   u"Read AD in full when the kept cursor is this many days old or older (default 7; keep it well "
                   "below the forest's tombstone lifetime, 180 days by default)."_s,
                   u"DAYS"_s, u"7"_s)
{
}

QList<QCommandLineOption> AdSourceOptions::options() const
{
    return {m_bind, m_passwordFile, m_base, m_ca, m_startTls, m_kerberos, m_insecure};
}

QList<QCommandLineOption> AdSourceOptions::incrementalOptions() const
{
    return {m_profile, m_full, m_cursorDays};
}

Expected<void, CliError> AdSourceOptions::readIncremental(const QCommandLineParser& parser, bool live,
                                                              AdLiveScanSettings& settings) const
{
    if (!live) {
        for (const QCommandLineOption& option : incrementalOptions()) {
            if (parser.isSet(option))
                return CliError{CliUsage, u"--%1 applies only when --ad is a domain controller (ldaps://…), "
                                               "not a file."_s.arg(option.names().first())};
        }
        return {};
    }
    const QString profile = parser.isSet(m_profile) ? parser.value(m_profile) : u"default"_s;
    if (profile.isEmpty() || profile.contains(u'/') || profile.contains(u'\\') || profile.startsWith(u'.'))
        return CliError{CliUsage, u"--ad-profile '%1' is not a profile name."_s.arg(profile)};
    bool ok = false;
    const int days = parser.value(m_cursorDays).toInt(&ok);
    if (!ok || days < 1 || days > 180)
        return CliError{CliUsage, u"--ad-cursor-max-days '%1' is not a number of days from 1 to 180."_s.arg(
                                           parser.value(m_cursorDays))};
    settings.stateDirectory = cloudStateDirectory(profile);
    settings.fullRead = parser.isSet(m_full);
    settings.maxCursorAgeDays = days;
    return {};
}

bool AdSourceOptions::isLdapUri(const QString& adArgument)
{
    return adArgument.startsWith(u"ldaps://"_s, Qt::CaseInsensitive) ||
           adArgument.startsWith(u"ldap://"_s, Qt::CaseInsensitive);
}

std::optional<QString> AdSourceOptions::refusePasswordArgument(const QStringList& arguments)
{
    for (const QString& argument : arguments) {
        if (argument == u"--password"_s || argument.startsWith(u"--password="_s) || argument == u"-w"_s) {
            return u"sunset-cli takes no password on the command line (other users can see it in the process "
                   "list, and it lands in the shell history). Use --password-file FILE or the "
                   "SUNSET_BIND_PASSWORD environment variable, or --kerberos."_s;
        }
    }
    return std::nullopt;
}

std::optional<QString> AdSourceOptions::checkUnusedWithFile(const QCommandLineParser& parser) const
{
    for (const QCommandLineOption& option : options()) {
        if (parser.isSet(option))
            return u"--%1 applies only when --ad is a domain controller (ldaps://…), not a file."_s.arg(
                option.names().first());
    }
    return std::nullopt;
}

Expected<void, CliError> AdSourceOptions::read(const QCommandLineParser& parser, const QString& uri,
                                                   QTextStream& err, AdLiveScanSettings& settings) const
{
    settings = {};
    settings.dc.uri = uri;
    settings.dc.baseDn = parser.value(m_base);
    settings.dc.caFile = parser.value(m_ca);
    settings.dc.startTls = parser.isSet(m_startTls);
    settings.dc.kerberos = parser.isSet(m_kerberos);
    settings.dc.allowInsecurePlaintext = parser.isSet(m_insecure);
    if (settings.dc.startTls && uri.startsWith(u"ldaps://"_s, Qt::CaseInsensitive))
        return CliError{CliUsage, u"--starttls is for ldap:// addresses; ldaps:// is TLS already."_s};
    if (settings.dc.kerberos) {
        if (parser.isSet(m_bind) || parser.isSet(m_passwordFile))
            return CliError{CliUsage, u"--kerberos binds with your Kerberos ticket; --bind and "
                                           "--password-file do not apply."_s};
        return {};
    }
    if (!parser.isSet(m_bind))
        return CliError{CliUsage, u"--bind UPN is required to read AD live (or --kerberos)."_s};
    settings.dc.bindName = parser.value(m_bind);
    if (parser.isSet(m_passwordFile)) {
        const QString path = parser.value(m_passwordFile);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return CliError{CliBadInput, u"cannot read the password file %1: %2"_s.arg(path, file.errorString())};
        if (file.permissions() &
            (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther)) {
            err << "sunset-cli: warning: the password file " << path
                << " can be read or changed by other users; make it the owner's only (chmod 600 " << path << ").\n";
        }
        settings.password = file.readAll();
        // One line as "echo pw > file" writes it: the line ending is not part of the password.
        if (settings.password.endsWith('\n'))
            settings.password.chop(1);
        if (settings.password.endsWith('\r'))
            settings.password.chop(1);
    } else if (qEnvironmentVariableIsSet("SUNSET_BIND_PASSWORD")) {
        settings.password = qgetenv("SUNSET_BIND_PASSWORD");
    } else {
        return CliError{CliUsage, u"--bind needs a password: --password-file FILE or the SUNSET_BIND_PASSWORD "
                                       "environment variable (never a command-line argument)."_s};
    }
    if (settings.password.isEmpty())
        return CliError{CliBadInput, u"the password for %1 is empty."_s.arg(settings.dc.bindName)};
    return {};
}

} // namespace sunset
