// SPDX-License-Identifier: Apache-2.0
// The attribute catalog, proxy-address parsing, identity conversions and recipient-type decoding.
#include "AttributeCatalog.h"
#include "CsvCell.h"
#include "Identity.h"
#include "JsonWriter.h"
#include "ProxyAddress.h"
#include "RecipientType.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestDomainBasics final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void catalogHasTheTwentyFourWrittenBackAttributes()
    {
        QCOMPARE(AttributeCatalog::writtenBackCount(), 24);
        QCOMPARE(int(AttributeCatalog::all().size()), 28);
        for (const AttributeSpec& spec : AttributeCatalog::all()) {
            QCOMPARE(AttributeCatalog::spec(spec.id).ldapName, spec.ldapName);
            // Sunset writes only what Cloud Sync itself would write: the writeback direction.
            QVERIFY(!spec.writableBySunset || spec.writtenBackByCloudSync);
        }
        for (const char* notWrittenBack : {"msExchHideFromAddressLists", "mailNickname", "targetAddress",
                                           "msExchRemoteRecipientType"})
            QVERIFY(!AttributeCatalog::spec(*AttributeCatalog::byLdapName(QByteArrayView(notWrittenBack)))
                         .writtenBackByCloudSync);
        QVERIFY(AttributeCatalog::spec(AttributeId::MsExchExtensionCustomAttribute3).multiValued);
        QCOMPARE(AttributeCatalog::spec(AttributeId::ExtensionAttribute7).exoName, "CustomAttribute7"_L1);
    }

    void ldapNamesAreCaseInsensitiveAndOptionsIgnored()
    {
        QCOMPARE(AttributeCatalog::byLdapName(QByteArrayView("PROXYADDRESSES;range=0-1499")),
                 std::optional<AttributeId>(AttributeId::ProxyAddresses));
        QCOMPARE(AttributeCatalog::byLdapName(u"extensionattribute12"_s),
                 std::optional<AttributeId>(AttributeId::ExtensionAttribute12));
        QVERIFY(!AttributeCatalog::byLdapName(QByteArrayView("extensionAttribute16")));
        QCOMPARE(cloudPropertyFromName(u"customattribute3"_s), std::optional<CloudProperty>(CloudProperty::CustomAttribute3));
    }

    void proxyAddressParsing()
    {
        const ProxyAddress p("SMTP:ann@x.com");
        QCOMPARE(p.type(), QByteArrayView("SMTP"));
        QCOMPARE(p.address(), QByteArrayView("ann@x.com"));
        QVERIFY(p.isPrimarySmtp());
        QVERIFY(!ProxyAddress("smtp:ann@x.com").isPrimarySmtp());
        QVERIFY(ProxyAddress("smtp:ann@x.com").isSmtp());
        const ProxyAddress x500("X500:/o=Org (Main)/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=O'Neil");
        QCOMPARE(x500.type(), QByteArrayView("X500"));
        const ProxyAddress bare("ann@x.com");
        QVERIFY(bare.type().isEmpty());
        QCOMPARE(bare.address(), QByteArrayView("ann@x.com"));
    }

    void proxyComparisonIsSymmetricAndHashConsistent_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("same") << QByteArray("SMTP:a@x.com") << QByteArray("SMTP:a@x.com") << true;
        QTest::newRow("address case") << QByteArray("smtp:A@X.com") << QByteArray("smtp:a@x.COM") << true;
        QTest::newRow("primary vs secondary") << QByteArray("SMTP:a@x.com") << QByteArray("smtp:a@x.com") << false;
        QTest::newRow("x500 prefix case") << QByteArray("X500:/o=a") << QByteArray("x500:/O=A") << true;
        QTest::newRow("types differ") << QByteArray("sip:a@x.com") << QByteArray("smtp:a@x.com") << false;
        QTest::newRow("kelvin sign") << QByteArray("smtp:\xe2\x84\xaa@x.com") << QByteArray("smtp:k@x.com") << true;
        QTest::newRow("umlaut") << QByteArray("smtp:\xc3\x9c@x.com") << QByteArray("smtp:\xc3\xbc@x.com") << true;
        QTest::newRow("trailing space") << QByteArray("smtp:a@x.com ") << QByteArray("smtp:a@x.com") << false;
    }
    void proxyComparisonIsSymmetricAndHashConsistent()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(ProxyAddress::equivalent(a, b), equal);
        QCOMPARE(ProxyAddress::equivalent(b, a), equal);
        if (equal)
            QCOMPARE(ProxyAddress::hash(a), ProxyAddress::hash(b));
    }

    void sidRoundTrip()
    {
        const QByteArray text = "S-1-5-21-1004336348-1177238915-682003330-512";
        const auto bin = sidFromText(text);
        QVERIFY(bin);
        QCOMPARE(bin->size(), 28);
        QCOMPARE(*sidToText(*bin), text);
        QVERIFY(!sidToText(bin->left(27)));
        QVERIFY(!sidFromText("S-1-x-5"));
    }

    void guidRoundTripUsesTheWindowsByteOrder()
    {
        const auto bytes = guidFromText("{1B4E28BA-2FA1-11D2-883F-0016D3CCA427}");
        QVERIFY(bytes);
        QCOMPARE(bytes->toHex(), QByteArray("ba284e1ba12fd211883f0016d3cca427"));
        QCOMPARE(*guidToText(*bytes), QByteArray("1b4e28ba-2fa1-11d2-883f-0016d3cca427"));
        QVERIFY(!guidToText(QByteArray(15, 'x')));
        QVERIFY(!guidFromText("12345678-1234-1234-1234-1234567890-a")); // dashes where hex digits belong
        QVERIFY(!guidFromText("1b4e28ba-2fa1-11d2-883f-0016d3cca42g"));
        QCOMPARE(*normalizeExternalDirectoryObjectId("User_7CDBE897-3C7F-4FB6-A369-56408D68081F"),
                 QByteArray("7cdbe897-3c7f-4fb6-a369-56408d68081f"));
        QVERIFY(!normalizeExternalDirectoryObjectId("User_nope"));
    }

    void timestamps()
    {
        QCOMPARE(*parseGeneralizedTime("20261124085422.0Z"), 1795510462000);
        QVERIFY(!parseGeneralizedTime("2026-11-24"));
        QVERIFY(!parseGeneralizedTime("20261124085422XYZ"));
        QCOMPARE(*parseCloudTimestamp("2026-11-24T08:54:22.0000000Z"), 1795510462000);
        QCOMPARE(*parseCloudTimestamp("2026-11-24T08:54:22Z"), 1795510462000);
        QCOMPARE(*parseCloudTimestamp("/Date(1795510462000)/"), 1795510462000);
        QCOMPARE(*parseCloudTimestamp("11/24/2026 8:54:22 AM"), 1795510462000);
        QVERIFY(!parseCloudTimestamp("yesterday"));
    }

    void recipientTypesDecode()
    {
        QCOMPARE(recipientTypeDetailsName(2147483648), u"2147483648 (RemoteUserMailbox)"_s);
        QCOMPARE(recipientTypeDetailsName(34359738368), u"34359738368 (RemoteSharedMailbox)"_s);
        QCOMPARE(recipientDisplayTypeName(-2147483642), u"-2147483642 (SyncedMailboxUser)"_s);
        QCOMPARE(remoteRecipientTypeFlagsText(100), u"100 (Migrated, Shared)"_s);
        QCOMPARE(remoteRecipientTypeFlagsText(38), u"38 (ProvisionArchive, Migrated, Room)"_s);
        QCOMPARE(remoteRecipientTypeFor(*cloudMailboxTypeFromName("equipmentmailbox")), 17179869184);
    }

    void csvCellsDefuseFormulasAndKeepValuesApart()
    {
        QCOMPARE(csvCell(u"plain, \"quoted\""_s), u"\"plain, \"\"quoted\"\"\""_s);
        for (const QString& formula : {u"=1+1"_s, u"+1"_s, u"-1"_s, u"@SUM(A1)"_s, u"\tx"_s, u"\rx"_s})
            QCOMPARE(csvCell(formula), u"\"'"_s + formula + u'"');
        QCOMPARE(csvCell(u"a=1"_s), u"\"a=1\""_s); // only the start of a cell runs
        QCOMPARE(csvCell(QString()), u"\"\""_s);

        // Values holding the old separator, a line break, a backslash or spaces at either end come back whole.
        const QStringList values{u"a; b"_s, u"line\nbreak\r"_s, u"C:\\share\\n"_s, u" padded "_s, u"Müller"_s};
        const QString cell = csvValuesCell(values);
        QVERIFY(cell.startsWith(u'"') && cell.endsWith(u'"'));
        QCOMPARE(cell.count(u'\n'), values.size() - 1); // the only raw line feeds separate values
        QCOMPARE(parseCsvValues(cell.mid(1, cell.size() - 2)), values);
        QCOMPARE(parseCsvValues(QString()), QStringList());
        QCOMPARE(csvValuesCell({}), u"\"\""_s);
        QCOMPARE(csvValuesCell({u"=cmd"_s, u"x"_s}), u"\"'=cmd\nx\""_s); // defused as a whole cell
    }

    void jsonWriterEscapesAndNests()
    {
        JsonWriter w;
        w.beginObject();
        w.key("s"_L1).value(u"a\"b\\c\nd\u0001 Müller"_s);
        w.key("list"_L1).stringArray({u"x"_s, u" y "_s});
        w.key("empty"_L1).beginArray().endArray();
        w.key("n"_L1).value(qint64(-5));
        w.key("null"_L1).null();
        w.endObject();
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(w.buffer(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc.object().value(u"s"_s).toString(), u"a\"b\\c\nd\u0001 Müller"_s);
        QCOMPARE(doc.object().value(u"list"_s).toArray().at(1).toString(), u" y "_s);
        QVERIFY(doc.object().value(u"null"_s).isNull());
    }
};

QTEST_GUILESS_MAIN(TestDomainBasics)
#include "TestDomainBasics.moc"
