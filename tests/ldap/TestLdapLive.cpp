// SPDX-License-Identifier: Apache-2.0
// The libldap layer against the Samba AD DC of the SambaDc fixture: TLS verified for real, binds, the root
// DSE, paging over more than 1,000 mailboxes, ranged retrieval, awkward DNs and values, and the live snapshot
// against an ldapsearch export of the same objects.
#include "AdSnapshotReader.h"
#include "LdapConnection.h"
#include "LdapEscape.h"
#include "LdapSnapshotReader.h"
#include "support/samba/SambaTestDomain.h"

#include <QProcess>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <map>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// Every value of every attribute of one entry, keyed by lower-case attribute name.
using EntryValues = std::map<QByteArray, QByteArrayList>;

struct FoundEntry {
    QByteArray dn;
    EntryValues values;
};

QString describe(const LdapResult<void>& outcome)
{
    return outcome ? u"no error"_s : ldapErrorCodeName(outcome.error().code) + u": "_s + outcome.error().toString();
}

} // namespace

class TestLdapLive final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void ldapsWithVerifiedCertificate();
    void startTlsWithVerifiedCertificate();
    void plaintextBindRefusedBySunset();
    void plaintextBindRefusedByServer();
    void certificateFromAnotherCa_data();
    void certificateFromAnotherCa();
    void unreadableCaFile();
    void wrongPassword();
    void unreachableServer();
    void rootDse();
    void pagedSearchReturnsEveryMailbox();
    void pagedSearchCancels();
    void searchesTogetherKeepTheirOrderAndFailAlone();
    void rangedRetrievalCompletesLargeAttribute_data();
    void rangedRetrievalCompletesLargeAttribute();
    void escapedAndNonAsciiDnsSurvive();
    void filterValuesAreEscaped();
    void valuesSurviveByteExact();
    void liveSnapshotEqualsLdapsearchExport();

private:
    LdapConnectionOptions ldapsOptions() const;
    std::unique_ptr<LdapConnection> bound(int* failures = nullptr);
    std::vector<FoundEntry> find(LdapConnection& connection, LdapSearchRequest request,
                                 LdapSearchStats* stats = nullptr);
    LdapSearchRequest mailboxSearch() const; // every mailbox's mail, in pages of 1,000

    SambaTestDomain m_domain;
};

void TestLdapLive::initTestCase()
{
    m_domain = SambaTestDomain::load();
    QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
    QVERIFY(m_domain.mailboxes() > 1000);
}

LdapConnectionOptions TestLdapLive::ldapsOptions() const
{
    LdapConnectionOptions options;
    options.uri = m_domain.ldapsUri();
    options.caFile = m_domain.caFile();
    options.networkTimeout = std::chrono::seconds(5);
    options.operationTimeout = std::chrono::seconds(60);
    return options;
}

std::unique_ptr<LdapConnection> TestLdapLive::bound(int* failures)
{
    auto connection = std::make_unique<LdapConnection>(ldapsOptions());
    const auto bindResult = connection->simpleBind(m_domain.bindUpn(), m_domain.password());
    if (!bindResult) {
        qWarning("bind failed: %s", qPrintable(describe(bindResult)));
        if (failures)
            ++*failures;
        return nullptr;
    }
    return connection;
}

LdapSearchRequest TestLdapLive::mailboxSearch() const
{
    LdapSearchRequest request;
    request.baseDn = m_domain.baseDn();
    request.filter = kAdMailboxFilter;
    request.attributes = {"mail"};
    return request;
}

std::vector<FoundEntry> TestLdapLive::find(LdapConnection& connection, LdapSearchRequest request,
                                           LdapSearchStats* stats)
{
    std::vector<FoundEntry> found;
    const auto searched = connection.search(
        request,
        [&](const LdifEntry& entry) -> LdapResult<void> {
            FoundEntry e{entry.dn.toByteArray(), {}};
            for (const LdifAttribute& attribute : entry.attributes)
                e.values[attribute.name.toByteArray().toLower()] << attribute.value.toByteArray();
            found.push_back(std::move(e));
            return {};
        },
        {}, stats);
    if (!searched)
        qWarning("search failed: %s", qPrintable(describe(searched)));
    return found;
}

