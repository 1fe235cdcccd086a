// SPDX-License-Identifier: Apache-2.0
#include "LdifReader.h"

#include <QTest>

#include <optional>
#include <vector>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Attribute {
    QByteArray name;
    QByteArray value;
    qint64 line = 0;
};
struct Entry {
    QByteArray dn;
    qint64 line = 0;
    std::vector<Attribute> attributes;
    QByteArray value(QByteArrayView name) const
    {
        for (const Attribute& a : attributes)
            if (a.name == name)
                return a.value;
        return "<absent>";
    }
};
struct Outcome {
    std::vector<Entry> entries;
    Result<void> read;
};

// The views die with the callback, so the test copies them.
Outcome readLdif(QByteArrayView data, const ReadProgress& progress = {})
{
    Outcome out;
    LdifReader reader(data, u"test.ldif"_s);
    out.read = reader.read(
        [&](const LdifEntry& e) {
            Entry copy{e.dn.toByteArray(), e.line, {}};
            for (const LdifAttribute& a : e.attributes)
                copy.attributes.push_back({a.name.toByteArray(), a.value.toByteArray(), a.line});
            out.entries.push_back(std::move(copy));
            return Result<void>();
        },
        progress);
    return out;
}

QByteArray toCrLf(QByteArray lf)
{
    return lf.replace("\n", "\r\n");
}

} // namespace

class TestLdifReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void ldapsearchOutput();
    void crlfGivesTheSameEntries();
    void foldedLines();
    void base64Values();
    void escapedDnStaysAsWritten();
    void ldifdeChangetypeAdd();
    void utf8Bom();
    void utf16LeBom();
    void resultRecords();
    void emptyInput();
    void plainValuesAreViewsIntoTheInput();
    void errorFromCallbackStopsTheRead();
    void progressAndCancel();
    void badInput_data();
    void badInput();
    void longOffendingTextIsCut();
};

void TestLdifReader::ldapsearchOutput()
{
    const QByteArray ldif = R"(# extended LDIF
#
# LDAPv3
# base <DC=contoso,DC=com> with scope subtree
# filter: (objectClass=user)
#  folded comment: the next line continues this comment
 dn: this is not an entry
version: 1

# Ann, Users, contoso.com
dn: CN=Ann,CN=Users,DC=contoso,DC=com
objectClass: top
objectClass: user
description:    three leading spaces are the fill, not the value
proxyAddresses;range=0-1499: SMTP:ann@contoso.com
empty:


# Bob, Users, contoso.com
dn: CN=Bob,CN=Users,DC=contoso,DC=com
mail: bob@contoso.com

# search result
search: 2
result: 0 Success

# numResponses: 3
# numEntries: 2
)";
    const Outcome out = readLdif(ldif);
    QVERIFY2(out.read, qPrintable(out.read ? QString() : out.read.error().toString()));
    QCOMPARE(out.entries.size(), size_t(2));
    const Entry& ann = out.entries[0];
    QCOMPARE(ann.dn, QByteArray("CN=Ann,CN=Users,DC=contoso,DC=com"));
    QCOMPARE(ann.line, 11);
    QCOMPARE(ann.attributes.size(), size_t(5));
    QCOMPARE(ann.attributes[0].name, QByteArray("objectClass"));
    QCOMPARE(ann.attributes[0].value, QByteArray("top"));
    QCOMPARE(ann.attributes[0].line, 12);
    QCOMPARE(ann.attributes[1].value, QByteArray("user"));
    QCOMPARE(ann.value("description"), QByteArray("three leading spaces are the fill, not the value"));
    QCOMPARE(ann.value("proxyAddresses;range=0-1499"), QByteArray("SMTP:ann@contoso.com"));
    QCOMPARE(ann.value("empty"), QByteArray());
    QCOMPARE(ann.attributes[4].line, 16);
    QCOMPARE(out.entries[1].dn, QByteArray("CN=Bob,CN=Users,DC=contoso,DC=com"));
    QCOMPARE(out.entries[1].line, 20);
    QCOMPARE(out.entries[1].value("mail"), QByteArray("bob@contoso.com"));
}

