// SPDX-License-Identifier: Apache-2.0
#include "TestCloudRecordMapper.h"

#include "CloudRecordMapper.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;
using Property = CloudRecordMapper::Property;
using Shape = CloudRecordMapper::Shape;

namespace {

Property prop(const char* name)
{
    return CloudRecordMapper::resolve(QByteArrayView(name));
}

QStringList values(const MailboxRecord& r, CloudProperty p)
{
    return r.cloudValues(p).toStringList();
}

} // namespace

void TestCloudRecordMapper::resolveIsCaseInsensitiveAndIgnoresAnnotations()
{
    QCOMPARE(prop("userprincipalname").target, Property::Target::UserPrincipalName);
    QCOMPARE(prop("EMAILADDRESSES").cloud, CloudProperty::EmailAddresses);
    QCOMPARE(prop("EmailAddresses").shape, Shape::TextList);
    QCOMPARE(prop("ExtensionCustomAttribute5").shape, Shape::TextList);
    QCOMPARE(prop("CustomAttribute15").cloud, CloudProperty(int(CloudProperty::CustomAttribute1) + 14));
    QCOMPARE(prop("CustomAttribute15").shape, Shape::Text);
    QCOMPARE(prop("RecipientTypeDetails").shape, Shape::RecipientType);
    QCOMPARE(prop("HiddenFromAddressListsEnabled").shape, Shape::Boolean);
    QCOMPARE(prop("IsDirSynced").shape, Shape::Boolean);
    QCOMPARE(prop("WhenChangedUTC").target, Property::Target::WhenChangedUtc);
    QVERIFY(prop("EmailAddresses@odata.type").isIgnored());
    QVERIFY(prop("@odata.context").isIgnored());
    QVERIFY(prop("CustomAttribute16").isIgnored());
    QVERIFY(prop("ExchangeGuid").isIgnored());
    QVERIFY(prop("").isIgnored());
    QVERIFY(prop("AVeryLongPropertyNameThatIsLongerThanAnythingSunsetKnowsAbout").isIgnored());
    QVERIFY(prop("PrimarySmtpAddress").isIdentityKey());
    QVERIFY(!prop("DisplayName").isIdentityKey());
}

void TestCloudRecordMapper::identityAndProperties()
{
    CloudRecordMapper m;
    m.begin(7);
    QVERIFY(m.addText(prop("UserPrincipalName"), "C@lvin.ie").isEmpty());
    QVERIFY(m.addText(prop("PrimarySmtpAddress"), "SMTP:C@lvin.ie").isEmpty());
    QVERIFY(m.addText(prop("DisplayName"), " Calvin Bergin ").isEmpty());
    QVERIFY(m.addText(prop("ExternalDirectoryObjectId"), "7CDBE897-3C7F-4FB6-A369-56408D68081F").isEmpty());
    QVERIFY(m.addText(prop("WhenChangedUTC"), "2022-06-29T17:57:03.0000000Z").isEmpty());
    QVERIFY(m.addText(prop("WhenChanged"), "/Date(1)/").isEmpty()); // the UTC one wins
    QVERIFY(m.addBoolean(prop("IsExchangeCloudManaged"), true).isEmpty());
    QVERIFY(m.addText(prop("IsDirSynced"), "FALSE").isEmpty());
    QVERIFY(m.addText(prop("HiddenFromAddressListsEnabled"), "True").isEmpty());
    QVERIFY(m.addText(prop("CustomAttribute1"), "").isEmpty());
    QVERIFY(m.addText(prop("CustomAttribute2"), "  padded  ").isEmpty());
    QVERIFY(m.addNumber(prop("RecipientTypeDetails"), "4").isEmpty());
    QVERIFY(m.addText(prop("ExchangeGuid"), "whatever").isEmpty());
    auto r = m.finish();
    QVERIFY(r.ok());
    const MailboxRecord& rec = r.value();
    QCOMPARE(rec.side(), Side::Cloud);
    QCOMPARE(rec.sourceLine(), 7);
    QCOMPARE(rec.identityText(IdentityField::PrimarySmtpAddress), u"C@lvin.ie"_s);
    QCOMPARE(rec.identityText(IdentityField::DisplayName), u" Calvin Bergin "_s);
    QCOMPARE(rec.identityText(IdentityField::ExternalDirectoryObjectId), u"7cdbe897-3c7f-4fb6-a369-56408d68081f"_s);
    QCOMPARE(rec.whenChangedMsecs(), 1656525423000LL);
    QCOMPARE(rec.identityText(IdentityField::CloudManaged), u"true"_s);
    QCOMPARE(rec.identityText(IdentityField::DirSynced), u"false"_s);
    QCOMPARE(values(rec, CloudProperty::HiddenFromAddressListsEnabled), QStringList{u"true"_s});
    QVERIFY(rec.cloudValues(CloudProperty::CustomAttribute1).isEmpty());
    QCOMPARE(values(rec, CloudProperty(int(CloudProperty::CustomAttribute1) + 1)), QStringList{u"  padded  "_s});
    QCOMPARE(values(rec, CloudProperty::RecipientTypeDetails), QStringList{u"SharedMailbox"_s});
    QCOMPARE(values(rec, CloudProperty::WindowsEmailAddress), QStringList{u"C@lvin.ie"_s}); // from the primary
    QCOMPARE(m.newestChangeMsecs(), 1656525423000LL);
}

