// SPDX-License-Identifier: Apache-2.0
// AD's replication metadata read live from Samba: an originating write moves the attribute's version, time and
// DC; sunset-cli dump carries the metadata and what decodes it, and its LDIF reads back to the same metadata.
// Its mailbox lives in an OU of its own; a whole-domain scan would count it, so the test holds the
// SambaSeededMailboxes lock (tests/support/samba/CMakeLists.txt).
#include "support/CliRun.h"
#include "AdSnapshotReader.h"
#include "Identity.h"
#include "LdapConnection.h"
#include "LdapSnapshotReader.h"
#include "support/samba/SambaLiveRead.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;
using sunset::test::cli;

namespace {

const AttributeLastChange* find(const std::vector<AttributeLastChange>& changes, AttributeId id)
{
    for (const AttributeLastChange& change : changes) {
        if (change.attribute == id)
            return &change;
    }
    return nullptr;
}

QString describe(const AdChangeMetadata& metadata, const AttributeLastChange& c)
{
    return u"%1 v%2 at %3 by %4 (%5)"_s.arg(AttributeCatalog::spec(c.attribute).ldapName)
        .arg(c.version)
        .arg(c.originatingChangeMsecs)
        .arg(metadata.invocationId(c), metadata.dcName(c));
}

// Resident memory of this process, from /proc (Linux), for the figures the test logs.
qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * 4096 : 0;
}

// What the metadata holds in memory, counted from its parts: the hash's nodes and keys, the vectors, the strings
// (interned: each DC's two strings once).
qint64 metadataBytes(const AdChangeMetadata& metadata)
{
    qint64 bytes = 0;
    for (auto it = metadata.cbegin(); it != metadata.cend(); ++it) {
        bytes += qint64(sizeof(QByteArray) + sizeof(std::vector<AttributeLastChange>)) + 16; // node and span slot
        bytes += it.key().capacity() + 16;                                                  // key data and header
        bytes += qint64(it->capacity() * sizeof(AttributeLastChange));
    }
    return bytes;
}

} // namespace

class TestReplicationMetadataLive final : public QObject {
    Q_OBJECT

    SambaTestDomain m_domain;
    QByteArray m_ou;
    QByteArray m_mailbox;
    QTemporaryDir m_dir;

    std::optional<QByteArray> ldapTool(const QString& tool, const QStringList& arguments, const QByteArray& input = {},
                                       bool mayFail = false)
    {
        return m_domain.runLdapTool(tool, arguments, input, mayFail);
    }