void TestLdapLive::ldapsWithVerifiedCertificate()
{
    LdapConnection connection(ldapsOptions());
    QCOMPARE(describe(connection.connect()), u"no error"_s);
    QVERIFY(connection.isEncrypted());
    QCOMPARE(describe(connection.simpleBind(m_domain.bindUpn(), m_domain.password())), u"no error"_s);
    // A DN works as well as a UPN.
    LdapConnection byDn(ldapsOptions());
    QCOMPARE(describe(byDn.simpleBind(m_domain.bindDn(), m_domain.password())), u"no error"_s);
}

void TestLdapLive::startTlsWithVerifiedCertificate()
{
    LdapConnectionOptions options = ldapsOptions();
    options.uri = m_domain.ldapUri();
    LdapConnection connection(options);
    QCOMPARE(describe(connection.connect()), u"no error"_s);
    QVERIFY(connection.isEncrypted());
    QCOMPARE(describe(connection.simpleBind(m_domain.bindUpn(), m_domain.password())), u"no error"_s);
    const auto dse = connection.readRootDse();
    QVERIFY2(dse.ok(), dse ? "" : qPrintable(dse.error().toString()));
}

void TestLdapLive::plaintextBindRefusedBySunset()
{
    LdapConnectionOptions options = ldapsOptions();
    options.uri = m_domain.ldapUri();
    options.startTls = false;
    LdapConnection connection(options);
    QCOMPARE(describe(connection.connect()), u"no error"_s);
    QVERIFY(!connection.isEncrypted());
    const auto bindResult = connection.simpleBind(m_domain.bindUpn(), m_domain.password());
    QVERIFY(!bindResult);
    const auto& failure = bindResult.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::InsecureBindRefused);
    QVERIFY2(failure.message.contains(u"127.0.0.1:389"_s), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"unencrypted"_s), qPrintable(failure.message));
}

void TestLdapLive::plaintextBindRefusedByServer()
{
    LdapConnectionOptions options = ldapsOptions();
    options.uri = m_domain.ldapUri();
    options.startTls = false;
    options.allowInsecurePlaintext = true;
    LdapConnection connection(options);
    const auto bindResult = connection.simpleBind(m_domain.bindUpn(), m_domain.password());
    QVERIFY(!bindResult);
    const auto& failure = bindResult.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::EncryptionRequired);
    QVERIFY2(failure.serverMessage.contains(u"Transport encryption required"_s), qPrintable(failure.toString()));
    QVERIFY2(failure.message.contains(u"ldaps://"_s), qPrintable(failure.message));
}

void TestLdapLive::certificateFromAnotherCa_data()
{
    QTest::addColumn<bool>("startTls");
    QTest::addColumn<bool>("systemTrust");
    QTest::newRow("ldaps, other CA") << false << false;
    QTest::newRow("StartTLS, other CA") << true << false;
    QTest::newRow("ldaps, system CAs") << false << true;
}

void TestLdapLive::certificateFromAnotherCa()
{
    QFETCH(bool, startTls);
    QFETCH(bool, systemTrust);
    LdapConnectionOptions options = ldapsOptions();
    options.caFile = systemTrust ? QString() : m_domain.otherCaFile();
    if (startTls)
        options.uri = m_domain.ldapUri();
    LdapConnection connection(options);
    const auto bindResult = connection.simpleBind(m_domain.bindUpn(), m_domain.password());
    QVERIFY(!bindResult);
    const auto& failure = bindResult.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::TlsFailure);
    const QString host = startTls ? u"127.0.0.1:389"_s : u"127.0.0.1:636"_s;
    QVERIFY2(failure.message.contains(host), qPrintable(failure.message));
    QVERIFY2(failure.message.contains(u"certificate"_s), qPrintable(failure.message));
    if (!systemTrust)
        QVERIFY2(failure.message.contains(options.caFile), qPrintable(failure.message));
    QVERIFY(!connection.isConnected());
}

