// SPDX-License-Identifier: Apache-2.0
#include "TestExoMailboxCsvReader.h"

#include "ExoMailboxCsvReader.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QStringList values(const MailboxRecord& r, CloudProperty p)
{
    return r.cloudValues(p).toStringList();
}
CloudProperty customAttribute(int n)
{
    return CloudProperty(int(CloudProperty::CustomAttribute1) + n - 1);
}
CloudProperty extensionCustomAttribute(int n)
{
    return CloudProperty(int(CloudProperty::ExtensionCustomAttribute1) + n - 1);
}

Result<Snapshot> read(const QByteArray& csv, char separator = ';')
{
    return readExoMailboxesCsv(csv, u"mbx.csv"_s, nullptr, {}, separator);
}

ImportError errorOf(const QByteArray& csv)
{
    const Result<Snapshot> r = read(csv);
    return r.ok() ? ImportError{{}, 0, {}, u"(no error)"_s} : r.error();
}

QString describe(const Result<Snapshot>& r)
{
    return r.ok() ? QString() : r.error().toString();
}

// What Windows PowerShell 5.1 writes for
//   Get-Mailbox | Select UserPrincipalName,PrimarySmtpAddress,DisplayName,RecipientTypeDetails,IsDirSynced,
//     @{n='EmailAddresses';e={$_.EmailAddresses -join ';'}},CustomAttribute1,WhenChanged | Export-Csv out.csv
const QByteArray kExport =
    "#TYPE Selected.Microsoft.Exchange.Data.Directory.Management.Mailbox\r\n"
    "\"UserPrincipalName\",\"PrimarySmtpAddress\",\"DisplayName\",\"RecipientTypeDetails\",\"IsDirSynced\","
    "\"EmailAddresses\",\"CustomAttribute1\",\"WhenChanged\"\r\n"
    "\"a@contoso.com\",\"a@contoso.com\",\"Anna \"\"The Boss\"\" Adams\",\"UserMailbox\",\"True\","
    "\"smtp:a@contoso.onmicrosoft.com;SMTP:a@contoso.com;X400:C=US;A= ;P=Contoso;O=Exchange;S=Adams;G=Anna;;"
    "X500:/o=First Organization/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=anna\","
    "\"  two spaces  \",\"6/29/2022 5:57:03 PM\"\r\n"
    "\"b@contoso.com\",\"\",\"Line one\r\nLine two\",\"SharedMailbox\",\"False\",\"SMTP:b@contoso.com\",\"\","
    "\"29.06.2022 17:57:03\"\r\n";

} // namespace

void TestExoMailboxCsvReader::typeLineQuotesAndEmbeddedNewlines()
{
    Result<Snapshot> r = read(kExport);
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    const Snapshot& s = r.value();
    QCOMPARE(s.side, Side::Cloud);
    QCOMPARE(s.source, u"mbx.csv"_s);
    QCOMPARE(s.records.size(), size_t(2));

    const MailboxRecord& a = s.records[0];
    QCOMPARE(a.sourceLine(), qint64(3)); // #TYPE is line 1, the header line 2
    QCOMPARE(a.identityText(IdentityField::DisplayName), u"Anna \"The Boss\" Adams"_s);
    QCOMPARE(a.identityText(IdentityField::DirSynced), u"true"_s);
    QCOMPARE(values(a, CloudProperty::RecipientTypeDetails), QStringList{u"UserMailbox"_s});
    QCOMPARE(values(a, customAttribute(1)), QStringList{u"  two spaces  "_s});
    QCOMPARE(a.whenChangedMsecs(), 1656525423000LL);
    // X400 holds ';' and is re-attached; the X500 value with spaces and parentheses stays whole.
    QCOMPARE(
        values(a, CloudProperty::EmailAddresses),
        (QStringList{
            u"smtp:a@contoso.onmicrosoft.com"_s, u"SMTP:a@contoso.com"_s,
            u"X400:C=US;A= ;P=Contoso;O=Exchange;S=Adams;G=Anna;"_s,
            u"X500:/o=First Organization/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=anna"_s}));

    const MailboxRecord& b = s.records[1];
    QCOMPARE(b.sourceLine(), qint64(4));
    QCOMPARE(b.identityText(IdentityField::DisplayName), u"Line one\r\nLine two"_s);
    QCOMPARE(b.identityText(IdentityField::PrimarySmtpAddress), u"b@contoso.com"_s); // from EmailAddresses
    QCOMPARE(values(b, CloudProperty::WindowsEmailAddress), QStringList{u"b@contoso.com"_s});
    QVERIFY(!b.has(IdentityField::WhenChangedMsecs)); // a culture-specific date is left out, not an error
    QCOMPARE(s.newestChangeMsecs, 1656525423000LL);
}