void TestLdifReader::crlfGivesTheSameEntries()
{
    const QByteArray ldif = "version: 1\n\ndn: CN=A,DC=x\nsn: trailing spaces  \ngivenName:: IGEg\n"
                            "description: folded\n  value\n\ndn: CN=B,DC=x\ncn: B";
    const Outcome lf = readLdif(ldif);
    const Outcome crlf = readLdif(toCrLf(ldif));
    QVERIFY(lf.read);
    QVERIFY2(crlf.read, qPrintable(crlf.read ? QString() : crlf.read.error().toString()));
    QCOMPARE(crlf.entries.size(), size_t(2));
    QCOMPARE(crlf.entries[0].value("sn"), QByteArray("trailing spaces  ")); // CR stripped, spaces kept
    QCOMPARE(crlf.entries[0].value("givenName"), QByteArray(" a "));
    QCOMPARE(crlf.entries[0].value("description"), QByteArray("folded value"));
    QCOMPARE(crlf.entries[1].value("cn"), QByteArray("B")); // last line without a line break
    for (size_t i = 0; i < lf.entries.size(); ++i) {
        QCOMPARE(crlf.entries[i].dn, lf.entries[i].dn);
        QCOMPARE(crlf.entries[i].line, lf.entries[i].line);
        QCOMPARE(crlf.entries[i].attributes.size(), lf.entries[i].attributes.size());
        for (size_t k = 0; k < lf.entries[i].attributes.size(); ++k) {
            QCOMPARE(crlf.entries[i].attributes[k].value, lf.entries[i].attributes[k].value);
            QCOMPARE(crlf.entries[i].attributes[k].line, lf.entries[i].attributes[k].line);
        }
    }
}

void TestLdifReader::foldedLines()
{
    const QByteArray value = "a value long enough to be folded by ldapsearch at column 76, with  two spaces";
    const QByteArray b64 = value.toBase64();
    QByteArray ldif = "dn: CN=Folded,OU=A Very Long Organizational Unit Name That ldapsearch Wr\n"
                      " aps,DC=contoso,DC=com\n"
                      "description: ";
    ldif += value.first(30) + "\n " + value.sliced(30, 20) + "\n " + value.sliced(50) + "\n";
    ldif += "info:: " + b64.first(10) + "\n " + b64.sliced(10, 7) + "\n " + b64.sliced(17) + "\n";
    ldif += "proxyAddre\n sses: SMTP:x@y\n"; // the fold may split the name
    ldif += "title: kept\n   spaces\n";      // only the first space is the fold marker
    ldif += "cn: last\n";
    const Outcome out = readLdif(ldif);
    QVERIFY2(out.read, qPrintable(out.read ? QString() : out.read.error().toString()));
    QCOMPARE(out.entries.size(), size_t(1));
    const Entry& e = out.entries[0];
    QCOMPARE(e.dn, QByteArray("CN=Folded,OU=A Very Long Organizational Unit Name That ldapsearch Wraps,DC=contoso,"
                              "DC=com"));
    QCOMPARE(e.value("description"), value);
    QCOMPARE(e.value("info"), value);
    QCOMPARE(e.value("proxyAddresses"), QByteArray("SMTP:x@y"));
    QCOMPARE(e.value("title"), QByteArray("kept  spaces"));
    QCOMPARE(e.attributes[0].line, 3);
    QCOMPARE(e.attributes[1].line, 6);
    QCOMPARE(e.attributes[2].line, 9);
    QCOMPARE(e.attributes[4].line, 13);
}

void TestLdifReader::base64Values()
{
    const QByteArray dn = "CN=Müller\\, Jürgen,OU=Zürich,DC=contoso,DC=com";
    const QByteArray spaces = "  leading and trailing  ";
    const QByteArray binary("\x01\x00\xff\x10\n\r", 6);
    const QByteArray ldif = "dn:: " + dn.toBase64() + "\nextensionAttribute1:: " + spaces.toBase64()
                            + "\nobjectGUID::" + binary.toBase64() + "  \nempty::\n";
    const Outcome out = readLdif(ldif);
    QVERIFY2(out.read, qPrintable(out.read ? QString() : out.read.error().toString()));
    QCOMPARE(out.entries.size(), size_t(1));
    QCOMPARE(out.entries[0].dn, dn);
    QCOMPARE(QString::fromUtf8(out.entries[0].dn), u"CN=Müller\\, Jürgen,OU=Zürich,DC=contoso,DC=com"_s);
    QCOMPARE(out.entries[0].value("extensionAttribute1"), spaces);
    QCOMPARE(out.entries[0].value("objectGUID"), binary);
    QCOMPARE(out.entries[0].value("empty"), QByteArray());
}