    qint64 dcTime() { return sambaDcTime(m_domain); }
    Result<Snapshot> readLive(const QByteArray& baseDn, bool metadata = true)
    {
        return readSambaSnapshot(m_domain, baseDn, metadata);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_domain = SambaTestDomain::load();
        QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
        QVERIFY(m_dir.isValid());
        m_ou = "OU=Sunset Replication Metadata Tests," + m_domain.baseDn();
        m_mailbox = "CN=Repl Meta," + m_ou;
        ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}, {}, true); // a leftover of an aborted run
        const QByteArray ldif = "dn: " + m_ou + "\nobjectClass: organizationalUnit\n\n"
                                "dn: " + m_mailbox + "\nobjectClass: user\nsAMAccountName: replmeta\n"
                                "userPrincipalName: repl.meta@sunset-replmeta.test\nmail: repl.meta@sunset-replmeta.test\n"
                                "mailNickname: repl.meta\nproxyAddresses: SMTP:repl.meta@sunset-replmeta.test\n"
                                "msExchRecipientTypeDetails: 2147483648\nextensionAttribute1: first\n\n";
        QVERIFY(ldapTool(u"ldapadd"_s, {}, ldif));
    }

    void cleanupTestCase()
    {
        if (!m_ou.isEmpty())
            QVERIFY(ldapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}));
    }

    void anOriginatingWriteMovesTheMetadata()
    {
        const auto first = readLive(m_ou);
        QVERIFY2(first.ok(), first ? "" : qPrintable(first.error().toString()));
        QCOMPARE(first->records.size(), size_t(1));
        QVERIFY(first->changeMetadata.contains(m_mailbox));
        const auto& before = first->changeMetadata.value(m_mailbox);
        const AttributeLastChange* ext1 = find(before, AttributeId::ExtensionAttribute1);
        QVERIFY(ext1);
        // Both ways an attid names an attribute: the static prefix table (mail, 0.9.2342.19200300.100.1.3) and
        // msDS-IntId (an Exchange attribute added by a schema extension).
        QVERIFY(find(before, AttributeId::Mail));
        const AttributeLastChange* type = find(before, AttributeId::MsExchRecipientTypeDetails);
        QVERIFY(type);
        QVERIFY(!find(before, AttributeId::TargetAddress)); // never set: no metadata
        const quint32 version = ext1->version;
        const AttributeLastChange typeBefore = *type;

        const qint64 from = dcTime();
        QVERIFY(from > 0);
        QVERIFY(ldapTool(u"ldapmodify"_s, {},
                         "dn: " + m_mailbox + "\nchangetype: modify\nreplace: extensionAttribute1\n"
                                              "extensionAttribute1: second\n-\n"));
        const qint64 to = dcTime();
        QVERIFY(to >= from);

        const auto second = readLive(m_ou);
        QVERIFY2(second.ok(), second ? "" : qPrintable(second.error().toString()));
        const auto& after = second->changeMetadata.value(m_mailbox);
        const AttributeLastChange* moved = find(after, AttributeId::ExtensionAttribute1);
        QVERIFY(moved);
        QCOMPARE(moved->version, version + 1);
        QVERIFY2(moved->originatingChangeMsecs >= from && moved->originatingChangeMsecs <= to,
                 qPrintable(describe(second->changeMetadata, *moved) + u" not within [%1, %2]"_s.arg(from).arg(to)));
        QVERIFY2(second->changeMetadata.dcName(*moved).compare(m_domain.value("SUNSET_TEST_DC_HOSTNAME"),
                                                                Qt::CaseInsensitive) == 0,
                 qPrintable(describe(second->changeMetadata, *moved)));
        QCOMPARE(second->changeMetadata.invocationId(*moved).size(), 36);
        // The attribute not written keeps its stamp.
        const AttributeLastChange* typeAfter = find(after, AttributeId::MsExchRecipientTypeDetails);
        QVERIFY(typeAfter);
        QCOMPARE(typeAfter->version, typeBefore.version);
        QCOMPARE(typeAfter->originatingChangeMsecs, typeBefore.originatingChangeMsecs);
    }

    void dumpCarriesTheMetadata()
    {
        const QString path = m_dir.filePath(u"dump.ldif"_s);
        const auto run = cli({u"dump"_s, u"--ad"_s, m_domain.ldapsUri(), u"--bind"_s, m_domain.bindUpn(),
                              u"--password-file"_s, m_domain.passwordFile(), u"--ca"_s, m_domain.caFile(),
                              u"--base"_s, QString::fromUtf8(m_ou), u"--ldif"_s, path});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray ldif = file.readAll();
        QVERIFY(ldif.contains("\nreplPropertyMetaData:: "));
        QVERIFY(ldif.contains("\ninvocationId:: "));
        QVERIFY(ldif.contains("\nobjectClass: attributeSchema"));

        const auto dumped = readAdSnapshotFromLdif(ldif, path);
        QVERIFY2(dumped.ok(), dumped ? "" : qPrintable(dumped.error().toString()));
        const auto live = readLive(m_ou);
        QVERIFY2(live.ok(), live ? "" : qPrintable(live.error().toString()));
        QCOMPARE(dumped->skippedEntries, live->skippedEntries);
        QCOMPARE(dumped->changeMetadata.keys(), live->changeMetadata.keys());
        const auto& a = live->changeMetadata.value(m_mailbox);
        const auto& b = dumped->changeMetadata.value(m_mailbox);
        QCOMPARE(b.size(), a.size());
        for (size_t i = 0; i < a.size(); ++i)
            QCOMPARE(describe(dumped->changeMetadata, b[i]), describe(live->changeMetadata, a[i]));
        QVERIFY(!a.empty() && !live->changeMetadata.dcName(a.front()).isEmpty());

        // Without the dictionary entries the blobs cannot be named: the mailboxes read as before, no metadata.
        QByteArray bare;
        for (qsizetype at = 0; at < ldif.size();) {
            const qsizetype end = ldif.indexOf("\n\n", at);
            const QByteArray entry = ldif.sliced(at, (end < 0 ? ldif.size() : end) - at);
            at = end < 0 ? ldif.size() : end + 2;
            if (!entry.contains("objectClass: attributeSchema") && !entry.contains("invocationId::") &&
                !entry.contains("objectClass: server"))
                bare += entry + "\n\n";
        }
        const auto undecoded = readAdSnapshotFromLdif(bare, path);
        QVERIFY2(undecoded.ok(), undecoded ? "" : qPrintable(undecoded.error().toString()));
        QCOMPARE(undecoded->records.size(), size_t(1));
        QVERIFY(undecoded->changeMetadata.isEmpty());
    }

    // Not a pass/fail check: the cost of the metadata on the seeded domain, logged for the record.
    void costOnTheSeededMailboxes()
    {
        QElapsedTimer timer;
        timer.start();
        const qint64 rss0 = residentBytes();
        const auto plain = readLive(m_domain.baseDn(), false);
        const qint64 plainMs = timer.restart();
        QVERIFY(plain.ok());
        const qint64 rss1 = residentBytes();
        const auto withMetadata = readLive(m_domain.baseDn(), true);
        const qint64 metadataMs = timer.elapsed();
        QVERIFY(withMetadata.ok());
        const qint64 rss2 = residentBytes();
        qint64 changes = 0;
        for (const auto& list : withMetadata->changeMetadata)
            changes += qint64(list.size());
        qInfo("%zu mailboxes: read %lld ms without metadata, %lld ms with; %lld objects, %lld attribute stamps, "
              "about %lld bytes of metadata (%lld per mailbox); resident memory +%lld kB for the plain snapshot, "
              "+%lld kB for the one with metadata",
              withMetadata->records.size(), plainMs, metadataMs, qint64(withMetadata->changeMetadata.size()), changes,
              metadataBytes(withMetadata->changeMetadata),
              metadataBytes(withMetadata->changeMetadata) / qMax<qint64>(1, withMetadata->changeMetadata.size()),
              (rss1 - rss0) / 1024, (rss2 - rss1) / 1024);
        QCOMPARE(qint64(withMetadata->changeMetadata.size()), qint64(withMetadata->records.size()));
    }
};

QTEST_GUILESS_MAIN(TestReplicationMetadataLive)
#include "TestReplicationMetadataLive.moc"