void TestCloudRecordMapper::recipientTypeNumbers_data()
{
    QTest::addColumn<QByteArray>("number");
    QTest::addColumn<QString>("name");
    QTest::newRow("1") << "1"_ba << u"UserMailbox"_s;
    QTest::newRow("2") << "2"_ba << u"LinkedMailbox"_s;
    QTest::newRow("4") << "4"_ba << u"SharedMailbox"_s;
    QTest::newRow("16") << "16"_ba << u"RoomMailbox"_s;
    QTest::newRow("32") << "32"_ba << u"EquipmentMailbox"_s;
    QTest::newRow("128") << "128"_ba << u"MailUser"_s;
    QTest::newRow("other") << "2147483648"_ba << u"2147483648"_s;
}

void TestCloudRecordMapper::recipientTypeNumbers()
{
    QFETCH(QByteArray, number);
    QFETCH(QString, name);
    CloudRecordMapper m;
    m.begin(1);
    m.addText(prop("UserPrincipalName"), "a@x");
    QVERIFY(m.addNumber(prop("RecipientTypeDetails"), number).isEmpty());
    QCOMPARE(values(m.finish().value(), CloudProperty::RecipientTypeDetails), QStringList{name});
    // A CSV cell holding the number means the same.
    m.begin(1);
    m.addText(prop("UserPrincipalName"), "a@x");
    QVERIFY(m.addText(prop("RecipientTypeDetails"), number).isEmpty());
    QCOMPARE(values(m.finish().value(), CloudProperty::RecipientTypeDetails), QStringList{name});
}

void TestCloudRecordMapper::primaryFromEmailAddresses()
{
    CloudRecordMapper m;
    m.begin(1);
    for (const char* a : {"smtp:c@contoso.onmicrosoft.com", "SIP:c@lvin.ie", "SMTP:C@lvin.ie", "SMTP:second@x"})
        QVERIFY(m.addText(prop("EmailAddresses"), a).isEmpty());
    auto r = m.finish();
    QVERIFY(r.ok());
    QCOMPARE(r.value().identityText(IdentityField::PrimarySmtpAddress), u"C@lvin.ie"_s);
    QCOMPARE(values(r.value(), CloudProperty::WindowsEmailAddress), QStringList{u"C@lvin.ie"_s});
    QCOMPARE(values(r.value(), CloudProperty::EmailAddresses).size(), 4);
}

void TestCloudRecordMapper::windowsEmailAddressIsKeptWhenGiven()
{
    CloudRecordMapper m;
    m.begin(1);
    m.addText(prop("PrimarySmtpAddress"), "a@x");
    m.addText(prop("WindowsEmailAddress"), "other@x");
    QCOMPARE(values(m.finish().value(), CloudProperty::WindowsEmailAddress), QStringList{u"other@x"_s});
}

