// SPDX-License-Identifier: Apache-2.0
// replPropertyMetaData and msDS-ReplAttributeMetaData decoded, and resolved to catalog attributes and DC names
// through the schema and nTDSDSA entries (ReplicationMetadataDecoder).
#include "ReplicationMetadata.h"

#include <QDateTime>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// One entry written by hand, byte for byte (not through encodeReplPropertyMetaData): header version 1, count 1;
// attid 0x000201a7 (1.2.840.113556.1.2.423, extensionAttribute1), version 2, 2026-12-07T09:12:44Z as seconds
// since 1601 (13441108364), invocation id 8c1f3a52-4d6e-4b7a-9e0f-1a2b3c4d5e6f, USNs 4100 and 4101.
const QByteArray kOneEntry = QByteArray::fromHex(
    "01000000000000000100000000000000"
    "a7010200020000008c09272103000000523a1f8c6e4d7a4b9e0f1a2b3c4d5e6f04100000000000000510000000000000");
const qint64 kChangeMsecs = 1796634764000; // 2026-12-07T09:12:44Z
const QByteArray kInvocationBytes = QByteArray::fromHex("523a1f8c6e4d7a4b9e0f1a2b3c4d5e6f");
const QString kInvocationText = u"8c1f3a52-4d6e-4b7a-9e0f-1a2b3c4d5e6f"_s;

// A Windows msDS-ReplAttributeMetaData value in the documented element order (MS-ADTS, DS_REPL_ATTR_META_DATA_2).
const QByteArray kXmlValue = "<DS_REPL_ATTR_META_DATA>\n"
                             "\t<pszAttributeName>msExchRecipientTypeDetails</pszAttributeName>\n"
                             "\t<dwVersion>4</dwVersion>\n"
                             "\t<ftimeLastOriginatingChange>2026-12-07T09:12:44Z</ftimeLastOriginatingChange>\n"
                             "\t<uuidLastOriginatingDsaInvocationID>8C1F3A52-4D6E-4B7A-9E0F-1A2B3C4D5E6F"
                             "</uuidLastOriginatingDsaInvocationID>\n"
                             "\t<usnOriginatingChange>20480</usnOriginatingChange>\n"
                             "\t<usnLocalChange>20480</usnLocalChange>\n"
                             "\t<pszLastOriginatingDsaDN>CN=NTDS Settings,CN=DC02,CN=Servers,"
                             "CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=contoso,DC=com"
                             "</pszLastOriginatingDsaDN>\n"
                             "</DS_REPL_ATTR_META_DATA>\n";

// An entry built from name/value pairs, the values owned by the caller's list.
struct Entry {
    QByteArray dn;
    std::vector<std::pair<QByteArray, QByteArray>> values;
    std::vector<LdifAttribute> attributes;

    LdifEntry view()
    {
        attributes.clear();
        for (const auto& [name, value] : values)
            attributes.push_back(LdifAttribute{name, value, 1});
        return LdifEntry{dn, 1, attributes};
    }
};

Entry schemaEntry(const QByteArray& cn, const QByteArray& ldapName, const QByteArray& oid, const QByteArray& intId = {})
{
    Entry e{"CN=" + cn + ",CN=Schema,CN=Configuration,DC=contoso,DC=com",
            {{"objectClass", "top"}, {"objectClass", "attributeSchema"}, {"attributeID", oid},
             {"lDAPDisplayName", ldapName}},
            {}};
    if (!intId.isEmpty())
        e.values.emplace_back("msDS-IntId", intId);
    return e;
}

Entry dsaEntry(const QByteArray& server, const QByteArray& invocationBytes)
{
    return Entry{"CN=NTDS Settings,CN=" + server + ",CN=Servers,CN=Default-First-Site-Name,CN=Sites,"
                 "CN=Configuration,DC=contoso,DC=com",
                 {{"objectClass", "top"}, {"objectClass", "applicationSettings"}, {"objectClass", "nTDSDSA"},
                  {"invocationId", invocationBytes}},
                 {}};
}

Entry serverEntry(const QByteArray& server, const QByteArray& host)
{
    return Entry{"CN=" + server + ",CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=contoso,DC=com",
                 {{"objectClass", "top"}, {"objectClass", "server"}, {"dNSHostName", host}},
                 {}};
}

