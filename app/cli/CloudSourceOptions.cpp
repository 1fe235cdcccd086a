// SPDX-License-Identifier: Apache-2.0
#include "CloudSourceOptions.h"

#include "CliEdge.h"
#include "CloudConnection.h"
#include "CloudScanState.h"

#include <QFile>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

CloudSourceOptions::CloudSourceOptions()
    : m_tenant(u"tenant"_s,
               u"Read Exchange Online and Entra ID live for this tenant (GUID or "
               "contoso.onmicrosoft.com), instead of --exo/--graph files."_s,
               u"TENANT"_s)
    , m_clientId(u"client-id"_s,
                 u"Application (client) id of the app registration (Graph User.Read.All and "
                 "Exchange.ManageAsApp)."_s,
                 u"ID"_s)
    , m_secretFile(u"client-secret-file"_s,
                   u"File holding the client secret (one line, owner-only); or SUNSET_CLIENT_SECRET."_s, u"FILE"_s)
    , m_certificate(u"certificate"_s,
                    u"The app's certificate with its private key: a PEM file (unencrypted key), or a .pfx/.p12 "
                    "(password in SUNSET_CERTIFICATE_PASSWORD). The client assertion is signed PS256 with x5t#S256."_s,
                    u"FILE"_s)
    , m_deviceCode(u"device-code"_s,
                   u"Sign in as an admin by device code (the code and URL are shown here; open the URL on any "
                   "device). --client-id is then a public client app registration with delegated Graph "
                   "User.Read.All and Exchange Online Exchange.Manage permissions."_s)
    , m_legacyX5t(u"legacy-x5t"_s, u"Sign the assertion RS256 with x5t (SHA-1), for older registrations."_s)
    , m_authority(u"authority"_s, u"Login host (default %1)."_s.arg(CloudTenantSettings::kDefaultAuthority), u"URL"_s)
    , m_graphEndpoint(u"graph-endpoint"_s,
                      u"Graph endpoint (default %1)."_s.arg(CloudTenantSettings::kDefaultGraphEndpoint), u"URL"_s)
    , m_exoEndpoint(u"exo-endpoint"_s,
                    u"Exchange Online endpoint (default %1)."_s.arg(CloudTenantSettings::kDefaultExoEndpoint),
                    u"URL"_s)
    , m_graphResource(u"graph-resource"_s, u"Token audience for Graph (default: the Graph endpoint)."_s, u"URL"_s)
    , m_exoResource(u"exo-resource"_s, u"Token audience for Exchange Online (default: the EXO endpoint)."_s, u"URL"_s)
    , m_exoApi(u"exo-api"_s,
               u"Exchange admin API for Get-Mailbox: invokecommand (/adminapi/beta/…/InvokeCommand, as Exchange "
               "Online PowerShell uses; the default) or v2 (/adminapi/v2.0/…/Mailbox, Microsoft's documented "
               "preview API; app role Exchange.ManageAsAppV2)."_s,
               u"API"_s)
    , m_exoParallel(u"exo-parallel"_s,
                    u"Get-Mailbox slices (by Name, -Filter) read at once from Exchange Online, 1 to 16 (default 4; "
                    "1: one stream). --exo-api v2 takes no filter and is always one stream."_s,
                    u"N"_s)
    , m_caFile(u"ca-file"_s,
               u"Also trust the CA certificates in this PEM file (a TLS-inspecting proxy, a test service). "
               "Certificates are always verified."_s,
               u"FILE"_s)
    , m_profile(u"cloud-profile"_s,
                u"Profile whose kept state lets Graph be read by delta (only the users changed since the last "
                "run); default 'default'."_s,
                u"NAME"_s)
    , m_fullScan(u"full-scan"_s,
                 u"Read everything in full: every Graph user and every Exchange Online mailbox, and with --ad "
                 "ldaps://… every AD mailbox (as --ad-full), ignoring (and then replacing) the kept delta state, "
                 "mailboxes and AD cursor."_s)
    , m_fullEvery(u"cloud-full-every"_s,
                  u"Rescans read only the mailboxes changed since the last run; every DAYS days (default 7; 0: "
                  "never) a full read instead finds mailboxes removed while their user stayed."_s,
                  u"DAYS"_s, u"7"_s)
    , m_rememberSecret(u"remember-secret"_s,
                       u"Once the read succeeded, keep the client secret (from --client-secret-file or SUNSET_CLIENT_SECRET) "
                       "or the .pfx password in the desktop keyring (never in a file): later runs with --tenant and "
                       "--client-id need no credential option. 'sunset-cli secret forget' removes it."_s)
{
}

