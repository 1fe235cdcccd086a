// SPDX-License-Identifier: Apache-2.0
#include "AdSnapshotReader.h"
#include "Identity.h"
#include "ReplicationMetadata.h"

#include <QDateTime>
#include <QFile>
#include <QTest>

#include <ctime>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray b64(QByteArrayView value)
{
    return value.toByteArray().toBase64();
}

// objectGUID as AD stores it for 1b4e28ba-2fa1-11d2-883f-0016d3cca427 (Guid.ToByteArray() order).
const QByteArray kGuidBytes = QByteArray::fromHex("ba284e1ba12fd211883f0016d3cca427");
const QByteArray kGuidText = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
const QByteArray kSidText = "S-1-5-21-1004336348-1177238915-682003330-512";

Result<Snapshot> readAd(const QByteArray& ldif, const ReadProgress& progress = {})
{
    return readAdSnapshotFromLdif(ldif, u"ad.ldif"_s, progress);
}

// "name: smtp:alias<i>@contoso.com" for i in [from, to]; the value numbered primaryAt gets "SMTP:".
QByteArray proxyLines(QByteArrayView name, int from, int to, int primaryAt = -1)
{
    QByteArray lines;
    for (int i = from; i <= to; ++i) {
        lines += name.toByteArray() + (i == primaryAt ? ": SMTP:" : ": smtp:") + "alias" + QByteArray::number(i)
                 + "@contoso.com\n";
    }
    return lines;
}

QString failureText(const Result<Snapshot>& result)
{
    return result ? QString() : result.error().toString();
}

} // namespace

class TestAdSnapshotReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void mailboxIdentityAndAttributes();
    void escapedDnIsKeptAsWritten();
    void onlyMailEnabledUsersAreKept();
    void primarySmtpAddress();
    void unmatchableMailboxIsKept();
    void guidAndSidAsText();
    void whenChangedIsUtcWhateverTheLocalZone();
    void rangedValuesInOneEntry();
    void rangedValuesInContinuationEntries();
    void largeGroupContinuationStaysSkipped();
    void badInput_data();
    void badInput();
    void cancelled();
    void noMetadataReadsAsBefore();
    void replicationMetadataWithItsDictionary_data();
    void replicationMetadataWithItsDictionary();
    void xmlMetadataIsPreferred();
    void damagedMetadataNamesTheMailbox();
    void fuzzSeedReachesTheDecoder();
};

