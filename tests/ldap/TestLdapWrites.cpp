// SPDX-License-Identifier: Apache-2.0
// Writes against the Samba AD DC of the SambaDc fixture: optimistic atomic modifies (applied byte-exact,
// conflicts when a value changed since the read, clearing, a multi-valued swap), refusal of non-catalog
// attributes before sending, 1,000 pipelined modifies, and a connection cut mid-batch and mid-search through a
// proxy in this process. Single-object tests use contacts in an OU of their own, created here and removed at
// the end (contacts are not mailboxes to kAdMailboxFilter, so other tests never see them); the bulk tests
// change seeded mailboxes' extensionAttribute12 to 15, which the seed never sets, and clear them again.
#include "support/samba/CuttableTcpProxy.h"
#include "LdapConnection.h"
#include "support/ApprovedForTests.h"
#include "LdapModify.h"
#include "LdapSnapshotReader.h"
#include "support/samba/SambaTestDomain.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <map>
#include <random>

using namespace sunset;
using sunset::test::approved;
using sunset::test::approvedAll;
using namespace Qt::Literals::StringLiterals;

namespace {

using EntryValues = std::map<QByteArray, QByteArrayList>; // lower-case attribute name -> values

QString describe(const LdapResult<void>& outcome)
{
    return outcome ? u"no error"_s : ldapErrorCodeName(outcome.error().code) + u": "_s + outcome.error().toString();
}

QString describe(const ModifyOutcome& outcome)
{
    return modifyOutcomeKindName(outcome.kind) + u" ("_s + ldapErrorCodeName(outcome.error.code) + u", rc "_s +
           QString::number(outcome.error.ldapResultCode) + u"): "_s + outcome.error.toString();
}

QByteArrayList sorted(QByteArrayList values)
{
    std::sort(values.begin(), values.end());
    return values;
}

QByteArray ldifLine(const QByteArray& name, const QByteArray& value)
{
    return name + ":: " + value.toBase64() + '\n'; // base64 always: spaces and non-ASCII survive as they are
}

} // namespace

class TestLdapWrites final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void changeAppliedByteExact();
    void conflictWhenValueChangedSinceRead();
    void conflictWhenSingleValuedAttributeGotAValue();
    void valueAddedToMultiValuedAttributeIsNotSeen();
    void clearingAnAttribute();
    void proxyAddressesSwapIsAtomic();
    void nonCatalogAttributesRefusedBeforeSending();
    void serverRefusalIsAnErrorNotAConflict();
    void deletedObjectIsAConflict();
    void thousandPipelinedModifies();
    void connectionCutMidBatch();
    void cancelStopsSending_data();
    void cancelStopsSending();
    void unansweredOperationTimesOut();
    void connectionCutMidSearch();

private:
    LdapConnectionOptions ldapsOptions(std::uint16_t port = 0) const;
    std::unique_ptr<LdapConnection> bound(std::uint16_t port = 0);
    EntryValues read(LdapConnection& connection, const QByteArray& dn, const QByteArrayList& attributes);
    bool runLdapTool(const QString& tool, const QStringList& arguments, const QByteArray& input = {},
                     bool mayFail = false);
    QByteArray contactDn(const QByteArray& cn) const { return "CN=" + cn + "," + m_ou; }
    // The seeded mailboxes, by DN (CN=Mailbox 00001, ...), in DN order.
    QByteArrayList seededMailboxes(LdapConnection& connection, int count);
    // Clears attribute on every object under the mailbox OU that has it (restores the seed).
    void clearEverywhere(const QByteArray& attribute);

    SambaTestDomain m_domain;
    QByteArray m_ou;
    std::unique_ptr<LdapConnection> m_connection;
};