void TestLdifReader::escapedDnStaysAsWritten()
{
    const Outcome out = readLdif(R"(dn: CN=\#Hash\+Plus,OU=Users,DC=contoso,DC=com
cn: #Hash+Plus
)");
    QVERIFY(out.read);
    QCOMPARE(out.entries[0].dn, QByteArray(R"(CN=\#Hash\+Plus,OU=Users,DC=contoso,DC=com)"));
    QCOMPARE(out.entries[0].value("cn"), QByteArray("#Hash+Plus"));
}

void TestLdifReader::ldifdeChangetypeAdd()
{
    const QByteArray ldif = toCrLf("dn: CN=Ann,OU=Staff,DC=contoso,DC=com\nchangetype: add\nobjectClass: user\n"
                                   "\ndn: CN=Bob,OU=Staff,DC=contoso,DC=com\nchangeType: Add\ncn: Bob\n\n");
    const Outcome out = readLdif(ldif);
    QVERIFY2(out.read, qPrintable(out.read ? QString() : out.read.error().toString()));
    QCOMPARE(out.entries.size(), size_t(2));
    QCOMPARE(out.entries[0].attributes.size(), size_t(1)); // changetype is not an attribute
    QCOMPARE(out.entries[0].attributes[0].name, QByteArray("objectClass"));
    QCOMPARE(out.entries[0].attributes[0].line, 3);
    QCOMPARE(out.entries[1].line, 5);
}

void TestLdifReader::utf8Bom()
{
    const Outcome out = readLdif("\xef\xbb\xbf"
                                 "dn: CN=A\ncn: A\n");
    QVERIFY(out.read);
    QCOMPARE(out.entries.size(), size_t(1));
    QCOMPARE(out.entries[0].dn, QByteArray("CN=A"));
}

void TestLdifReader::utf16LeBom()
{
    // ldifde -u: UTF-16LE with a BOM and CRLF; non-ASCII inline.
    const QString text = u"\ufeffdn: CN=Jürgen Müller,OU=Staff,DC=contoso,DC=com\r\nchangetype: add\r\n"
                         u"displayName: Jürgen Müller\r\nproxyAddresses: SMTP:j@contoso.com\r\n\r\n"
                         u"dn: CN=Ann,DC=contoso,DC=com\r\ncn: Ann\r\n\r\n"_s;
    QByteArray utf16;
    for (QChar c : text) {
        utf16.append(char(c.unicode() & 0xff));
        utf16.append(char(c.unicode() >> 8));
    }
    QCOMPARE(quint8(utf16[0]), quint8(0xff));
    QCOMPARE(quint8(utf16[1]), quint8(0xfe));
    qint64 lastProgress = 0;
    const Outcome out = readLdif(utf16, [&](qint64 bytes) {
        lastProgress = bytes;
        return true;
    });
    QVERIFY2(out.read, qPrintable(out.read ? QString() : out.read.error().toString()));
    QCOMPARE(out.entries.size(), size_t(2));
    QCOMPARE(QString::fromUtf8(out.entries[0].dn), u"CN=Jürgen Müller,OU=Staff,DC=contoso,DC=com"_s);
    QCOMPARE(QString::fromUtf8(out.entries[0].value("displayName")), u"Jürgen Müller"_s);
    QCOMPARE(out.entries[0].attributes[1].line, 4);
    QCOMPARE(out.entries[1].line, 6);
    QCOMPARE(lastProgress, qint64(utf16.size())); // progress counts the caller's (UTF-16) bytes
}

void TestLdifReader::resultRecords()
{
    // ldapsearch without -L, with paged results: a result record after every page, search references as ref:.
    const QByteArray ldif = R"(dn: CN=A,DC=x
cn: A

# search reference
ref: ldap://ForestDnsZones.contoso.com/DC=ForestDnsZones,DC=contoso,DC=com

# search result
search: 2
result: 0 Success
control: 1.2.840.113556.1.4.319 false MAQCAQAEAA==

dn: CN=B,DC=x
cn: B

# search result
search: 3
result: 0 Success

# numResponses: 3
)";
    const Outcome out = readLdif(ldif);
    QVERIFY2(out.read, qPrintable(out.read ? QString() : out.read.error().toString()));
    QCOMPARE(out.entries.size(), size_t(2));
    QCOMPARE(out.entries[1].line, 12);
}