void TestLdapLive::unreadableCaFile()
{
    LdapConnectionOptions options = ldapsOptions();
    options.caFile = u"/nonexistent/ca.pem"_s;
    LdapConnection connection(options);
    const auto connected = connection.connect();
    QVERIFY(!connected);
    const auto& failure = connected.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::TlsFailure);
    QVERIFY2(failure.message.contains(u"/nonexistent/ca.pem"_s), qPrintable(failure.message));
}

void TestLdapLive::wrongPassword()
{
    LdapConnection connection(ldapsOptions());
    const auto bindResult = connection.simpleBind(m_domain.bindUpn(), "not-the-password");
    QVERIFY(!bindResult);
    const auto& failure = bindResult.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::InvalidCredentials);
    QVERIFY2(failure.message.contains(m_domain.bindUpn()), qPrintable(failure.message));
    // An empty password would be an anonymous bind that "succeeds": refused before it is sent.
    LdapConnection empty(ldapsOptions());
    const auto emptyBound = empty.simpleBind(m_domain.bindUpn(), QByteArray());
    QVERIFY(!emptyBound);
    const auto& emptyFailure = emptyBound.error();
    qInfo("%s", qPrintable(emptyFailure.toString()));
    QCOMPARE(emptyFailure.code, LdapErrorCode::InvalidCredentials);
}

void TestLdapLive::unreachableServer()
{
    LdapConnectionOptions options = ldapsOptions();
    options.uri = u"ldaps://127.0.0.1:1"_s;
    LdapConnection connection(options);
    const auto connected = connection.connect();
    QVERIFY(!connected);
    const auto& failure = connected.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::ServerUnreachable);
    QVERIFY2(failure.message.contains(u"127.0.0.1:1"_s), qPrintable(failure.message));
}

void TestLdapLive::rootDse()
{
    auto connection = bound();
    QVERIFY(connection);
    const auto dse = connection->readRootDse();
    QVERIFY2(dse.ok(), dse ? "" : qPrintable(dse.error().toString()));
    QCOMPARE(dse->defaultNamingContext, m_domain.baseDn());
    QCOMPARE(dse->configurationNamingContext, "CN=Configuration," + m_domain.baseDn());
    QCOMPARE(dse->schemaNamingContext, "CN=Schema,CN=Configuration," + m_domain.baseDn());
    QCOMPARE(dse->rootDomainNamingContext, m_domain.baseDn());
    QCOMPARE(dse->dnsHostName.toLower(), QByteArray("sunsetdc.sunset.test"));
    QVERIFY(dse->supportsControl("1.2.840.113556.1.4.319")); // paged results
    QVERIFY(dse->supportedLdapVersions.contains("3"));
}

void TestLdapLive::pagedSearchReturnsEveryMailbox()
{
    auto connection = bound();
    QVERIFY(connection);
    LdapSearchRequest request = mailboxSearch();
    LdapSearchStats stats;
    std::vector<qint64> progress;
    QSet<QByteArray> dns;
    const auto searched = connection->search(
        request,
        [&](const LdifEntry& entry) -> LdapResult<void> {
            dns.insert(entry.dn.toByteArray().toLower());
            return {};
        },
        [&](qint64 entries) {
            progress.push_back(entries);
            return true;
        },
        &stats);
    QCOMPARE(describe(searched), u"no error"_s);
    QCOMPARE(stats.entries, m_domain.mailboxes());
    QCOMPARE(qint64(dns.size()), m_domain.mailboxes()); // no entry twice
    QCOMPARE(stats.pages, (m_domain.mailboxes() + 999) / 1000);
    QCOMPARE(qint64(progress.size()), stats.pages);
    QCOMPARE(progress.front(), qint64(1000));
    QCOMPARE(progress.back(), m_domain.mailboxes());

    // Small pages: the cookie loop runs many times and still returns each entry once.
    request.pageSize = 97;
    const auto small = find(*connection, request, &stats);
    QCOMPARE(qint64(small.size()), m_domain.mailboxes());
    QCOMPARE(stats.pages, (m_domain.mailboxes() + 96) / 97);
}