void TestAdSnapshotReader::mailboxIdentityAndAttributes()
{
    const QByteArray dn = "CN=Müller\\, Jürgen,OU=Zürich,DC=contoso,DC=com";
    const QByteArray consistency = QByteArray::fromHex("00112233445566778899aabbccddeeff");
    const QByteArray ldif = "version: 1\n\n"
                            "dn:: "
                            + b64(dn)
                            + "\n"
                              "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
                              "objectClass: User\n"
                              "OBJECTGUID:: "
                            + b64(kGuidBytes)
                            + "\n"
                              "ms-ds-consistencyguid:: "
                            + b64(consistency)
                            + "\n"
                              "objectSid:: "
                            + b64(*sidFromText(kSidText))
                            + "\n"
                              "msDS-ExternalDirectoryObjectId: User_8B2F0B8E-1C3D-4E5F-8A9B-0C1D2E3F4A5B\n"
                              "whenChanged: 20240305101112.0Z\n"
                              "userPrincipalName: juergen.mueller@contoso.com\n"
                              "displayName:: "
                            + b64("Jürgen Müller")
                            + "\n"
                              "mail: juergen.mueller@contoso.com\n"
                              "proxyaddresses: smtp:jm@contoso.mail.onmicrosoft.com\n"
                              "proxyAddresses: SMTP:Juergen.Mueller@contoso.com\n"
                              "mailNickname: jmueller\n"
                              "msExchRecipientTypeDetails: 2147483648\n"
                              "targetAddress: SMTP:jm@contoso.mail.onmicrosoft.com\n"
                              "extensionAttribute1:: "
                            + b64("  padded value  ")
                            + "\n"
                              "msExchExtensionCustomAttribute1: red\n"
                              "msExchExtensionCustomAttribute1: green\n"
                              "MSEXCHEXTENSIONCUSTOMATTRIBUTE1: blue\n"
                              "memberOf: CN=Staff,DC=contoso,DC=com\n"
                              "\n"
                              "dn: CN=Ann,OU=Staff,DC=contoso,DC=com\n"
                              "objectClass: user\nmailNickname: ann\nwhenChanged: 20250101000000.0Z\n";
    const Result<Snapshot> result = readAd(ldif);
    QVERIFY2(result, qPrintable(failureText(result)));
    const Snapshot& snapshot = result.value();
    QCOMPARE(snapshot.side, Side::ActiveDirectory);
    QCOMPARE(snapshot.source, u"ad.ldif"_s);
    QCOMPARE(snapshot.records.size(), size_t(2));
    QCOMPARE(snapshot.skippedEntries, 0);
    QVERIFY(snapshot.skippedReason.isEmpty());

    const MailboxRecord& r = snapshot.records[0];
    QCOMPARE(r.side(), Side::ActiveDirectory);
    QCOMPARE(r.sourceLine(), 3);
    QCOMPARE(r.identityText(IdentityField::DistinguishedName), u"CN=Müller\\, Jürgen,OU=Zürich,DC=contoso,DC=com"_s);
    QCOMPARE(r.identity(IdentityField::ObjectGuid).toByteArray(), kGuidBytes);
    QCOMPARE(*guidToText(r.identity(IdentityField::ObjectGuid)), kGuidText);
    QCOMPARE(sourceAnchorOf(r.identity(IdentityField::ObjectGuid)), QByteArray("uihOG6Ev0hGIPwAW08ykJw=="));
    QCOMPARE(r.identity(IdentityField::ConsistencyGuid).toByteArray(), consistency);
    QCOMPARE(r.identity(IdentityField::ObjectSid).toByteArray(), kSidText);
    QCOMPARE(r.identity(IdentityField::ExternalDirectoryObjectId).toByteArray(),
             QByteArray("8b2f0b8e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"));
    const qint64 changed = QDateTime(QDate(2024, 3, 5), QTime(10, 11, 12), Qt::UTC).toMSecsSinceEpoch();
    QCOMPARE(r.whenChangedMsecs(), changed);
    QCOMPARE(r.identity(IdentityField::WhenChangedMsecs).toByteArray(), QByteArray::number(changed));
    QCOMPARE(r.identity(IdentityField::UserPrincipalName).toByteArray(), QByteArray("juergen.mueller@contoso.com"));
    QCOMPARE(r.identityText(IdentityField::DisplayName), u"Jürgen Müller"_s);
    QCOMPARE(r.identity(IdentityField::PrimarySmtpAddress).toByteArray(), QByteArray("Juergen.Mueller@contoso.com"));

    QCOMPARE(r.adValues(AttributeId::ProxyAddresses).toStringList(),
             QStringList({u"smtp:jm@contoso.mail.onmicrosoft.com"_s, u"SMTP:Juergen.Mueller@contoso.com"_s}));
    QCOMPARE(r.adValues(AttributeId::Mail).first().toByteArray(), QByteArray("juergen.mueller@contoso.com"));
    QCOMPARE(r.adValues(AttributeId::MailNickname).first().toByteArray(), QByteArray("jmueller"));
    QCOMPARE(r.adValues(AttributeId::MsExchRecipientTypeDetails).first().toByteArray(), QByteArray("2147483648"));
    QCOMPARE(r.adValues(AttributeId::TargetAddress).size(), 1);
    QCOMPARE(r.adValues(AttributeId::ExtensionAttribute1).first().toByteArray(), QByteArray("  padded value  "));
    QCOMPARE(r.adValues(AttributeId::MsExchExtensionCustomAttribute1).toStringList(),
             QStringList({u"red"_s, u"green"_s, u"blue"_s}));
    QVERIFY(r.adValues(AttributeId::ExtensionAttribute2).isEmpty());

    QCOMPARE(snapshot.records[1].sourceLine(), 27);
    QCOMPARE(snapshot.newestChangeMsecs, QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch());
}

void TestAdSnapshotReader::escapedDnIsKeptAsWritten()
{
    const Result<Snapshot> result = readAd(R"(dn: CN=\#Hash\+Plus,OU=Users,DC=contoso,DC=com
objectClass: user
proxyAddresses: SMTP:hash@contoso.com
)");
    QVERIFY2(result, qPrintable(failureText(result)));
    QCOMPARE(result.value().records[0].identity(IdentityField::DistinguishedName).toByteArray(),
             QByteArray(R"(CN=\#Hash\+Plus,OU=Users,DC=contoso,DC=com)"));
}