void TestLdifReader::emptyInput()
{
    QVERIFY(readLdif("").entries.empty());
    QVERIFY(readLdif("").read);
    QVERIFY(readLdif("# only a comment\n\n\n").read);
    QVERIFY(readLdif("version: 1\n").read);
}

void TestLdifReader::plainValuesAreViewsIntoTheInput()
{
    const QByteArray ldif = "dn: CN=A\ncn: plain\nsn:: Zm9v\n";
    LdifReader reader(ldif, u"test.ldif"_s);
    bool checked = false;
    const auto readResult = reader.read([&](const LdifEntry& e) {
        const auto inInput = [&](QByteArrayView v) {
            return v.data() >= ldif.constData() && v.data() + v.size() <= ldif.constData() + ldif.size();
        };
        checked = inInput(e.dn) && inInput(e.attributes[0].value) && !inInput(e.attributes[1].value)
                  && e.attributes[1].value == QByteArrayView("foo");
        return Result<void>();
    });
    QVERIFY(readResult);
    QVERIFY(checked);
}

void TestLdifReader::errorFromCallbackStopsTheRead()
{
    int calls = 0;
    LdifReader reader("dn: CN=A\n\ndn: CN=B\n\ndn: CN=C\n", u"stop.ldif"_s);
    const auto readResult = reader.read([&](const LdifEntry& e) -> Result<void> {
        ++calls;
        if (e.dn == QByteArrayView("CN=B"))
            return ImportError{{}, e.line, {}, u"not this one"_s};
        return {};
    });
    QVERIFY(!readResult);
    const ImportError& error = readResult.error();
    QCOMPARE(calls, 2);
    QCOMPARE(error.file, u"stop.ldif"_s);
    QCOMPARE(error.line, 3);
    QCOMPARE(error.message, u"not this one"_s);
}

void TestLdifReader::progressAndCancel()
{
    QByteArray ldif;
    for (int i = 0; i < 50000; ++i)
        ldif += "dn: CN=User" + QByteArray::number(i) + ",OU=Staff,DC=contoso,DC=com\ncn: User\n\n";
    QVERIFY(ldif.size() > 2 * (1 << 20));

    std::vector<qint64> reports;
    Outcome out = readLdif(ldif, [&](qint64 bytes) {
        reports.push_back(bytes);
        return true;
    });
    QVERIFY(out.read);
    QCOMPARE(out.entries.size(), size_t(50000));
    QVERIFY(reports.size() >= 3);
    QVERIFY(std::is_sorted(reports.begin(), reports.end()));
    QVERIFY(reports.front() >= (1 << 20) && reports.front() < (1 << 20) + 200);
    QCOMPARE(reports.back(), qint64(ldif.size()));

    out = readLdif(ldif, [](qint64) { return false; });
    QVERIFY(!out.read);
    QCOMPARE(out.read.error().message, u"cancelled"_s);
    QCOMPARE(out.read.error().line, 0);
    QCOMPARE(out.read.error().file, u"test.ldif"_s);
    QVERIFY(out.entries.size() > 1000 && out.entries.size() < 50000);
}