void TestLdapLive::pagedSearchCancels()
{
    auto connection = bound();
    QVERIFY(connection);
    LdapSearchRequest request = mailboxSearch();
    request.pageSize = 100;
    LdapSearchStats stats;
    const auto searched = connection->search(
        request, [](const LdifEntry&) -> LdapResult<void> { return {}; }, [](qint64) { return false; }, &stats);
    QVERIFY(!searched);
    const auto& failure = searched.error();
    qInfo("%s", qPrintable(failure.toString()));
    QCOMPARE(failure.code, LdapErrorCode::Cancelled);
    QCOMPARE(stats.entries, qint64(100));
    // The connection stays usable.
    const auto dse = connection->readRootDse();
    QVERIFY(dse.ok());
}

// searchTogether sends every first page before reading any answer; each search still reaches its handler whole
// and after the ones before it, and a failing or cancelled one stops only itself.
void TestLdapLive::searchesTogetherKeepTheirOrderAndFailAlone()
{
    auto connection = bound();
    QVERIFY(connection);
    LdapSearchRequest mailboxes = mailboxSearch();
    mailboxes.pageSize = 97; // many pages, so that later searches' answers arrive while this one is read
    LdapSearchRequest missing = mailboxes;
    missing.baseDn = "OU=No Such Unit," + m_domain.baseDn();
    LdapSearchRequest cancelled = mailboxes;
    cancelled.pageSize = 100;
    LdapSearchRequest sites;
    sites.baseDn = "CN=Sites,CN=Configuration," + m_domain.baseDn();
    sites.filter = "(objectClass=nTDSDSA)";
    sites.attributes = {"invocationId"};

    std::vector<int> order; // the search each entry was handed to, in the order handed
    std::vector<QSet<QByteArray>> dns(4);
    std::vector<LdapSearchJob> jobs;
    for (const LdapSearchRequest& request : {mailboxes, missing, cancelled, sites}) {
        const int index = int(jobs.size());
        jobs.push_back(LdapSearchJob{request, [&, index](const LdifEntry& entry) -> LdapResult<void> {
                                         order.push_back(index);
                                         dns[size_t(index)].insert(entry.dn.toByteArray().toLower());
                                         return {};
                                     },
                                     {}});
    }
    jobs[2].progress = [](qint64) { return false; }; // cancels after its first page
    const std::vector<LdapResult<void>> results = connection->searchTogether(jobs);

    QCOMPARE(results.size(), size_t(4));
    QCOMPARE(describe(results[0]), u"no error"_s);
    QCOMPARE(qint64(dns[0].size()), m_domain.mailboxes());
    QVERIFY(!results[1]);
    QCOMPARE(results[1].error().code, LdapErrorCode::NoSuchObject);
    QVERIFY(!results[2]);
    QCOMPARE(results[2].error().code, LdapErrorCode::Cancelled);
    QCOMPARE(dns[2].size(), qsizetype(100));
    QCOMPARE(describe(results[3]), u"no error"_s);
    QCOMPARE(dns[3].size(), qsizetype(1)); // the one DC
    QVERIFY(std::is_sorted(order.begin(), order.end())); // search after search, never interleaved
    // The same mailboxes as a search of its own, and the connection is still usable.
    QSet<QByteArray> alone;
    for (const FoundEntry& entry : find(*connection, mailboxes))
        alone.insert(entry.dn.toLower());
    QCOMPARE(alone, dns[0]);
}

void TestLdapLive::rangedRetrievalCompletesLargeAttribute_data()
{
    QTest::addColumn<QByteArray>("attribute");
    QTest::addColumn<int>("step");
    QTest::addColumn<int>("minimumReads");
    // Samba, unlike AD, answers all 1,600 values unless a range is asked for, so the tests ask.
    QTest::newRow("AD's 1,500, then the rest") << QByteArray("proxyAddresses;range=0-1499") << 0 << 1;
    QTest::newRow("500 at a time") << QByteArray("proxyAddresses;range=0-499") << 500 << 3;
    QTest::newRow("7 at a time") << QByteArray("proxyAddresses;range=0-6") << 7 << 200;
    QTest::newRow("not asked") << QByteArray("proxyAddresses") << 0 << 0;
}