void TestExoMailboxCsvReader::lineNumbersCountEmbeddedNewlines()
{
    const QByteArray csv = "UserPrincipalName,DisplayName\n\"a@x\",\"1\n2\n3\"\n\"b@x\",\"x\"\n";
    Result<Snapshot> r = read(csv);
    QVERIFY(r.ok());
    QCOMPARE(r.value().records[0].sourceLine(), qint64(2));
    QCOMPARE(r.value().records[1].sourceLine(), qint64(5));
}

void TestExoMailboxCsvReader::headerIsCaseInsensitiveAndUnquotedFieldsWork()
{
    const QByteArray csv = "userprincipalname,EXTENSIONCUSTOMATTRIBUTE1,Other\na@x,one;two; three ,ignored\n";
    Result<Snapshot> r = read(csv);
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    QCOMPARE(values(r.value().records[0], extensionCustomAttribute(1)),
             (QStringList{u"one"_s, u"two"_s, u" three "_s})); // kept exactly
}

void TestExoMailboxCsvReader::otherSeparator()
{
    const QByteArray csv = "UserPrincipalName,EmailAddresses\n\"a@x\",\"SMTP:a@x smtp:b@x X500:/o=Org/cn=A B\"\n";
    Result<Snapshot> r = readExoMailboxesCsv(csv, u"s.csv"_s, nullptr, {}, ' ');
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    QCOMPARE(values(r.value().records[0], CloudProperty::EmailAddresses),
             (QStringList{u"SMTP:a@x"_s, u"smtp:b@x"_s, u"X500:/o=Org/cn=A B"_s}));
}

void TestExoMailboxCsvReader::semicolonDelimiter()
{
    // Export-Csv -UseCulture under de-DE: ';' between columns, addresses joined with ';' inside quotes.
    const QByteArray csv = "\"UserPrincipalName\";\"EmailAddresses\";\"DisplayName\"\r\n"
                           "\"a@x\";\"SMTP:a@x;smtp:b@x\";\"Müller, Jürgen\"\r\n";
    Result<Snapshot> r = read(csv);
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    const MailboxRecord& m = r.value().records[0];
    QCOMPARE(values(m, CloudProperty::EmailAddresses), (QStringList{u"SMTP:a@x"_s, u"smtp:b@x"_s}));
    QCOMPARE(m.identityText(IdentityField::DisplayName), u"Müller, Jürgen"_s);
}

void TestExoMailboxCsvReader::sentinels_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("ArrayList") << "System.Collections.ArrayList"_ba;
    QTest::newRow("ProxyAddressCollection") << "Microsoft.Exchange.Data.ProxyAddressCollection"_ba;
    QTest::newRow("MultiValuedProperty") << "Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]"_ba;
    QTest::newRow("Object[]") << "System.Object[]"_ba;
    QTest::newRow("Deserialized") << "Deserialized.Microsoft.Exchange.Data.ProxyAddressCollection"_ba;
}