void TestLdapWrites::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    m_ou = "OU=Sunset Write Tests," + m_domain.baseDn();
    m_connection = bound();
    QVERIFY(m_connection);

    // The contacts of the single-object tests, each with what its test starts from.
    struct Contact {
        QByteArray cn;
        std::vector<std::pair<QByteArray, QByteArray>> values;
    };
    const std::vector<Contact> contacts = {
        {"Write Exact",
         {{"extensionAttribute2", "  before  "},
          {"mail", "exact@sunset.test"},
          {"msExchExtensionCustomAttribute2", " one "},
          {"msExchExtensionCustomAttribute2", "Two"}}},
        {"Write Conflict", {{"extensionAttribute3", "original value"}}},
        {"Write Single", {{"extensionAttribute1", "keep me"}}},
        {"Write Multi", {{"msExchExtensionCustomAttribute3", "A"}}},
        {"Write Clear",
         {{"extensionAttribute4", "to be cleared "},
          {"msExchExtensionCustomAttribute4", "x1"},
          {"msExchExtensionCustomAttribute4", "x2"},
          {"extensionAttribute6", "stays"}}},
        {"Write Swap",
         {{"proxyAddresses", "SMTP:swap@sunset.test"},
          {"proxyAddresses", "smtp:old1@sunset.test"},
          {"proxyAddresses", "smtp:keep@sunset.test"},
          {"extensionAttribute5", "guard"}}},
        {"Write Refused", {{"description", "not a catalog attribute"}, {"mailNickname", "refused"}}},
        {"Write Error", {{"msExchRecipientTypeDetails", "2147483648"}}},
    };
    QByteArray ldif = "dn: " + m_ou + "\nobjectClass: organizationalUnit\n\n";
    for (const Contact& contact : contacts) {
        ldif += "dn: " + contactDn(contact.cn) + "\nobjectClass: contact\n";
        for (const auto& [name, value] : contact.values)
            ldif += ldifLine(name, value);
        ldif += '\n';
    }
    runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}, {}, true); // a leftover of an aborted run
    QVERIFY(runLdapTool(u"ldapadd"_s, {}, ldif));
}

void TestLdapWrites::cleanupTestCase()
{
    if (!m_ou.isEmpty())
        QVERIFY(runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(m_ou)}));
}

LdapConnectionOptions TestLdapWrites::ldapsOptions(std::uint16_t port) const
{
    LdapConnectionOptions options;
    options.uri = port ? u"ldaps://127.0.0.1:"_s + QString::number(port) : m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    options.networkTimeout = std::chrono::seconds(5);
    options.operationTimeout = std::chrono::seconds(60);
    return options;
}

std::unique_ptr<LdapConnection> TestLdapWrites::bound(std::uint16_t port)
{
    auto connection = std::make_unique<LdapConnection>(ldapsOptions(port));
    const auto bindResult = connection->simpleBind(m_domain.bindUpn(), m_domain.password());
    if (!bindResult) {
        qWarning("bind failed: %s", qPrintable(describe(bindResult)));
        return nullptr;
    }
    return connection;
}

EntryValues TestLdapWrites::read(LdapConnection& connection, const QByteArray& dn, const QByteArrayList& attributes)
{
    LdapSearchRequest request;
    request.baseDn = dn;
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    request.attributes = attributes;
    EntryValues values;
    const auto searched = connection.search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        for (const LdifAttribute& attribute : entry.attributes)
            values[attribute.name.toByteArray().toLower()] << attribute.value.toByteArray();
        return {};
    });
    if (!searched)
        qWarning("reading %s failed: %s", dn.constData(), qPrintable(describe(searched)));
    return values;
}

bool TestLdapWrites::runLdapTool(const QString& tool, const QStringList& arguments, const QByteArray& input,
                                 bool mayFail)
{
    return m_domain.runLdapTool(tool, arguments, input, mayFail).has_value();
}

QByteArrayList TestLdapWrites::seededMailboxes(LdapConnection& connection, int count)
{
    LdapSearchRequest request;
    request.baseDn = m_domain.mailboxOu();
    request.scope = LdapScope::OneLevel;
    request.filter = "(&(objectClass=user)(sAMAccountName=mbx*))";
    request.attributes = {"sAMAccountName"};
    QByteArrayList dns;
    const auto searched = connection.search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        dns << entry.dn.toByteArray();
        return {};
    });
    if (!searched)
        qWarning("listing the mailboxes failed: %s", qPrintable(describe(searched)));
    std::sort(dns.begin(), dns.end());
    return dns.mid(0, count);
}

void TestLdapWrites::clearEverywhere(const QByteArray& attribute)
{
    auto connection = bound();
    QVERIFY(connection);
    LdapSearchRequest request;
    request.baseDn = m_domain.mailboxOu();
    request.filter = "(" + attribute + "=*)";
    request.attributes = {attribute};
    std::vector<ModifyRequest> clears;
    const auto searched = connection->search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
        AttributeChange change{attribute, {}, {}};
        for (const LdifAttribute& a : entry.attributes)
            change.oldValues << a.value.toByteArray();
        clears.push_back(ModifyRequest{quint64(clears.size()), entry.dn.toByteArray(), {change}});
        return {};
    });
    QCOMPARE(describe(searched), u"no error"_s);
    LdapModifyPipeline pipeline(*connection);
    const ModifyRunStats stats = pipeline.run(approvedAll(clears), {});
    QCOMPARE(stats.applied, qint64(clears.size()));
    bool any = false;
    QCOMPARE(describe(connection->search(request,
                                         [&](const LdifEntry&) -> LdapResult<void> {
                                             any = true;
                                             return {};
                                         })),
             u"no error"_s);
    QVERIFY2(!any, attribute.constData());
}