void TestLdapLive::rangedRetrievalCompletesLargeAttribute()
{
    QFETCH(QByteArray, attribute);
    QFETCH(int, step);
    QFETCH(int, minimumReads);
    auto connection = bound();
    QVERIFY(connection);
    LdapSearchRequest request;
    request.baseDn = "CN=Big Aliases," + m_domain.mailboxOu();
    request.scope = LdapScope::Base;
    request.pageSize = 0;
    request.attributes = {attribute, "mail"};
    request.rangeStep = step;
    LdapSearchStats stats;
    const auto found = find(*connection, request, &stats);
    QCOMPARE(found.size(), size_t(1));
    const QByteArrayList values = found[0].values.at("proxyaddresses");
    QCOMPARE(values.size(), 1600);
    QVERIFY(stats.rangeReads >= minimumReads);
    QCOMPARE(values.first(), QByteArray("SMTP:big.aliases@sunset.test"));
    const QSet<QByteArray> distinct(values.begin(), values.end());
    QCOMPARE(distinct.size(), 1600);
    for (int k = 1; k <= 1598; ++k)
        QVERIFY(distinct.contains("smtp:alias" + QByteArray::number(k).rightJustified(4, '0') + "@sunset.test"));
    QCOMPARE(found[0].values.at("mail"), QByteArrayList{"big.aliases@sunset.test"});
}

void TestLdapLive::escapedAndNonAsciiDnsSurvive()
{
    auto connection = bound();
    QVERIFY(connection);
    LdapSearchRequest request;
    request.baseDn = "OU=Sales," + m_domain.mailboxOu();
    request.filter = "(objectClass=user)";
    request.attributes = {"cn", "sAMAccountName"};
    const auto found = find(*connection, request);
    QCOMPARE(found.size(), size_t(5));

    // The CN each DN must name, unescaped.
    const std::map<QByteArray, QByteArray> expected = {
        {"mueller.j", "Müller, Jürgen"},     {"smith.jones", "Smith + Jones"},       {"hashtag", "#Hashtag Team"},
        {"obrien.s", "O'Brien, Seán <Ops>"}, {"semicolon", "Semi;colon \"Quoted\""},
    };
    for (const FoundEntry& entry : found) {
        const QByteArray sam = entry.values.at("samaccountname").value(0);
        QVERIFY2(expected.count(sam), sam.constData());
        const auto dn = parseDn(entry.dn);
        QVERIFY2(dn, entry.dn.constData());
        QCOMPARE((*dn)[0][0].value, expected.at(sam));
        QCOMPARE(entry.values.at("cn").value(0), expected.at(sam));
        // The DN Sunset would build for it names the same entry, and a base read by it finds it.
        const Dn built = {{DnAttribute{"CN", expected.at(sam), false}},
                          {DnAttribute{"OU", "Sales", false}},
                          {DnAttribute{"OU", "Remote Mailboxes", false}},
                          {DnAttribute{"DC", "sunset", false}},
                          {DnAttribute{"DC", "test", false}}};
        QVERIFY2(sameDn(formatDn(built), entry.dn), QByteArray(formatDn(built) + " vs " + entry.dn).constData());
        LdapSearchRequest byDn;
        byDn.baseDn = formatDn(built);
        byDn.scope = LdapScope::Base;
        byDn.pageSize = 0;
        byDn.attributes = {"sAMAccountName"};
        const auto again = find(*connection, byDn);
        QCOMPARE(again.size(), size_t(1));
        QCOMPARE(again[0].values.at("samaccountname").value(0), sam);
    }
}

