// SPDX-License-Identifier: Apache-2.0
#include "LdapEscape.h"

#include <QTest>

using namespace sunset;

class TestLdapEscape final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void filterValue_data();
    void filterValue();
    void filterBytes();
    void dnValue_data();
    void dnValue();
    void parseEscapedDn();
    void parseHexEscapesAndUtf8();
    void parseMultiValuedRdnAndBer();
    void parseLenientSpacing();
    void rejectsMalformedDns_data();
    void rejectsMalformedDns();
    void roundTrip_data();
    void roundTrip();
    void sameDnIgnoresEscapingAndCase();
};

void TestLdapEscape::filterValue_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("escaped");
    QTest::newRow("plain") << QByteArray("jurgen.muller@contoso.com") << QByteArray("jurgen.muller@contoso.com");
    QTest::newRow("specials") << QByteArray("a*b(c)d\\e") << QByteArray("a\\2ab\\28c\\29d\\5ce");
    QTest::newRow("nul") << QByteArray("a\0b", 3) << QByteArray("a\\00b");
    QTest::newRow("injection") << QByteArray("*)(objectClass=*") << QByteArray("\\2a\\29\\28objectClass=\\2a");
    QTest::newRow("utf8 kept") << QByteArray("Müller 日本") << QByteArray("Müller 日本");
    QTest::newRow("invalid utf8 escaped") << QByteArray("\xff\xc3", 2) << QByteArray("\\ff\\c3");
    QTest::newRow("overlong escaped") << QByteArray("\xc0\xaf", 2) << QByteArray("\\c0\\af");
    QTest::newRow("empty") << QByteArray() << QByteArray();
}

void TestLdapEscape::filterValue()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, escaped);
    QCOMPARE(escapeFilterValue(value), escaped);
}

void TestLdapEscape::filterBytes()
{
    const QByteArray guid = QByteArray::fromHex("ba284e1ba12fd211883f0016d3cca427");
    QCOMPARE(escapeFilterBytes(guid), QByteArray("\\ba\\28\\4e\\1b\\a1\\2f\\d2\\11\\88\\3f\\00\\16\\d3\\cc\\a4\\27"));
}

void TestLdapEscape::dnValue_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("escaped");
    QTest::newRow("comma") << QByteArray("Müller, Jürgen") << QByteArray("Müller\\, Jürgen");
    QTest::newRow("plus") << QByteArray("Smith + Jones") << QByteArray("Smith \\+ Jones");
    QTest::newRow("leading hash") << QByteArray("#Hashtag Team") << QByteArray("\\#Hashtag Team");
    QTest::newRow("inner hash") << QByteArray("Team #1") << QByteArray("Team #1");
    QTest::newRow("leading and trailing spaces") << QByteArray(" padded ") << QByteArray("\\ padded\\ ");
    QTest::newRow("one space") << QByteArray(" ") << QByteArray("\\ ");
    QTest::newRow("all specials") << QByteArray("\"+,;<>\\") << QByteArray("\\\"\\+\\,\\;\\<\\>\\\\");
    QTest::newRow("nul") << QByteArray("a\0b", 3) << QByteArray("a\\00b");
    QTest::newRow("equals kept") << QByteArray("a=b") << QByteArray("a=b");
}

void TestLdapEscape::dnValue()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, escaped);
    QCOMPARE(escapeDnValue(value), escaped);
}

void TestLdapEscape::parseEscapedDn()
{
    const auto dn = parseDn("CN=Müller\\, Jürgen,OU=Sales,DC=contoso,DC=com");
    QVERIFY(dn);
    QCOMPARE(dn->size(), size_t(4));
    QCOMPARE((*dn)[0].size(), size_t(1));
    QCOMPARE((*dn)[0][0].type, QByteArray("CN"));
    QCOMPARE((*dn)[0][0].value, QByteArray("Müller, Jürgen"));
    QCOMPARE((*dn)[1][0].value, QByteArray("Sales"));
    QCOMPARE((*dn)[3][0].type, QByteArray("DC"));

    const auto hash = parseDn("CN=\\#Hashtag Team,DC=x");
    QVERIFY(hash);
    QCOMPARE((*hash)[0][0].value, QByteArray("#Hashtag Team"));
    QVERIFY(!(*hash)[0][0].berEncoded);

    const auto plus = parseDn("CN=Smith \\+ Jones,DC=x");
    QVERIFY(plus);
    QCOMPARE((*plus)[0].size(), size_t(1));
    QCOMPARE((*plus)[0][0].value, QByteArray("Smith + Jones"));

    const auto spaces = parseDn("CN=\\ padded\\ ,DC=x");
    QVERIFY(spaces);
    QCOMPARE((*spaces)[0][0].value, QByteArray(" padded "));

    const auto root = parseDn("");
    QVERIFY(root);
    QVERIFY(root->empty());
}