void TestLdapWrites::changeAppliedByteExact()
{
    const QByteArray dn = contactDn("Write Exact");
    const QByteArrayList attributes = {"extensionAttribute2", "extensionAttribute7", "mail",
                                       "msExchExtensionCustomAttribute2"};
    EntryValues before = read(*m_connection, dn, attributes);
    QCOMPARE(before["extensionattribute2"], QByteArrayList{"  before  "});

    // Spaces at both ends, a tab, non-ASCII from three scripts: all must arrive as these bytes.
    const QByteArray awkward = "  Jürgen — 日本語\tΩ end  ";
    ModifyRequest request{42, dn, {}};
    request.changes.push_back({"extensionAttribute2", before["extensionattribute2"], {awkward}});
    request.changes.push_back({"extensionAttribute7", {}, {" leading only"}}); // had none: an add only
    request.changes.push_back({"mail", before["mail"], {"Exact.New@sunset.test"}});
    request.changes.push_back(
        {"msExchExtensionCustomAttribute2", before["msexchextensioncustomattribute2"], {"Two", "三 ", "four "}});
    const ModifyOutcome outcome = modifyEntry(*m_connection, approved(request));
    QCOMPARE(outcome.id, quint64(42));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outcome)));
    QVERIFY(outcome.error.message.isEmpty());

    EntryValues after = read(*m_connection, dn, attributes);
    QCOMPARE(after["extensionattribute2"], QByteArrayList{awkward});
    QCOMPARE(after["extensionattribute7"], QByteArrayList{" leading only"});
    QCOMPARE(after["mail"], QByteArrayList{"Exact.New@sunset.test"});
    QCOMPARE(sorted(after["msexchextensioncustomattribute2"]), sorted({"Two", "三 ", "four "}));
}

void TestLdapWrites::conflictWhenValueChangedSinceRead()
{
    const QByteArray dn = contactDn("Write Conflict");
    const EntryValues before = read(*m_connection, dn, {"extensionAttribute3", "extensionAttribute8"});
    QCOMPARE(before.at("extensionattribute3"), QByteArrayList{"original value"});

    // Someone else changes the value between Sunset's read and its write.
    auto someoneElse = bound();
    QVERIFY(someoneElse);
    const ModifyOutcome outOfBand =
        modifyEntry(*someoneElse, approved({1, dn, {{"extensionAttribute3", {"original value"}, {"changed elsewhere"}}}}));
    QVERIFY2(outOfBand.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outOfBand)));

    // Sunset's change also adds another attribute: atomic, so that is not written either.
    ModifyRequest request{7, dn, {}};
    request.changes.push_back({"extensionAttribute3", {"original value"}, {"from Sunset"}});
    request.changes.push_back({"extensionAttribute8", {}, {"must not appear"}});
    const ModifyOutcome outcome = modifyEntry(*m_connection, approved(request));
    qInfo("%s", qPrintable(describe(outcome)));
    QCOMPARE(outcome.id, quint64(7));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Conflict, qPrintable(describe(outcome)));
    QCOMPARE(outcome.error.code, LdapErrorCode::NoSuchAttribute);
    QCOMPARE(outcome.error.ldapResultCode, 16);
    QVERIFY2(outcome.error.message.contains(u"changed it since Sunset read it"_s), qPrintable(outcome.error.message));
    QVERIFY2(outcome.error.message.contains(u"Write Conflict"_s), qPrintable(outcome.error.message));
    QVERIFY2(!outcome.error.serverMessage.isEmpty(), "the server's diagnostic is kept");

    const EntryValues after = read(*m_connection, dn, {"extensionAttribute3", "extensionAttribute8"});
    QCOMPARE(after.at("extensionattribute3"), QByteArrayList{"changed elsewhere"});
    QVERIFY(!after.count("extensionattribute8"));
}

void TestLdapWrites::conflictWhenSingleValuedAttributeGotAValue()
{
    // Sunset read no value; someone set one since. Sunset's add must not overwrite it.
    const QByteArray dn = contactDn("Write Single");
    QVERIFY(!read(*m_connection, dn, {"extensionAttribute9"}).count("extensionattribute9"));
    auto someoneElse = bound();
    QVERIFY(someoneElse);
    const ModifyOutcome outOfBand = modifyEntry(*someoneElse, approved({1, dn, {{"extensionAttribute9", {}, {"theirs"}}}}));
    QVERIFY2(outOfBand.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outOfBand)));

    const ModifyOutcome outcome = modifyEntry(*m_connection, approved({8, dn, {{"extensionAttribute9", {}, {"ours"}}}}));
    qInfo("%s", qPrintable(describe(outcome)));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Conflict, qPrintable(describe(outcome)));
    QCOMPARE(read(*m_connection, dn, {"extensionAttribute9"}).at("extensionattribute9"), QByteArrayList{"theirs"});

    // And a single value deleted by value, changed since: also a conflict, the other writer's value intact.
    const ModifyOutcome stale = modifyEntry(*m_connection, approved({9, dn, {{"extensionAttribute1", {"kept"}, {"new"}}}}));
    QVERIFY2(stale.kind == ModifyOutcomeKind::Conflict, qPrintable(describe(stale)));
    QCOMPARE(read(*m_connection, dn, {"extensionAttribute1"}).at("extensionattribute1"), QByteArrayList{"keep me"});
}