void TestAdSnapshotReader::onlyMailEnabledUsersAreKept()
{
    const Result<Snapshot> result = readAd(R"(dn: OU=Staff,DC=contoso,DC=com
objectClass: top
objectClass: organizationalUnit

dn: CN=All Staff,OU=Staff,DC=contoso,DC=com
objectClass: group
proxyAddresses: SMTP:allstaff@contoso.com
mailNickname: allstaff

dn: CN=Partner,OU=Staff,DC=contoso,DC=com
objectClass: contact
targetAddress: SMTP:partner@fabrikam.com

dn: CN=PC01,OU=Staff,DC=contoso,DC=com
objectClass: user
objectClass: computer
mailNickname: pc01

dn: CN=No Exchange,OU=Staff,DC=contoso,DC=com
objectClass: user
mail: noexchange@contoso.com

dn: CN=Onprem,OU=Staff,DC=contoso,DC=com
objectClass: user
homeMDB: CN=DB01,CN=Databases,CN=Exchange

dn: CN=No Classes,OU=Staff,DC=contoso,DC=com
proxyAddresses: SMTP:noclasses@contoso.com

dn: CN=Nothing,OU=Staff,DC=contoso,DC=com
cn: Nothing
)");
    QVERIFY2(result, qPrintable(failureText(result)));
    const Snapshot& s = result.value();
    QCOMPARE(s.records.size(), size_t(2));
    QCOMPARE(s.records[0].identityText(IdentityField::DistinguishedName), u"CN=Onprem,OU=Staff,DC=contoso,DC=com"_s);
    QCOMPARE(s.records[1].identity(IdentityField::PrimarySmtpAddress).toByteArray(),
             QByteArray("noclasses@contoso.com"));
    QCOMPARE(s.skippedEntries, 6);
    QCOMPARE(s.skippedReason, u"entries that are not mail-enabled users (OUs, groups, contacts, computers, users "
                              "without Exchange attributes)"_s);
}

void TestAdSnapshotReader::primarySmtpAddress()
{
    const Result<Snapshot> result = readAd(R"(dn: CN=A,DC=x
mail: a-mail@contoso.com
proxyAddresses: smtp:a1@contoso.com
proxyAddresses: SMTP:first@contoso.com
proxyAddresses: SMTP:second@contoso.com

dn: CN=B,DC=x
proxyAddresses: smtp:lower@contoso.com
proxyAddresses: X500:/o=Contoso/ou=Exchange/cn=Recipients/cn=b
mail: fallback@contoso.com

dn: CN=C,DC=x
proxyAddresses: Smtp:mixed@contoso.com
)");
    QVERIFY2(result, qPrintable(failureText(result)));
    const auto& r = result.value().records;
    QCOMPARE(r[0].identity(IdentityField::PrimarySmtpAddress).toByteArray(), QByteArray("first@contoso.com"));
    QCOMPARE(r[1].identity(IdentityField::PrimarySmtpAddress).toByteArray(), QByteArray("fallback@contoso.com"));
    QVERIFY(!r[2].has(IdentityField::PrimarySmtpAddress));
}

void TestAdSnapshotReader::unmatchableMailboxIsKept()
{
    const Result<Snapshot> result = readAd("dn: CN=No Ids,DC=x\nobjectClass: user\nmailNickname: noids\n");
    QVERIFY2(result, qPrintable(failureText(result)));
    QCOMPARE(result.value().records.size(), size_t(1));
    const MailboxRecord& r = result.value().records[0];
    QVERIFY(r.has(IdentityField::DistinguishedName));
    for (IdentityField f : {IdentityField::ObjectGuid, IdentityField::ConsistencyGuid, IdentityField::ObjectSid,
                            IdentityField::UserPrincipalName, IdentityField::PrimarySmtpAddress})
        QVERIFY(!r.has(f));
    QCOMPARE(result.value().newestChangeMsecs, 0);
}

void TestAdSnapshotReader::guidAndSidAsText()
{
    const Result<Snapshot> result = readAd("dn: CN=A,DC=x\nmailNickname: a\n"
                                           "objectGUID: {1B4E28BA-2FA1-11D2-883F-0016D3CCA427}\n"
                                           "mS-DS-ConsistencyGuid: "
                                           + kGuidText
                                           + "\n"
                                             "objectSid: "
                                           + kSidText + "\n");
    QVERIFY2(result, qPrintable(failureText(result)));
    const MailboxRecord& r = result.value().records[0];
    QCOMPARE(r.identity(IdentityField::ObjectGuid).toByteArray(), kGuidBytes);
    QCOMPARE(r.identity(IdentityField::ConsistencyGuid).toByteArray(), kGuidBytes);
    QCOMPARE(r.identity(IdentityField::ObjectSid).toByteArray(), kSidText);
}

