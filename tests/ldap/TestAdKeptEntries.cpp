// SPDX-License-Identifier: Apache-2.0
// AdKeptEntries: the binary file an incremental AD rescan keeps reads back entry for entry (binary values,
// ranged names, empty values), a record copied as it is reads back the same, and a damaged, cut or miscounted
// file is refused before any entry is handed out.
#include "AdKeptEntries.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// A DN and its (name, value) pairs in order.
using Entry = std::pair<QByteArray, QList<std::pair<QByteArray, QByteArray>>>;

const QByteArray kGuidA = QByteArray::fromHex("00112233445566778899aabbccddeeff");
const QByteArray kGuidB = QByteArray::fromHex("ffeeddccbbaa99887766554433221100");

QList<Entry> sample()
{
    return {
        {"CN=Ana Müller,OU=Remote Mailboxes,DC=sunset,DC=test",
         {{"objectGUID", kGuidA},
          {"objectSid", QByteArray("\x01\x05\0\0\0\0\0\x05\x15\0\0\0", 12)},
          {"proxyAddresses;range=0-1", "SMTP:ana@sunset.test"},
          {"proxyAddresses;range=0-1", "smtp:a\nna@sunset.test"},
          {"description", ""}}},
        {"CN=B\\,C,DC=sunset,DC=test", {{"objectGUID", kGuidB}, {"mail", "b@sunset.test"}}},
    };
}

Entry toEntry(const LdifEntry& entry)
{
    Entry e{entry.dn.toByteArray(), {}};
    for (const LdifAttribute& a : entry.attributes)
        e.second.append({a.name.toByteArray(), a.value.toByteArray()});
    return e;
}

// Why a step failed, for the test's message; empty when it worked.
QString failureOf(const Expected<void, QString>& step)
{
    return step ? QString() : step.error();
}

// Writes entries to path; the SHA-256 the cursor would keep (empty when writing failed).
QByteArray write(const QString& path, const QList<Entry>& entries)
{
    AdKeptEntriesWriter writer(path);
    if (!writer.open())
        return {};
    for (const auto& [dn, values] : entries) {
        std::vector<LdifAttribute> attributes;
        for (const auto& [name, value] : values)
            attributes.push_back(LdifAttribute{name, value, 0});
        writer.write(LdifEntry{dn, 0, attributes});
    }
    QByteArray sha256;
    return writer.commit(sha256) ? sha256 : QByteArray();
}

} // namespace

