// SPDX-License-Identifier: Apache-2.0
// No secret at rest, and what Sunset writes is owner-only whatever the umask. The whole path an admin takes,
// with three secrets in play: the AD bind password (the Samba test DC of the SambaDc fixture), a client secret and
// a certificate's private key (sign-ins against the in-process cloud emulator of tests/support/cloud):
//   a connection profile saved from the connection dialog with the secrets typed in it (QSettings),
//   two scans through the GUI's ScanLoader (secret, then certificate), recorded in the history,
//   a writeback batch planned from the scan, approved and applied to AD with the password, then undone,
//   every export: history CSV, JSON, LDIF and PDF, checklist JSON and PDF, the diff report's JSON and CSV.
// Then none of the secrets is in any file written (the history with its -wal and -shm, the settings, every
// export) nor in any log line (every category at debug); the history and every export are 0600 under umask 022
// and 000; and a symlink where a report goes is replaced, not followed.
#include "support/CliRun.h"
#include "support/BreakGlassForTests.h"
#include "support/cloud/CloudEmulator.h"
#include "support/cloud/EmulatorScanSettings.h"
#include "support/cloud/TestCertificate.h"
#include "support/samba/SambaTestDomain.h"
#include "AdSnapshotReader.h"
#include "BatchApplier.h"
#include "CliCommands.h"
#include "ConnectionDialog.h"
#include "HistoryStore.h"
#include "ScanLoader.h"
#include "ScanRecording.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QMutex>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace sunset;
using test::cli;
using test::CliRun;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString kTenant = u"contoso.onmicrosoft.com"_s;
const QString kSecretApp = u"11111111-2222-3333-4444-555555555555"_s;
const QString kCertApp = u"66666666-7777-8888-9999-000000000000"_s;
const QString kSecret = u"Client-Secret~At.Rest_never_9W"_s;
const QByteArray kCertificatePassword = "Certificate-Password!Never-Stored#3";
constexpr int kCloudMailboxes = 12;
constexpr AttributeId kAttribute = AttributeId::ExtensionAttribute13;

QMutex g_linesLock;
QStringList g_lines;
QtMessageHandler g_previous = nullptr;
void capture(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    {
        const QMutexLocker lock(&g_linesLock); // scans log from their worker threads
        g_lines << message;
    }
    if (g_previous && (type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg))
        g_previous(type, context, message); // shown as usual: a failing run says why
}

} // namespace

class TestSecretsAtRest final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void nothingAtRestAndOwnerOnly_data();
    void nothingAtRestAndOwnerOnly();

private:
    std::shared_ptr<const DriftScan> scan(const ScanRequest& request);
    // Every secret's forms that could be written: as typed, URL-encoded (the token request's form body), the
    // key's base64 lines.
    QList<QByteArray> secretForms() const;

    SambaTestDomain m_domain;
    QByteArray m_password;
    TestCertificate m_certificate;
    QTemporaryDir m_keys; // the admin's own files (the certificate with its key): outside what is checked
    QString m_certificateFile;
    QString m_exoFile;
    QByteArray m_exoJson;
    CloudEmulator m_emulator;
    mode_t m_umask = 022;
};