void TestAdSnapshotReader::whenChangedIsUtcWhateverTheLocalZone()
{
    // 02:30 on 2024-03-31 does not exist in Berlin local time; AD's timestamps are UTC, so it reads.
    const QByteArray oldTz = qgetenv("TZ");
    qputenv("TZ", "Europe/Berlin");
    ::tzset();
    const Result<Snapshot> result = readAd("dn: CN=A,DC=x\nmailNickname: a\nwhenChanged: 20240331023000.0Z\n\n"
                                           "dn: CN=B,DC=x\nmailNickname: b\nwhenChanged: 20241027023000Z\n");
    if (oldTz.isNull())
        qunsetenv("TZ");
    else
        qputenv("TZ", oldTz);
    ::tzset();
    QVERIFY2(result, qPrintable(failureText(result)));
    QCOMPARE(result.value().records[0].whenChangedMsecs(),
             QDateTime(QDate(2024, 3, 31), QTime(2, 30), Qt::UTC).toMSecsSinceEpoch());
    QCOMPARE(result.value().records[1].whenChangedMsecs(),
             QDateTime(QDate(2024, 10, 27), QTime(2, 30), Qt::UTC).toMSecsSinceEpoch());
}

void TestAdSnapshotReader::rangedValuesInOneEntry()
{
    const QByteArray ldif = "dn: CN=Big,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nmail: big-mail@contoso.com\n"
                            + proxyLines("proxyAddresses;range=0-1499", 0, 1499)
                            + proxyLines("proxyAddresses;Range=1500-*", 1500, 1599, 1550) + "displayName: Big\n";
    const Result<Snapshot> result = readAd(ldif);
    QVERIFY2(result, qPrintable(failureText(result)));
    QCOMPARE(result.value().records.size(), size_t(1));
    const MailboxRecord& r = result.value().records[0];
    const ValueList proxies = r.adValues(AttributeId::ProxyAddresses);
    QCOMPARE(proxies.size(), 1600);
    QCOMPARE(proxies[0].toByteArray(), QByteArray("smtp:alias0@contoso.com"));
    QCOMPARE(proxies[1499].toByteArray(), QByteArray("smtp:alias1499@contoso.com"));
    QCOMPARE(proxies[1599].toByteArray(), QByteArray("smtp:alias1599@contoso.com"));
    QCOMPARE(r.identity(IdentityField::PrimarySmtpAddress).toByteArray(), QByteArray("alias1550@contoso.com"));
    QCOMPARE(r.identity(IdentityField::DisplayName).toByteArray(), QByteArray("Big"));
}

void TestAdSnapshotReader::rangedValuesInContinuationEntries()
{
    // What an ldapsearch user appends: a second search for "proxyAddresses;range=1500-*" (and so on).
    const QByteArray ldif =
        "dn: CN=Big,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nmail: big-mail@contoso.com\n"
        "displayName: Big\n"
        + proxyLines("proxyAddresses;range=0-1499", 0, 1499)
        + "\ndn: CN=Huge,OU=Staff,DC=contoso,DC=com\nobjectClass: user\n"
        + proxyLines("proxyAddresses;range=0-1499", 0, 1499, 7)
        + "\ndn: CN=Small,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nproxyAddresses: "
          "SMTP:small@contoso.com\n"
          "\n# second search\n"
          "dn: cn=big,ou=staff,dc=contoso,dc=com\n"
        + proxyLines("proxyAddresses;range=1500-*", 1500, 1599, 1550) + "\ndn: CN=Huge,OU=Staff,DC=contoso,DC=com\n"
        + proxyLines("proxyAddresses;range=1500-2999", 1500, 2999)
        + "\ndn: CN=Small,OU=Staff,DC=contoso,DC=com\n" // nothing beyond 1,500: AD sends the DN alone
          "\n# third search\n"
          "dn: CN=Huge,OU=Staff,DC=contoso,DC=com\n"
        + proxyLines("proxyAddresses;range=3000-*", 3000, 3009);
    const Result<Snapshot> result = readAd(ldif);
    QVERIFY2(result, qPrintable(failureText(result)));
    const Snapshot& s = result.value();
    QCOMPARE(s.records.size(), size_t(3));
    QCOMPARE(s.skippedEntries, 0);

    const MailboxRecord& big = s.records[0];
    QCOMPARE(big.sourceLine(), 1);
    QCOMPARE(big.identityText(IdentityField::DistinguishedName), u"CN=Big,OU=Staff,DC=contoso,DC=com"_s);
    QCOMPARE(big.adValues(AttributeId::ProxyAddresses).size(), 1600);
    QCOMPARE(big.adValues(AttributeId::ProxyAddresses)[1550].toByteArray(), QByteArray("SMTP:alias1550@contoso.com"));
    QCOMPARE(big.adValues(AttributeId::Mail).size(), 1);
    QCOMPARE(big.identity(IdentityField::DisplayName).toByteArray(), QByteArray("Big"));
    // The first entry had no SMTP: and fell back to mail; the continuation holds the real primary.
    QCOMPARE(big.identity(IdentityField::PrimarySmtpAddress).toByteArray(), QByteArray("alias1550@contoso.com"));

    const MailboxRecord& huge = s.records[1];
    const ValueList proxies = huge.adValues(AttributeId::ProxyAddresses);
    QCOMPARE(proxies.size(), 3010);
    for (int i : {0, 1499, 1500, 2999, 3000, 3009})
        QCOMPARE(proxies[i].toByteArray(), QByteArray("smtp:alias" + QByteArray::number(i) + "@contoso.com"));
    QCOMPARE(huge.identity(IdentityField::PrimarySmtpAddress).toByteArray(), QByteArray("alias7@contoso.com"));

    QCOMPARE(s.records[2].adValues(AttributeId::ProxyAddresses).size(), 1);
}