void TestLdapWrites::valueAddedToMultiValuedAttributeIsNotSeen()
{
    // The documented limit of delete-old/add-new: a value someone ADDED to a multi-valued attribute survives
    // (only the deletion of the values Sunset read is checked). The batch layer's re-read before apply covers it.
    const QByteArray dn = contactDn("Write Multi");
    auto someoneElse = bound();
    QVERIFY(someoneElse);
    const ModifyOutcome outOfBand =
        modifyEntry(*someoneElse, approved({1, dn, {{"msExchExtensionCustomAttribute3", {}, {"theirs"}}}}));
    QVERIFY2(outOfBand.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outOfBand)));
    const ModifyOutcome outcome =
        modifyEntry(*m_connection, approved({10, dn, {{"msExchExtensionCustomAttribute3", {"A"}, {"B"}}}}));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outcome)));
    QCOMPARE(sorted(read(*m_connection, dn, {"msExchExtensionCustomAttribute3"}).at("msexchextensioncustomattribute3")),
             sorted({"B", "theirs"}));
}

void TestLdapWrites::clearingAnAttribute()
{
    const QByteArray dn = contactDn("Write Clear");
    const QByteArrayList attributes = {"extensionAttribute4", "msExchExtensionCustomAttribute4", "extensionAttribute6"};
    EntryValues before = read(*m_connection, dn, attributes);
    ModifyRequest request{11, dn, {}};
    request.changes.push_back({"extensionAttribute4", before["extensionattribute4"], {}});
    request.changes.push_back({"msExchExtensionCustomAttribute4", before["msexchextensioncustomattribute4"], {}});
    const ModifyOutcome outcome = modifyEntry(*m_connection, approved(request));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outcome)));
    const EntryValues after = read(*m_connection, dn, attributes);
    QVERIFY(!after.count("extensionattribute4"));
    QVERIFY(!after.count("msexchextensioncustomattribute4"));
    QCOMPARE(after.at("extensionattribute6"), QByteArrayList{"stays"});

    // Clearing again what is already gone: the values Sunset read are not there, a conflict.
    const ModifyOutcome again = modifyEntry(*m_connection, approved(request));
    QVERIFY2(again.kind == ModifyOutcomeKind::Conflict, qPrintable(describe(again)));
}

void TestLdapWrites::proxyAddressesSwapIsAtomic()
{
    const QByteArray dn = contactDn("Write Swap");
    EntryValues before = read(*m_connection, dn, {"proxyAddresses", "extensionAttribute5"});
    QCOMPARE(before["proxyaddresses"].size(), 3);

    // Remove one, add two, keep the others.
    const QByteArrayList swapped = {"SMTP:swap@sunset.test", "smtp:keep@sunset.test", "smtp:new1@sunset.test",
                                    "smtp:new2@sunset.test"};
    ModifyOutcome outcome =
        modifyEntry(*m_connection, approved({20, dn, {{"proxyAddresses", before["proxyaddresses"], swapped}}}));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outcome)));
    QCOMPARE(sorted(read(*m_connection, dn, {"proxyAddresses"}).at("proxyaddresses")), sorted(swapped));

    // A new primary: only the case of the prefixes changes (AD compares proxyAddresses ignoring case), in one
    // modify that deletes the old spellings and adds the new ones.
    const QByteArrayList newPrimary = {"smtp:swap@sunset.test", "smtp:keep@sunset.test", "SMTP:new1@sunset.test",
                                       "smtp:new2@sunset.test"};
    outcome = modifyEntry(*m_connection, approved({21, dn, {{"proxyAddresses", swapped, newPrimary}}}));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outcome)));
    QCOMPARE(sorted(read(*m_connection, dn, {"proxyAddresses"}).at("proxyaddresses")), sorted(newPrimary));

    // The same kind of swap together with a stale value elsewhere in the request: nothing is written.
    ModifyRequest stale{22, dn, {}};
    stale.changes.push_back({"proxyAddresses", newPrimary, {"SMTP:other@sunset.test", "smtp:third@sunset.test"}});
    stale.changes.push_back({"extensionAttribute5", {"not what is there"}, {"x"}});
    outcome = modifyEntry(*m_connection, approved(stale));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Conflict, qPrintable(describe(outcome)));
    const EntryValues after = read(*m_connection, dn, {"proxyAddresses", "extensionAttribute5"});
    QCOMPARE(sorted(after.at("proxyaddresses")), sorted(newPrimary));
    QCOMPARE(after.at("extensionattribute5"), QByteArrayList{"guard"});
}

