// SPDX-License-Identifier: Apache-2.0
// Values reach LDAP filters and DNs only escaped. The filter Sunset builds from a value (the writeback's
// address check, addressHolderFilter) keeps its shape for every hostile value, and the value comes back out of
// the parsed filter unchanged; a DN built from values (formatDn) parses back to exactly those values.
#include "LdapEscape.h"
#include "LdapModify.h"
#include "Rfc4515Filter.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestInjection final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void filterKeepsItsShape_data();
    void filterKeepsItsShape();
    void unescapedValueWouldHaveBrokenIt();
    void dnBuiltFromValues_data();
    void dnBuiltFromValues();
    void nulValueNeverWritten();
};

namespace {

void hostileValues()
{
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("star") << QByteArray("*");
    QTest::newRow("wildcard address") << QByteArray("*@contoso.com");
    QTest::newRow("close and widen") << QByteArray("ann@contoso.com)(mail=*");
    QTest::newRow("close and or") << QByteArray("x))(|(objectClass=*");
    QTest::newRow("open paren") << QByteArray("(ann");
    QTest::newRow("backslash") << QByteArray("a\\2a\\");
    QTest::newRow("escape lookalike") << QByteArray("\\2a");
    QTest::newRow("NUL truncation") << QByteArray("ann@contoso.com\0*)(mail=*", 25);
    QTest::newRow("non-ASCII") << QByteArray("jürgen.müller@contoso.com");
    QTest::newRow("invalid UTF-8") << QByteArray("ann\xff\xfe(\xc3");
    QTest::newRow("empty") << QByteArray();
}

} // namespace

void TestInjection::filterKeepsItsShape_data()
{
    hostileValues();
}

void TestInjection::filterKeepsItsShape()
{
    QFETCH(QByteArray, value);
    const std::optional<QByteArray> built = addressHolderFilter(value);
    if (value.contains('\0')) {
        QVERIFY(!built); // refused: a server may cut the value at its escaped \00 (Samba does)
        return;
    }
    QVERIFY(built);
    const QByteArray& filter = *built;
    // No raw special byte of the value survives into the filter.
    const QByteArray escaped = escapeFilterValue(value);
    for (char special : {'*', '(', ')', '\0'})
        QVERIFY2(!escaped.contains(special), filter.constData());
    test::FilterNode root;
    QVERIFY2(test::StrictFilterParser(filter).parse(root), filter.constData());
    QCOMPARE(root.kind, '|');
    QCOMPARE(root.children.size(), size_t(2));
    QCOMPARE(root.children[0].kind, '=');
    QCOMPARE(root.children[0].attribute, QByteArray("proxyAddresses"));
    QCOMPARE(root.children[0].parts, std::vector<QByteArray>{"smtp:" + value});
    QCOMPARE(root.children[1].kind, '=');
    QCOMPARE(root.children[1].attribute, QByteArray("mail"));
    QCOMPARE(root.children[1].parts, std::vector<QByteArray>{value});
}

void TestInjection::unescapedValueWouldHaveBrokenIt()
{
    // The parser is strict enough to catch what escaping prevents: the same value pasted in raw changes the shape.
    const QByteArray value = "ann@contoso.com)(mail=*";
    const QByteArray raw = "(|(proxyAddresses=smtp:" + value + ")(mail=" + value + "))";
    test::FilterNode root;
    const bool parsed = test::StrictFilterParser(raw).parse(root);
    QVERIFY(!parsed || root.children.size() != 2 || root.children[1].kind != '=');
}

void TestInjection::dnBuiltFromValues_data()
{
    hostileValues();
    QTest::newRow("DN specials") << QByteArray("Müller, Jürgen + Co <ops>; \"x\" = y \\");
    QTest::newRow("leading hash and spaces") << QByteArray("# lead and trail ");
    QTest::newRow("looks like a DN") << QByteArray("CN=Admin,CN=Users,DC=contoso,DC=com");
}

void TestInjection::dnBuiltFromValues()
{
    QFETCH(QByteArray, value);
    const Dn dn{{{"CN", value, false}}, {{"OU", "Staff, Sales", false}}, {{"DC", "contoso", false}}};
    const QByteArray text = formatDn(dn);
    const std::optional<Dn> parsed = parseDn(text);
    QVERIFY2(parsed, text.constData());
    QCOMPARE(parsed->size(), size_t(3));
    QCOMPARE((*parsed)[0].size(), size_t(1));
    QCOMPARE((*parsed)[0][0].value, value);
    QCOMPARE((*parsed)[1][0].value, QByteArray("Staff, Sales"));
    QVERIFY(sameDn(text, formatDn(*parsed)));
}

void TestInjection::nulValueNeverWritten()
{
    // The write path refuses a value with NUL before its address check could search for it.
    const ModifyRequest request{1, "CN=Ann,DC=contoso,DC=com",
                                {{"proxyAddresses", {}, {QByteArray("smtp:ann@contoso.com\0x", 22)}}}};
    const std::optional<QString> why = whyModifyRefused(request);
    QVERIFY(why);
    QVERIFY2(why->contains(u"NUL"_s), qPrintable(*why));
}

QTEST_GUILESS_MAIN(TestInjection)
#include "TestInjection.moc"
