#include "CloudSource.h"

#include "CliCommands.h"
#include "ExoMailboxClient.h"
#include "GraphUsersClient.h"

#include <QEventLoop>
#include <QFile>

#include <unistd.h>

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
    , m_legacyX5t(u"legacy-x5t"_s, u"Sign the assertion RS256 with x5t (SHA-1), for older registrations."_s)
    , m_authority(u"authority"_s, u"Login host (default https://login.microsoftonline.com)."_s, u"URL"_s)
    , m_graphEndpoint(u"graph-endpoint"_s, u"Graph endpoint (default https://graph.microsoft.com)."_s, u"URL"_s)
    , m_exoEndpoint(u"exo-endpoint"_s, u"Exchange Online endpoint (default https://outlook.office365.com)."_s, u"URL"_s)
    , m_graphResource(u"graph-resource"_s, u"Token audience for Graph (default: the Graph endpoint)."_s, u"URL"_s)
    , m_exoResource(u"exo-resource"_s, u"Token audience for Exchange Online (default: the EXO endpoint)."_s, u"URL"_s)
{
}

QList<QCommandLineOption> CloudSourceOptions::options() const
{
    return {m_tenant,    m_clientId,      m_secretFile,  m_certificate,   m_legacyX5t,
            m_authority, m_graphEndpoint, m_exoEndpoint, m_graphResource, m_exoResource};
}

bool CloudSourceOptions::isSet(const QCommandLineParser& parser) const
{
    return parser.isSet(m_tenant);
}

std::optional<AdSourceError> CloudSourceOptions::read(const QCommandLineParser& parser, QTextStream& err,
                                                      CloudSettings& settings) const
{
    settings.credentials.tenant = parser.value(m_tenant);
    settings.credentials.clientId = parser.value(m_clientId);
    if (settings.credentials.clientId.isEmpty())
        return AdSourceError{CliUsage, u"--tenant needs --client-id (the app registration's application id)."_s};
    if (parser.isSet(m_authority))
        settings.authority = QUrl(parser.value(m_authority));
    if (parser.isSet(m_graphEndpoint))
        settings.graphEndpoint = QUrl(parser.value(m_graphEndpoint));
    if (parser.isSet(m_exoEndpoint))
        settings.exoEndpoint = QUrl(parser.value(m_exoEndpoint));
    settings.graphResource = parser.value(m_graphResource);
    settings.exoResource = parser.value(m_exoResource);
    for (const auto& [url, what] :
         {std::pair{settings.authority, u"--authority"_s}, std::pair{settings.graphEndpoint, u"--graph-endpoint"_s},
          std::pair{settings.exoEndpoint, u"--exo-endpoint"_s}}) {
        if (const QString problem = checkEndpointUrl(url, what); !problem.isEmpty())
            return AdSourceError{CliUsage, problem};
    }
    if (parser.isSet(m_secretFile) == parser.isSet(m_certificate) &&
        !(qEnvironmentVariableIsSet("SUNSET_CLIENT_SECRET") && !parser.isSet(m_certificate)))
        return AdSourceError{CliUsage, u"give one credential: --client-secret-file FILE (or SUNSET_CLIENT_SECRET) or "
                                       "--certificate FILE.pem (never the secret as an argument)."_s};
    settings.credentials.legacyRs256X5t = parser.isSet(m_legacyX5t);
    auto readPrivateFile = [&err](const QString& path, QByteArray& bytes) -> std::optional<AdSourceError> {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return AdSourceError{CliBadInput, u"cannot read %1: %2"_s.arg(path, file.errorString())};
        if (file.permissions() &
            (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther))
            err << "sunset-cli: warning: " << path
                << " can be read or changed by other users; make it the owner's only (chmod 600 " << path << ").\n";
        bytes = file.readAll();
        return std::nullopt;
    };
    if (parser.isSet(m_certificate)) {
        QByteArray pem;
        if (auto failure = readPrivateFile(parser.value(m_certificate), pem))
            return failure;
        const QString path = parser.value(m_certificate);
        const bool pkcs12 =
            path.endsWith(u".pfx"_s, Qt::CaseInsensitive) || path.endsWith(u".p12"_s, Qt::CaseInsensitive);
        Result<ClientCertificate> cert =
            pkcs12 ? ClientCertificate::fromPkcs12(pem, qgetenv("SUNSET_CERTIFICATE_PASSWORD"), path)
                   : ClientCertificate::fromPem(pem, pem, path);
        if (!cert)
            return AdSourceError{CliBadInput, cert.error().toString()};
        settings.credentials.certificate = cert.value();
        return std::nullopt;
    }
    QByteArray secret;
    if (parser.isSet(m_secretFile)) {
        if (auto failure = readPrivateFile(parser.value(m_secretFile), secret))
            return failure;
    } else {
        secret = qgetenv("SUNSET_CLIENT_SECRET");
    }
    while (secret.endsWith('\n') || secret.endsWith('\r'))
        secret.chop(1);
    if (secret.isEmpty())
        return AdSourceError{CliBadInput, u"the client secret is empty."_s};
    settings.credentials.clientSecret = QString::fromUtf8(secret);
    return std::nullopt;
}

Result<Snapshot> scanCloudSnapshot(const CloudSettings& settings, QTextStream& err, GraphDirectory& graph)
{
    const bool terminal = ::isatty(STDERR_FILENO);
    TokenProvider tokens(settings.authority, settings.credentials);
    QEventLoop loop;
    auto show = [&err, terminal](const char* what, qint64 done, qint64 total) {
        if (!terminal)
            return;
        err << "\rReading " << what << " … " << done;
        if (total >= 0)
            err << " of " << total;
        err << "   " << Qt::flush;
    };

    GraphUsersClient users(settings.graphEndpoint, &tokens);
    if (!settings.graphResource.isEmpty())
        users.setResource(settings.graphResource);
    QObject::connect(&users, &GraphUsersClient::progress, &loop,
                     [&](qint64 done, qint64 total) { show("Entra ID users", done, total); });
    bool ok = false;
    QObject::connect(&users, &GraphUsersClient::finished, &loop, [&](bool result) {
        ok = result;
        loop.quit();
    });
    users.start();
    loop.exec();
    if (terminal)
        err << '\n';
    if (!ok)
        return *users.error();
    graph = users.directory();

    ExoMailboxClient mailboxes(settings.exoEndpoint, settings.credentials.tenant, &tokens);
    if (!settings.exoResource.isEmpty())
        mailboxes.setResource(settings.exoResource);
    mailboxes.setGraphDirectory(&graph);
    QObject::connect(&mailboxes, &ExoMailboxClient::progress, &loop,
                     [&](qint64 done, qint64 total) { show("Exchange Online mailboxes", done, total); });
    QObject::connect(&mailboxes, &ExoMailboxClient::finished, &loop, [&](bool result) {
        ok = result;
        loop.quit();
    });
    mailboxes.start();
    loop.exec();
    if (terminal)
        err << '\n';
    if (!ok)
        return *mailboxes.error();
    return mailboxes.takeSnapshot();
}

} // namespace sunset