void TestExoMailboxCsvReader::sentinels()
{
    QFETCH(QByteArray, value);
    const QByteArray csv = "\"UserPrincipalName\",\"EmailAddresses\"\r\n\"a@x\",\"SMTP:a@x\"\r\n"
                           "\"b@x\",\"" +
                           value + "\"\r\n";
    const ImportError e = errorOf(csv);
    QCOMPARE(e.line, 3);
    QVERIFY2(e.message.contains(u"column EmailAddresses"_s), qPrintable(e.message));
    QVERIFY(e.message.contains(QString::fromUtf8(value)));
    QVERIFY(e.message.contains(u"Flatten it in the export: @{n='EmailAddresses';e={$_.EmailAddresses -join ';'}}"_s));

    const QByteArray other = "\"PrimarySmtpAddress\",\"ExtensionCustomAttribute2\"\r\n\"a@x\",\"" + value + "\"\r\n";
    const ImportError e2 = errorOf(other);
    QCOMPARE(e2.line, 2);
    QVERIFY(e2.message.contains(u"@{n='ExtensionCustomAttribute2';e={$_.ExtensionCustomAttribute2 -join ';'}}"_s));
}

void TestExoMailboxCsvReader::sentinelInUnusedColumnIsFine()
{
    const QByteArray csv = "UserPrincipalName,GrantSendOnBehalfTo\na@x,System.Collections.ArrayList\n";
    QVERIFY(read(csv).ok());
}

void TestExoMailboxCsvReader::wrongFieldCount()
{
    const QByteArray csv = "\"UserPrincipalName\",\"Alias\"\r\n\"a@x\",\"a\"\r\n\"b@x\",\"b\",\"extra\"\r\n";
    const ImportError e = errorOf(csv);
    QCOMPARE(e.line, 3);
    QCOMPARE(e.file, u"mbx.csv"_s);
    QVERIFY2(e.message.contains(u"3 fields but the header has 2 columns"_s), qPrintable(e.message));
    QVERIFY(errorOf("UserPrincipalName,Alias\na@x\n").message.contains(u"1 fields but the header has 2"_s));
}

void TestExoMailboxCsvReader::missingIdentityColumns()
{
    const ImportError e = errorOf("#TYPE x\n\"DisplayName\",\"Alias\"\n\"A\",\"a\"\n");
    QCOMPARE(e.line, 2);
    QVERIFY2(e.message.contains(u"no UserPrincipalName, PrimarySmtpAddress or ExternalDirectoryObjectId column"_s),
             qPrintable(e.message));
    QVERIFY(e.message.contains(u"DisplayName, Alias"_s));
}

void TestExoMailboxCsvReader::missingIdentityValues()
{
    const ImportError e = errorOf("UserPrincipalName,PrimarySmtpAddress,DisplayName\na@x,,A\n,,Nobody\n");
    QCOMPARE(e.line, 3);
    QVERIFY(e.message.contains(u"cannot be matched"_s));
}

void TestExoMailboxCsvReader::badValues()
{
    const ImportError guid = errorOf("UserPrincipalName,ExternalDirectoryObjectId\na@x,\"\"\nb@x,xyz\n");
    QCOMPARE(guid.line, 3);
    QVERIFY2(guid.message.contains(u"column ExternalDirectoryObjectId"_s), qPrintable(guid.message));
    QVERIFY(guid.message.contains(u"is not a GUID"_s));
    const ImportError flag = errorOf("UserPrincipalName,IsDirSynced\na@x,Ja\n");
    QCOMPARE(flag.line, 2);
    QVERIFY(flag.message.contains(u"column IsDirSynced: expected True or False, found \"Ja\""_s));
}

void TestExoMailboxCsvReader::malformedQuoting()
{
    const ImportError open = errorOf("UserPrincipalName,Alias\n\"a@x\",\"never closed\nb@x,b\n");
    QCOMPARE(open.line, 2);
    QVERIFY2(open.message.contains(u"not closed"_s), qPrintable(open.message));
    const ImportError after = errorOf("UserPrincipalName,Alias\n\"a@x\"x,\"a\"\n");
    QCOMPARE(after.line, 2);
    QVERIFY(after.message.contains(u"after a closing quote"_s));
}

