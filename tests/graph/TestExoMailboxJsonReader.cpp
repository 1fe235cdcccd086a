// SPDX-License-Identifier: Apache-2.0
#include "TestExoMailboxJsonReader.h"

#include "ExoMailboxJsonReader.h"

#include <QFile>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray fixture(const QString& name)
{
    QFile f(QStringLiteral(SUNSET_SOURCE_DIR "/tests/data/exo/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return f.readAll();
}

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

ImportError errorOf(const QByteArray& json)
{
    const Result<Snapshot> r = readExoMailboxesJson(json, u"mbx.json"_s);
    if (r.ok())
        return ImportError{{}, 0, {}, u"(no error)"_s};
    return r.error();
}

} // namespace

void TestExoMailboxJsonReader::capturedAdminApiPage()
{
    // The mailbox object captured from the admin API (cloud-wire.md §3), with its @-annotations.
    Result<Snapshot> r = readExoMailboxesJson(fixture(u"adminapi-page.json"_s), u"page.json"_s);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
    const Snapshot& s = r.value();
    QCOMPARE(s.side, Side::Cloud);
    QCOMPARE(s.source, u"page.json"_s);
    QCOMPARE(s.records.size(), size_t(1));
    const MailboxRecord& m = s.records.front();
    QCOMPARE(m.side(), Side::Cloud);
    QCOMPARE(m.sourceLine(), qint64(1));
    QCOMPARE(m.identityText(IdentityField::UserPrincipalName), u"C@lvin.ie"_s);
    QCOMPARE(m.identityText(IdentityField::PrimarySmtpAddress), u"C@lvin.ie"_s);
    QCOMPARE(m.identityText(IdentityField::ExternalDirectoryObjectId), u"7cdbe897-3c7f-4fb6-a369-56408d68081f"_s);
    QCOMPARE(m.identityText(IdentityField::DirSynced), u"false"_s);
    QVERIFY(!m.has(IdentityField::CloudManaged));     // not selected: absent, not false
    QVERIFY(!m.has(IdentityField::WhenChangedMsecs)); // only WhenCreatedUTC was there
    // EmailAddresses in source order, the SMTP: primary last.
    QCOMPARE(values(m, CloudProperty::EmailAddresses),
             (QStringList{u"smtp:c@contoso.onmicrosoft.com"_s, u"SIP:c@lvin.ie"_s,
                          u"SPO:SPO_afdc1f0e-7a4b-4f5e-9f0a-2f1d3c4b5a69@SPO_fafb2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0"_s,
                          u"SMTP:C@lvin.ie"_s}));
    QCOMPARE(values(m, CloudProperty::Alias), QStringList{u"CBergin"_s});
    QCOMPARE(values(m, CloudProperty::RecipientTypeDetails), QStringList{u"UserMailbox"_s});
    QCOMPARE(values(m, CloudProperty::HiddenFromAddressListsEnabled), QStringList{u"false"_s});
    QCOMPARE(values(m, CloudProperty::WindowsEmailAddress), QStringList{u"C@lvin.ie"_s});
    QVERIFY(m.cloudValues(customAttribute(1)).isEmpty());          // ""
    QVERIFY(m.cloudValues(customAttribute(15)).isEmpty());         // ""
    QVERIFY(m.cloudValues(extensionCustomAttribute(1)).isEmpty()); // []
    QCOMPARE(s.newestChangeMsecs, 0);
}

void TestExoMailboxJsonReader::windowsPowerShell51Shapes()
{
    // {"value":[...],"Count":n} at the top, {"value":[...]} collections, enums as numbers, booleans as
    // strings, /Date(ms)/ wrapped in a DateTime object, unknown nested objects, \u escapes, CJK, null.
    Result<Snapshot> r = readExoMailboxesJson(fixture(u"ps51-convertto-json.json"_s), u"ps51.json"_s);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
    const Snapshot& s = r.value();
    QCOMPARE(s.records.size(), size_t(2));
    const MailboxRecord& a = s.records[0];
    QCOMPARE(a.sourceLine(), qint64(1));
    QCOMPARE(a.identityText(IdentityField::DisplayName), u"Jürgen Müller"_s);
    QCOMPARE(a.identityText(IdentityField::ExternalDirectoryObjectId), u"0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b"_s);
    QCOMPARE(a.identityText(IdentityField::DirSynced), u"true"_s);
    QCOMPARE(a.whenChangedMsecs(), 1656525423000LL);
    QCOMPARE(values(a, CloudProperty::RecipientTypeDetails), QStringList{u"SharedMailbox"_s});
    QCOMPARE(values(a, CloudProperty::HiddenFromAddressListsEnabled), QStringList{u"false"_s});
    QCOMPARE(values(a, CloudProperty::EmailAddresses),
             (QStringList{u"SMTP:juergen.mueller@contoso.de"_s,
                          u"X400:C=DE;A= ;P=Contoso;O=Exchange;S=Mueller;G=Juergen;"_s}));
    QCOMPARE(values(a, extensionCustomAttribute(2)), QStringList{u"single value"_s});
    QVERIFY(a.cloudValues(customAttribute(3)).isEmpty());

    const MailboxRecord& b = s.records[1];
    QCOMPARE(b.sourceLine(), qint64(2));
    QCOMPARE(b.identityText(IdentityField::DisplayName), u"山田 太郎"_s);
    QCOMPARE(values(b, CloudProperty::RecipientTypeDetails), QStringList{u"RoomMailbox"_s});
    QCOMPARE(values(b, CloudProperty::EmailAddresses), QStringList{u"SMTP:yamada@contoso.jp"_s});
    QCOMPARE(b.identityText(IdentityField::PrimarySmtpAddress), u"yamada@contoso.jp"_s); // from SMTP:
    QCOMPARE(s.newestChangeMsecs, 1700000000000LL);
}

void TestExoMailboxJsonReader::arrayAndSingleObject()
{
    const QByteArray array = R"([
  {"UserPrincipalName": "a@x", "CustomAttribute1": "  spaced value  ", "ExtensionCustomAttribute3": ["b", " a ", ""],
   "WhenChangedUTC": "2024-01-02T03:04:05Z"},
  {"UserPrincipalName": "b@x", "WhenChangedUTC": "2025-01-02T03:04:05.123Z", "IsExchangeCloudManaged": true,
   "CustomAttribute2": "Stra\u00dfe \ud83d\ude00"}
])";
    Result<Snapshot> r = readExoMailboxesJson(array, u"a.json"_s);
    QVERIFY(r.ok());
    QCOMPARE(r.value().records.size(), size_t(2));
    const MailboxRecord& a = r.value().records[0];
    QCOMPARE(values(a, customAttribute(1)), QStringList{u"  spaced value  "_s});
    QCOMPARE(values(a, extensionCustomAttribute(3)), (QStringList{u"b"_s, u" a "_s}));
    const MailboxRecord& b = r.value().records[1];
    QCOMPARE(b.sourceLine(), qint64(2));
    QCOMPARE(b.identityText(IdentityField::CloudManaged), u"true"_s);
    QCOMPARE(values(b, customAttribute(2)), QStringList{u"Straße \U0001F600"_s});
    QCOMPARE(r.value().newestChangeMsecs, 1735787045123LL);

    Result<Snapshot> one =
        readExoMailboxesJson(R"({"PrimarySmtpAddress": "smtp:one@x", "Alias": "one"})", u"one.json"_s);
    QVERIFY(one.ok());
    QCOMPARE(one.value().records.size(), size_t(1));
    QCOMPARE(one.value().records[0].identityText(IdentityField::PrimarySmtpAddress), u"one@x"_s);
    QCOMPARE(one.value().records[0].sourceLine(), qint64(1));

    Result<Snapshot> empty = readExoMailboxesJson("[]", u"empty.json"_s);
    QVERIFY(empty.ok());
    QVERIFY(empty.value().records.empty());
    Result<Snapshot> emptyPage = readExoMailboxesJson(R"({"@odata.context": "x", "value": []})", u"p.json"_s);
    QVERIFY(emptyPage.ok());
    QVERIFY(emptyPage.value().records.empty());
}

