// SPDX-License-Identifier: Apache-2.0
// LdifWriter: RFC 2849 output that LdifReader reads back byte for byte.
#include "LdifReader.h"
#include "LdifWriter.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Entry {
    QByteArray dn;
    QList<std::pair<QByteArray, QByteArray>> values;
    friend bool operator==(const Entry&, const Entry&) = default;
};

QByteArray write(const QList<Entry>& entries, QByteArrayView comment = {})
{
    QByteArray out;
    LdifWriter writer([&](const QByteArray& chunk) { out += chunk; }, comment);
    for (const Entry& e : entries) {
        std::vector<LdifAttribute> attributes;
        for (const auto& [name, value] : e.values)
            attributes.push_back(LdifAttribute{name, value, 0});
        writer.writeEntry(e.dn, attributes);
    }
    return out;
}

QList<Entry> read(const QByteArray& ldif)
{
    QList<Entry> entries;
    LdifReader reader(ldif, u"written.ldif"_s);
    const auto readResult = reader.read([&](const LdifEntry& entry) -> Result<void> {
        Entry e{entry.dn.toByteArray(), {}};
        for (const LdifAttribute& a : entry.attributes)
            e.values.append({a.name.toByteArray(), a.value.toByteArray()});
        entries.append(std::move(e));
        return {};
    });
    if (!readResult)
        qWarning("%s", qPrintable(readResult.error().toString()));
    return entries;
}

} // namespace

class TestLdifWriter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void safeStrings_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<bool>("safe");
        QTest::newRow("plain") << QByteArray("SMTP:a@contoso.com") << true;
        QTest::newRow("empty") << QByteArray() << true;
        QTest::newRow("inner colon and <") << QByteArray("a:b<c") << true;
        QTest::newRow("leading space") << QByteArray(" a") << false;
        QTest::newRow("leading colon") << QByteArray(":a") << false;
        QTest::newRow("leading <") << QByteArray("<a") << false;
        QTest::newRow("trailing space") << QByteArray("a ") << false;
        QTest::newRow("newline") << QByteArray("a\nb") << false;
        QTest::newRow("CR") << QByteArray("a\rb") << false;
        QTest::newRow("NUL") << QByteArray("a\0b", 3) << false;
        QTest::newRow("non-ASCII") << QByteArray("Müller") << false;
    }
    void safeStrings()
    {
        QFETCH(QByteArray, value);
        QFETCH(bool, safe);
        QCOMPARE(LdifWriter::isSafeString(value), safe);
    }

    void writesPlainAndBase64()
    {
        const QByteArray guid = QByteArray::fromHex("00112233445566778899aabbccddeeff");
        const QByteArray ldif = write(
            {{"CN=Müller\\, Jürgen,DC=x", {{"mail", "j@x.com"}, {"objectGUID", guid}, {"extensionAttribute2", " x "}}}},
            "Sunset dump\nsecond line");
        QCOMPARE(ldif, "# Sunset dump\n# second line\nversion: 1\n\n"
                       "dn:: " +
                           QByteArray("CN=Müller\\, Jürgen,DC=x").toBase64() +
                           "\n"
                           "mail: j@x.com\n"
                           "objectGUID:: " +
                           guid.toBase64() +
                           "\n"
                           "extensionAttribute2:: IHgg\n\n");
    }

    void binaryAttributesAlwaysBase64()
    {
        QVERIFY(LdifWriter::isBinaryAttribute("objectGUID"));
        QVERIFY(LdifWriter::isBinaryAttribute("OBJECTSID"));
        QVERIFY(LdifWriter::isBinaryAttribute("mS-DS-ConsistencyGuid"));
        QVERIFY(LdifWriter::isBinaryAttribute("userCertificate;binary"));
        QVERIFY(LdifWriter::isBinaryAttribute("replPropertyMetaData")); // replication metadata and what decodes it
        QVERIFY(LdifWriter::isBinaryAttribute("invocationId"));
        QVERIFY(!LdifWriter::isBinaryAttribute("proxyAddresses"));
        // Bytes that happen to be printable ASCII still go out as base64.
        QVERIFY(write({{"CN=a", {{"objectSid", "ABCD"}}}}).contains("objectSid:: QUJDRA==\n"));
    }

    void foldsAt76()
    {
        const QByteArray value(200, 'v');
        const QByteArray ldif = write({{"CN=a", {{"description", value}}}});
        const QByteArrayList lines = ldif.split('\n');
        for (const QByteArray& line : lines)
            QVERIFY2(line.size() <= LdifWriter::kFoldColumn, line.constData());
        QCOMPARE(lines[3].size(), LdifWriter::kFoldColumn); // "description: vvv…"
        QVERIFY(lines[4].startsWith(' '));
        QCOMPARE(read(ldif).first().values.first().second, value);
    }

    void roundTrip()
    {
        QByteArray allBytes;
        for (int b = 0; b < 256; ++b)
            allBytes += char(b);
        const QList<Entry> entries = {
            {"CN=Smith \\+ Jones,OU=Sales,DC=sunset,DC=test",
             {{"proxyAddresses", "SMTP:a@x.com"},
              {"proxyAddresses", "smtp:b@x.com"},
              {"extensionAttribute3", "line one\nline two"}}},
            {"CN=\\#Hashtag,DC=x",
             {{"extensionAttribute4", ":starts with a colon"},
              {"extensionAttribute5", "日本語の値"},
              {"mS-DS-ConsistencyGuid", allBytes},
              {"description", QByteArray(500, 'x') + ' '},
              {"empty", ""}}},
            {"", {{"defaultNamingContext", "DC=x"}}}, // the root DSE's empty DN
        };
        QCOMPARE(read(write(entries)), entries);
    }
};

QTEST_GUILESS_MAIN(TestLdifWriter)
#include "TestLdifWriter.moc"