void TestAdSnapshotReader::largeGroupContinuationStaysSkipped()
{
    const Result<Snapshot> result = readAd("dn: CN=All Staff,DC=x\nobjectClass: group\nproxyAddresses: SMTP:all@x\n"
                                           "member;range=0-1499: CN=U1,DC=x\n\n"
                                           "dn: CN=All Staff,DC=x\nmember;range=1500-*: CN=U2,DC=x\n"
                                           "proxyAddresses;range=0-*: SMTP:all@x\n");
    QVERIFY2(result, qPrintable(failureText(result)));
    QCOMPARE(result.value().records.size(), size_t(0));
    QCOMPARE(result.value().skippedEntries, 1);
}

void TestAdSnapshotReader::badInput_data()
{
    QTest::addColumn<QByteArray>("ldif");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<QString>("phrase");

    const QByteArray user = "dn: CN=A,DC=contoso,DC=com\nobjectClass: user\nmailNickname: a\n";
    QTest::newRow("non-UTF-8 catalog value")
        << QByteArray(user + "extensionAttribute1:: " + b64("ok \xff\xfe") + "\n") << qint64(4)
        << u"CN=A,DC=contoso,DC=com: value of extensionAttribute1 is not valid "
           "UTF-8"_s;
    QTest::newRow("overlong UTF-8") << QByteArray(user + "proxyAddresses:: " + b64("smtp:\xc0\xaf@x") + "\n")
                                    << qint64(4) << u"value of proxyAddresses is not valid UTF-8"_s;
    QTest::newRow("UTF-16 surrogate in UTF-8") << QByteArray(user + "mail:: " + b64("\xed\xa0\x80@x") + "\n")
                                               << qint64(4) << u"value of mail is not valid UTF-8"_s;
    QTest::newRow("non-UTF-8 displayName") << QByteArray(user + "displayName:: " + b64("M\xfcller") + "\n") << qint64(4)
                                           << u"value of displayName is not valid UTF-8"_s;
    QTest::newRow("non-UTF-8 DN") << QByteArray("\ndn:: " + b64("CN=M\xfcller,DC=x") + "\nmailNickname: m\n")
                                  << qint64(2) << u"the DN is not valid UTF-8"_s;
    QTest::newRow("bad SID bytes") << QByteArray(
        user + "objectSid:: " + b64(QByteArray("\x01\x05\x00\x00\x00\x00\x00", 7)) + "\n")
                                   << qint64(4)
                                   << u"CN=A,DC=contoso,DC=com: objectSid is not a well-formed SID (7 bytes)"_s;
    QTest::newRow("bad SID text") << QByteArray(user + "objectSid: S-1-5-x\n") << qint64(4)
                                  << u"objectSid is not a SID: found \"S-1-5-x\""_s;
    QTest::newRow("15-byte GUID") << QByteArray(user + "objectGUID:: " + b64(kGuidBytes.first(15)) + "\n") << qint64(4)
                                  << u"CN=A,DC=contoso,DC=com: objectGUID has 15 bytes; a GUID has 16 bytes"_s;
    QTest::newRow("17-byte consistency GUID")
        << QByteArray(user + "mS-DS-ConsistencyGuid:: " + b64(QByteArray(kGuidBytes).append('x')) + "\n") << qint64(4)
        << u"mS-DS-ConsistencyGuid has 17 bytes"_s;
    QTest::newRow("malformed whenChanged") << QByteArray(user + "whenChanged: 2024-03-05 10:11\n") << qint64(4)
                                           << u"expected whenChanged as a generalized time like 20261124085422.0Z "
                                              "but found \"2024-03-05 10:11\""_s;
    QTest::newRow("malformed external id")
        << QByteArray(user + "msDS-ExternalDirectoryObjectId: User_nope\n") << qint64(4)
        << u"expected msDS-ExternalDirectoryObjectId like User_<GUID>"_s;
    QTest::newRow("malformed range") << QByteArray(user + "proxyAddresses;range=10: smtp:a@x\n") << qint64(4)
                                     << u"expected a ranged attribute like proxyAddresses;range=0-1499"_s;
    QTest::newRow("incomplete range")
        << QByteArray("\ndn: CN=Big,OU=Staff,DC=contoso,DC=com\nobjectClass: user\n"
                      + proxyLines("proxyAddresses;range=0-1499", 0, 1499) + "\ndn: CN=Other,DC=x\nmailNickname: o\n")
        << qint64(2)
        << u"CN=Big,OU=Staff,DC=contoso,DC=com: proxyAddresses holds values 0-1499 only: the export stopped "
           u"at AD's "
           "1,500-value limit. Re-export with ranged retrieval (ldifde does it; with ldapsearch also ask for "
           "proxyAddresses;range=1500-*) or read AD live."_s;
    QTest::newRow("incomplete second range")
        << QByteArray(user + proxyLines("proxyAddresses;range=0-1499", 0, 1499) + "\ndn: cn=a,dc=contoso,dc=com\n"
                      + proxyLines("proxyAddresses;range=1500-2999", 1500, 2999))
        << qint64(1) << u"proxyAddresses holds values 0-2999 only"_s;
    QTest::newRow("range gap") << QByteArray(user + proxyLines("proxyAddresses;range=0-1499", 0, 1499)
                                             + "\ndn: CN=A,DC=contoso,DC=com\n"
                                             + proxyLines("proxyAddresses;range=3000-*", 3000, 3001))
                               << qint64(1) << u"proxyAddresses holds values 0-1499 and 3000-* but not 1500-2999"_s;
    QTest::newRow("range twice") << QByteArray(
        user + proxyLines("proxyAddresses;range=0-1499", 0, 1499) + "\ndn: CN=A,DC=contoso,DC=com\n"
        + proxyLines("proxyAddresses;range=0-1499", 0, 1499) + proxyLines("proxyAddresses;range=1500-*", 1500, 1501))
                                 << qint64(1) << u"proxyAddresses holds values 0-1499 more than once"_s;
    QTest::newRow("range without start") << QByteArray(
        user + proxyLines("msExchExtensionCustomAttribute1;range=1500-*", 1, 2))
                                         << qint64(1)
                                         << u"msExchExtensionCustomAttribute1 holds values 1500-* but not 0-1499"_s;
    QTest::newRow("duplicate DN") << QByteArray(user
                                                + "\ndn: CN=B,DC=x\nmailNickname: b\n\n"
                                                  "dn: cn=a,DC=Contoso,DC=com\nproxyAddresses;range=0-*: SMTP:a@x\n"
                                                  "mail: a@x\n")
                                  << qint64(8)
                                  << u"cn=a,DC=Contoso,DC=com: the entry at line 8 repeats the DN of the entry at "
                                     "line 1. A later entry for the same DN may only continue ranged attributes "
                                     "(name;range=L-H), but this one holds \"mail\"."_s;
    QTest::newRow("duplicate DN of a skipped group")
        << QByteArray("dn: CN=G,DC=x\nobjectClass: group\nmember;range=0-1499: CN=U\n\n"
                      "dn: CN=G,DC=x\nobjectClass: group\n")
        << qint64(5) << u"repeats the DN of the entry at line 1"_s;
}