void TestExoMailboxJsonReader::pageKeysAfterValueAreIgnored()
{
    Result<Snapshot> r = readExoMailboxesJson(
        R"({"value": [{"UserPrincipalName": "a@x"}], "@odata.nextLink": "https://x", "Count": 1})", u"p.json"_s);
    QVERIFY(r.ok());
    QCOMPARE(r.value().records.size(), size_t(1));
}

void TestExoMailboxJsonReader::wrongShapes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");
    QTest::newRow("EmailAddresses number")
        << QByteArray(R"([{"UserPrincipalName": "a@x", "EmailAddresses": 42}])") << u"$[0].EmailAddresses"_s
        << u"expected a string or an array of strings, found a number"_s;
    QTest::newRow("EmailAddresses element")
        << QByteArray(R"([{"UserPrincipalName":"a@x"},{"EmailAddresses": ["SMTP:a@x", {"x":1}]}])")
        << u"$[1].EmailAddresses[1]"_s << u"expected a string, found an object"_s;
    QTest::newRow("CustomAttribute array") << QByteArray(R"({"CustomAttribute1": ["a"]})") << u"$.CustomAttribute1"_s
                                           << u"expected a string, found an array"_s;
    QTest::newRow("boolean number") << QByteArray(R"([{"IsDirSynced": 1}])") << u"$[0].IsDirSynced"_s
                                    << u"expected true, false or a string \"True\"/\"False\", found a number"_s;
    QTest::newRow("boolean text") << QByteArray(R"([{"HiddenFromAddressListsEnabled": "maybe"}])")
                                  << u"$[0].HiddenFromAddressListsEnabled"_s
                                  << u"expected True or False, found \"maybe\""_s;
    QTest::newRow("type as boolean") << QByteArray(R"([{"RecipientTypeDetails": true}])")
                                     << u"$[0].RecipientTypeDetails"_s
                                     << u"expected a string or a number, found true"_s;
    QTest::newRow("wrapper without value")
        << QByteArray(R"([{"EmailAddresses": {"Count": 0}}])") << u"$[0].EmailAddresses"_s
        << u"expected a string or an array of strings, found an object without a \"value\" member"_s;
    QTest::newRow("nested wrapper") << QByteArray(R"([{"Alias": {"value": {"value": "x"}}}])") << u"$[0].Alias.value"_s
                                    << u"expected a string, found an object"_s;
    QTest::newRow("top-level string") << QByteArray(R"("hello")") << u"$"_s
                                      << u"expected an array of mailboxes or a mailbox object, found a string"_s;
    QTest::newRow("item not an object") << QByteArray(R"([{"UserPrincipalName":"a@x"}, 5])") << u"$[1]"_s
                                        << u"expected a mailbox object, found a number"_s;
    QTest::newRow("bad guid") << QByteArray(R"([{"ExternalDirectoryObjectId": "User_nope"}])")
                              << u"$[0].ExternalDirectoryObjectId"_s
                              << u"ExternalDirectoryObjectId \"User_nope\" is not a GUID"_s;
}

