// SPDX-License-Identifier: Apache-2.0
// The modify layer without a server: what is refused before sending, how answers are classed (including AD's
// answers that the Samba test domain does not give), and a run on a connection that is not there.
#include "support/ApprovedForTests.h"
#include "LdapModify.h"

#include <QTest>

using namespace sunset;
using sunset::test::approved;
using sunset::test::approvedAll;
using namespace Qt::Literals::StringLiterals;

class TestLdapModify final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void refusals_data();
    void refusals();
    void validRequestsPass();
    void classification_data();
    void classification();
    void runWithoutConnectionSendsNothing();
};

namespace {
const QByteArray kDn = "CN=Müller\\, Jürgen,OU=Sales,DC=contoso,DC=com";
}

void TestLdapModify::refusals_data()
{
    QTest::addColumn<QByteArray>("dn");
    QTest::addColumn<QByteArray>("attribute");
    QTest::addColumn<QByteArrayList>("oldValues");
    QTest::addColumn<QByteArrayList>("newValues");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not in the catalog") << kDn << QByteArray("description") << QByteArrayList{} << QByteArrayList{"x"}
                                        << u"not an attribute of Sunset's catalog"_s;
    QTest::newRow("catalog, read-only") << kDn << QByteArray("msExchRemoteRecipientType") << QByteArrayList{"4"}
                                        << QByteArrayList{"100"} << u"not written back by Sunset"_s;
    QTest::newRow("hide from GAL is read-only") << kDn << QByteArray("msExchHideFromAddressLists") << QByteArrayList{}
                                                << QByteArrayList{"TRUE"} << u"not written back by Sunset"_s;
    QTest::newRow("option") << kDn << QByteArray("proxyAddresses;range=0-*") << QByteArrayList{}
                            << QByteArrayList{"smtp:a@b"} << u"not an attribute of Sunset's catalog"_s;
    QTest::newRow("two values, single-valued")
        << kDn << QByteArray("mail") << QByteArrayList{} << QByteArrayList{"a@b", "c@d"} << u"holds one value"_s;
    QTest::newRow("case duplicates") << kDn << QByteArray("proxyAddresses") << QByteArrayList{}
                                     << QByteArrayList{"smtp:ä@b", "SMTP:Ä@B"} << u"twice"_s;
    QTest::newRow("old duplicates") << kDn << QByteArray("msExchExtensionCustomAttribute1") << QByteArrayList{"x", "x"}
                                    << QByteArrayList{} << u"twice"_s;
    QTest::newRow("empty value") << kDn << QByteArray("extensionAttribute1") << QByteArrayList{} << QByteArrayList{""}
                                 << u"empty"_s;
    QTest::newRow("not UTF-8") << kDn << QByteArray("extensionAttribute1") << QByteArrayList{}
                               << QByteArrayList{QByteArray("\xc3", 1)} << u"UTF-8"_s;
    QTest::newRow("nothing to do") << kDn << QByteArray("extensionAttribute1") << QByteArrayList{} << QByteArrayList{}
                                   << u"neither old nor new"_s;
    QTest::newRow("not a DN") << QByteArray("Müller, Jürgen") << QByteArray("extensionAttribute1") << QByteArrayList{}
                              << QByteArrayList{"x"} << u"not a distinguished name"_s;
    QTest::newRow("NUL in DN") << QByteArray("CN=a\0b,DC=x", 11) << QByteArray("extensionAttribute1")
                               << QByteArrayList{} << QByteArrayList{"x"} << u"not a distinguished name"_s;
}

void TestLdapModify::refusals()
{
    QFETCH(QByteArray, dn);
    QFETCH(QByteArray, attribute);
    QFETCH(QByteArrayList, oldValues);
    QFETCH(QByteArrayList, newValues);
    QFETCH(QString, reason);
    const auto why = whyModifyRefused(ModifyRequest{1, dn, {AttributeChange{attribute, oldValues, newValues}}});
    QVERIFY(why);
    QVERIFY2(why->contains(reason), qPrintable(*why));
}