void TestAdSnapshotReader::badInput()
{
    QFETCH(QByteArray, ldif);
    QFETCH(qint64, line);
    QFETCH(QString, phrase);
    const Result<Snapshot> result = readAd(ldif);
    QVERIFY(!result);
    QCOMPARE(result.error().file, u"ad.ldif"_s);
    QCOMPARE(result.error().line, line);
    QVERIFY2(result.error().message.contains(phrase), qPrintable(result.error().message));
}

void TestAdSnapshotReader::cancelled()
{
    QByteArray ldif;
    for (int i = 0; i < 20000; ++i) {
        ldif += "dn: CN=User" + QByteArray::number(i) + ",OU=Staff,DC=contoso,DC=com\nobjectClass: user\n"
                + "proxyAddresses: SMTP:user" + QByteArray::number(i) + "@contoso.com\n\n";
    }
    QVERIFY(ldif.size() > (1 << 20));
    int calls = 0;
    const Result<Snapshot> result = readAd(ldif, [&](qint64 bytes) {
        ++calls;
        return bytes < (1 << 20);
    });
    QVERIFY(!result);
    QCOMPARE(calls, 1);
    QCOMPARE(result.error().message, u"cancelled"_s);
    QCOMPARE(result.error().line, 0);

    const Result<Snapshot> complete = readAd(ldif, [](qint64) { return true; });
    QVERIFY(complete);
    QCOMPARE(complete.value().records.size(), size_t(20000));
}