void TestExoMailboxJsonReader::wrongShapes()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const ImportError e = errorOf(json);
    QCOMPARE(e.message, message);
    QCOMPARE(e.jsonPath, path);
    QCOMPARE(e.file, u"mbx.json"_s);
    QCOMPARE(e.line, 1);
}

void TestExoMailboxJsonReader::unknownPropertiesOfAnyShapeAreSkipped()
{
    const QByteArray json = R"([{"UserPrincipalName": "a@x", "Quota": {"a": [1, {"b": null}], "c": "d"},
        "PoliciesIncluded": ["x", 1, true], "Number": -1.5e3, "Flag": false, "Nothing": null, "Alias": "ok"}])";
    Result<Snapshot> r = readExoMailboxesJson(json, u"a.json"_s);
    QVERIFY(r.ok());
    QCOMPARE(values(r.value().records[0], CloudProperty::Alias), QStringList{u"ok"_s});
}

void TestExoMailboxJsonReader::missingIdentity()
{
    const QByteArray json = "[\n  {\"UserPrincipalName\": \"a@x\"},\n  {\"DisplayName\": \"Room 1\",\n"
                            "   \"Alias\": \"room1\"}\n]";
    const ImportError e = errorOf(json);
    QCOMPARE(e.jsonPath, u"$[1]"_s);
    QCOMPARE(e.line, 3); // where the mailbox object starts
    QVERIFY2(e.message.contains(u"cannot be matched"_s), qPrintable(e.message));
    QVERIFY(e.message.contains(u"UserPrincipalName, PrimarySmtpAddress or ExternalDirectoryObjectId"_s));
}