void TestLdapModify::validRequestsPass()
{
    ModifyRequest request{1, kDn, {}};
    request.changes.push_back({"ProxyAddresses", {"SMTP:a@b", "smtp:c@d"}, {"smtp:a@b", "SMTP:c@d", "smtp:e@f"}});
    request.changes.push_back({"extensionattribute1", {}, {"  spaced  "}});
    request.changes.push_back({"mail", {"a@b"}, {}});
    request.changes.push_back({"msExchRecipientTypeDetails", {"2147483648"}, {"34359738368"}});
    const auto why = whyModifyRefused(request);
    QVERIFY2(!why, why ? qPrintable(*why) : "");
    QVERIFY(whyModifyRefused(ModifyRequest{1, kDn, {}}).has_value()); // no change at all
    ModifyRequest twice{1, kDn, {{"mail", {}, {"a@b"}}, {"Mail", {}, {"c@d"}}}};
    QVERIFY(whyModifyRefused(twice)->contains(u"twice"_s));
}

void TestLdapModify::classification_data()
{
    QTest::addColumn<int>("rc");
    QTest::addColumn<QString>("serverMessage");
    QTest::addColumn<ModifyOutcomeKind>("kind");
    QTest::newRow("success") << 0 << QString() << ModifyOutcomeKind::Applied;
    QTest::newRow("noSuchAttribute") << 16 << u"00002085: AtrErr: DSID-03152D2C, #1:"_s << ModifyOutcomeKind::Conflict;
    QTest::newRow("attributeOrValueExists")
        << 20 << u"00002083: AtrErr: DSID-03151904"_s << ModifyOutcomeKind::Conflict;
    QTest::newRow("noSuchObject") << 32 << u"0000208D: NameErr: DSID-0310028D, problem 2001 (NO_OBJECT)"_s
                                  << ModifyOutcomeKind::Conflict;
    QTest::newRow("AD single-value constraint")
        << 19 << u"00002081: AtrErr: DSID-031513A5, #1:\n\t0: 00002081: problem 1005 (CONSTRAINT_ATT_TYPE)"_s
        << ModifyOutcomeKind::Conflict;
    QTest::newRow("other constraint") << 19 << u"000021C8: AtrErr: DSID-03200E96, #1: (rangeUpper)"_s
                                      << ModifyOutcomeKind::Error;
    QTest::newRow("insufficientAccessRights")
        << 50 << u"00002098: SecErr: DSID-03150F94, problem 4003"_s << ModifyOutcomeKind::Error;
    QTest::newRow("unwillingToPerform") << 53 << QString() << ModifyOutcomeKind::Error;
    QTest::newRow("busy") << 51 << QString() << ModifyOutcomeKind::Error;
    QTest::newRow("unavailable") << 52 << QString() << ModifyOutcomeKind::Error;
    QTest::newRow("referral (RODC)") << 10 << u"0000202B: RefErr: DSID-0310084A"_s << ModifyOutcomeKind::Error;
}

void TestLdapModify::classification()
{
    QFETCH(int, rc);
    QFETCH(QString, serverMessage);
    QFETCH(ModifyOutcomeKind, kind);
    QCOMPARE(classifyModifyResult(rc, serverMessage), kind);
}

void TestLdapModify::runWithoutConnectionSendsNothing()
{
    LdapConnectionOptions options;
    options.uri = u"ldaps://dc01.contoso.com"_s;
    LdapConnection connection(options); // never connected
    std::vector<ModifyRequest> requests = {{5, kDn, {{"mail", {}, {"a@b"}}}}, {6, kDn, {{"mail", {"a@b"}, {}}}}};
    std::vector<ModifyOutcome> outcomes;
    LdapModifyPipeline pipeline(connection);
    const ModifyRunStats stats = pipeline.run(approvedAll(requests), [&](const ModifyOutcome& o) { outcomes.push_back(o); });
    QCOMPARE(stats.notSent, qint64(2));
    QCOMPARE(stats.sent, qint64(0));
    QCOMPARE(outcomes.size(), size_t(2));
    QCOMPARE(outcomes[0].id, quint64(5));
    QCOMPARE(outcomes[1].id, quint64(6));
    QCOMPARE(outcomes[0].kind, ModifyOutcomeKind::NotSent);
    QVERIFY(outcomes[0].error.message.contains(u"connect and bind first"_s));
    QCOMPARE(modifyEntry(connection, approved(requests[0])).kind, ModifyOutcomeKind::NotSent);
    QCOMPARE(modifyOutcomeKindName(ModifyOutcomeKind::Unknown), "unknown"_L1);
}

QTEST_GUILESS_MAIN(TestLdapModify)
#include "TestLdapModify.moc"