void feed(ReplicationMetadataDecoder& decoder, Entry entry)
{
    const LdifEntry view = entry.view();
    const auto kind = ReplicationMetadataDecoder::kindOf(view);
    QVERIFY(kind != ReplicationMetadataDecoder::EntryKind::None);
    const auto added = decoder.addDictionaryEntry(view, kind);
    QVERIFY2(added, added ? "" : qPrintable(added.error()));
}

} // namespace

class TestReplicationMetadata final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void decodesTheBinaryLayout()
    {
        const auto stamps = decodeReplPropertyMetaData(kOneEntry);
        QVERIFY2(stamps.ok(), stamps ? "" : qPrintable(stamps.error()));
        QCOMPARE(stamps->size(), size_t(1));
        const PropertyStamp& s = stamps->front();
        QCOMPARE(s.attid, 0x000201a7u);
        QCOMPARE(s.version, 2u);
        QCOMPARE(s.originatingChangeMsecs, kChangeMsecs);
        QCOMPARE(QDateTime::fromMSecsSinceEpoch(s.originatingChangeMsecs, Qt::UTC).toString(Qt::ISODate),
                 u"2026-12-07T09:12:44Z"_s);
        QCOMPARE(s.originatingInvocationId, kInvocationBytes);
        QCOMPARE(s.originatingUsn, 4100);
        QCOMPARE(s.localUsn, 4101);
        QCOMPARE(encodeReplPropertyMetaData(stamps.value()), kOneEntry); // the test helper writes the same bytes
    }

    void refusesMalformedBlobs_data()
    {
        QTest::addColumn<QByteArray>("blob");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QByteArray() << u"fewer than its 16-byte header"_s;
        QTest::newRow("cut header") << kOneEntry.first(12) << u"has 12 bytes"_s;
        QByteArray version2 = kOneEntry;
        version2[0] = 2;
        QTest::newRow("version 2") << version2 << u"version 2"_s;
        QByteArray countTwo = kOneEntry;
        countTwo[8] = 2;
        QTest::newRow("count above the entries") << countTwo << u"announces 2 entries (112 bytes"_s;
        QTest::newRow("cut entry") << kOneEntry.chopped(1) << u"but has 63 bytes"_s;
        QTest::newRow("trailing bytes") << kOneEntry + "x" << u"but has 65 bytes"_s;
        QByteArray huge = kOneEntry;
        huge[11] = char(0xff); // 0xff000001 entries: the length check must not overflow
        QTest::newRow("huge count") << huge << u"announces 4278190081 entries"_s;
        QByteArray future = kOneEntry;
        future[16 + 15] = char(0x80); // the time's top byte: negative
        QTest::newRow("negative time") << future << u"entry 1 has an originating time of -"_s;
    }
    void refusesMalformedBlobs()
    {
        QFETCH(QByteArray, blob);
        QFETCH(QString, expected);
        const auto stamps = decodeReplPropertyMetaData(blob);
        QVERIFY(!stamps.ok());
        QVERIFY2(stamps.error().contains(expected), qPrintable(stamps.error()));
        QVERIFY2(stamps.error().startsWith(u"replPropertyMetaData"_s), qPrintable(stamps.error()));
    }

    void emptyVectorDecodes()
    {
        const auto stamps = decodeReplPropertyMetaData(QByteArray::fromHex("01000000000000000000000000000000"));
        QVERIFY(stamps.ok());
        QVERIFY(stamps->empty());
    }

    void oidFromAttidUsesTheStaticPrefixTable_data()
    {
        QTest::addColumn<quint32>("attid");
        QTest::addColumn<QByteArray>("oid");
        // Samba's prefixMap torture data (MS-DRSR 5.16.4 examples) and the catalog's own attributes.
        QTest::newRow("2.5.4.0") << 0x00000000u << QByteArray("2.5.4.0");
        QTest::newRow("2.5.4.42") << 0x0000002au << QByteArray("2.5.4.42");
        QTest::newRow("1.2.840.113556.1.2.281") << 0x00020119u << QByteArray("1.2.840.113556.1.2.281");
        QTest::newRow("1.2.840.113556.1.4.146") << 0x00090092u << QByteArray("1.2.840.113556.1.4.146");
        QTest::newRow("proxyAddresses") << 0x000200d2u << QByteArray("1.2.840.113556.1.2.210");
        QTest::newRow("extensionAttribute1") << 0x000201a7u << QByteArray("1.2.840.113556.1.2.423");
        QTest::newRow("mail") << 0x00150003u << QByteArray("0.9.2342.19200300.100.1.3");
        QTest::newRow("1.2.840.113556.1.5.7000.x") << 0x00170005u << QByteArray("1.2.840.113556.1.5.7000.5");
        QTest::newRow("arc 16383") << 0x00093fffu << QByteArray("1.2.840.113556.1.4.16383");
    }
    void oidFromAttidUsesTheStaticPrefixTable()
    {
        QFETCH(quint32, attid);
        QFETCH(QByteArray, oid);
        QCOMPARE(oidFromAttid(attid).value_or("(none)"), oid);
    }

    void oidFromAttidHasNoAnswerOutsideTheTable()
    {
        QVERIFY(!oidFromAttid(0x80000001u)); // msDS-IntId range
        QVERIFY(!oidFromAttid(0x000b0001u)); // 1.2.840.113556.1.4.260: a prefix only a schema's prefixMap holds
        QVERIFY(!oidFromAttid(0x03ed0001u)); // a dynamic prefix index
    }

    void parsesTheWindowsXml()
    {
        const auto stamp = parseReplAttributeMetaDataXml(QByteArray(kXmlValue + QByteArray(1, '\0')));
        QVERIFY2(stamp.ok(), stamp ? "" : qPrintable(stamp.error()));
        QCOMPARE(stamp->attributeName, u"msExchRecipientTypeDetails"_s);
        QCOMPARE(stamp->version, 4u);
        QCOMPARE(stamp->originatingChangeMsecs, kChangeMsecs);
        QCOMPARE(stamp->originatingInvocationId, kInvocationText);
        QVERIFY(stamp->originatingDsaDn.startsWith("CN=NTDS Settings,CN=DC02,"));
    }

    void refusesXmlThatIsNotTheMetadata_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QString>("expected");
        QTest::newRow("other root") << QByteArray("<DS_REPL_VALUE_META_DATA/>") << u"not <DS_REPL_ATTR_META_DATA>"_s;
        QTest::newRow("broken") << QByteArray("<DS_REPL_ATTR_META_DATA><dwVersion>") << u"not well-formed"_s;
        QTest::newRow("no time") << QByteArray("<DS_REPL_ATTR_META_DATA><pszAttributeName>mail</pszAttributeName>"
                                              "<dwVersion>1</dwVersion></DS_REPL_ATTR_META_DATA>")
                                 << u"lacks pszAttributeName, dwVersion or ftimeLastOriginatingChange"_s;
        QTest::newRow("bad version")
            << QByteArray("<DS_REPL_ATTR_META_DATA><pszAttributeName>mail</pszAttributeName><dwVersion>x</dwVersion>"
                          "<ftimeLastOriginatingChange>2026-12-07T09:12:44Z</ftimeLastOriginatingChange>"
                          "</DS_REPL_ATTR_META_DATA>")
            << u"lacks"_s;
    }
    void refusesXmlThatIsNotTheMetadata()
    {
        QFETCH(QByteArray, value);
        QFETCH(QString, expected);
        const auto stamp = parseReplAttributeMetaDataXml(value);
        QVERIFY(!stamp.ok());
        QVERIFY2(stamp.error().contains(expected), qPrintable(stamp.error()));
    }

    void resolvesCatalogAttributesAndDomainControllers()
    {
        ReplicationMetadataDecoder decoder;
        QVERIFY(!decoder.knowsSchema());
        feed(decoder, schemaEntry("Proxy-Addresses", "proxyAddresses", "1.2.840.113556.1.2.210"));
        // An Exchange attribute added by a schema extension: its attid is its msDS-IntId (0x8c3f0007, read as the
        // signed Integer AD returns).
        feed(decoder, schemaEntry("ms-Exch-Recipient-Type-Details", "msExchRecipientTypeDetails",
                                  "1.2.840.113556.1.4.7000.102.50", QByteArray::number(qint32(0x8c3f0007u))));
        feed(decoder, schemaEntry("Description", "description", "2.5.4.13")); // not in the catalog: ignored
        feed(decoder, dsaEntry("DC01", kInvocationBytes));
        feed(decoder, serverEntry("DC01", "dc01.contoso.com"));
        QVERIFY(decoder.knowsSchema());
        QCOMPARE(decoder.attributeFor(0x000200d2u), std::optional(AttributeId::ProxyAddresses));
        QCOMPARE(decoder.attributeFor(0x8c3f0007u), std::optional(AttributeId::MsExchRecipientTypeDetails));
        QVERIFY(!decoder.attributeFor(0x0000000du)); // description
        QVERIFY(!decoder.attributeFor(0x8c3f0008u));

        const QByteArray otherDc = QByteArray::fromHex("00112233445566778899aabbccddeeff");
        const QByteArray blob = encodeReplPropertyMetaData({
            {0x00000000u, 1, 1000000000000, otherDc, 10, 10},              // objectClass: not kept
            {0x000200d2u, 3, kChangeMsecs, kInvocationBytes, 4100, 4101},  // proxyAddresses
            {0x0000000du, 1, 1000000000000, kInvocationBytes, 11, 11},     // description: not kept
            {0x8c3f0007u, 7, kChangeMsecs - 5000, otherDc, 900, 4000},     // msExchRecipientTypeDetails
        });
        auto changes = decoder.changesFromBlob(blob);
        QVERIFY2(changes.ok(), changes ? "" : qPrintable(changes.error()));
        QCOMPARE(changes->size(), size_t(2));
        AdChangeMetadata metadata;
        metadata.byDn.insert("CN=a,DC=contoso,DC=com", std::move(changes.value()));
        decoder.nameDomainControllers(metadata);
        const auto& kept = metadata.value("CN=a,DC=contoso,DC=com");
        QCOMPARE(kept[0].attribute, AttributeId::ProxyAddresses);
        QCOMPARE(kept[0].version, 3u);
        QCOMPARE(kept[0].originatingChangeMsecs, kChangeMsecs);
        QCOMPARE(metadata.invocationId(kept[0]), kInvocationText);
        QCOMPARE(metadata.dcName(kept[0]), u"dc01.contoso.com"_s);
        QCOMPARE(kept[1].attribute, AttributeId::MsExchRecipientTypeDetails);
        QCOMPARE(kept[1].version, 7u);
        QCOMPARE(metadata.invocationId(kept[1]), u"33221100-5544-7766-8899-aabbccddeeff"_s); // GUID byte order
        QVERIFY(metadata.dcName(kept[1]).isEmpty()); // no nTDSDSA names it: left empty, never guessed
    }

    void damagedBlobIsAnError()
    {
        ReplicationMetadataDecoder decoder;
        const auto changes = decoder.changesFromBlob(kOneEntry.chopped(8));
        QVERIFY(!changes.ok());
        QVERIFY(changes.error().contains(u"announces 1 entries"_s));
    }

    void xmlNamesTheDcFromItsDsaDnWhenNoNtdsDsaWasRead()
    {
        ReplicationMetadataDecoder decoder;
        const auto change = decoder.changeFromXml(kXmlValue);
        QVERIFY2(change.ok(), change ? "" : qPrintable(change.error()));
        QVERIFY(change->has_value());
        const AttributeLastChange& read = *change.value();
        QCOMPARE(read.attribute, AttributeId::MsExchRecipientTypeDetails);
        QCOMPARE(read.version, 4u);
        QCOMPARE(read.originatingChangeMsecs, kChangeMsecs);
        AdChangeMetadata metadata;
        metadata.byDn.insert("CN=a", std::vector<AttributeLastChange>{read});
        decoder.nameDomainControllers(metadata);
        QCOMPARE(metadata.dcName(metadata.value("CN=a").front()), u"DC02"_s);

        // With the nTDSDSA and server entries read, the server's DNS name wins.
        feed(decoder, dsaEntry("DC02", kInvocationBytes));
        feed(decoder, serverEntry("DC02", "dc02.contoso.com"));
        decoder.nameDomainControllers(metadata);
        QCOMPARE(metadata.dcName(metadata.value("CN=a").front()), u"dc02.contoso.com"_s);

        const auto other = decoder.changeFromXml(QByteArray(kXmlValue).replace("msExchRecipientTypeDetails", "cn"));
        QVERIFY(other.ok());
        QVERIFY(!other->has_value()); // outside the catalog
    }
};

QTEST_GUILESS_MAIN(TestReplicationMetadata)
#include "TestReplicationMetadata.moc"