void TestExoMailboxJsonReader::garbage()
{
    const ImportError html = errorOf("<html><head><title>Sign in to your account</title></head></html>");
    QCOMPARE(html.jsonPath, u"$"_s);
    QCOMPARE(html.line, 1);
    QVERIFY2(html.message.contains(u"HTML"_s), qPrintable(html.message));

    QByteArray page = fixture(u"adminapi-page.json"_s);
    page.truncate(page.size() - 40);
    const ImportError truncated = errorOf(page);
    QVERIFY2(truncated.message.contains(u"truncated"_s), qPrintable(truncated.message));
    QVERIFY2(truncated.jsonPath.startsWith(u"$.value[0]"_s), qPrintable(truncated.jsonPath));
    QCOMPARE(truncated.line, 12);

    const ImportError trailing = errorOf("[]\n[]");
    QCOMPARE(trailing.line, 2);
    QVERIFY(trailing.message.contains(u"nothing after the end of the JSON value"_s));

    const ImportError nul = errorOf(QByteArray("[{\"UserPrincipalName\": \"a\0b\"}]", 30));
    QCOMPARE(nul.jsonPath, u"$[0].UserPrincipalName"_s);
    QVERIFY(nul.message.contains(u"NUL byte"_s));
}

void TestExoMailboxJsonReader::utf16WithBom()
{
    const QString text = uR"([{"UserPrincipalName": "jürgen@x", "DisplayName": "山田"}])"_s;
    QByteArray utf16("\xFF\xFE", 2);
    utf16.append(reinterpret_cast<const char*>(text.utf16()), text.size() * 2);
    Result<Snapshot> r = readExoMailboxesJson(utf16, u"u16.json"_s);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
    QCOMPARE(r.value().records[0].identityText(IdentityField::UserPrincipalName), u"jürgen@x"_s);
    QCOMPARE(r.value().records[0].identityText(IdentityField::DisplayName), u"山田"_s);

    Result<Snapshot> bom = readExoMailboxesJson("\xEF\xBB\xBF[{\"UserPrincipalName\": \"a@x\"}]", u"b.json"_s);
    QVERIFY(bom.ok());
}

void TestExoMailboxJsonReader::graphJoin()
{
    GraphDirectory graph;
    graph.usersById.insert("7cdbe897-3c7f-4fb6-a369-56408d68081f",
                           GraphUser{"7cdbe897-3c7f-4fb6-a369-56408d68081f", "C@lvin.ie",
                                     "kXvJ4cB0Q0y7pl0tgAFJkA==", "S-1-5-21-1004336348-1177238915-682003330-1104"});
    Result<Snapshot> r = readExoMailboxesJson(fixture(u"adminapi-page.json"_s), u"page.json"_s, &graph);
    QVERIFY(r.ok());
    const MailboxRecord& m = r.value().records.front();
    QCOMPARE(m.identityText(IdentityField::ImmutableId), u"kXvJ4cB0Q0y7pl0tgAFJkA=="_s);
    QCOMPARE(m.identityText(IdentityField::ObjectSid), u"S-1-5-21-1004336348-1177238915-682003330-1104"_s);
}

void TestExoMailboxJsonReader::progressAndCancel()
{
    // About 3 MiB of mailboxes.
    QByteArray json = "[";
    for (int i = 0; i < 16000; ++i) {
        if (i)
            json += ",\n";
        json += R"({"UserPrincipalName": "user)" + QByteArray::number(i) +
                R"(@contoso.com", "EmailAddresses": ["SMTP:u@contoso.com", "smtp:u@contoso.onmicrosoft.com"],
                   "CustomAttribute1": "some value to make the item longer", "Unknown": {"a": [1, 2, 3]}})";
    }
    json += "]";
    QVERIFY(json.size() > 3 * (1 << 20));

    QList<qint64> reports;
    Result<Snapshot> r = readExoMailboxesJson(json, u"big.json"_s, nullptr, [&](qint64 done) {
        reports << done;
        return true;
    });
    QVERIFY(r.ok());
    QCOMPARE(r.value().records.size(), size_t(16000));
    QVERIFY2(reports.size() >= 3 && reports.size() <= 5, qPrintable(QString::number(reports.size())));
    QCOMPARE(reports.last(), json.size());
    for (qsizetype i = 1; i < reports.size(); ++i)
        QVERIFY(reports[i] > reports[i - 1]);

    int calls = 0;
    Result<Snapshot> cancelled = readExoMailboxesJson(json, u"big.json"_s, nullptr, [&](qint64) {
        ++calls;
        return false;
    });
    QVERIFY(!cancelled.ok());
    QCOMPARE(calls, 1);
    QCOMPARE(cancelled.error().message, u"cancelled"_s);
    QCOMPARE(cancelled.error().file, u"big.json"_s);
    QVERIFY(cancelled.error().jsonPath.startsWith(u"$["_s));
}

QTEST_GUILESS_MAIN(TestExoMailboxJsonReader)