namespace {

// A Samba-like dump's dictionary: mail's schema entry (static prefix 0x15), msExchRecipientTypeDetails' with an
// msDS-IntId, the DC's server and nTDSDSA entries.
const QByteArray kInvocation = QByteArray::fromHex("523a1f8c6e4d7a4b9e0f1a2b3c4d5e6f");
QByteArray dictionaryLdif()
{
    return "dn: CN=E-mail-Addresses,CN=Schema,CN=Configuration,DC=contoso,DC=com\n"
           "objectClass: top\nobjectClass: attributeSchema\nlDAPDisplayName: mail\n"
           "attributeID: 0.9.2342.19200300.100.1.3\n\n"
           "dn: CN=ms-Exch-Recipient-Type-Details,CN=Schema,CN=Configuration,DC=contoso,DC=com\n"
           "objectClass: top\nobjectClass: attributeSchema\nlDAPDisplayName: msExchRecipientTypeDetails\n"
           "attributeID: 1.2.840.113556.1.4.7000.102.50\nmsDS-IntId: -1941045241\n\n"
           "dn: CN=DC01,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=contoso,DC=com\n"
           "objectClass: top\nobjectClass: server\ndNSHostName: dc01.contoso.com\n\n"
           "dn: CN=NTDS Settings,CN=DC01,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=contoso,"
           "DC=com\nobjectClass: top\nobjectClass: applicationSettings\nobjectClass: nTDSDSA\ninvocationId:: "
           + b64(kInvocation) + "\n\n";
}

QByteArray mailboxWithMetadata(const QByteArray& blob)
{
    return "dn: CN=Ann,OU=Staff,DC=contoso,DC=com\nobjectClass: user\nmailNickname: ann\n"
           "mail: ann@contoso.com\nreplPropertyMetaData:: " + b64(blob) + "\n\n";
}

QByteArray annBlob()
{
    return encodeReplPropertyMetaData({
        {0x00000000u, 1, 1700000000000, kInvocation, 5, 5},  // objectClass: not in the catalog
        {0x00150003u, 2, 1796634764000, kInvocation, 9, 9},  // mail
        {0x8c4e0007u, 5, 1796634700000, kInvocation, 8, 8},  // msExchRecipientTypeDetails (-1941045241)
    });
}

} // namespace

void TestAdSnapshotReader::noMetadataReadsAsBefore()
{
    const auto snapshot = readAd("dn: CN=Ann,DC=contoso,DC=com\nobjectClass: user\nmailNickname: ann\n");
    QVERIFY2(snapshot.ok(), qPrintable(failureText(snapshot)));
    QCOMPARE(snapshot->records.size(), size_t(1));
    QVERIFY(snapshot->changeMetadata.isEmpty());
}

void TestAdSnapshotReader::replicationMetadataWithItsDictionary_data()
{
    QTest::addColumn<bool>("dictionaryFirst");
    QTest::newRow("dictionary first (sunset-cli dump)") << true;
    QTest::newRow("dictionary last") << false;
}

void TestAdSnapshotReader::replicationMetadataWithItsDictionary()
{
    QFETCH(bool, dictionaryFirst);
    const QByteArray mailbox = mailboxWithMetadata(annBlob());
    const auto snapshot = readAd(dictionaryFirst ? dictionaryLdif() + mailbox : mailbox + dictionaryLdif());
    QVERIFY2(snapshot.ok(), qPrintable(failureText(snapshot)));
    QCOMPARE(snapshot->records.size(), size_t(1));
    QCOMPARE(snapshot->skippedEntries, 0); // the dictionary entries are not skipped directory objects
    const auto& changes = snapshot->changeMetadata.value("CN=Ann,OU=Staff,DC=contoso,DC=com");
    QCOMPARE(changes.size(), size_t(2));
    QCOMPARE(changes[0].attribute, AttributeId::Mail);
    QCOMPARE(changes[0].version, 2u);
    QCOMPARE(changes[0].originatingChangeMsecs, 1796634764000);
    QCOMPARE(snapshot->changeMetadata.invocationId(changes[0]), u"8c1f3a52-4d6e-4b7a-9e0f-1a2b3c4d5e6f"_s);
    QCOMPARE(snapshot->changeMetadata.dcName(changes[0]), u"dc01.contoso.com"_s);
    QCOMPARE(changes[1].attribute, AttributeId::MsExchRecipientTypeDetails);
    QCOMPARE(changes[1].version, 5u);
    QCOMPARE(snapshot->changeMetadata.dcName(changes[1]), u"dc01.contoso.com"_s);
}