void TestLdapWrites::nonCatalogAttributesRefusedBeforeSending()
{
    const QByteArray dn = contactDn("Write Refused");
    const auto refusal = [&](AttributeChange change) {
        return ModifyRequest{
            0, dn, {AttributeChange{"extensionAttribute10", {}, {"would be fine"}}, std::move(change)}};
    };
    // Attributes Sunset does not write: no ApprovedModify can be made of them, so the pipeline cannot be given one.
    const std::vector<ModifyRequest> notWritable = {
        refusal({"description", {"not a catalog attribute"}, {"changed"}}), // not in the catalog
        refusal({"mailNickname", {"refused"}, {"changed"}}),                // in the catalog, not writable
        refusal({"targetAddress", {}, {"SMTP:x@sunset.test"}}),             // in the catalog, not writable
        refusal({"userAccountControl", {}, {"512"}}),
        refusal({"extensionAttribute11;binary", {}, {"x"}}), // options are not a catalog name
    };
    const ApprovedModify::Facts approvedBatch{1, BatchState::Approved, true};
    for (const ModifyRequest& request : notWritable) {
        QVERIFY(whyModifyRefused(request).has_value()); // and the pipeline's own check refuses it too
        const auto modify = ApprovedModify::approve(request, approvedBatch);
        QVERIFY(!modify);
        qInfo("%s", qPrintable(modify.error()));
    }
    QVERIFY(ApprovedModify::whyNotApproved(notWritable[0], approvedBatch)
                ->contains(u"description is not an attribute of Sunset's catalog"_s));
    QVERIFY(ApprovedModify::whyNotApproved(notWritable[1], approvedBatch)
                ->contains(u"mailNickname is not written back by Sunset"_s));

    // Malformed requests of writable attributes: approved, then refused by the pipeline before sending.
    std::vector<ModifyRequest> requests = {
        refusal({"extensionAttribute11", {}, {"a", "b"}}),                             // single-valued
        refusal({"proxyAddresses", {}, {"smtp:a@sunset.test", "SMTP:A@sunset.test"}}), // the same to AD
        refusal({"extensionAttribute12", {}, {""}}),                                   // empty value
        refusal({"extensionAttribute12", {}, {QByteArray("\xff\xfe", 2)}}),            // not UTF-8
        refusal({"extensionAttribute10", {}, {"twice"}}),                              // the same attribute twice
        ModifyRequest{0, "not a DN", {AttributeChange{"extensionAttribute10", {}, {"x"}}}},
        ModifyRequest{0, dn, {}},
    };
    for (size_t i = 0; i < requests.size(); ++i)
        requests[i].id = 100 + i;
    LdapModifyPipeline pipeline(*m_connection);
    std::vector<ModifyOutcome> outcomes;
    const ModifyRunStats stats =
        pipeline.run(approvedAll(requests), [&](const ModifyOutcome& outcome) { outcomes.push_back(outcome); });
    QCOMPARE(stats.sent, qint64(0));
    QCOMPARE(stats.refused, qint64(requests.size()));
    QCOMPARE(outcomes.size(), requests.size());
    for (size_t i = 0; i < outcomes.size(); ++i) {
        qInfo("%s", qPrintable(describe(outcomes[i])));
        QCOMPARE(outcomes[i].id, quint64(100 + i));
        QCOMPARE(outcomes[i].kind, ModifyOutcomeKind::Refused);
        QCOMPARE(outcomes[i].error.ldapResultCode, 0);
    }
    QVERIFY2(outcomes[0].error.message.contains(u"holds one value"_s), qPrintable(outcomes[0].error.message));

    const EntryValues after = read(*m_connection, dn, {"description", "mailNickname", "extensionAttribute10"});
    QCOMPARE(after.at("description"), QByteArrayList{"not a catalog attribute"});
    QCOMPARE(after.at("mailnickname"), QByteArrayList{"refused"});
    QVERIFY(!after.count("extensionattribute10"));
}