void TestLdapLive::filterValuesAreEscaped()
{
    auto connection = bound();
    QVERIFY(connection);
    const auto countMatching = [&](const QByteArray& attribute, QByteArrayView value) {
        LdapSearchRequest request;
        request.baseDn = m_domain.baseDn();
        request.filter = "(" + attribute + "=" + escapeFilterValue(value) + ")";
        request.attributes = {"sAMAccountName"};
        return find(*connection, request).size();
    };
    QCOMPARE(countMatching("cn", "Smith + Jones"), size_t(1));
    QCOMPARE(countMatching("displayName", "Semi;colon \"Quoted\""), size_t(1));
    QCOMPARE(countMatching("cn", "O'Brien, Seán <Ops>"), size_t(1));
    QCOMPARE(countMatching("extensionAttribute4", ":starts with a colon"), size_t(1));
    // A value that would be a wildcard or close the filter matches only itself (nothing here).
    QCOMPARE(countMatching("cn", "*"), size_t(0));
    QCOMPARE(countMatching("cn", "*)(objectClass=*"), size_t(0));
    // Binary: the consistency GUID of one mailbox, as \XX bytes.
    LdapSearchRequest request;
    request.baseDn = m_domain.baseDn();
    request.filter = "(sAMAccountName=mueller.j)";
    request.attributes = {"mS-DS-ConsistencyGuid"};
    const auto mueller = find(*connection, request);
    QCOMPARE(mueller.size(), size_t(1));
    const QByteArray guid = mueller[0].values.at("ms-ds-consistencyguid").value(0);
    QCOMPARE(guid.size(), 16);
    request.filter = "(mS-DS-ConsistencyGuid=" + escapeFilterBytes(guid) + ")";
    QCOMPARE(find(*connection, request).size(), size_t(1));
}

void TestLdapLive::valuesSurviveByteExact()
{
    auto connection = bound();
    QVERIFY(connection);
    LdapSearchRequest request;
    request.baseDn = "OU=Sales," + m_domain.mailboxOu();
    request.filter = "(objectClass=user)";
    request.attributes = {"sAMAccountName",
                          "displayName",
                          "extensionAttribute2",
                          "extensionAttribute3",
                          "extensionAttribute4",
                          "extensionAttribute5",
                          "msExchExtensionCustomAttribute1"};
    std::map<QByteArray, EntryValues> bySam;
    for (FoundEntry& entry : find(*connection, request))
        bySam[entry.values["samaccountname"].value(0)] = entry.values;
    QCOMPARE(bySam.size(), size_t(5));
    QCOMPARE(bySam["mueller.j"]["extensionattribute2"], QByteArrayList{"  leading and trailing  "});
    QCOMPARE(bySam["mueller.j"]["displayname"], QByteArrayList{"Jürgen Müller"});
    QCOMPARE(bySam["smith.jones"]["extensionattribute2"], QByteArrayList{"trailing space "});
    QCOMPARE(bySam["smith.jones"]["extensionattribute3"], QByteArrayList{" leading space"});
    QCOMPARE(bySam["hashtag"]["extensionattribute3"], QByteArrayList{"line one\nline two"});
    QCOMPARE(bySam["hashtag"]["extensionattribute4"], QByteArrayList{":starts with a colon"});
    QCOMPARE(bySam["obrien.s"]["extensionattribute4"], QByteArrayList{"<starts with angle"});
    QCOMPARE(bySam["obrien.s"]["extensionattribute5"], QByteArrayList{"日本語の値"});
    QByteArrayList custom = bySam["obrien.s"]["msexchextensioncustomattribute1"];
    std::sort(custom.begin(), custom.end());
    QCOMPARE(custom, (QByteArrayList{" spaced ", "plain", "Émile"}));
}

