// SPDX-License-Identifier: Apache-2.0
// The desktop app's Apply after a live AD scan, against the Samba AD DC of the SambaDc fixture, wired as main()
// wires it (setUpWriteback): the scan reads the DC (base DN: an OU of this test's own) and a Get-Mailbox export in
// which two cloud-managed mailboxes drift; the finished scan points Apply at that DC (a LdapBatchTarget with the
// scan's URL, CA file and bind); two ticked items are approved, one of them is changed in AD behind Sunset's back,
// and Apply writes the other to the DC (read back with ldapsearch) and records the conflict, with the journal and
// the bind identity in the history and no password on disk. The undo from History goes to the same DC, after
// sunset-cli was refused the batch while this process held its lock. A scan whose AD side is an LDIF export then
// turns Apply off with the reason.
#include "BatchApplyRunner.h"
#include "BatchChangesModel.h"
#include "BatchFlow.h"
#include "BatchLock.h"
#include "BatchReviewDialog.h"
#include "DesktopWriteback.h"
#include "LdapBatchTarget.h"
#include "MainWindow.h"
#include "support/samba/SambaTestDomain.h"
#include "ScanLoader.h"
#include "TickedDriftItems.h"
#include "support/ScriptedConfirmer.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto kOnPremises = "on-premises value";
constexpr auto kCloud = "cloud value";

struct Desk {
    MainWindow window;
    ScanLoader loader;
    std::shared_ptr<test::ScriptedConfirmer> answers = std::make_shared<test::ScriptedConfirmer>();
    BatchFlow* flow = nullptr;
    Desk()
    {
        // As main() connects them, with the admin's answers given by the test.
        QObject::connect(&loader, &ScanLoader::started, &window, &MainWindow::showLoadStarted);
        QObject::connect(&loader, &ScanLoader::finished, &window, &MainWindow::showScan);
        flow = setUpWriteback(window, loader, /*demo=*/false, answers);
    }
};

} // namespace

class TestDesktopApplyLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void applyWritesToTheScannedDirectory();
    void ldifScanTurnsApplyOff();

private:
    QByteArray dn(const QByteArray& cn) const { return "CN=" + cn + "," + m_ou; }
    std::optional<QByteArray> ldapTool(const QString& tool, const QStringList& arguments, const QByteArray& input = {},
                                       bool mayFail = false);
    QByteArray attribute1(const QByteArray& entryDn);
    ScanRequest liveRequest() const;
    bool scan(Desk& desk, const ScanRequest& request);
    void tick(const Desk& desk, const QByteArray& entryDn);
    qint64 approve(Desk& desk);
    ApplyReport apply(Desk& desk);

    SambaTestDomain m_domain;
    QByteArray m_ou;
    QTemporaryDir m_dir;
    QString m_exo;
};

void TestDesktopApplyLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    QVERIFY(m_dir.isValid());
    // The app's own history path (HistoryStore::defaultPath()), in this test's folder.
    qputenv("XDG_DATA_HOME", m_dir.filePath(u"data"_s).toUtf8());
    m_ou = "OU=Sunset Desktop Apply Tests," + m_domain.baseDn();

    const auto b64 = [](const QByteArray& name, const QByteArray& value) -> QByteArray {
        return name + ":: " + value.toBase64() + '\n';
    };
    QByteArray ldif = "dn: " + m_ou + "\nobjectClass: organizationalUnit\n\n";
    QJsonArray mailboxes;
    for (const QByteArray alias : {"desk.managed", "desk.conflict"}) {
        const QByteArray address = alias + "@sunset-desk.test";
        // A remote mailbox as Exchange hybrid leaves it in AD.
        ldif += "dn: " + dn(alias == "desk.managed" ? "Desk Managed" : "Desk Conflict") +
                "\nobjectClass: user\nsAMAccountName: " + QByteArray(alias).replace('.', "") +
                "\nuserPrincipalName: " + address + "\nmail: " + address + "\nmailNickname: " + alias +
                "\nproxyAddresses: SMTP:" + address + "\ntargetAddress: SMTP:" + alias +
                "@sunsetdesk.mail.onmicrosoft.com\nmsExchRecipientTypeDetails: 2147483648\n" +
                b64("extensionAttribute1", kOnPremises) + "\n";
        // The cloud holds another value and manages the mailbox's Exchange attributes.
        mailboxes.append(QJsonObject{
            {u"Name"_s, QString::fromLatin1(alias)},
            {u"Alias"_s, QString::fromLatin1(alias)},
            {u"DisplayName"_s, QString::fromLatin1(alias)},
            {u"UserPrincipalName"_s, QString::fromLatin1(address)},
            {u"PrimarySmtpAddress"_s, QString::fromLatin1(address)},
            {u"WindowsEmailAddress"_s, QString::fromLatin1(address)},
            {u"RecipientTypeDetails"_s, u"UserMailbox"_s},
            {u"IsDirSynced"_s, true},
            {u"IsExchangeCloudManaged"_s, true},
            {u"EmailAddresses"_s, QJsonArray{QString::fromLatin1("SMTP:" + address)}},
            {u"CustomAttribute1"_s, QString::fromLatin1(kCloud)},
        });
    }
    ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}, {}, true); // a leftover of an aborted run
    QVERIFY(ldapTool(u"ldapadd"_s, {}, ldif));
    m_exo = m_dir.filePath(u"exo.json"_s);
    QFile f(m_exo);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(mailboxes).toJson());
}