void TestLdapWrites::serverRefusalIsAnErrorNotAConflict()
{
    // A Large Integer attribute given text: the server refuses the syntax. Not a conflict; nothing written.
    const QByteArray dn = contactDn("Write Error");
    ModifyRequest request{30, dn, {}};
    request.changes.push_back({"msExchRecipientTypeDetails", {"2147483648"}, {"not a number"}});
    request.changes.push_back({"extensionAttribute13", {}, {"must not appear"}});
    const ModifyOutcome outcome = modifyEntry(*m_connection, approved(request));
    qInfo("%s", qPrintable(describe(outcome)));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Error, qPrintable(describe(outcome)));
    QVERIFY(outcome.error.ldapResultCode != 0);
    QVERIFY2(outcome.error.message.contains(u"Nothing of this change was written"_s),
             qPrintable(outcome.error.message));
    const EntryValues after = read(*m_connection, dn, {"msExchRecipientTypeDetails", "extensionAttribute13"});
    QCOMPARE(after.at("msexchrecipienttypedetails"), QByteArrayList{"2147483648"});
    QVERIFY(!after.count("extensionattribute13"));
}

void TestLdapWrites::deletedObjectIsAConflict()
{
    const ModifyOutcome outcome =
        modifyEntry(*m_connection, approved({31, contactDn("Gone Since The Read"), {{"extensionAttribute1", {"a"}, {"b"}}}}));
    qInfo("%s", qPrintable(describe(outcome)));
    QVERIFY2(outcome.kind == ModifyOutcomeKind::Conflict, qPrintable(describe(outcome)));
    QCOMPARE(outcome.error.code, LdapErrorCode::NoSuchObject);
    QVERIFY(outcome.error.message.contains(u"no longer exists"_s));
}

void TestLdapWrites::thousandPipelinedModifies()
{
    const QByteArrayList dns = seededMailboxes(*m_connection, 1000);
    QCOMPARE(dns.size(), 1000);

    // Ids that are not positions, and a value per request that names its id: a mix-up cannot go unseen.
    std::vector<ModifyRequest> requests;
    std::map<QByteArray, QByteArray> expected; // lower-case DN -> value
    std::mt19937 random(20240611);
    std::vector<quint64> ids(dns.size());
    for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = 500'000 + 7 * i;
    std::shuffle(ids.begin(), ids.end(), random);
    std::map<quint64, size_t> indexOfId;
    for (qsizetype i = 0; i < dns.size(); ++i) {
        const QByteArray value = " pipelined #" + QByteArray::number(ids[size_t(i)]) + " für " + dns[i].left(16) + ' ';
        requests.push_back(ModifyRequest{ids[size_t(i)], dns[i], {{"extensionAttribute15", {}, {value}}}});
        expected[dns[i].toLower()] = value;
        indexOfId[ids[size_t(i)]] = size_t(i);
    }

    LdapModifyPipeline pipeline(*m_connection, ModifyPipelineOptions{32, std::chrono::seconds(60), true});
    std::vector<ModifyOutcome> outcomes;
    qint64 lastCompleted = 0;
    bool progressInOrder = true;
    QElapsedTimer timer;
    timer.start();
    const ModifyRunStats stats = pipeline.run(
        approvedAll(requests), [&](const ModifyOutcome& outcome) { outcomes.push_back(outcome); },
        [&](const ModifyRunStats& s) {
            progressInOrder = progressInOrder && s.completed == lastCompleted + 1 && s.sent <= s.total;
            lastCompleted = s.completed;
            return true;
        });
    const qint64 elapsed = timer.elapsed();
    qInfo("1,000 pipelined modifies (window 32): %lld ms, %.0f/s", elapsed, 1000.0 * 1000.0 / double(elapsed));
    QVERIFY(progressInOrder);
    QCOMPARE(stats.applied, qint64(1000));
    QCOMPARE(stats.sent, qint64(1000));
    QCOMPARE(qint64(outcomes.size()), qint64(1000));
    QSet<quint64> seen;
    for (const ModifyOutcome& outcome : outcomes) {
        QVERIFY2(outcome.kind == ModifyOutcomeKind::Applied, qPrintable(describe(outcome)));
        QVERIFY(indexOfId.count(outcome.id));
        seen.insert(outcome.id);
    }
    QCOMPARE(seen.size(), 1000);

    // Read back: every mailbox holds the value of its own request, byte-exact.
    LdapSearchRequest search;
    search.baseDn = m_domain.mailboxOu();
    search.filter = "(extensionAttribute15=*)";
    search.attributes = {"extensionAttribute15"};
    std::map<QByteArray, QByteArrayList> found;
    QCOMPARE(describe(m_connection->search(search,
                                           [&](const LdifEntry& entry) -> LdapResult<void> {
                                               for (const LdifAttribute& a : entry.attributes)
                                                   found[entry.dn.toByteArray().toLower()] << a.value.toByteArray();
                                               return {};
                                           })),
             u"no error"_s);
    QCOMPARE(found.size(), expected.size());
    for (const auto& [dn, value] : expected) {
        QVERIFY2(found.count(dn), dn.constData());
        QCOMPARE(found.at(dn), QByteArrayList{value});
    }

    // Restore the seed (also pipelined), so the other tests read what samba-dc.sh seeded.
    clearEverywhere("extensionAttribute15");
}

