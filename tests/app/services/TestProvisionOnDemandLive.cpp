// SPDX-License-Identifier: Apache-2.0
// "Ask Cloud Sync to write it back now" end to end: drift planted in the Samba DC (AD holds "ad-value", the cloud
// "cloud-value"), a recorded scan holding it, sunset-cli provision-on-demand against the cloud emulator, whose
// provisionOnDemand writes the cloud value into AD bound as an agent account of its own (as the real provisioning
// agent does); then AD's re-read shows the drift gone, the replication metadata shows the originating write, and
// the history holds the run. Skipped (NotInScope), a real InsufficientRights (the agent account loses its rights)
// and a 403 are reported as such. Its mailboxes live in an OU of their own and count in a whole-domain scan: the
// test holds the SambaSeededMailboxes lock (tests/support/samba/CMakeLists.txt).
#include "support/CliRun.h"
#include "CloudEmulator.h"
#include "HistoryStore.h"
#include "Identity.h"
#include "LdapConnection.h"
#include "LdapSnapshotReader.h"
#include "OnDemandEmulator.h"
#include "OnDemandStore.h"
#include "support/samba/SambaLiveRead.h"
#include "ScanRecording.h"
#include "SyncEmulator.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;
using sunset::test::cli;

namespace {

const QString kTenant = u"sunset-ondemand.onmicrosoft.com"_s;
const QString kApp = u"0d0d0d0d-1111-2222-3333-444444444444"_s;
const QString kSecret = u"on-demand-secret"_s;
const QString kSp = u"5a5a5a5a-6b6b-7c7c-8d8d-9e9e9e9e9e9e"_s;
const QString kJob = u"Entra2ADExchangeOnlineAttributeWriteback.f00d.beef"_s;
const QString kRule = u"AAD2ADExchangeOnlineWriteback-rule"_s;
const QByteArray kAgentPassword = "Od-Agent-Passw0rd!2026";

struct Mailbox {
    QByteArray cn;
    QString upn;
    QString entraId;
};

const Mailbox kFixed{"OD One", u"od.one@sunset-ondemand.test"_s, u"aaaaaaaa-0000-4000-8000-000000000001"_s};
const Mailbox kSkipped{"OD Two", u"od.two@sunset-ondemand.test"_s, u"aaaaaaaa-0000-4000-8000-000000000002"_s};
const Mailbox kRefused{"OD Three", u"od.three@sunset-ondemand.test"_s, u"aaaaaaaa-0000-4000-8000-000000000003"_s};

const AttributeLastChange* find(const std::vector<AttributeLastChange>& changes, AttributeId id)
{
    for (const AttributeLastChange& change : changes)
        if (change.attribute == id)
            return &change;
    return nullptr;
}

bool writeOwnerOnly(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() &&
           file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

} // namespace

class TestProvisionOnDemandLive final : public QObject {
    Q_OBJECT

    SambaTestDomain m_domain;
    QTemporaryDir m_dir;
    QByteArray m_ou;
    QByteArray m_agent;
    QString m_db;
    QString m_secretFile;
    std::unique_ptr<CloudEmulator> m_emulator;
    OnDemandEmulator m_onDemand;

    QByteArray dnOf(const Mailbox& m) const { return "CN=" + m.cn + ',' + m_ou; }

    std::optional<QByteArray> ldapTool(const QString& tool, const QStringList& arguments, const QByteArray& input = {},
                                       bool mayFail = false)
    {
        return m_domain.runLdapTool(tool, arguments, input, mayFail);
    }

    qint64 dcTime() { return sambaDcTime(m_domain); }
    Result<Snapshot> readLive() { return readSambaSnapshot(m_domain, m_ou); }

    QString extensionAttribute1(const Mailbox& m)
    {
        const auto out = ldapTool(u"ldapsearch"_s, {u"-LLL"_s, u"-s"_s, u"base"_s, u"-b"_s, QString::fromUtf8(dnOf(m)),
                                                    u"extensionAttribute1"_s});
        for (const QByteArray& line : out.value_or(QByteArray()).split('\n'))
            if (line.startsWith("extensionAttribute1: "))
                return QString::fromUtf8(line.sliced(21).trimmed());
        return {};
    }

    bool setAgentInAccountOperators(bool member)
    {
        const QByteArray group = "CN=Account Operators,CN=Builtin," + m_domain.baseDn();
        return ldapTool(u"ldapmodify"_s, {},
                        "dn: " + group + "\nchangetype: modify\n" + (member ? "add" : "delete") +
                            ": member\nmember: " + m_agent + "\n-\n")
            .has_value();
    }