void TestDesktopApplyLive::cleanupTestCase()
{
    if (!m_ou.isEmpty())
        QVERIFY(ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}));
}

void TestDesktopApplyLive::init()
{
    // Each test starts from the values as seeded.
    for (const QByteArray cn : {"Desk Managed", "Desk Conflict"})
        QVERIFY(ldapTool(u"ldapmodify"_s, {},
                         "dn: " + dn(cn) + "\nchangetype: modify\nreplace: extensionAttribute1\nextensionAttribute1: " +
                             kOnPremises + "\n-\n"));
}

std::optional<QByteArray> TestDesktopApplyLive::ldapTool(const QString& tool, const QStringList& arguments,
                                                         const QByteArray& input, bool mayFail)
{
    return m_domain.runLdapTool(tool, arguments, input, mayFail);
}

// The value the DC holds now, as ldapsearch shows it (base64 when it is not a safe string).
QByteArray TestDesktopApplyLive::attribute1(const QByteArray& entryDn)
{
    const auto out = ldapTool(u"ldapsearch"_s, {u"-LLL"_s, u"-o"_s, u"ldif-wrap=no"_s, u"-b"_s,
                                                QString::fromUtf8(entryDn), u"-s"_s, u"base"_s,
                                                u"(objectClass=*)"_s, u"extensionAttribute1"_s});
    if (!out)
        return "(read failed)";
    for (const QByteArray& line : out->split('\n')) {
        if (line.startsWith("extensionAttribute1:: "))
            return QByteArray::fromBase64(line.mid(22));
        if (line.startsWith("extensionAttribute1: "))
            return line.mid(21);
    }
    return {};
}

ScanRequest TestDesktopApplyLive::liveRequest() const
{
    ScanRequest r;
    r.profile = ConnectionProfile::fromFiles(ReportSources{{}, m_exo, {}}, u"Samba test domain"_s);
    r.profile.ad.kind = AdSourceProfile::Kind::Live;
    r.profile.ad.dc.uri = m_domain.ldapsUri();
    r.profile.ad.dc.caFile = m_domain.caFile();
    r.profile.ad.dc.bindName = m_domain.bindUpn();
    r.profile.ad.dc.baseDn = QString::fromUtf8(m_ou);
    r.secrets.adPassword = m_domain.password().trimmed();
    return r;
}