void TestLdapLive::liveSnapshotEqualsLdapsearchExport()
{
    auto connection = bound();
    QVERIFY(connection);
    qint64 lastProgress = 0;
    auto live = readAdSnapshotFromLdap(*connection, m_domain.baseDn(), [&](qint64 entries) {
        lastProgress = entries;
        return true;
    });
    QVERIFY2(live.ok(), live ? "" : qPrintable(live.error().toString()));
    QCOMPARE(qint64(live->records.size()), m_domain.mailboxes());
    QCOMPARE(lastProgress, m_domain.mailboxes());
    QCOMPARE(live->source, m_domain.ldapsUri() + u'/' + QString::fromUtf8(m_domain.baseDn()));

    // The same objects through ldapsearch, as an admin would export them.
    QProcess ldapsearch;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"LDAPTLS_CACERT"_s, m_domain.caFile());
    environment.insert(u"LDAPTLS_REQCERT"_s, u"hard"_s);
    ldapsearch.setProcessEnvironment(environment);
    QStringList arguments = {u"-LLL"_s,
                             u"-x"_s,
                             u"-o"_s,
                             u"ldif-wrap=no"_s,
                             u"-H"_s,
                             m_domain.ldapsUri(),
                             u"-D"_s,
                             m_domain.bindUpn(),
                             u"-y"_s,
                             m_domain.passwordFile(),
                             u"-b"_s,
                             QString::fromUtf8(m_domain.baseDn()),
                             u"-E"_s,
                             u"pr=1000/noprompt"_s,
                             QString::fromLatin1(kAdMailboxFilter)};
    for (const QByteArray& attribute : adSnapshotAttributes())
        arguments << QString::fromUtf8(attribute);
    ldapsearch.start(u"ldapsearch"_s, arguments);
    QVERIFY(ldapsearch.waitForFinished(120'000));
    QVERIFY2(ldapsearch.exitCode() == 0, ldapsearch.readAllStandardError().constData());
    const QByteArray ldif = ldapsearch.readAllStandardOutput();
    auto exported = readAdSnapshotFromLdif(ldif, u"ldapsearch.ldif"_s);
    QVERIFY2(exported.ok(), exported ? "" : qPrintable(exported.error().toString()));
    QCOMPARE(exported->records.size(), live->records.size());
    QCOMPARE(exported->skippedEntries, live->skippedEntries);

    // And once more live, forcing ranges on every multi-valued attribute.
    AdLdapReadOptions forced;
    forced.forcedRange = 250;
    forced.pageSize = 300;
    auto ranged = readAdSnapshotFromLdap(*connection, m_domain.baseDn(), {}, forced);
    QVERIFY2(ranged.ok(), ranged ? "" : qPrintable(ranged.error().toString()));
    QCOMPARE(ranged->records.size(), live->records.size());

    std::map<QByteArray, const MailboxRecord*> exportedByDn;
    std::map<QByteArray, const MailboxRecord*> rangedByDn;
    for (const MailboxRecord& record : exported->records)
        exportedByDn[record.identity(IdentityField::DistinguishedName).toByteArray().toLower()] = &record;
    for (const MailboxRecord& record : ranged->records)
        rangedByDn[record.identity(IdentityField::DistinguishedName).toByteArray().toLower()] = &record;

    int withConsistencyGuid = 0;
    int bigMailboxes = 0;
    for (const MailboxRecord& record : live->records) {
        const QByteArray dn = record.identity(IdentityField::DistinguishedName).toByteArray();
        for (const auto* others : {&exportedByDn, &rangedByDn}) {
            const auto it = others->find(dn.toLower());
            QVERIFY2(it != others->end(), dn.constData());
            const MailboxRecord& other = *it->second;
            for (int f = 0; f < int(IdentityField::Count); ++f) {
                const auto field = IdentityField(f);
                QVERIFY2(record.identity(field) == other.identity(field),
                         QByteArray(dn + " identity field " + QByteArray::number(f)).constData());
            }
            for (int a = 0; a < kAttributeCount; ++a) {
                const auto id = AttributeId(a);
                QByteArrayList mine, theirs;
                for (QByteArrayView v : record.adValues(id))
                    mine << v.toByteArray();
                for (QByteArrayView v : other.adValues(id))
                    theirs << v.toByteArray();
                QVERIFY2(mine == theirs, QByteArray(dn + " " + AttributeCatalog::spec(id).ldapName.data()).constData());
            }
        }
        QVERIFY2(record.has(IdentityField::ObjectGuid), dn.constData());
        QVERIFY2(record.identityText(IdentityField::ObjectSid).startsWith(u"S-1-5-21-"_s), dn.constData());
        QVERIFY2(record.has(IdentityField::WhenChangedMsecs), dn.constData());
        withConsistencyGuid += record.has(IdentityField::ConsistencyGuid) ? 1 : 0;
        if (record.adValues(AttributeId::ProxyAddresses).size() == 1600)
            ++bigMailboxes;
    }
    QVERIFY(withConsistencyGuid > 300 && withConsistencyGuid < 500); // on some objects only
    QCOMPARE(bigMailboxes, 1);
}

QTEST_GUILESS_MAIN(TestLdapLive)
#include "TestLdapLive.moc"