    // With the job named (--service-principal, --job), or found live from the mailbox's AD domain.
    test::CliRun provision(const Mailbox& m, bool nameTheJob = true)
    {
        const QString base = m_emulator->baseUrl().toString();
        const QStringList job = nameTheJob ? QStringList{u"--service-principal"_s, kSp, u"--job"_s, kJob} : QStringList{};
        return cli(QStringList{u"provision-on-demand"_s, u"--db"_s, m_db, u"--mailbox"_s, m.upn} + job +
                   QStringList{u"--tenant"_s, kTenant, u"--client-id"_s, kApp, u"--client-secret-file"_s,
                    m_secretFile, u"--authority"_s, base, u"--graph-endpoint"_s, base, u"--graph-resource"_s,
                    QLatin1StringView(CloudEmulator::kGraphResource), u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s,
                    m_domain.bindUpn(), u"--password-file"_s, m_domain.passwordFile(), u"--ca"_s,
                    m_domain.caFile()});
    }

    HistoryResult<OnDemandRunRecord> latestRun()
    {
        auto store = HistoryStore::open(m_db, {u"tester"_s, {}});
        if (!store)
            return store.error();
        OnDemandStore runs(*store.value());
        const auto ids = runs.runIds();
        if (!ids)
            return ids.error();
        if (ids->empty())
            return HistoryError{u"no run recorded"_s};
        return runs.run(ids->back());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_domain = SambaTestDomain::load();
        QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
        QVERIFY(m_dir.isValid());
        m_ou = "OU=Sunset OnDemand Tests," + m_domain.baseDn();
        m_agent = "CN=OD Provisioning Agent," + m_ou;
        ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}, {}, true); // a leftover of an aborted run
        QByteArray ldif = "dn: " + m_ou + "\nobjectClass: organizationalUnit\n\n";
        // The agent: an account of its own, enabled, with the rights the real agent's gMSA is given on user objects
        // (here through Account Operators, whose default rights on user objects include writing their attributes).
        const QString quoted = u"\""_s + QString::fromUtf8(kAgentPassword) + u'"';
        const QByteArray utf16(reinterpret_cast<const char*>(quoted.utf16()), quoted.size() * 2);
        ldif += "dn: " + m_agent + "\nobjectClass: user\nsAMAccountName: odagent\nunicodePwd:: " +
                utf16.toBase64() + "\nuserAccountControl: 512\n\n";
        for (const Mailbox& m : {kFixed, kSkipped, kRefused}) {
            const QByteArray upn = m.upn.toUtf8();
            ldif += "dn: " + dnOf(m) + "\nobjectClass: user\nsAMAccountName: " + upn.left(upn.indexOf('@')).replace('.', '-') +
                    "\nuserPrincipalName: " + upn + "\nmail: " + upn + "\nmailNickname: " + upn.left(upn.indexOf('@')) +
                    "\nproxyAddresses: SMTP:" + upn + "\nmsExchRecipientTypeDetails: 2147483648\n"
                    "extensionAttribute1: ad-value\n\n";
        }
        QVERIFY(ldapTool(u"ldapadd"_s, {}, ldif));
        QVERIFY(setAgentInAccountOperators(true));
        const QString agentPasswordFile = m_dir.filePath(u"agent-password"_s);
        QVERIFY(writeOwnerOnly(agentPasswordFile, kAgentPassword));
        m_secretFile = m_dir.filePath(u"secret"_s);
        QVERIFY(writeOwnerOnly(m_secretFile, kSecret.toUtf8() + '\n'));

        m_emulator = std::make_unique<CloudEmulator>();
        QVERIFY(m_emulator->listen());
        m_emulator->setTenant({kTenant}, "{\"value\":[]}", "[]");
        m_emulator->registerApp(kApp, kSecret);
        m_onDemand.setJob(kSp, kJob, kRule);
        m_onDemand.setAgent({m_domain.ldapsUri(), m_domain.caFile(), QString::fromUtf8(m_agent), agentPasswordFile});
        for (const Mailbox& m : {kFixed, kSkipped, kRefused})
            m_onDemand.setObject(m.entraId, dnOf(m), {{"extensionAttribute1", {"cloud-value"}}});
        m_onDemand.setBehaviour(kSkipped.entraId, OnDemandEmulator::Behaviour::SkipNotInScope);
        m_emulator->setOnDemand(&m_onDemand);