void TestExoMailboxCsvReader::emptyFile()
{
    QVERIFY(errorOf("").message.contains(u"empty"_s));
    Result<Snapshot> headerOnly = read("UserPrincipalName\r\n");
    QVERIFY(headerOnly.ok());
    QVERIFY(headerOnly.value().records.empty());
}

void TestExoMailboxCsvReader::utf8Bom()
{
    Result<Snapshot> r = read("\xEF\xBB\xBF\"UserPrincipalName\",\"DisplayName\"\n\"a@x\",\"Jürgen\"\n");
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    QCOMPARE(r.value().records[0].identityText(IdentityField::DisplayName), u"Jürgen"_s);
}

void TestExoMailboxCsvReader::utf16LittleEndianWithBom()
{
    const QString text = u"#TYPE Selected.Microsoft.Exchange.Data.Directory.Management.Mailbox\r\n"
                         "\"UserPrincipalName\",\"DisplayName\"\r\n\"yamada@x\",\"山田 太郎 \U0001F600\"\r\n"_s;
    QByteArray utf16("\xFF\xFE", 2);
    utf16.append(reinterpret_cast<const char*>(text.utf16()), text.size() * 2);
    Result<Snapshot> r = read(utf16);
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    QCOMPARE(r.value().records[0].identityText(IdentityField::DisplayName), u"山田 太郎 \U0001F600"_s);
    QCOMPARE(r.value().records[0].sourceLine(), qint64(3));
}

void TestExoMailboxCsvReader::graphJoin()
{
    GraphDirectory graph;
    graph.usersById.insert(
        "0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
        GraphUser{"0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "a@x", "AAECAwQFBgcICQoLDA0ODw==", "S-1-5-21-1-2-3-500"});
    const QByteArray csv = "PrimarySmtpAddress,ExternalDirectoryObjectId\na@x,0B5E6F7A-1C2D-4E3F-8A9B-0C1D2E3F4A5B\n";
    Result<Snapshot> r = readExoMailboxesCsv(csv, u"g.csv"_s, &graph);
    QVERIFY(r.ok());
    const MailboxRecord& m = r.value().records[0];
    QCOMPARE(m.identityText(IdentityField::ImmutableId), u"AAECAwQFBgcICQoLDA0ODw=="_s);
    QCOMPARE(m.identityText(IdentityField::ObjectSid), u"S-1-5-21-1-2-3-500"_s);
    QCOMPARE(m.identityText(IdentityField::UserPrincipalName), u"a@x"_s);
}

void TestExoMailboxCsvReader::cancel()
{
    QByteArray csv = "\"UserPrincipalName\",\"CustomAttribute1\"\r\n";
    for (int i = 0; i < 40000; ++i)
        csv += "\"user" + QByteArray::number(i) + "@contoso.com\",\"padding padding padding padding\"\r\n";
    QVERIFY(csv.size() > 2 * (1 << 20));
    int calls = 0;
    Result<Snapshot> r = readExoMailboxesCsv(csv, u"big.csv"_s, nullptr, [&](qint64) {
        ++calls;
        return false;
    });
    QVERIFY(!r.ok());
    QCOMPARE(calls, 1);
    QCOMPARE(r.error().message, u"cancelled"_s);
    QVERIFY(r.error().line > 1);

    QList<qint64> reports;
    Result<Snapshot> full = readExoMailboxesCsv(csv, u"big.csv"_s, nullptr, [&](qint64 done) {
        reports << done;
        return true;
    });
    QVERIFY(full.ok());
    QCOMPARE(full.value().records.size(), size_t(40000));
    QCOMPARE(reports.last(), csv.size());
    QVERIFY(reports.size() >= 3);
}

QTEST_GUILESS_MAIN(TestExoMailboxCsvReader)