void TestSecretsAtRest::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    m_password = m_domain.password().trimmed();
    QVERIFY(m_password.size() >= 8);
    QVERIFY(m_keys.isValid());
    m_umask = ::umask(022);
    ::umask(m_umask);

    m_certificate = TestCertificate::generate("secrets-at-rest");
    m_certificateFile = m_keys.filePath(u"app.pem"_s);
    QFile pem(m_certificateFile);
    QVERIFY(pem.open(QIODevice::WriteOnly));
    pem.write(m_certificate.keyPem + m_certificate.certificatePem);
    pem.close();

    // The cloud side: the first seeded mailboxes, cloud-managed, one of them with a value AD does not hold yet.
    QFile seed(m_domain.value("SUNSET_TEST_SEED_LDIF"));
    QVERIFY(seed.open(QIODevice::ReadOnly));
    auto seeded = readAdSnapshotFromLdif(seed.readAll(), seed.fileName());
    QVERIFY2(seeded.ok(), seeded ? "" : qPrintable(seeded.error().toString()));
    QJsonArray mailboxes;
    for (const MailboxRecord& record : seeded->records) {
        const QString upn = record.identityText(IdentityField::UserPrincipalName);
        if (!upn.startsWith(u"mbx"_s) || mailboxes.size() >= kCloudMailboxes)
            continue;
        QJsonObject m;
        m[u"UserPrincipalName"_s] = upn;
        m[u"PrimarySmtpAddress"_s] = record.identityText(IdentityField::PrimarySmtpAddress);
        m[u"WindowsEmailAddress"_s] = record.identityText(IdentityField::PrimarySmtpAddress);
        m[u"RecipientTypeDetails"_s] = u"UserMailbox"_s;
        m[u"IsExchangeCloudManaged"_s] = true;
        m[u"IsDirSynced"_s] = true;
        QJsonArray addresses;
        for (QByteArrayView a : record.adValues(AttributeId::ProxyAddresses))
            addresses.append(QString::fromUtf8(a));
        m[u"EmailAddresses"_s] = addresses;
        if (record.has(IdentityField::ExternalDirectoryObjectId))
            m[u"ExternalDirectoryObjectId"_s] = record.identityText(IdentityField::ExternalDirectoryObjectId);
        for (int i = 1; i <= 15; ++i) {
            const auto values = record.adValues(AttributeId(int(AttributeId::ExtensionAttribute1) + i - 1));
            QString value = values.isEmpty() ? QString() : QString::fromUtf8(values.first());
            if (mailboxes.isEmpty() && i == 13)
                value = u"set in the cloud, written back"_s;
            m[u"CustomAttribute%1"_s.arg(i)] = value;
        }
        mailboxes.append(m);
    }
    QCOMPARE(mailboxes.size(), kCloudMailboxes);
    m_exoJson = QJsonDocument(mailboxes).toJson();
    m_exoFile = m_keys.filePath(u"exo.json"_s);
    QFile exo(m_exoFile);
    QVERIFY(exo.open(QIODevice::WriteOnly));
    exo.write(m_exoJson);
    exo.close();

    QVERIFY(m_emulator.listen());
    m_emulator.setTenant({kTenant}, R"({"value":[]})", m_exoJson);
    m_emulator.registerApp(kSecretApp, kSecret);
    m_emulator.registerApp(kCertApp, {}, m_certificate.certificateDer);

    QLoggingCategory::setFilterRules(u"*.debug=true"_s);
    g_previous = qInstallMessageHandler(capture);
}

void TestSecretsAtRest::cleanupTestCase()
{
    qInstallMessageHandler(g_previous);
    QLoggingCategory::setFilterRules(QString());
    ::umask(m_umask);
}

QList<QByteArray> TestSecretsAtRest::secretForms() const
{
    QList<QByteArray> forms{m_password, kSecret.toUtf8(), QUrl::toPercentEncoding(kSecret), kCertificatePassword,
                            QUrl::toPercentEncoding(QString::fromUtf8(m_password))};
    for (const QByteArray& line : m_certificate.keyPem.split('\n'))
        if (line.size() >= 40 && !line.startsWith("-----"))
            forms << line;
    return forms;
}

std::shared_ptr<const DriftScan> TestSecretsAtRest::scan(const ScanRequest& request)
{
    ScanLoader loader;
    std::shared_ptr<const DriftScan> result;
    std::optional<ImportError> failure;
    connect(&loader, &ScanLoader::finished, this,
            [&](std::shared_ptr<const DriftScan> computed, ScanLoader::NameOrder) { result = std::move(computed); });
    connect(&loader, &ScanLoader::failed, this, [&](const ImportError& error) { failure = error; });
    loader.start(request);
    if (!QTest::qWaitFor([&] { return result || failure; }, 180000)) {
        qWarning("the scan did not finish");
        return nullptr;
    }
    if (failure) {
        qWarning("the scan failed: %s", qPrintable(failure->toString()));
        return nullptr;
    }
    return result;
}

void TestSecretsAtRest::nothingAtRestAndOwnerOnly_data()
{
    QTest::addColumn<int>("mask");
    QTest::newRow("umask 022") << 022;
    QTest::newRow("umask 000") << 000;
}