void TestLdapWrites::connectionCutMidBatch()
{
    CuttableTcpProxy proxy(636);
    QVERIFY(proxy.port() != 0);
    auto connection = bound(proxy.port());
    QVERIFY(connection);

    const QByteArrayList dns = seededMailboxes(*connection, 600);
    QCOMPARE(dns.size(), 600);
    std::vector<ModifyRequest> requests;
    for (qsizetype i = 0; i < dns.size(); ++i)
        requests.push_back(ModifyRequest{
            quint64(9000 + i), dns[i], {{"extensionAttribute14", {}, {"cut #" + QByteArray::number(9000 + i)}}}});

    const int window = 32;
    const int cutAfter = 150;
    LdapModifyPipeline pipeline(*connection, ModifyPipelineOptions{window, std::chrono::seconds(30), true});
    std::map<quint64, ModifyOutcome> outcomes;
    const ModifyRunStats stats = pipeline.run(approvedAll(requests), [&](const ModifyOutcome& outcome) {
        QVERIFY(!outcomes.count(outcome.id));
        outcomes[outcome.id] = outcome;
        // The answers stop coming while requests are outstanding (the server may carry them out), then the
        // connection drops.
        if (outcomes.size() == size_t(cutAfter))
            proxy.holdAnswersThenCut(std::chrono::milliseconds(300));
    });
    qInfo("cut mid-batch: %lld applied, %lld unknown, %lld not sent, %lld sent", stats.applied, stats.unknown,
          stats.notSent, stats.sent);
    QVERIFY(stats.connectionLost);
    QVERIFY(!connection->isConnected());
    QCOMPARE(qint64(outcomes.size()), qint64(requests.size()));
    QCOMPARE(stats.applied + stats.unknown + stats.notSent, qint64(requests.size()));
    QVERIFY(stats.applied >= cutAfter);
    QVERIFY(stats.unknown >= 1 && stats.unknown <= window);
    QVERIFY(stats.notSent >= 1);
    QCOMPARE(stats.sent, stats.applied + stats.unknown);

    // What the server holds now, through a new connection: applied ones are there, unsent ones are not, and
    // each unknown one is one or the other, never anything else.
    auto direct = bound();
    QVERIFY(direct);
    int unknownApplied = 0;
    for (const ModifyRequest& request : requests) {
        const ModifyOutcome& outcome = outcomes.at(request.id);
        const QByteArrayList now = read(*direct, request.dn, {"extensionAttribute14"})["extensionattribute14"];
        switch (outcome.kind) {
        case ModifyOutcomeKind::Applied:
            QCOMPARE(now, request.changes[0].newValues);
            break;
        case ModifyOutcomeKind::NotSent:
            QVERIFY2(outcome.error.message.contains(u"not sent"_s), qPrintable(outcome.error.message));
            QVERIFY2(outcome.error.message.contains(u"connection"_s), qPrintable(outcome.error.message));
            QVERIFY(now.isEmpty());
            break;
        case ModifyOutcomeKind::Unknown:
            QVERIFY2(outcome.error.message.contains(u"the connection to 127.0.0.1:"_s) &&
                         outcome.error.message.contains(u"was lost before the server answered; re-read the object "
                                                        "to know whether it was applied"_s),
                     qPrintable(outcome.error.message));
            QVERIFY(now.isEmpty() || now == request.changes[0].newValues);
            unknownApplied += now.isEmpty() ? 0 : 1;
            break;
        default:
            QFAIL(qPrintable(describe(outcome)));
        }
    }
    qInfo("of the %lld unknown, %d had been applied by the server", stats.unknown, unknownApplied);
    QCOMPARE(proxy.connectionsCut(), 1);

    // Running again on the lost connection sends nothing.
    const ModifyRunStats again = pipeline.run(approvedAll(std::span(requests).first(1)), {});
    QCOMPARE(again.notSent, qint64(1));

    clearEverywhere("extensionAttribute14");
}

void TestLdapWrites::cancelStopsSending_data()
{
    QTest::addColumn<bool>("waitForOutstanding");
    QTest::newRow("wait for outstanding") << true;
    QTest::newRow("abandon outstanding") << false;
}

