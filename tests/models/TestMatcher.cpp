// SPDX-License-Identifier: Apache-2.0
#include "Identity.h"
#include "Matcher.h"
#include "RecordFactory.h"

#include <QTest>

using namespace sunset;
using namespace testing;
using F = IdentityField;

class TestMatcher final : public QObject {
    Q_OBJECT

    static QByteArray guid(const char* text) { return *guidFromText(text); }

private Q_SLOTS:
    void consistencyGuidWinsOverObjectGuid()
    {
        const QByteArray consistency = guid("11111111-2222-3333-4444-555555555555");
        const QByteArray objectGuid = guid("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        std::vector<MailboxRecord> ad{adRecord({}, {{F::ObjectGuid, objectGuid}, {F::ConsistencyGuid, consistency}})};
        std::vector<MailboxRecord> cloud{cloudRecord({}, {{F::ImmutableId, sourceAnchorOf(objectGuid)}}),
                                         cloudRecord({}, {{F::ImmutableId, sourceAnchorOf(consistency)}})};
        const MatchResult r = matchMailboxes(ad, cloud);
        QCOMPARE(r.pairs.size(), size_t(1));
        QCOMPARE(r.pairs[0].cloud, 1);
        QCOMPARE(r.pairs[0].matchedBy, MatchKey::SourceAnchor);
        QCOMPARE(r.unmatchedCloud, std::vector<qint32>{0});
    }

    void objectGuidIsTheAnchorWithoutConsistencyGuid()
    {
        const QByteArray objectGuid = guid("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
        std::vector<MailboxRecord> ad{adRecord({}, {{F::ObjectGuid, objectGuid}})};
        // Guid.ToByteArray() order: the first three fields little-endian.
        QCOMPARE(sourceAnchorOf(objectGuid), QByteArray("uihOG6Ev0hGIPwAW08ykJw=="));
        std::vector<MailboxRecord> cloud{cloudRecord({}, {{F::ImmutableId, "uihOG6Ev0hGIPwAW08ykJw=="}})};
        const MatchResult r = matchMailboxes(ad, cloud);
        QCOMPARE(r.pairs.size(), size_t(1));
    }

    void keysInOrderAndSoftMatchesMarked()
    {
        std::vector<MailboxRecord> ad{
            adRecord({}, {{F::ObjectSid, "S-1-5-21-1-2-3-1001"}, {F::UserPrincipalName, "a@x.com"}}),
            adRecord({}, {{F::ExternalDirectoryObjectId, "7cdbe897-3c7f-4fb6-a369-56408d68081f"}}),
            adRecord({}, {{F::UserPrincipalName, "C@X.com"}}),
            adRecord({}, {{F::PrimarySmtpAddress, "d@x.com"}}),
            adRecord({}, {{F::UserPrincipalName, "nobody@x.com"}}),
        };
        std::vector<MailboxRecord> cloud{
            cloudRecord({}, {{F::PrimarySmtpAddress, "D@x.com"}}),
            cloudRecord({}, {{F::UserPrincipalName, "c@x.com"}}),
            cloudRecord({}, {{F::ExternalDirectoryObjectId, "7cdbe897-3c7f-4fb6-a369-56408d68081f"}}),
            cloudRecord({}, {{F::ObjectSid, "S-1-5-21-1-2-3-1001"}, {F::UserPrincipalName, "other@x.com"}}),
            cloudRecord({}, {{F::UserPrincipalName, "cloudonly@x.com"}}),
        };
        const MatchResult r = matchMailboxes(ad, cloud);
        QCOMPARE(r.pairs.size(), size_t(4));
        QCOMPARE(r.pairs[0].ad, 0);
        QCOMPARE(r.pairs[0].cloud, 3);
        QCOMPARE(r.pairs[0].matchedBy, MatchKey::ObjectSid);
        QCOMPARE(r.pairs[1].matchedBy, MatchKey::ExternalDirectoryObjectId);
        QCOMPARE(r.pairs[2].matchedBy, MatchKey::UserPrincipalName);
        QVERIFY(isSoftMatch(r.pairs[2].matchedBy));
        QCOMPARE(r.pairs[3].matchedBy, MatchKey::PrimarySmtpAddress);
        QCOMPARE(r.unmatchedAd, std::vector<qint32>{4});
        QCOMPARE(r.unmatchedCloud, std::vector<qint32>{4});
        QCOMPARE(r.countBy(MatchKey::UserPrincipalName), 1);
    }

    void sharedKeysAreAmbiguousAndNotSoftMatchedLater()
    {
        std::vector<MailboxRecord> ad{
            adRecord({}, {{F::PrimarySmtpAddress, "dup@x.com"}, {F::UserPrincipalName, "a@x.com"}}),
            adRecord({}, {{F::PrimarySmtpAddress, "DUP@x.com"}, {F::UserPrincipalName, "b@x.com"}}),
        };
        std::vector<MailboxRecord> cloud{cloudRecord({}, {{F::PrimarySmtpAddress, "dup@x.com"}})};
        const MatchResult r = matchMailboxes(ad, cloud);
        QVERIFY(r.pairs.empty());
        QCOMPARE(r.ambiguous.size(), size_t(1));
        QCOMPARE(r.ambiguous[0].key, MatchKey::PrimarySmtpAddress);
        QCOMPARE(r.ambiguous[0].ad, (std::vector<qint32>{0, 1}));
        QCOMPARE(r.ambiguous[0].cloud, std::vector<qint32>{0});
        QVERIFY(r.unmatchedAd.empty());
        QVERIFY(r.unmatchedCloud.empty());
    }

    void aWeakerKeyDoesNotJoinObjectsAStrongerKeyTellsApart()
    {
        std::vector<MailboxRecord> ad{adRecord({}, {{F::ObjectSid, "S-1-5-21-1-2-3-1001"}, {F::UserPrincipalName, "a@x.com"}})};
        std::vector<MailboxRecord> cloud{cloudRecord({}, {{F::ObjectSid, "S-1-5-21-1-2-3-2002"}, {F::UserPrincipalName, "a@x.com"}})};
        const MatchResult r = matchMailboxes(ad, cloud);
        QVERIFY(r.pairs.empty());
        QCOMPARE(r.ambiguous.size(), size_t(1));
        QVERIFY(r.ambiguous[0].reason.contains(QStringLiteral("objectSid differs")));
    }

    void anchorConflictIsReportedInBase64()
    {
        const QByteArray adGuid = guid("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
        std::vector<MailboxRecord> ad{adRecord({}, {{F::ObjectGuid, adGuid}, {F::UserPrincipalName, "a@x.com"}})};
        std::vector<MailboxRecord> cloud{cloudRecord(
            {}, {{F::ImmutableId, sourceAnchorOf(guid("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"))},
                 {F::UserPrincipalName, "a@x.com"}})};
        const MatchResult r = matchMailboxes(ad, cloud);
        QVERIFY(r.pairs.empty());
        QCOMPARE(r.ambiguous.size(), size_t(1));
        QVERIFY2(r.ambiguous[0].reason.contains(QStringLiteral("AD uihOG6Ev0hGIPwAW08ykJw==")),
                 qPrintable(r.ambiguous[0].reason));
    }

    void malformedImmutableIdGetsNoAnchor()
    {
        std::vector<MailboxRecord> ad{adRecord({}, {{F::ObjectGuid, guid("1b4e28ba-2fa1-11d2-883f-0016d3cca427")}})};
        std::vector<MailboxRecord> cloud{cloudRecord({}, {{F::ImmutableId, "uihOG6Ev0hGIPwAW08ykJw"}}),
                                         cloudRecord({}, {{F::ImmutableId, "not base64 at all!!!!!=="}})};
        const MatchResult r = matchMailboxes(ad, cloud);
        QVERIFY(r.pairs.empty());
        QCOMPARE(r.unmatchedCloud.size(), size_t(2));
    }

    void anchorsAreCaseSensitive()
    {
        const QByteArray g = guid("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
        std::vector<MailboxRecord> ad{adRecord({}, {{F::ObjectGuid, g}})};
        std::vector<MailboxRecord> cloud{cloudRecord({}, {{F::ImmutableId, "UIHOG6EV0HGIPWAW08YKJW=="}})};
        QVERIFY(matchMailboxes(ad, cloud).pairs.empty());
    }
};

QTEST_GUILESS_MAIN(TestMatcher)
#include "TestMatcher.moc"