void TestSecretsAtRest::nothingAtRestAndOwnerOnly()
{
    QFETCH(int, mask);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ::umask(mode_t(mask));
    {
        const QMutexLocker lock(&g_linesLock);
        g_lines.clear();
    }
    const QString db = dir.filePath(u"history.sqlite"_s);

    // The connection dialog: a live profile for both sides, the three secrets typed, the profile saved.
    ScanRequest request;
    {
        QSettings settings(dir.filePath(u"sunset.ini"_s), QSettings::IniFormat);
        ConnectionDialog dialog(settings);
        ConnectionProfile profile;
        profile.name = u"Samba and the emulated tenant"_s;
        profile.ad.kind = AdSourceProfile::Kind::Live;
        profile.ad.dc.uri = m_domain.ldapsUri();
        profile.ad.dc.caFile = m_domain.caFile();
        profile.ad.dc.bindName = m_domain.bindUpn();
        profile.cloud.kind = CloudSourceProfile::Kind::Live;
        profile.cloud.connection = emulatorTenantSettings(m_emulator.baseUrl(), kTenant, kSecretApp);
        profile.cloud.connection.signIn = CloudTenantSettings::SignIn::ClientSecret;
        dialog.setProfile(profile);
        QLineEdit* password = dialog.findChild<QLineEdit*>(u"adPassword"_s);
        QLineEdit* secret = dialog.findChild<QLineEdit*>(u"cloudSecret"_s);
        QLineEdit* certificatePassword = dialog.findChild<QLineEdit*>(u"cloudCertificatePassword"_s);
        QVERIFY(password && secret && certificatePassword);
        password->setText(QString::fromUtf8(m_password));
        secret->setText(kSecret);
        certificatePassword->setText(QString::fromUtf8(kCertificatePassword));
        QVERIFY(dialog.saveProfile());
        request = dialog.request();
        QCOMPARE(request.secrets.adPassword, m_password);
        QCOMPARE(request.secrets.clientSecret, kSecret);
    }

    // Two scans, recorded as the GUI records them: with the client secret, then with the certificate.
    const auto bySecret = scan(request);
    QVERIFY(bySecret);
    ScanRequest byCertificateRequest = request;
    byCertificateRequest.profile.cloud.connection.clientId = kCertApp;
    byCertificateRequest.profile.cloud.connection.signIn = CloudTenantSettings::SignIn::Certificate;
    byCertificateRequest.profile.cloud.connection.certificateFile = m_certificateFile;
    byCertificateRequest.secrets.clientSecret.clear();
    const auto byCertificate = scan(byCertificateRequest);
    QVERIFY(byCertificate);
    QCOMPARE(byCertificate->summary.matched, bySecret->summary.matched);
    QVERIFY(bySecret->summary.matched >= kCloudMailboxes);

    auto opened = HistoryStore::open(db, HistoryActor::current(m_domain.bindUpn()));
    QVERIFY2(opened, qPrintable(opened.ok() ? QString() : opened.error().message));
    HistoryStore& store = *opened.value();
    qint64 scanId = 0;
    for (const auto& s : {bySecret, byCertificate}) {
        const DriftReportInput input{s->report, s->ad, s->cloud, s->summary, s->sources};
        const auto id = store.recordScan(scanRecord(input, QDateTime::currentDateTimeUtc(), QDateTime::currentDateTimeUtc()));
        QVERIFY(id);
        scanId = id.value();
    }

    // The batch: the planted drift, approved, applied with the password, then undone the same way.
    const auto selections = writebackSelections(
        byCertificate->report, byCertificate->ad, byCertificate->cloud,
        [](const MailboxRecord&, const MailboxRecord&, const DriftItem& item) { return item.attribute == kAttribute; });
    QCOMPARE(selections.size(), size_t(1));
    const WritebackBatch batch = WritebackBatch::build(selections);
    QVERIFY2(batch.refusals().empty() && batch.objectCount() == 1, qPrintable(batch.describe()));
    const auto batchId = store.createBatch(batch, scanId);
    QVERIFY(batchId);
    QVERIFY(store.approveBatch(batchId.value(), sunset::test::breakGlass()));
    {
        LdapConnectionOptions options;
        options.uri = m_domain.ldapsUri();
        options.caFile = m_domain.caFile();
        LdapConnection connection(options);
        const auto bound = connection.simpleBind(m_domain.bindUpn(), request.secrets.adPassword);
        QVERIFY2(bound, bound ? "" : qPrintable(bound.error().toString()));
        BatchApplier applier(store, connection);
        const auto applied = applier.apply(batchId.value());
        QVERIFY2(applied && applied->applied == 1, qPrintable(applied ? applied->message : applied.error().message));
        const auto undo = store.createUndoBatch(batchId.value());
        QVERIFY(undo);
        QVERIFY(store.approveBatch(undo.value(), sunset::test::breakGlass()));
        const auto undone = applier.apply(undo.value());
        QVERIFY2(undone && undone->applied == 1, qPrintable(undone ? undone->message : undone.error().message));
    }
    opened.value().reset();

    // Every export, each through the command an admin runs.
    const QString id = QString::number(batchId.value());
    QStringList exports;
    const auto exportTo = [&](const QString& name, const QStringList& arguments) {
        const QString path = dir.filePath(name);
        const CliRun run = cli(arguments + QStringList{u"--out"_s, path, u"--db"_s, db});
        exports << path;
        return run.code == 0 ? QString() : QString(name + u": "_s + run.err);
    };
    for (const QString& failure :
         {exportTo(u"history.csv"_s, {u"history"_s, u"export"_s, u"--format"_s, u"csv"_s}),
          exportTo(u"history.json"_s, {u"history"_s, u"export"_s, u"--format"_s, u"json"_s}),
          exportTo(u"batch.ldif"_s, {u"history"_s, u"export"_s, u"--format"_s, u"ldif"_s, u"--batch"_s, id}),
          exportTo(u"batch.pdf"_s, {u"history"_s, u"export"_s, u"--format"_s, u"pdf"_s, u"--batch"_s, id}),
          exportTo(u"checklist.json"_s, {u"checklist"_s, u"export"_s, u"--format"_s, u"json"_s}),
          exportTo(u"checklist.pdf"_s, {u"checklist"_s, u"export"_s, u"--format"_s, u"pdf"_s})})
        QVERIFY2(failure.isEmpty(), qPrintable(failure));

    // The diff report, where a symlink already points elsewhere: replaced, the file it pointed to untouched.
    const QString elsewhere = m_keys.filePath(u"elsewhere-%1.txt"_s.arg(mask));
    {
        QFile f(elsewhere);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a report\n");
    }
    const QString csvReport = dir.filePath(u"drift.csv"_s);
    QVERIFY(QFile::link(elsewhere, csvReport));
    const QString jsonReport = dir.filePath(u"drift.json"_s);
    const CliRun diff = cli({u"diff"_s, u"--ad"_s, m_domain.value("SUNSET_TEST_SEED_LDIF"), u"--exo"_s, m_exoFile,
                             u"--json"_s, jsonReport, u"--csv"_s, csvReport, u"--no-history"_s});
    QVERIFY2(diff.code == 0, qPrintable(diff.err));
    exports << jsonReport << csvReport;
    QVERIFY(!QFileInfo(csvReport).isSymLink());
    {
        QFile f(elsewhere);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("not a report\n"));
    }

    // Owner-only: the history (and SQLite's files beside it) and every export.
    QStringList ownerOnly = exports;
    for (const QString& suffix : {u""_s, u"-wal"_s, u"-shm"_s})
        if (QFile::exists(db + suffix))
            ownerOnly << db + suffix;
    for (const QString& path : std::as_const(ownerOnly)) {
        struct stat st {};
        QVERIFY2(::lstat(QFile::encodeName(path).constData(), &st) == 0, qPrintable(path));
        QVERIFY2(S_ISREG(st.st_mode), qPrintable(path));
        QVERIFY2((st.st_mode & 0777) == 0600,
                 qPrintable(u"%1 is %2"_s.arg(path, QString::number(st.st_mode & 0777, 8))));
        QVERIFY2(st.st_size > 0, qPrintable(path));
    }

    // No secret in any file written (the history's -wal included: read before anything checkpoints it again).
    const QList<QByteArray> secrets = secretForms();
    int files = 0;
    QDirIterator it(dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray bytes = f.readAll();
        ++files;
        for (const QByteArray& secret : secrets)
            QVERIFY2(!bytes.contains(secret), qPrintable(u"a secret in "_s + path));
    }
    QVERIFY(files >= ownerOnly.size() + 1); // the settings file too
    QSettings settings(dir.filePath(u"sunset.ini"_s), QSettings::IniFormat);
    QVERIFY2(!settings.allKeys().isEmpty(), "the profile was not saved");

    // And none in the logs of the whole run.
    const QMutexLocker lock(&g_linesLock);
    QVERIFY(g_lines.size() > 10); // the categories are on: the run was logged
    for (const QString& line : std::as_const(g_lines))
        for (const QByteArray& secret : secrets)
            QVERIFY2(!line.toUtf8().contains(secret), qPrintable(u"a secret in the log line: "_s + line));
}

QTEST_MAIN(TestSecretsAtRest)
#include "TestSecretsAtRest.moc"