QList<QCommandLineOption> CloudSourceOptions::options() const
{
    return {m_tenant,      m_clientId,  m_secretFile,    m_certificate, m_deviceCode,
            m_legacyX5t,   m_authority, m_graphEndpoint, m_exoEndpoint, m_graphResource,
            m_exoResource, m_exoApi,    m_caFile,        m_profile,     m_fullScan,
            m_fullEvery,   m_rememberSecret, m_exoParallel};
}

bool CloudSourceOptions::isSet(const QCommandLineParser& parser) const
{
    return parser.isSet(m_tenant);
}

Expected<void, CliError> CloudSourceOptions::read(const QCommandLineParser& parser, QTextStream& err,
                                                      CloudSettings& cloud) const
{
    CloudScanSettings& settings = cloud.scan;
    CloudTenantSettings& connection = settings.connection;
    connection.tenant = parser.value(m_tenant);
    connection.clientId = parser.value(m_clientId);
    if (connection.clientId.isEmpty())
        return CliError{CliUsage, u"--tenant needs --client-id (the app registration's application id)."_s};
    if (parser.isSet(m_authority))
        connection.authority = parser.value(m_authority);
    if (parser.isSet(m_graphEndpoint))
        connection.graphEndpoint = parser.value(m_graphEndpoint);
    if (parser.isSet(m_exoEndpoint))
        connection.exoEndpoint = parser.value(m_exoEndpoint);
    connection.graphResource = parser.value(m_graphResource);
    connection.exoResource = parser.value(m_exoResource);
    const CloudConnection endpoints = cloudConnectionFor(connection, {});
    for (const auto& [url, what] :
         {std::pair{endpoints.authority, u"--authority"_s}, std::pair{endpoints.graphEndpoint, u"--graph-endpoint"_s},
          std::pair{endpoints.exoEndpoint, u"--exo-endpoint"_s}}) {
        if (const QString problem = checkEndpointUrl(url, what); !problem.isEmpty())
            return CliError{CliUsage, problem};
    }
    if (parser.isSet(m_exoApi)) {
        const QString api = parser.value(m_exoApi).toLower();
        if (api == "v2"_L1)
            settings.exoApi = ExoAdminApi::V2;
        else if (api != "invokecommand"_L1)
            return CliError{CliUsage, u"--exo-api '%1': use invokecommand or v2."_s.arg(parser.value(m_exoApi))};
    }
    if (parser.isSet(m_exoParallel)) {
        bool ok = false;
        const int slices = parser.value(m_exoParallel).toInt(&ok);
        if (!ok || slices < 1 || slices > 16)
            return CliError{CliUsage, u"--exo-parallel '%1': give a number of slices from 1 to 16 (4 by "
                                           "default; 1 reads one stream)."_s.arg(parser.value(m_exoParallel))};
        settings.exoParallel = slices;
    }
    if (parser.isSet(m_caFile)) {
        const QString path = connection.caFile = parser.value(m_caFile);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return CliError{CliBadInput, u"cannot read %1: %2"_s.arg(path, file.errorString())};
        cloud.extraCaCertificates = QSslCertificate::fromData(file.readAll(), QSsl::Pem);
        if (cloud.extraCaCertificates.isEmpty())
            return CliError{CliBadInput,
                                 u"%1: no PEM certificate (\"-----BEGIN CERTIFICATE-----\") found."_s.arg(path)};
    }
    const QString profile = parser.isSet(m_profile) ? parser.value(m_profile) : u"default"_s;
    if (profile.isEmpty() || profile.contains(u'/') || profile.contains(u'\\') || profile.startsWith(u'.'))
        return CliError{CliUsage, u"--cloud-profile '%1' is not a profile name."_s.arg(profile)};
    cloud.stateDirectory = cloudStateDirectory(profile);
    cloud.fullScan = parser.isSet(m_fullScan);
    settings.exoRescan.cacheDirectory = cloud.stateDirectory;
    settings.exoRescan.forceFull = cloud.fullScan;
    bool daysOk = false;
    settings.exoRescan.fullEveryDays = parser.value(m_fullEvery).toInt(&daysOk);
    if (!daysOk || settings.exoRescan.fullEveryDays < 0)
        return CliError{CliUsage, u"--cloud-full-every '%1': give a number of days (0: never)."_s.arg(
                                           parser.value(m_fullEvery))};

    const int credentials =
        int(parser.isSet(m_secretFile)) + int(parser.isSet(m_certificate)) + int(parser.isSet(m_deviceCode));
    const QString oneCredential = u"give one credential: --client-secret-file FILE (or SUNSET_CLIENT_SECRET), "
                                  "--certificate FILE.pem, or --device-code (never the secret as an argument)"_s;
    const bool remember = parser.isSet(m_rememberSecret);
    if (credentials > 1)
        return CliError{CliUsage, oneCredential + u'.'};
    if (credentials == 0 && !qEnvironmentVariableIsSet("SUNSET_CLIENT_SECRET")) {
        if (remember)
            return CliError{CliUsage, u"--remember-secret needs the secret to keep: "_s + oneCredential + u'.'};
        const SecretKey key{SecretKey::Kind::ClientSecret, connection.tenant, connection.clientId};
        const SecretResult<QByteArray> recalled = waitAtCliEdge(recallSecret(key));
        if (!recalled)
            return CliError{CliUsage, oneCredential + u"; nothing to use from the desktop keyring either: "_s +
                                               recalled.error().message + u'.'};
        err << "sunset-cli: using " << describeSecretKey(key)
            << " remembered in the desktop keyring ('sunset-cli secret forget' removes it).\n";
        settings.secret.clientSecret = QString::fromUtf8(recalled.value());
        return {};
    }
    if (parser.isSet(m_deviceCode)) {
        if (remember)
            return CliError{CliUsage, u"--remember-secret is for a client secret or a .pfx password; a device "
                                           "code sign-in has no secret to keep."_s};
        if (parser.isSet(m_legacyX5t))
            return CliError{CliUsage, u"--legacy-x5t is for --certificate, not --device-code."_s};
        connection.signIn = CloudTenantSettings::SignIn::DeviceCode;
        return {};
    }
    connection.legacyRs256X5t = parser.isSet(m_legacyX5t);
    auto readPrivateFile = [&err](const QString& path, QByteArray& bytes) -> Expected<void, CliError> {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return CliError{CliBadInput, u"cannot read %1: %2"_s.arg(path, file.errorString())};
        if (file.permissions() &
            (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther))
            err << "sunset-cli: warning: " << path
                << " can be read or changed by other users; make it the owner's only (chmod 600 " << path << ").\n";
        bytes = file.readAll();
        return {};
    };
    if (parser.isSet(m_certificate)) {
        QByteArray pem;
        if (auto read = readPrivateFile(parser.value(m_certificate), pem); !read)
            return read;
        const QString path = parser.value(m_certificate);
        connection.signIn = CloudTenantSettings::SignIn::Certificate;
        connection.certificateFile = path;
        const bool pkcs12 = ClientCertificate::isPkcs12File(path);
        const SecretKey key{SecretKey::Kind::CertificatePassword, connection.tenant, connection.clientId};
        QByteArray password = qgetenv("SUNSET_CERTIFICATE_PASSWORD");
        if (pkcs12 && !qEnvironmentVariableIsSet("SUNSET_CERTIFICATE_PASSWORD") && !remember) {
            // A .pfx whose password was remembered; none remembered (or no keyring) is a .pfx without password.
            if (const SecretResult<QByteArray> recalled = waitAtCliEdge(recallSecret(key))) {
                err << "sunset-cli: using " << describeSecretKey(key) << " remembered in the desktop keyring.\n";
                password = recalled.value();
            }
        }
        if (remember) {
            if (!pkcs12 || password.isEmpty())
                return CliError{CliUsage, u"--remember-secret with --certificate keeps the .pfx password "
                                               "(SUNSET_CERTIFICATE_PASSWORD); a PEM key has none."_s};
            cloud.rememberAs = key;
            cloud.rememberSecret = password;
        }
        Result<ClientCertificate> cert = ClientCertificate::fromFileContents(pem, password, path);
        password.fill('\0');
        if (!cert)
            return CliError{CliBadInput, cert.error().toString()};
        settings.secret.certificate = cert.value();
        return {};
    }
    QByteArray secret;
    if (parser.isSet(m_secretFile)) {
        if (auto read = readPrivateFile(parser.value(m_secretFile), secret); !read)
            return read;
    } else {
        secret = qgetenv("SUNSET_CLIENT_SECRET");
    }
    while (secret.endsWith('\n') || secret.endsWith('\r'))
        secret.chop(1);
    if (secret.isEmpty())
        return CliError{CliBadInput, u"the client secret is empty."_s};
    settings.secret.clientSecret = QString::fromUtf8(secret);
    if (remember) {
        cloud.rememberAs = SecretKey{SecretKey::Kind::ClientSecret, connection.tenant, connection.clientId};
        cloud.rememberSecret = secret;
    }
    secret.fill('\0');
    return {};
}

