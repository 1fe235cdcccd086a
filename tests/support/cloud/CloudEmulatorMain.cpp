// SPDX-License-Identifier: Apache-2.0
// sunset-cloud-emulator: the cloud emulator as a standalone HTTPS server on localhost, for tests that run
// sunset-cli (or anything else) against it over real TLS. It generates the demo tenant, serves its mailboxes,
// users and Cloud Sync's state (jobs, schemas, provisioning log), writes what the tests compare against and need
// (the tenant's files, Cloud Sync's answers, the client secret) into --dir, listens, and then writes
// --dir/env (KEY=VALUE lines, the port among them) to say it is ready. It ends on SIGTERM, or by itself after
// --max-seconds so that a killed test run leaves nothing behind.
#include "CloudEmulator.h"
#include "DemoTenantGenerator.h"
#include "SyncEmulator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QSaveFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTimer>

#include <cstdio>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kTenantId = u"9c8b3f3e-5a51-4c1f-9d1e-6f0c2d7b8a10"_s;
const QString kClientId = u"11111111-2222-3333-4444-555555555555"_s;
const QByteArray kSecret = "emulator~secret.value";
// Cloud Sync's service principal in the emulated tenant (its id is Sunset's to choose; the template id is Cloud
// Sync's, SyncEmulator::kCloudSyncAppTemplateId).
const QString kCloudSyncServicePrincipal = u"5d6e7f80-9a1b-4c2d-8e3f-0c10ad5c0001"_s;

// Whole or not at all (the suite reads these files while the emulator starts: "env" last says it is ready), and
// owner-only from the start (the secret is among them): QSaveFile's rename, unlike tests/support/TestFiles.h's
// fixture writers.
bool writeWholeOwnerOnly(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    return file.open(QIODevice::WriteOnly) && file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) &&
           file.write(bytes) == bytes.size() && file.commit();
}

