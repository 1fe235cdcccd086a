// SPDX-License-Identifier: Apache-2.0
#include "TestGraphUsersJsonReader.h"

#include "GraphUsersJsonReader.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray kUser1 =
    R"({"id":"7CDBE897-3C7F-4FB6-A369-56408D68081F","userPrincipalName":"C@lvin.ie","mail":"C@lvin.ie",
  "mailNickname":"CBergin","proxyAddresses":["SMTP:C@lvin.ie","smtp:c@contoso.onmicrosoft.com"],
  "onPremisesImmutableId":"kXvJ4cB0Q0y7pl0tgAFJkA==","onPremisesSecurityIdentifier":"S-1-5-21-1-2-3-1104",
  "onPremisesSyncEnabled":true,
  "onPremisesExtensionAttributes":{"extensionAttribute1":null,"extensionAttribute2":"x","extensionAttribute15":null}})";
const QByteArray kUser2 = R"({"id":"0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b","userPrincipalName":"j\u00fcrgen@contoso.de",
  "onPremisesImmutableId":null,"onPremisesSecurityIdentifier":null,"onPremisesSyncEnabled":null})";

QString describe(const Result<GraphDirectory>& r)
{
    return r.ok() ? QString() : r.error().toString();
}

ImportError errorOf(const QByteArray& json)
{
    const Result<GraphDirectory> r = readGraphUsersJson(json, u"users.json"_s);
    return r.ok() ? ImportError{{}, 0, {}, u"(no error)"_s} : r.error();
}

} // namespace

void TestGraphUsersJsonReader::page()
{
    const QByteArray json =
        R"j({"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName)",
  "value":[)j" +
        kUser1 + "," + kUser2 + R"(],
  "@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=X"})";
    Result<GraphDirectory> r = readGraphUsersJson(json, u"users.json"_s);
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    const GraphDirectory& d = r.value();
    QCOMPARE(d.source, u"users.json"_s);
    QCOMPARE(d.usersById.size(), 2);
    const GraphUser u1 = d.usersById.value("7cdbe897-3c7f-4fb6-a369-56408d68081f");
    QCOMPARE(u1.id, QByteArray("7cdbe897-3c7f-4fb6-a369-56408d68081f")); // lower-cased
    QCOMPARE(u1.userPrincipalName, QByteArray("C@lvin.ie"));
    QCOMPARE(u1.onPremisesImmutableId, QByteArray("kXvJ4cB0Q0y7pl0tgAFJkA=="));
    QCOMPARE(u1.onPremisesSecurityIdentifier, QByteArray("S-1-5-21-1-2-3-1104"));
    const GraphUser u2 = d.usersById.value("0b5e6f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b");
    QCOMPARE(u2.userPrincipalName, QByteArray("jürgen@contoso.de"));
    QVERIFY(u2.onPremisesImmutableId.isEmpty());
}

void TestGraphUsersJsonReader::bareArrayOfUsers()
{
    Result<GraphDirectory> r = readGraphUsersJson(QByteArray("[" + kUser1 + ",\n" + kUser2 + "]"), u"users.json"_s);
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    QCOMPARE(r.value().usersById.size(), 2);
}

void TestGraphUsersJsonReader::arrayOfPages()
{
    const QByteArray json = "[{\"@odata.context\":\"x\",\"value\":[" + kUser1 +
                            "],\"@odata.nextLink\":\"y\"},\n {\"@odata.context\":\"x\",\"value\":[" + kUser2 +
                            "]}, {\"value\": []}]";
    Result<GraphDirectory> r = readGraphUsersJson(json, u"pages.json"_s);
    QVERIFY2(r.ok(), qPrintable(describe(r)));
    QCOMPARE(r.value().usersById.size(), 2);
}

void TestGraphUsersJsonReader::removedUsersInDeltaPagesAreLeftOut()
{
    const QByteArray json = R"({"value":[{"id":"11111111-1111-1111-1111-111111111111","@removed":{"reason":"changed"}}],
        "@odata.deltaLink":"z"})";
    Result<GraphDirectory> r = readGraphUsersJson(json, u"delta.json"_s);
    QVERIFY(r.ok());
    QVERIFY(r.value().usersById.isEmpty());
}

void TestGraphUsersJsonReader::userWithoutId()
{
    const QByteArray json = "{\"value\":[\n" + kUser1 + ",\n{\"userPrincipalName\":\"x@y\"}]}";
    const ImportError e = errorOf(json);
    QCOMPARE(e.jsonPath, u"$.value[1]"_s);
    QCOMPARE(e.line, 7); // where the user object starts
    QVERIFY2(e.message.contains(u"user has no \"id\""_s), qPrintable(e.message));
}

void TestGraphUsersJsonReader::wrongShapes()
{
    const ImportError number = errorOf(R"([{"id": 5}])");
    QCOMPARE(number.jsonPath, u"$[0].id"_s);
    QCOMPARE(number.message, u"expected a string or null, found a number"_s);
    const ImportError top = errorOf(R"("users")");
    QCOMPARE(top.jsonPath, u"$"_s);
    QVERIFY(top.message.startsWith(u"expected a page of users"_s));
    const ImportError item = errorOf(R"({"value": [null]})");
    QCOMPARE(item.jsonPath, u"$.value[0]"_s);
    QCOMPARE(item.message, u"expected a user object, found null"_s);
    const ImportError html = errorOf("<html>throttled</html>");
    QVERIFY(html.message.contains(u"HTML"_s));
    const ImportError cut = errorOf("{\"value\":[" + kUser1.left(60));
    QVERIFY(cut.message.contains(u"truncated"_s));
    QCOMPARE(cut.jsonPath, u"$.value[0]"_s); // cut inside a member name: the object is the place
}

void TestGraphUsersJsonReader::cancel()
{
    QByteArray json = "{\"value\":[";
    for (int i = 0; i < 20000; ++i) {
        if (i)
            json += ',';
        json += R"({"id":"00000000-0000-0000-0000-)" + QByteArray::number(i).rightJustified(12, '0') +
                R"(","userPrincipalName":"user@contoso.com","proxyAddresses":["SMTP:user@contoso.com"]})";
    }
    json += "]}";
    int calls = 0;
    Result<GraphDirectory> r = readGraphUsersJson(json, u"big.json"_s, [&](qint64) { return ++calls < 2; });
    QVERIFY(!r.ok());
    QCOMPARE(calls, 2);
    QCOMPARE(r.error().message, u"cancelled"_s);
    QVERIFY(r.error().jsonPath.startsWith(u"$.value["_s));
    Result<GraphDirectory> full = readGraphUsersJson(json, u"big.json"_s, [](qint64) { return true; });
    QVERIFY(full.ok());
    QCOMPARE(full.value().usersById.size(), 20000);
}

QTEST_GUILESS_MAIN(TestGraphUsersJsonReader)