int runSecretCommand(const QStringList& args, QTextStream& out, QTextStream& err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"secret forget: removes the client secret and the certificate password that 'diff --remember-secret' "
        "kept in the desktop keyring for an app registration. Exit code 0 when removed (or nothing was there); "
        "1 when the keyring could not be reached; 2 on wrong usage."_s);
    parser.addHelpOption();
    const QCommandLineOption tenant(u"tenant"_s, u"The tenant (as given to diff --tenant)."_s, u"TENANT"_s);
    const QCommandLineOption clientId(u"client-id"_s, u"The app registration's application id."_s, u"ID"_s);
    parser.addOptions({tenant, clientId});
    parser.addPositionalArgument(u"forget"_s, u"The action: forget."_s);
    if (!parser.parse(QStringList{u"sunset-cli secret"_s} + args)) {
        err << "sunset-cli secret: " << parser.errorText() << "\n\n" << parser.helpText();
        return CliUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out << parser.helpText();
        return CliOk;
    }
    if (parser.positionalArguments() != QStringList{u"forget"_s} || parser.value(tenant).isEmpty() ||
        parser.value(clientId).isEmpty()) {
        err << "sunset-cli secret: use 'sunset-cli secret forget --tenant TENANT --client-id ID'.\n";
        return CliUsage;
    }
    for (const SecretKey::Kind kind : {SecretKey::Kind::ClientSecret, SecretKey::Kind::CertificatePassword}) {
        const SecretKey key{kind, parser.value(tenant), parser.value(clientId)};
        if (const SecretResult<void> forgotten = waitAtCliEdge(storeSecret(key, std::nullopt)); !forgotten) {
            err << "sunset-cli secret: " << forgotten.error().message << '\n';
            return CliBadInput;
        }
    }
    out << "Nothing is remembered any more for " << parser.value(clientId) << " in " << parser.value(tenant)
        << " in the desktop keyring.\n";
    return CliOk;
}

} // namespace sunset