class TestAdKeptEntries final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTripsAndCopiesRecords()
    {
        QTemporaryDir dir;
        const QString first = dir.filePath(u"first.bin"_s);
        const QByteArray sha = write(first, sample());
        QVERIFY(!sha.isEmpty());
        QVERIFY(!(QFile(first).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)));

        // Read back, each record copied into a second file as a rescan keeps an unchanged entry.
        AdKeptEntries kept(first);
        const auto keptOpened = kept.open(sha, 2);
        QVERIFY2(keptOpened, qPrintable(failureOf(keptOpened)));
        QList<Entry> read;
        const QString second = dir.filePath(u"second.bin"_s);
        AdKeptEntriesWriter copy(second);
        const auto copyOpened = copy.open();
        QVERIFY2(copyOpened, qPrintable(failureOf(copyOpened)));
        const auto readBack = kept.read([&](const LdifEntry& entry, QByteArrayView record) -> Result<void> {
            read.append(toEntry(entry));
            copy.writeRecord(record);
            return {};
        });
        QVERIFY(readBack);
        QCOMPARE(read, sample());
        QByteArray copiedSha;
        const auto copyCommitted = copy.commit(copiedSha);
        QVERIFY2(copyCommitted, qPrintable(failureOf(copyCommitted)));
        QCOMPARE(copiedSha, sha); // the same bytes
    }

    // What an incremental rescan reads again is gathered in memory while the kept entries are merged, then
    // written after them: the file is the one writing each entry directly would give, and it reads back.
    void entriesGatheredInMemoryJoinTheFile()
    {
        QTemporaryDir dir;
        const QString direct = dir.filePath(u"direct.bin"_s);
        const QByteArray directSha = write(direct, sample());
        QVERIFY(!directSha.isEmpty());

        AdEntryRecords gathered(u"the changed mailboxes"_s);
        for (const auto& [dn, values] : sample()) {
            std::vector<LdifAttribute> attributes;
            for (const auto& [name, value] : values)
                attributes.push_back(LdifAttribute{name, value, 0});
            gathered.add(LdifEntry{dn, 0, attributes});
        }
        QCOMPARE(gathered.size(), 2);
        QList<Entry> inMemory;
        QVERIFY(gathered.read([&](const LdifEntry& entry) -> Result<void> {
            inMemory.append(toEntry(entry));
            return {};
        }));
        QCOMPARE(inMemory, sample());

        const QString joined = dir.filePath(u"joined.bin"_s);
        AdKeptEntriesWriter writer(joined);
        QVERIFY(writer.open());
        writer.writeRecords(gathered);
        QCOMPARE(writer.entries(), 2);
        QByteArray joinedSha;
        QVERIFY(writer.commit(joinedSha));
        QCOMPARE(joinedSha, directSha);
        AdKeptEntries kept(joined);
        QVERIFY(kept.open(joinedSha, 2));

        // An entry without objectGUID gathered in memory is refused when the file is put in place, as written.
        AdEntryRecords withoutGuid(u"the changed mailboxes"_s);
        const std::vector<LdifAttribute> mailOnly{LdifAttribute{"mail", "x@sunset.test", 0}};
        withoutGuid.add(LdifEntry{"CN=X,DC=sunset,DC=test", 0, mailOnly});
        AdKeptEntriesWriter refused(dir.filePath(u"refused.bin"_s));
        QVERIFY(refused.open());
        refused.writeRecords(withoutGuid);
        QByteArray refusedSha;
        const auto committed = refused.commit(refusedSha);
        QVERIFY(!committed && committed.error().contains(u"CN=X,DC=sunset,DC=test has no objectGUID"_s));
    }

    void entryWithoutGuidIsNotKept()
    {
        QTemporaryDir dir;
        AdKeptEntriesWriter writer(dir.filePath(u"kept.bin"_s));
        const auto opened = writer.open();
        QVERIFY2(opened, qPrintable(failureOf(opened)));
        const std::vector<LdifAttribute> attributes{LdifAttribute{"mail", "x@sunset.test", 0}};
        writer.write(LdifEntry{"CN=X,DC=sunset,DC=test", 0, attributes});
        QByteArray sha;
        const auto committed = writer.commit(sha);
        QVERIFY(!committed && committed.error().contains(u"CN=X,DC=sunset,DC=test has no objectGUID"_s));
        QVERIFY(!QFile::exists(dir.filePath(u"kept.bin"_s)));
    }

    void damagedFilesAreRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("message");
        QTest::newRow("a byte changed") << u"flip"_s << u"damaged (their SHA-256"_s;
        QTest::newRow("cut") << u"cut"_s << u"end mid-way"_s;
        QTest::newRow("other count") << u"count"_s << u"hold 2 entries where the cursor recorded 3"_s;
        QTest::newRow("no header") << u"header"_s << u"not Sunset's"_s;
    }

    void damagedFilesAreRefused()
    {
        QFETCH(QString, damage);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"kept.bin"_s);
        QByteArray sha = write(path, sample());
        QVERIFY(!sha.isEmpty());
        qint64 count = 2;
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray bytes = file.readAll();
        file.close();
        if (damage == u"flip"_s) {
            bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x20);
        } else if (damage == u"cut"_s) {
            bytes.chop(3);
            sha = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex(); // consistent, but cut
        } else if (damage == u"count"_s) {
            count = 3;
        } else {
            bytes[0] = 'X';
            sha = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
        }
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QCOMPARE(file.write(bytes), bytes.size());
        file.close();
        AdKeptEntries kept(path);
        const auto opened = kept.open(sha, count);
        QVERIFY(!opened);
        QVERIFY2(opened.error().contains(message), qPrintable(opened.error()));
    }
};

QTEST_GUILESS_MAIN(TestAdKeptEntries)
#include "TestAdKeptEntries.moc"