void TestLdifReader::badInput_data()
{
    QTest::addColumn<QByteArray>("ldif");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<QString>("phrase");

    QTest::newRow("invalid base64") << QByteArray("dn: CN=A\ncn: A\ndescription:: abc$\n") << qint64(3)
                                    << u"expected base64 after \"description::\" but found \"abc$\""_s;
    QTest::newRow("invalid folded base64")
        << QByteArray("dn: CN=A\ndescription:: YWJj\n ZA$=\n") << qint64(2) << u"but found \"YWJjZA$=\""_s;
    QTest::newRow("base64 without padding")
        << QByteArray("dn: CN=A\ndescription:: YWJjZA\n") << qint64(2) << u"expected base64"_s;
    QTest::newRow("base64 padding inside")
        << QByteArray("dn: CN=A\ndescription:: YQ==YWJj\n") << qint64(2) << u"expected base64"_s;
    QTest::newRow("invalid base64 dn") << QByteArray("\n\ndn:: Q049QQ=\n") << qint64(3)
                                       << u"expected base64 after \"dn::\""_s;
    QTest::newRow("line without colon") << QByteArray("dn: CN=A\ncn: A\nthis line has no colon\n") << qint64(3)
                                        << u"found a line without a colon: \"this line has no colon\""_s;
    QTest::newRow("bad attribute name") << QByteArray("dn: CN=A\nmy attr: x\n") << qint64(2)
                                        << u"expected an attribute name before the colon"_s;
    QTest::newRow("empty attribute name")
        << QByteArray("dn: CN=A\n: x\n") << qint64(2) << u"expected an attribute name before the colon"_s;
    QTest::newRow("continuation at the very start")
        << QByteArray(" dn: CN=A\ncn: A\n") << qint64(1) << u"continuation line"_s;
    QTest::newRow("continuation after a blank line")
        << QByteArray("dn: CN=A\n\n more\n") << qint64(3) << u"with no line before it to continue"_s;
    QTest::newRow("URL value") << QByteArray("dn: CN=A\njpegPhoto:< file:///tmp/photo.jpg\n") << qint64(2)
                               << u"URL values are not supported; export with the values inline"_s;
    QTest::newRow("changetype modify") << QByteArray("dn: CN=A\nchangetype: modify\nreplace: cn\ncn: B\n-\n")
                                       << qint64(2) << u"this is a change file, not an export"_s;
    QTest::newRow("changetype delete") << QByteArray("dn: CN=A,DC=x\n\ndn: CN=B\nchangetype: delete\n") << qint64(4)
                                       << u"found \"changetype: delete\""_s;
    QTest::newRow("record without dn") << QByteArray("cn: A\nsn: B\n") << qint64(1)
                                       << u"expected a record starting with \"dn: <distinguished name>\" but "
                                          "found \"cn: A\""_s;
    QTest::newRow("record without dn after one")
        << QByteArray("dn: CN=A\ncn: A\n\n\ncn: B\n") << qint64(5) << u"expected a record starting with \"dn:"_s;
    QTest::newRow("missing blank line") << QByteArray("dn: CN=A\ncn: A\ndn: CN=B\n") << qint64(3)
                                        << u"expected a blank line before the next \"dn:\""_s;
    QTest::newRow("version 2") << QByteArray("version: 2\n\ndn: CN=A\n") << qint64(1) << u"expected \"version: 1\""_s;
    QTest::newRow("version later") << QByteArray("dn: CN=A\n\nversion: 1\n") << qint64(3)
                                   << u"expected a record starting with"_s;
    QTest::newRow("size limit exceeded") << QByteArray("dn: CN=A\n\n# search result\nsearch: 2\n"
                                                       "result: 4 Size limit exceeded\n")
                                         << qint64(5)
                                         << u"\"result: 4 Size limit exceeded\": the export is incomplete"_s;
    QTest::newRow("entry in a result record")
        << QByteArray("search: 2\nresult: 0 Success\ncn: A\n") << qint64(3) << u"expected only search:/result: lines"_s;
    QTest::newRow("crlf line numbers") << toCrLf("dn: CN=A\ncn: A\n\ndn: CN=B\nbroken\n") << qint64(5)
                                       << u"without a colon"_s;
}

void TestLdifReader::badInput()
{
    QFETCH(QByteArray, ldif);
    QFETCH(qint64, line);
    QFETCH(QString, phrase);
    const Outcome out = readLdif(ldif);
    QVERIFY(!out.read);
    QCOMPARE(out.read.error().file, u"test.ldif"_s);
    QCOMPARE(out.read.error().line, line);
    QVERIFY2(out.read.error().message.contains(phrase), qPrintable(out.read.error().message));
}

void TestLdifReader::longOffendingTextIsCut()
{
    const QByteArray longLine = "ä" + QByteArray(200, 'x');
    const Outcome out = readLdif(QByteArray("dn: CN=A\n" + longLine + "\n"));
    QVERIFY(!out.read);
    QCOMPARE(out.read.error().line, 2);
    QVERIFY2(out.read.error().message.contains(u"\"ä" + QString(58, u'x') + u"…\""),
             qPrintable(out.read.error().message));
    QVERIFY(out.read.error().message.size() < 150);
}

QTEST_GUILESS_MAIN(TestLdifReader)
#include "TestLdifReader.moc"