void TestCloudRecordMapper::booleansAcceptedSpellings()
{
    CloudRecordMapper m;
    for (const char* t : {"True", "true", "TRUE"}) {
        m.begin(1);
        m.addText(prop("UserPrincipalName"), "a@x");
        QVERIFY(m.addText(prop("IsDirSynced"), t).isEmpty());
        QCOMPARE(m.finish().value().identityText(IdentityField::DirSynced), u"true"_s);
    }
    m.begin(1);
    m.addText(prop("UserPrincipalName"), "a@x");
    QVERIFY(m.addText(prop("IsDirSynced"), "").isEmpty()); // absent
    QVERIFY(!m.finish().value().has(IdentityField::DirSynced));
    m.begin(1);
    const QString error = m.addText(prop("IsDirSynced"), "Yes");
    QVERIFY2(error.contains(u"expected True or False, found \"Yes\""_s), qPrintable(error));
}

void TestCloudRecordMapper::badExternalDirectoryObjectId()
{
    CloudRecordMapper m;
    m.begin(1);
    const QString error = m.addText(prop("ExternalDirectoryObjectId"), "not-a-guid");
    QVERIFY2(error.contains(u"is not a GUID"_s), qPrintable(error));
    QVERIFY(m.addText(prop("ExternalDirectoryObjectId"), "User_7cdbe897-3c7f-4fb6-a369-56408d68081f").isEmpty());
}

void TestCloudRecordMapper::unparseableTimestampIsAbsentNotAnError()
{
    CloudRecordMapper m;
    m.begin(1);
    m.addText(prop("UserPrincipalName"), "a@x");
    QVERIFY(m.addText(prop("WhenChanged"), "29.06.2022 17:57:03").isEmpty());
    QVERIFY(!m.finish().value().has(IdentityField::WhenChangedMsecs));
    QCOMPARE(m.newestChangeMsecs(), 0);
}

void TestCloudRecordMapper::missingIdentityIsAnError()
{
    CloudRecordMapper m;
    m.begin(3);
    m.addText(prop("DisplayName"), "Nobody");
    m.addText(prop("EmailAddresses"), "smtp:lower@x"); // lower-case smtp: is not the primary
    auto r = m.finish();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message,
             u"mailbox has no UserPrincipalName, PrimarySmtpAddress or ExternalDirectoryObjectId; cannot be matched"_s);
    // The mapper is usable for the next mailbox.
    m.begin(4);
    m.addText(prop("UserPrincipalName"), "a@x");
    QVERIFY(m.finish().ok());
}

void TestCloudRecordMapper::graphJoin()
{
    GraphDirectory graph;
    graph.usersById.insert("7cdbe897-3c7f-4fb6-a369-56408d68081f",
                           GraphUser{"7cdbe897-3c7f-4fb6-a369-56408d68081f", "c@lvin.ie",
                                     "kXvJ4cB0Q0y7pl0tgAFJkA==", "S-1-5-21-1-2-3-1104"});
    CloudRecordMapper m(&graph);
    m.begin(1);
    m.addText(prop("ExternalDirectoryObjectId"), "7CDBE897-3C7F-4FB6-A369-56408D68081F");
    auto r = m.finish();
    QVERIFY(r.ok());
    QCOMPARE(r.value().identityText(IdentityField::ImmutableId), u"kXvJ4cB0Q0y7pl0tgAFJkA=="_s);
    QCOMPARE(r.value().identityText(IdentityField::ObjectSid), u"S-1-5-21-1-2-3-1104"_s);
    QCOMPARE(r.value().identityText(IdentityField::UserPrincipalName), u"c@lvin.ie"_s); // was missing

    m.begin(2);
    m.addText(prop("ExternalDirectoryObjectId"), "7cdbe897-3c7f-4fb6-a369-56408d68081f");
    m.addText(prop("UserPrincipalName"), "exo@lvin.ie");
    QCOMPARE(m.finish().value().identityText(IdentityField::UserPrincipalName), u"exo@lvin.ie"_s);

    m.begin(3);
    m.addText(prop("ExternalDirectoryObjectId"), "00000000-0000-0000-0000-000000000001");
    QVERIFY(!m.finish().value().has(IdentityField::ImmutableId));
}

QTEST_GUILESS_MAIN(TestCloudRecordMapper)