void TestAdSnapshotReader::xmlMetadataIsPreferred()
{
    const QByteArray xml = "<DS_REPL_ATTR_META_DATA><pszAttributeName>mail</pszAttributeName><dwVersion>9</dwVersion>"
                           "<ftimeLastOriginatingChange>2026-12-07T09:12:44Z</ftimeLastOriginatingChange>"
                           "<uuidLastOriginatingDsaInvocationID>8c1f3a52-4d6e-4b7a-9e0f-1a2b3c4d5e6f"
                           "</uuidLastOriginatingDsaInvocationID><usnOriginatingChange>9</usnOriginatingChange>"
                           "<usnLocalChange>9</usnLocalChange><pszLastOriginatingDsaDN>CN=NTDS Settings,CN=DC01,"
                           "CN=Servers,CN=S,CN=Sites,CN=Configuration,DC=contoso,DC=com</pszLastOriginatingDsaDN>"
                           "</DS_REPL_ATTR_META_DATA>\n";
    QByteArray mailbox = mailboxWithMetadata(annBlob());
    mailbox.insert(mailbox.size() - 1, "msDS-ReplAttributeMetaData:: " + b64(xml) + "\n");
    const auto snapshot = readAd(dictionaryLdif() + mailbox);
    QVERIFY2(snapshot.ok(), qPrintable(failureText(snapshot)));
    const auto& changes = snapshot->changeMetadata.value("CN=Ann,OU=Staff,DC=contoso,DC=com");
    QCOMPARE(changes.size(), size_t(1)); // the XML's, not the blob's two
    QCOMPARE(changes[0].attribute, AttributeId::Mail);
    QCOMPARE(changes[0].version, 9u);
    QCOMPARE(snapshot->changeMetadata.dcName(changes[0]), u"dc01.contoso.com"_s);
}

void TestAdSnapshotReader::damagedMetadataNamesTheMailbox()
{
    const auto snapshot = readAd(dictionaryLdif() + mailboxWithMetadata(annBlob().chopped(48)));
    QVERIFY(!snapshot.ok());
    const QString message = snapshot.error().toString();
    QVERIFY2(message.contains(u"CN=Ann,OU=Staff,DC=contoso,DC=com"_s), qPrintable(message));
    QVERIFY2(message.contains(u"announces 3 entries"_s), qPrintable(message));
}

// The fuzzer's seed for the metadata paths must reach them: blob via the schema (static prefix and msDS-IntId),
// XML, DC names.
void TestAdSnapshotReader::fuzzSeedReachesTheDecoder()
{
    QFile seed(QStringLiteral(SUNSET_SOURCE_DIR "/tests/fuzz/corpus/FuzzLdif/replication-metadata.ldif"));
    QVERIFY(seed.open(QIODevice::ReadOnly));
    const auto snapshot = readAd(seed.readAll());
    QVERIFY2(snapshot.ok(), qPrintable(failureText(snapshot)));
    const auto& ann = snapshot->changeMetadata.value("CN=Ann,OU=Staff,DC=contoso,DC=com");
    QCOMPARE(ann.size(), size_t(2)); // mail and msExchRecipientTypeDetails; extensionAttribute1 has no schema entry
    QCOMPARE(ann[1].attribute, AttributeId::MsExchRecipientTypeDetails);
    const auto& bob = snapshot->changeMetadata.value("CN=Bob,OU=Staff,DC=contoso,DC=com");
    QCOMPARE(bob.size(), size_t(1));
    QCOMPARE(bob[0].attribute, AttributeId::ExtensionAttribute2);
    QCOMPARE(snapshot->changeMetadata.dcName(bob[0]), u"dc01.contoso.com"_s);
}

QTEST_GUILESS_MAIN(TestAdSnapshotReader)
#include "TestAdSnapshotReader.moc"