void TestLdapWrites::cancelStopsSending()
{
    QFETCH(bool, waitForOutstanding);
    auto connection = bound();
    QVERIFY(connection);
    const QByteArrayList dns = seededMailboxes(*connection, 200);
    std::vector<ModifyRequest> requests;
    for (qsizetype i = 0; i < dns.size(); ++i)
        requests.push_back(ModifyRequest{quint64(i), dns[i], {{"extensionAttribute13", {}, {"cancel test"}}}});
    LdapModifyPipeline pipeline(*connection, ModifyPipelineOptions{16, std::chrono::seconds(30), waitForOutstanding});
    const ModifyRunStats stats = pipeline.run(approvedAll(requests), {}, [&](const ModifyRunStats& s) {
        return s.completed < 50; // cancels at the 50th outcome
    });
    qInfo("cancelled: %lld applied, %lld unknown, %lld not sent", stats.applied, stats.unknown, stats.notSent);
    QVERIFY(stats.cancelled);
    QVERIFY(!stats.connectionLost);
    QVERIFY(stats.notSent >= 1);
    QCOMPARE(stats.applied + stats.unknown + stats.notSent, qint64(requests.size()));
    QCOMPARE(stats.sent, stats.applied + stats.unknown);
    if (waitForOutstanding)
        QCOMPARE(stats.unknown, qint64(0));
    else
        QVERIFY(stats.unknown >= 1);
    QVERIFY(connection->isConnected()); // still usable
    QCOMPARE(read(*connection, dns[0], {"extensionAttribute13"})["extensionattribute13"].size(), 1);
    clearEverywhere("extensionAttribute13");
}

void TestLdapWrites::unansweredOperationTimesOut()
{
    // Answers stop coming but the connection stays: each outstanding operation is Unknown after its timeout.
    CuttableTcpProxy proxy(636);
    auto connection = bound(proxy.port());
    QVERIFY(connection);
    const QByteArrayList dns = seededMailboxes(*connection, 30);
    std::vector<ModifyRequest> requests;
    for (qsizetype i = 0; i < dns.size(); ++i)
        requests.push_back(ModifyRequest{quint64(i), dns[i], {{"extensionAttribute12", {}, {"timeout test"}}}});
    LdapModifyPipeline pipeline(*connection, ModifyPipelineOptions{8, std::chrono::milliseconds(800), true});
    int outcomes = 0;
    std::vector<ModifyOutcome> unknown;
    const ModifyRunStats stats = pipeline.run(approvedAll(requests), [&](const ModifyOutcome& outcome) {
        if (++outcomes == 10)
            proxy.holdAnswersThenCut(std::chrono::seconds(60));
        if (outcome.kind == ModifyOutcomeKind::Unknown)
            unknown.push_back(outcome);
    });
    qInfo("timeouts: %lld applied, %lld unknown", stats.applied, stats.unknown);
    QVERIFY(stats.applied >= 10);
    QCOMPARE(stats.applied + stats.unknown, qint64(requests.size()));
    QVERIFY(!unknown.empty());
    for (const ModifyOutcome& outcome : unknown) {
        QCOMPARE(outcome.error.code, LdapErrorCode::TimeLimitExceeded);
        QVERIFY2(outcome.error.message.contains(u"no answer within 0.8 s"_s), qPrintable(outcome.error.message));
    }
    proxy.cut();
    clearEverywhere("extensionAttribute12");
}

void TestLdapWrites::connectionCutMidSearch()
{
    CuttableTcpProxy proxy(636);
    QVERIFY(proxy.port() != 0);
    auto connection = bound(proxy.port());
    QVERIFY(connection);

    LdapSearchRequest request;
    request.baseDn = m_domain.baseDn();
    request.filter = kAdMailboxFilter;
    request.attributes = {"mail", "proxyAddresses"};
    request.pageSize = 100;
    qint64 handled = 0;
    LdapSearchStats stats;
    const auto searched = connection->search(
        request,
        [&](const LdifEntry&) -> LdapResult<void> {
            if (++handled == 250)
                proxy.cut();
            return {};
        },
        {}, &stats);
    QVERIFY(!searched);
    const auto& failure = searched.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::ServerUnreachable);
    QCOMPARE(stats.entries, handled);
    QVERIFY(handled >= 250 && handled < m_domain.mailboxes());
    QVERIFY(stats.pages >= 2);
    const QString expected = u"the connection was lost after %1 entries (%2 complete pages) had arrived"_s.arg(
        QString::number(stats.entries), QString::number(stats.pages));
    QVERIFY2(failure.message.contains(expected), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"127.0.0.1:"_s + QString::number(proxy.port())), qPrintable(failure.message));
    QVERIFY(!connection->isConnected());
}

QTEST_GUILESS_MAIN(TestLdapWrites)
#include "TestLdapWrites.moc"