int fail(const QString& message)
{
    std::fprintf(stderr, "sunset-cloud-emulator: %s\n", qPrintable(message));
    return 1;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The Microsoft cloud emulator of Sunset's tests, over HTTPS on localhost."_s);
    parser.addHelpOption();
    const QCommandLineOption dir(u"dir"_s, u"Where to write the tenant's files and env."_s, u"DIR"_s);
    const QCommandLineOption cert(u"cert"_s, u"Server certificate (PEM)."_s, u"FILE"_s);
    const QCommandLineOption key(u"key"_s, u"Server private key (PEM)."_s, u"FILE"_s);
    const QCommandLineOption mailboxes(u"mailboxes"_s, u"Mailboxes in the tenant (default 2000)."_s, u"N"_s, u"2000"_s);
    const QCommandLineOption maxSeconds(u"max-seconds"_s, u"End after this long (default 1800)."_s, u"S"_s, u"1800"_s);
    const QCommandLineOption fault(
        u"fault"_s,
        u"Inject a fault, KIND:API:N[:TIMES] (repeatable): KIND one of endless, huge-announced, trickle, stall, "
        "huge-attribute, huge-value, 429, 503, drop, truncated, html; API users, mailboxes or token; from the N-th "
        "request of that API, TIMES times (default 1). For trying the client's limits by hand."_s,
        u"SPEC"_s);
    const QCommandLineOption deny(
        u"deny"_s,
        u"Withhold a Graph permission from the app (repeatable): Synchronization.Read.All, AuditLog.Read.All or "
        "Application.Read.All; the reads it guards are answered 403, as Graph does."_s,
        u"PERMISSION"_s);
    parser.addOptions({dir, cert, key, mailboxes, maxSeconds, fault, deny});
    parser.process(app);
    if (!parser.isSet(dir) || !parser.isSet(cert) || !parser.isSet(key))
        return fail(u"--dir, --cert and --key are required"_s);
    const QDir out(parser.value(dir));

    QFile certFile(parser.value(cert));
    QFile keyFile(parser.value(key));
    if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
        return fail(u"cannot read the certificate or key"_s);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    const QSslKey privateKey(keyFile.readAll(), QSsl::Rsa, QSsl::Pem);
    if (chain.isEmpty() || privateKey.isNull())
        return fail(u"the certificate or key is not PEM"_s);
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(privateKey);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are not asked for certificates

    DemoTenantOptions options;
    options.mailboxes = parser.value(mailboxes).toInt();
    QByteArray ldif;
    QByteArray exoJson;
    QByteArray graphJson;
    // Cloud Sync's state as the demo plants it (emea's job quarantined, contoso's without the mail mapping, the
    // provisioning log's failures, skips and pending runs): served below, and written beside the tenant's files
    // so a scan from files and a live one can be compared.
    QByteArray syncJobs;
    QByteArray syncSchema;
    QByteArray provisioning;
    DemoTenantSinks sinks;
    sinks.ldif = [&ldif](const QByteArray& chunk) { ldif += chunk; };
    sinks.exoJson = [&exoJson](const QByteArray& chunk) { exoJson += chunk; };
    sinks.graphJson = [&graphJson](const QByteArray& chunk) { graphJson += chunk; };
    sinks.syncJobsJson = [&syncJobs](const QByteArray& chunk) { syncJobs += chunk; };
    sinks.syncSchemaJson = [&syncSchema](const QByteArray& chunk) { syncSchema += chunk; };
    sinks.provisioningJson = [&provisioning](const QByteArray& chunk) { provisioning += chunk; };
    generateDemoTenant(options, sinks);
    if (!writeWholeOwnerOnly(out.filePath(u"ad.ldif"_s), ldif) ||
        !writeWholeOwnerOnly(out.filePath(u"exo.json"_s), exoJson) ||
        !writeWholeOwnerOnly(out.filePath(u"graph.json"_s), graphJson) ||
        !writeWholeOwnerOnly(out.filePath(u"secret"_s), kSecret + '\n') ||
        !writeWholeOwnerOnly(out.filePath(u"sync-jobs.json"_s), syncJobs) ||
        !writeWholeOwnerOnly(out.filePath(u"sync-schema.json"_s), syncSchema) ||
        !writeWholeOwnerOnly(out.filePath(u"provisioning.json"_s), provisioning))
        return fail(u"cannot write into "_s + out.path());

    CloudEmulator emulator;
    emulator.setTenant({kTenant, kTenantId}, graphJson, exoJson);
    emulator.registerApp(kClientId, QString::fromLatin1(kSecret));
    emulator.sync().addServicePrincipal(kCloudSyncServicePrincipal);
    emulator.sync().loadAnswers(kCloudSyncServicePrincipal, syncJobs, syncSchema, provisioning);
    for (const QString& permission : parser.values(deny)) {
        if (permission != QLatin1StringView(SyncEmulator::kSynchronizationRead) &&
            permission != QLatin1StringView(SyncEmulator::kAuditLogRead) &&
            permission != QLatin1StringView(SyncEmulator::kApplicationRead))
            return fail(u"--deny \"%1\": expected Synchronization.Read.All, AuditLog.Read.All or "
                        "Application.Read.All"_s.arg(permission));
        emulator.sync().denyPermission(permission);
    }
    for (const QString& spec : parser.values(fault)) {
        using Kind = CloudEmulator::Fault::Kind;
        static const QHash<QString, Kind> kinds{
            {u"endless"_s, Kind::EndlessPage},         {u"huge-announced"_s, Kind::HugeAnnouncedPage},
            {u"trickle"_s, Kind::TricklePage},         {u"stall"_s, Kind::StalledPage},
            {u"huge-attribute"_s, Kind::HugeAttribute}, {u"huge-value"_s, Kind::HugeValue},
            {u"429"_s, Kind::TooManyRequests},         {u"503"_s, Kind::ServiceUnavailable},
            {u"drop"_s, Kind::DropConnection},         {u"truncated"_s, Kind::TruncatedJson},
            {u"html"_s, Kind::HtmlPage},
        };
        const QStringList parts = spec.split(u':');
        bool okN = false;
        bool okTimes = true;
        const int n = parts.value(2).toInt(&okN);
        const int times = parts.size() > 3 ? parts[3].toInt(&okTimes) : 1;
        if (parts.size() < 3 || parts.size() > 4 || !kinds.contains(parts[0]) || !okN || !okTimes || n < 1 ||
            times < 1 || !QStringList{u"users"_s, u"mailboxes"_s, u"token"_s}.contains(parts[1]))
            return fail(u"--fault \"%1\": expected KIND:API:N[:TIMES], e.g. endless:users:2"_s.arg(spec));
        emulator.addFault({kinds.value(parts[0]), parts[1], n, times, "1"});
    }
    if (!emulator.listenTls(tls))
        return fail(u"cannot listen on localhost"_s);
    const QUrl url = emulator.baseUrl();
    const QByteArray env = "PORT=" + QByteArray::number(url.port()) + "\nURL=" + url.toEncoded() +
                           "\nTENANT=" + kTenant.toUtf8() + "\nCLIENT_ID=" + kClientId.toUtf8() +
                           "\nGRAPH_RESOURCE=" + QByteArray(CloudEmulator::kGraphResource) +
                           "\nEXO_RESOURCE=" + QByteArray(CloudEmulator::kExoResource) + '\n';
    if (!writeWholeOwnerOnly(out.filePath(u"env"_s), env)) // last: its presence says "ready"
        return fail(u"cannot write the env file"_s);
    std::fprintf(stderr, "sunset-cloud-emulator: %s ready (%d mailboxes)\n", url.toEncoded().constData(),
                 options.mailboxes);
    QTimer::singleShot(parser.value(maxSeconds).toInt() * 1000, &app, &QCoreApplication::quit);
    return app.exec();
}