void TestLdapEscape::parseHexEscapesAndUtf8()
{
    // Samba writes ';' as \3B; AD and others spell non-ASCII as hex pairs.
    const auto dn = parseDn("CN=Semi\\3Bcolon \\\"Quoted\\\",CN=M\\C3\\BCller,DC=x");
    QVERIFY(dn);
    QCOMPARE((*dn)[0][0].value, QByteArray("Semi;colon \"Quoted\""));
    QCOMPARE((*dn)[1][0].value, QByteArray("Müller"));
}

void TestLdapEscape::parseMultiValuedRdnAndBer()
{
    const auto dn = parseDn("CN=Jones+UID=jj,1.3.6.1.4.1.1466.0=#04024869,DC=x");
    QVERIFY(dn);
    QCOMPARE(dn->size(), size_t(3));
    QCOMPARE((*dn)[0].size(), size_t(2));
    QCOMPARE((*dn)[0][1].type, QByteArray("UID"));
    QCOMPARE((*dn)[0][1].value, QByteArray("jj"));
    QCOMPARE((*dn)[1][0].type, QByteArray("1.3.6.1.4.1.1466.0"));
    QVERIFY((*dn)[1][0].berEncoded);
    QCOMPARE((*dn)[1][0].value, QByteArray::fromHex("04024869"));
    QCOMPARE(formatDn(*dn), QByteArray("CN=Jones+UID=jj,1.3.6.1.4.1.1466.0=#04024869,DC=x"));
}

void TestLdapEscape::parseLenientSpacing()
{
    // RFC 2253 writers and admins put spaces after commas; unescaped trailing spaces are not part of a value.
    const auto dn = parseDn("CN=Jurgen , OU=Sales ; DC=contoso, DC = com");
    QVERIFY(dn);
    QCOMPARE(dn->size(), size_t(4));
    QCOMPARE((*dn)[0][0].value, QByteArray("Jurgen"));
    QCOMPARE((*dn)[1][0].value, QByteArray("Sales"));
    QCOMPARE((*dn)[3][0].type, QByteArray("DC"));
    QCOMPARE((*dn)[3][0].value, QByteArray("com"));
    // A quoted value (RFC 2253) keeps its commas.
    const auto quoted = parseDn("CN=\"Doe, John\",DC=x");
    QVERIFY(quoted);
    QCOMPARE((*quoted)[0][0].value, QByteArray("Doe, John"));
}

void TestLdapEscape::rejectsMalformedDns_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("no equals") << QByteArray("CN");
    QTest::newRow("no type") << QByteArray("=x,DC=y");
    QTest::newRow("bad type") << QByteArray("C N=x");
    QTest::newRow("bad oid") << QByteArray("1..2=x");
    QTest::newRow("trailing comma") << QByteArray("CN=x,");
    QTest::newRow("dangling backslash") << QByteArray("CN=x\\");
    QTest::newRow("bad escape") << QByteArray("CN=a\\qb");
    QTest::newRow("unescaped quote") << QByteArray("CN=a\"b");
    QTest::newRow("unescaped angle") << QByteArray("CN=a<b");
    QTest::newRow("empty hex") << QByteArray("CN=#,DC=x");
    QTest::newRow("open quote") << QByteArray("CN=\"abc");
}

void TestLdapEscape::rejectsMalformedDns()
{
    QFETCH(QByteArray, text);
    QVERIFY2(!parseDn(text), text.constData());
}

void TestLdapEscape::roundTrip_data()
{
    QTest::addColumn<QByteArray>("value");
    for (const char* v : {"Müller, Jürgen", "Smith + Jones", "#Hashtag Team", " padded ", "O'Brien, Seán <Ops>",
                          "Semi;colon \"Quoted\"", "back\\slash", "日本語", "="}) {
        QTest::newRow(v) << QByteArray(v);
    }
}

void TestLdapEscape::roundTrip()
{
    QFETCH(QByteArray, value);
    const Dn dn = {{DnAttribute{"CN", value, false}},
                   {DnAttribute{"OU", "Sales, EMEA", false}},
                   {DnAttribute{"DC", "contoso", false}}};
    const QByteArray text = formatDn(dn);
    const auto parsed = parseDn(text);
    QVERIFY2(parsed, text.constData());
    QCOMPARE(*parsed, dn);
}

void TestLdapEscape::sameDnIgnoresEscapingAndCase()
{
    QVERIFY(sameDn("CN=Semi\\3Bcolon,DC=x", "cn=semi\\;colon,dc=X"));
    QVERIFY(sameDn("CN=M\\C3\\BCller\\2C J\\C3\\BCrgen,DC=x", "CN=MÜLLER\\, JÜRGEN,DC=x"));
    QVERIFY(sameDn("CN=a+UID=b,DC=x", "UID=b+CN=a,DC=x"));
    QVERIFY(!sameDn("CN=a,DC=x", "CN=a,DC=y"));
    QVERIFY(!sameDn("CN=a,DC=x", "CN=a"));
    QVERIFY(!sameDn("CN=a", "not a dn"));
}

QTEST_GUILESS_MAIN(TestLdapEscape)
#include "TestLdapEscape.moc"