        // The scan that found the drift, as sunset-cli diff records it.
        m_db = m_dir.filePath(u"history.sqlite"_s);
        auto store = HistoryStore::open(m_db, {u"tester"_s, {}});
        QVERIFY(store);
        QJsonArray items;
        for (const Mailbox& m : {kFixed, kSkipped, kRefused}) {
            RecordedDrift drift;
            drift.upn = m.upn;
            drift.selection = {QString::fromUtf8(dnOf(m)), m.upn, u"true"_s, {}, m.entraId};
            drift.selection.item.attribute = AttributeId::ExtensionAttribute1;
            drift.selection.item.ad = {u"ad-value"_s};
            drift.selection.item.cloud = {u"cloud-value"_s};
            drift.selection.item.writable = true;
            drift.selection.item.adTarget = {u"cloud-value"_s};
            items.append(recordedDriftJson(drift));
        }
        ScanRecord scan;
        scan.adSource = m_domain.ldapsUri();
        scan.exoSource = u"emulator"_s;
        scan.driftItems = items.size();
        scan.summaryJson = "{}";
        QJsonObject drift{{u"format"_s, QString(kScanDriftFormat)}, {u"version"_s, kScanDriftVersion}};
        drift.insert(u"items"_s, items);
        scan.driftJson = QJsonDocument(drift).toJson(QJsonDocument::Compact);
        QVERIFY(store.value()->recordScan(scan));
    }

    void cleanupTestCase()
    {
        if (!m_ou.isEmpty()) {
            setAgentInAccountOperators(false);
            QVERIFY(ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}));
        }
    }

    void dryRunListsWhatWouldBeAsked()
    {
        const auto run = cli({u"provision-on-demand"_s, u"--db"_s, m_db, u"--dry-run"_s});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains(u"3 mailbox(es)"_s) && run.out.contains(u"User_"_s + kFixed.entraId),
                 qPrintable(run.out));
        QCOMPARE(m_onDemand.provisionRequests(), 0);
    }

    void cloudSyncWritesItBackAndAdShowsIt()
    {
        const auto before = readLive();
        QVERIFY2(before.ok(), before ? "" : qPrintable(before.error().toString()));
        // A pointer into the snapshot's own vector (value() gives a copy, which would die with the statement).
        const std::vector<AttributeLastChange>* changedBefore = before->changeMetadata.find(dnOf(kFixed));
        QVERIFY(changedBefore);
        const AttributeLastChange* was = find(*changedBefore, AttributeId::ExtensionAttribute1);
        QVERIFY(was);
        const quint32 version = was->version;
        const qint64 from = dcTime();
        QVERIFY(from > 0);

        const auto run = provision(kFixed);
        QVERIFY2(run.code == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.out.contains(u"AD re-read: the drift is gone"_s), qPrintable(run.out));
        QVERIFY2(run.out.contains(u"Cloud Sync wrote extensionAttribute1 (\"ad-value\" → \"cloud-value\")"_s),
                 qPrintable(run.out));
        const qint64 to = dcTime();
        QCOMPARE(m_onDemand.adWrites(), 1);
        QCOMPARE(extensionAttribute1(kFixed), u"cloud-value"_s);

        // AD's metadata records the originating write, on this DC, in the run's window.
        const auto after = readLive();
        QVERIFY2(after.ok(), after ? "" : qPrintable(after.error().toString()));
        const std::vector<AttributeLastChange>* changedAfter = after->changeMetadata.find(dnOf(kFixed));
        QVERIFY(changedAfter);
        const AttributeLastChange* now = find(*changedAfter, AttributeId::ExtensionAttribute1);
        QVERIFY(now);
        QCOMPARE(now->version, version + 1);
        QVERIFY(now->originatingChangeMsecs >= from && now->originatingChangeMsecs <= to);
        QVERIFY(after->changeMetadata.dcName(*now).compare(m_domain.value("SUNSET_TEST_DC_HOSTNAME"), Qt::CaseInsensitive) == 0);

        // The history: who, when, the job, the answer and the re-read; the audit chain intact.
        const auto recorded = latestRun();
        QVERIFY2(recorded, recorded ? "" : qPrintable(recorded.error().message));
        QCOMPARE(recorded->state, u"finished"_s);
        QCOMPARE(recorded->jobId, kJob);
        QCOMPARE(recorded->servicePrincipalId, kSp);
        QCOMPARE(recorded->ruleId, kRule); // read from the job's schema
        QVERIFY(!recorded->osUser.isEmpty());
        QCOMPARE(recorded->bindIdentity, m_domain.bindUpn());
        QVERIFY(recorded->started.isValid() && recorded->finished >= recorded->started);
        QCOMPARE(recorded->objects.size(), size_t(1));
        const OnDemandObjectRecord& o = recorded->objects.front();
        QCOMPARE(o.result, u"success"_s);
        QCOMPARE(o.verified, u"fixed"_s);
        QCOMPARE(o.subject.entraObjectId, kFixed.entraId);
        QVERIFY(o.modifiedJson.contains("extensionAttribute1"));
        auto store = HistoryStore::open(m_db, {u"tester"_s, {}});
        QVERIFY(store);
        QVERIFY(store.value()->verify().intact());
        const auto events = store.value()->events();
        QVERIFY(events);
        QCOMPARE(events->back().kind, u"ondemand.finished"_s);
        QVERIFY(events->back().detailJson.contains("\"verified\":\"fixed\""));
        QCOMPARE(events->at(events->size() - 2).kind, u"ondemand.started"_s);
    }

    void skippedIsReportedAndTheDriftStays()
    {
        const auto run = provision(kSkipped);
        QCOMPARE(run.code, 1);
        QVERIFY2(run.out.contains(u"Cloud Sync skipped it (NotInScope)"_s), qPrintable(run.out));
        QVERIFY2(run.out.contains(u"AD re-read: still drifting: extensionAttribute1 holds \"ad-value\""_s),
                 qPrintable(run.out));
        QCOMPARE(extensionAttribute1(kSkipped), u"ad-value"_s);
        const auto recorded = latestRun();
        QVERIFY(recorded);
        QCOMPARE(recorded->objects.front().result, u"skipped"_s);
        QCOMPARE(recorded->objects.front().skipReason, u"NotInScope"_s);
        QCOMPARE(recorded->objects.front().verified, u"drift"_s);
    }

    void anAgentWithoutRightsFailsWithInsufficientRights()
    {
        // The agent's account loses its write rights: AD refuses its write (insufficientAccessRights, 50), which
        // Cloud Sync reports as the documented InsufficientRights.
        QVERIFY(setAgentInAccountOperators(false));
        const auto run = provision(kRefused);
        QVERIFY(setAgentInAccountOperators(true));
        QCOMPARE(run.code, 1);
        QVERIFY2(run.out.contains(u"Cloud Sync failed (InsufficientRights)"_s), qPrintable(run.out));
        QCOMPARE(extensionAttribute1(kRefused), u"ad-value"_s);
        const auto recorded = latestRun();
        QVERIFY(recorded);
        QCOMPARE(recorded->objects.front().result, u"failure"_s);
        QCOMPARE(recorded->objects.front().errorCode, u"InsufficientRights"_s);
        QCOMPARE(recorded->objects.front().verified, u"drift"_s);
    }

    void forbiddenStopsTheRunNamingThePermission()
    {
        m_onDemand.setBehaviour(kRefused.entraId, OnDemandEmulator::Behaviour::Forbidden);
        const auto run = provision(kRefused);
        m_onDemand.setBehaviour(kRefused.entraId, OnDemandEmulator::Behaviour::Write);
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(u"Synchronization.ReadWrite.All"_s), qPrintable(run.err));
        QVERIFY2(run.out.contains(u"not asked (the run stopped first)"_s), qPrintable(run.out));
        const auto recorded = latestRun();
        QVERIFY(recorded);
        QCOMPARE(recorded->state, u"stopped"_s);
        QVERIFY(recorded->message.contains(u"Synchronization.ReadWrite.All"_s));
        QVERIFY(recorded->objects.front().result.isEmpty());
    }

    // Without --service-principal and --job, the job is Cloud Sync's own answer: its service principal found by
    // the application template, its writeback job (the only one, naming no domain, serves every domain).
    void theJobIsFoundLiveWhenNotNamed()
    {
        QJsonObject job{{u"id"_s, kJob},
                        {u"templateId"_s, u"Entra2ADExchangeOnlineAttributeWriteback"_s},
                        {u"schedule"_s, QJsonObject{{u"interval"_s, u"PT20M"_s}, {u"state"_s, u"Active"_s}}},
                        {u"status"_s, QJsonObject{{u"code"_s, u"Active"_s}}}};
        m_emulator->sync().addServicePrincipal(kSp);
        m_emulator->sync().addJob(kSp, job);
        const auto run = provision(kFixed, false);
        QVERIFY2(run.code == 0, qPrintable(run.out + run.err));
        QVERIFY2(run.err.contains(u"Writeback job %1 (service principal %2)."_s.arg(kJob, kSp)), qPrintable(run.err));
        const auto recorded = latestRun();
        QVERIFY(recorded);
        QCOMPARE(recorded->jobId, kJob);
        QCOMPARE(recorded->servicePrincipalId, kSp);
    }

    // Neither named nor known to Cloud Sync: said, with the way out, and nothing asked.
    void anUnknownJobIsSaid()
    {
        const int asked = m_onDemand.provisionRequests();
        m_emulator->sync() = SyncEmulator(); // Cloud Sync without the writeback
        const auto run = provision(kFixed, false);
        QCOMPARE(run.code, 1);
        QVERIFY2(run.err.contains(u"--service-principal ID --job ID"_s), qPrintable(run.err));
        QCOMPARE(m_onDemand.provisionRequests(), asked);
    }
};

QTEST_GUILESS_MAIN(TestProvisionOnDemandLive)
#include "TestProvisionOnDemandLive.moc"