bool TestDesktopApplyLive::scan(Desk& desk, const ScanRequest& request)
{
    QSignalSpy shown(&desk.window, &MainWindow::scanShown);
    QSignalSpy recorded(desk.flow, &BatchFlow::scanRecorded);
    QSignalSpy failed(&desk.loader, &ScanLoader::failed);
    desk.loader.start(request);
    // Recorded too: the batch then names its scan.
    if (!QTest::qWaitFor([&] { return !recorded.isEmpty() || !failed.isEmpty(); }, 120'000)) {
        qWarning("the scan did not finish");
        return false;
    }
    if (!failed.isEmpty()) {
        qWarning("scan failed: %s", qPrintable(failed.first().first().value<ImportError>().toString()));
        return false;
    }
    return shown.size() == 1;
}

void TestDesktopApplyLive::tick(const Desk& desk, const QByteArray& entryDn)
{
    const auto& scan = desk.window.scan();
    QVERIFY(scan);
    for (const ScanRow& row : scan->rows()) {
        if (row.pair < 0 ||
            scan->adRecord(row)->identityText(IdentityField::DistinguishedName) != QString::fromUtf8(entryDn))
            continue;
        QCOMPARE(row.cloudManaged, CloudManagedState::Yes);
        const DriftItem* item = scan->driftItem(row, AttributeId::ExtensionAttribute1);
        QVERIFY(item);
        QCOMPARE(item->ad, QStringList{QString::fromLatin1(kOnPremises)});
        QCOMPARE(item->adTarget, QStringList{QString::fromLatin1(kCloud)});
        tickDriftItem(desk.window, {row.pair, AttributeId::ExtensionAttribute1});
        return;
    }
    QFAIL(qPrintable(u"%1 is not a matched mailbox of the scan"_s.arg(QString::fromUtf8(entryDn))));
}

qint64 TestDesktopApplyLive::approve(Desk& desk)
{
    BatchReviewDialog* dialog = desk.flow->reviewDialog();
    if (!dialog)
        return 0;
    desk.answers->queueReasons({u"Cloud Sync job quarantined, ticket TEST-1"_s});
    desk.answers->queueAnswers({true});
    dialog->findChild<QPushButton*>(u"batchApprove"_s)->click();
    return dialog->stage() == BatchReviewDialog::Stage::Approved ? desk.flow->currentBatchId() : 0;
}

ApplyReport TestDesktopApplyLive::apply(Desk& desk)
{
    QSignalSpy applied(desk.flow, &BatchFlow::batchApplied);
    auto* button = desk.flow->reviewDialog()->findChild<QPushButton*>(u"batchApply"_s);
    if (!button->isVisible() || !button->isEnabled()) {
        qWarning("Apply is off: %s",
                 qPrintable(desk.flow->reviewDialog()->findChild<QLabel*>(u"batchTarget"_s)->text()));
        return {};
    }
    button->click();
    if (!QTest::qWaitFor([&] { return !applied.isEmpty() || !desk.flow->runner()->isRunning(); }, 60'000) ||
        applied.isEmpty()) {
        qWarning("apply failed: %s",
                 qPrintable(desk.flow->reviewDialog()->findChild<QLabel*>(u"batchStatus"_s)->text()));
        return {};
    }
    return applied.first().at(1).value<ApplyReport>();
}

void TestDesktopApplyLive::applyWritesToTheScannedDirectory()
{
    auto deskOwner = std::make_unique<Desk>();
    Desk& desk = *deskOwner;
    QVERIFY(!desk.flow->config().target); // no scan yet: nowhere to write
    QVERIFY(scan(desk, liveRequest()));

    // The scan pointed Apply at the DC it read, with its settings and bind.
    const auto* target = dynamic_cast<const LdapBatchTarget*>(desk.flow->config().target.get());
    QVERIFY(target);
    QVERIFY2(target->description().contains(m_domain.ldapsUri()), qPrintable(target->description()));
    QCOMPARE(target->bindIdentity(), m_domain.bindUpn());
    QCOMPARE(desk.flow->store()->actor().bindIdentity, m_domain.bindUpn());

    const QByteArray managed = dn("Desk Managed");
    const QByteArray conflicting = dn("Desk Conflict");
    tick(desk, managed);
    tick(desk, conflicting);
    desk.flow->reviewTicked();
    BatchReviewDialog* dialog = desk.flow->reviewDialog();
    QVERIFY(dialog);
    const QString where = dialog->findChild<QLabel*>(u"batchTarget"_s)->text();
    QVERIFY2(where.startsWith(u"Apply writes to the domain controller "_s + m_domain.ldapsUri()), qPrintable(where));
    const qint64 id = approve(desk);
    QVERIFY(id > 0);
    const auto approved = desk.flow->store()->batch(id);
    QVERIFY(approved);
    QCOMPARE(approved->approvedBind, m_domain.bindUpn());
    QVERIFY(approved->scanId > 0);

    // Someone changes one of them in AD after the scan: Apply must not overwrite it.
    QVERIFY(ldapTool(u"ldapmodify"_s, {},
                     "dn: " + conflicting +
                         "\nchangetype: modify\nreplace: extensionAttribute1\nextensionAttribute1: changed by someone "
                         "else\n-\n"));

    const ApplyReport report = apply(desk);
    QVERIFY2(report.objects == 2 && report.applied == 1, qPrintable(report.message));
    QCOMPARE(report.conflictsBeforeSending, 1);
    QCOMPARE(report.finalState, BatchState::Partial);
    QCOMPARE(attribute1(managed), QByteArray(kCloud));
    QCOMPARE(attribute1(conflicting), QByteArray("changed by someone else"));

    // Per change, as the review shows them and the history holds them.
    const auto changes = desk.flow->store()->changes(id);
    QVERIFY(changes);
    QCOMPARE(changes->size(), size_t(2));
    for (const StoredChange& c : changes.value()) {
        if (c.dn == QString::fromUtf8(managed)) {
            QCOMPARE(c.state, ChangeState::Applied);
        } else {
            QCOMPARE(c.state, ChangeState::Conflict);
            QVERIFY2(c.ldapMessage.contains(u"Changed in AD since the scan"_s), qPrintable(c.ldapMessage));
        }
        QVERIFY(c.settledAt.isValid());
    }
    BatchChangesModel* model = desk.flow->changesModel();
    QCOMPARE(model->rowCount(), 2);
    // The journal: approved, applying (pending journalled before sending), settled, partial; by the bind identity.
    QStringList kinds;
    const auto events = desk.flow->store()->events();
    QVERIFY(events);
    for (const StoredEvent& e : events.value()) {
        if (e.subject != u"batch %1"_s.arg(id))
            continue;
        kinds << e.kind;
        QCOMPARE(e.bindIdentity, m_domain.bindUpn());
    }
    QVERIFY2(kinds.mid(0, 3) == QStringList({u"batch.created"_s, u"batch.approved"_s, u"batch.applying"_s}),
             qPrintable(kinds.join(u' ')));
    QVERIFY2(kinds.contains(u"changes.settled"_s) && kinds.last() == u"batch.partial"_s, qPrintable(kinds.join(u' ')));
    QVERIFY(desk.flow->store()->verify().intact());

    // Undo from History: a reverse batch, approved, then applied to the same DC.
    desk.flow->undoBatch(id);
    const qint64 undo = approve(desk);
    QVERIFY(undo > id);
    {
        // Meanwhile another Sunset holds the batch: sunset-cli apply of it is refused, naming this process.
        auto held = BatchLock::acquire(desk.flow->config().historyPath, undo, u"apply"_s);
        QVERIFY(held);
        QProcess cli;
        cli.start(QStringLiteral(SUNSET_CLI_PATH),
                  {u"apply"_s, u"--batch"_s, QString::number(undo), u"--db"_s, desk.flow->config().historyPath,
                   u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s, m_domain.bindUpn(), u"--ca"_s, m_domain.caFile(),
                   u"--password-file"_s, m_domain.passwordFile()});
        QVERIFY(cli.waitForFinished(60'000));
        const QString err = QString::fromUtf8(cli.readAllStandardError());
        QVERIFY2(cli.exitCode() != 0, qPrintable(err));
        QVERIFY2(err.contains(u"Cannot apply batch %1: it is being applied or settled by process %2"_s.arg(undo).arg(
                     QCoreApplication::applicationPid())),
                 qPrintable(err));
        QCOMPARE(attribute1(managed), QByteArray(kCloud)); // nothing sent
    }
    const ApplyReport undone = apply(desk);
    QVERIFY2(undone.objects == 1 && undone.applied == 1, qPrintable(undone.message));
    QCOMPARE(attribute1(managed), QByteArray(kOnPremises));
    QCOMPARE(attribute1(conflicting), QByteArray("changed by someone else"));

    // The typed password went to the DC only: no file Sunset wrote holds it. Read once the app is closed (a
    // descriptor of the database closed while SQLite has it open would drop SQLite's POSIX locks).
    deskOwner.reset();
    const QByteArray password = m_domain.password().trimmed();
    QVERIFY(password.size() >= 6);
    QDirIterator files(m_dir.filePath(u"data"_s), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    int seen = 0;
    while (files.hasNext()) {
        QFile f(files.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains(password), qPrintable(f.fileName()));
        ++seen;
    }
    QVERIFY(seen > 0);
}

void TestDesktopApplyLive::ldifScanTurnsApplyOff()
{
    Desk desk;
    QVERIFY(scan(desk, liveRequest()));
    QVERIFY(desk.flow->config().target);

    // The same OU as an ldapsearch export: the next scan reads AD from a file.
    const auto exported = ldapTool(u"ldapsearch"_s, {u"-LLL"_s, u"-b"_s, QString::fromUtf8(m_ou), u"(objectClass=user)"_s});
    QVERIFY(exported);
    const QString adLdif = m_dir.filePath(u"ad-export.ldif"_s);
    {
        QFile f(adLdif);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(*exported);
    }
    ScanRequest request;
    request.profile = ConnectionProfile::fromFiles(ReportSources{adLdif, m_exo, {}});
    QVERIFY(scan(desk, request));
    QVERIFY(!desk.flow->config().target);
    QCOMPARE(desk.flow->config().noTarget, noDirectoryMessage());
    QVERIFY(desk.flow->store()->actor().bindIdentity.isEmpty());

    tick(desk, dn("Desk Managed"));
    desk.flow->reviewTicked();
    const qint64 id = approve(desk); // approving stays possible: the batch can be exported and applied elsewhere
    QVERIFY(id > 0);
    BatchReviewDialog* dialog = desk.flow->reviewDialog();
    auto* button = dialog->findChild<QPushButton*>(u"batchApply"_s);
    QVERIFY(button->isVisible());
    QVERIFY(!button->isEnabled());
    QCOMPARE(dialog->findChild<QLabel*>(u"batchTarget"_s)->text(), noDirectoryMessage());
    QCOMPARE(desk.flow->store()->batch(id)->state, BatchState::Approved);
    QCOMPARE(attribute1(dn("Desk Managed")), QByteArray(kOnPremises));
}

QTEST_MAIN(TestDesktopApplyLive)
#include "TestDesktopApplyLive.moc"
