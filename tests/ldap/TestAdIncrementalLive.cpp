// SPDX-License-Identifier: Apache-2.0
// Incremental AD rescans equal a full read: rounds of random changes (catalog attributes, multi-valued
// proxyAddresses, non-ASCII and space-edged values, renames to DNs that need RFC 4514 escaping, moves between
// OUs and out of the base DN, an OU renamed and moved, mail attributes removed and added back, deletions,
// additions) on the Samba DC, each followed by an incremental read and a full read compared record by record,
// attribute by attribute, replication metadata included. The seed is printed (SUNSET_TEST_SEED repeats a run).
// Then the cursors that cannot be trusted: another DC, another invocationId, damaged kept entries, too old,
// --ad-full: a full read, saying why.
#include "AdIncrementalRead.h"
#include "AdScanCursor.h"
#include "LdapConnection.h"
#include "LdapSnapshotReader.h"
#include "support/samba/SambaTestDomain.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray b64Line(const QByteArray& name, const QByteArray& value)
{
    return name + ":: " + value.toBase64() + '\n';
}

// What differs between two snapshots of the same directory, or empty: records matched by objectGUID, every
// identity field and catalog attribute (values in order), the replication metadata of each, skipped entries.
QString differences(const Snapshot& incremental, const Snapshot& full)
{
    QStringList out;
    if (incremental.records.size() != full.records.size())
        out << u"%1 records, a full read %2"_s.arg(incremental.records.size()).arg(full.records.size());
    if (incremental.skippedEntries != full.skippedEntries)
        out << u"%1 skipped, a full read %2"_s.arg(incremental.skippedEntries).arg(full.skippedEntries);
    QHash<QByteArray, const MailboxRecord*> byGuid;
    for (const MailboxRecord& r : incremental.records)
        byGuid.insert(r.identity(IdentityField::ObjectGuid).toByteArray(), &r);
    for (const MailboxRecord& f : full.records) {
        const MailboxRecord* i = byGuid.value(f.identity(IdentityField::ObjectGuid).toByteArray());
        if (!i) {
            out << u"missing: "_s + f.label();
            continue;
        }
        for (int field = 0; field < int(IdentityField::Count); ++field) {
            if (i->identity(IdentityField(field)) != f.identity(IdentityField(field)))
                out << u"%1: identity %2: '%3' vs '%4'"_s.arg(f.label()).arg(field).arg(
                    i->identityText(IdentityField(field)), f.identityText(IdentityField(field)));
        }
        for (const AttributeSpec& spec : AttributeCatalog::all()) {
            if (i->adValues(spec.id).toStringList() != f.adValues(spec.id).toStringList())
                out << u"%1: %2: %3 vs %4"_s.arg(f.label(), QLatin1StringView(spec.ldapName),
                                                 i->adValues(spec.id).toStringList().join(u'|'),
                                                 f.adValues(spec.id).toStringList().join(u'|'));
        }
        const QByteArray dn = f.identity(IdentityField::DistinguishedName).toByteArray();
        const auto* a = incremental.changeMetadata.find(dn);
        const auto* b = full.changeMetadata.find(dn);
        if (!a || !b || a->size() != b->size()) {
            out << f.label() + u": replication metadata differs in size"_s;
            continue;
        }
        for (size_t k = 0; k < a->size(); ++k) {
            const AttributeLastChange& x = (*a)[k];
            const AttributeLastChange& y = (*b)[k];
            if (x.attribute != y.attribute || x.version != y.version ||
                x.originatingChangeMsecs != y.originatingChangeMsecs ||
                incremental.changeMetadata.invocationId(x) != full.changeMetadata.invocationId(y))
                out << f.label() + u": replication metadata differs"_s;
        }
    }
    if (incremental.changeMetadata.size() != full.changeMetadata.size())
        out << u"metadata for %1 objects, a full read %2"_s.arg(incremental.changeMetadata.size())
                   .arg(full.changeMetadata.size());
    return out.join(u'\n');
}

} // namespace

class TestAdIncrementalLive final : public QObject {
    Q_OBJECT

    SambaTestDomain m_domain;
    QTemporaryDir m_state;
    QByteArray m_root;    // the base DN the scans read
    QByteArray m_outside; // an OU beside it: moved there, a mailbox leaves the base DN
    QByteArray m_beta;    // a sub-OU that is renamed and moved
    QByteArray m_alpha;
    struct User {
        QByteArray rdn;  // escaped (RFC 4514), UTF-8
        int parent = 0;  // 0 alpha, 1 beta, 2 outside
        bool mail = true;
    };
    std::vector<User> m_users;
    int m_serial = 0;
    QRandomGenerator m_random;

    QByteArray parentDn(int parent) const { return parent == 0 ? m_alpha : parent == 1 ? m_beta : m_outside; }
    QByteArray dnOf(const User& u) const { return u.rdn + ',' + parentDn(u.parent); }

    QByteArray newUser(int parent)
    {
        const int n = ++m_serial;
        const QByteArray alias = "inc" + QByteArray::number(n);
        User u{"CN=Inc User " + QByteArray::number(n), parent, true};
        QByteArray ldif = b64Line("dn", dnOf(u)) + "objectClass: user\nsAMAccountName: " + alias +
                          "\nmailNickname: " + alias + "\nmail: " + alias + "@sunset-inc.test\n" +
                          "proxyAddresses: SMTP:" + alias + "@sunset-inc.test\nproxyAddresses: smtp:" + alias +
                          "@old.sunset-inc.test\nproxyAddresses: smtp:" + alias + "@third.sunset-inc.test\n" +
                          "proxyAddresses: X500:/o=Sunset/cn=" + alias + "\nmsExchRecipientTypeDetails: 2147483648\n" +
                          b64Line("extensionAttribute1", " edged value " + QByteArray::number(n) + ' ') +
                          b64Line("displayName", "Ïnc Üser " + QByteArray::number(n)) + '\n';
        m_users.push_back(u);
        return ldif;
    }

    std::unique_ptr<LdapConnection> connection()
    {
        LdapConnectionOptions options;
        options.uri = m_domain.ldapsUri();
        options.caFile = m_domain.caFile();
        auto c = std::make_unique<LdapConnection>(options);
        if (auto bound = c->simpleBind(m_domain.bindUpn(), m_domain.password()); !bound) {
            qWarning("%s", qPrintable(bound.error().toString()));
            return nullptr;
        }
        return c;
    }

    AdIncrementalOptions incrementalOptions(bool full = false) const
    {
        AdIncrementalOptions options;
        options.stateDirectory = m_state.path();
        options.forceFull = full;
        options.read.pageSize = 7;    // several pages
        options.read.forcedRange = 3; // proxyAddresses ranged, as AD cuts at 1,500
        return options;
    }

    // An incremental (or fallback) read and a full read of the same directory state, compared.
    AdIncrementalResult readBothAndCompare()
    {
        auto c = connection();
        if (!c)
            return {};
        auto incremental = readAdSnapshotIncrementally(*c, m_root, {}, incrementalOptions());
        if (!incremental) {
            qWarning("incremental read failed: %s", qPrintable(incremental.error().toString()));
            return {};
        }
        AdLdapReadOptions fullOptions = incrementalOptions().read;
        auto full = readAdSnapshotFromLdap(*c, m_root, {}, fullOptions);
        if (!full) {
            qWarning("full read failed: %s", qPrintable(full.error().toString()));
            return {};
        }
        const QString diff = differences(incremental->snapshot, full.value());
        if (!diff.isEmpty())
            qWarning("incremental read differs from a full read:\n%s", qPrintable(diff));
        AdIncrementalResult result = std::move(incremental.value());
        if (!diff.isEmpty())
            result.stateWarning = u"DIFFERS"_s;
        return result;
    }

    bool apply(const QByteArray& ldif) { return m_domain.runLdapTool(u"ldapmodify"_s, {u"-a"_s}, ldif).has_value(); }

    QByteArray oneRound(int round)
    {
        QByteArray ldif;
        const auto pick = [&](auto predicate) -> User* {
            std::vector<User*> candidates;
            for (User& u : m_users) {
                if (predicate(u))
                    candidates.push_back(&u);
            }
            return candidates.empty() ? nullptr : candidates[m_random.bounded(int(candidates.size()))];
        };
        const auto inBase = [](const User& u) { return u.parent != 2; };
        // Catalog attributes, multi-valued ones included.
        for (int k = 0; k < 5; ++k) {
            User* u = pick([](const User& u) { return u.mail; });
            if (!u)
                break;
            ldif += b64Line("dn", dnOf(*u)) + "changetype: modify\n";
            switch (m_random.bounded(4)) {
            case 0:
                ldif += "replace: proxyAddresses\nproxyAddresses: SMTP:r" + QByteArray::number(round) + "k" +
                        QByteArray::number(k) + "@sunset-inc.test\n" +
                        b64Line("proxyAddresses", "smtp:jörg" + QByteArray::number(m_random.bounded(1000)) +
                                                      "@sunset-inc.test") +
                        "proxyAddresses: smtp:x" + QByteArray::number(m_random.bounded(1000)) + "@sunset-inc.test\n";
                break;
            case 1: {
                const QByteArray name = "extensionAttribute" + QByteArray::number(1 + m_random.bounded(15));
                ldif += "replace: " + name + '\n' +
                        b64Line(name, "  lead and trail " + QByteArray::number(m_random.bounded(1000)) + "  ");
                break;
            }
            case 2:
                ldif += "replace: msExchExtensionCustomAttribute1\n" +
                        b64Line("msExchExtensionCustomAttribute1", "Ünïcödé €" + QByteArray::number(round)) +
                        "msExchExtensionCustomAttribute1: second\n";
                break;
            default:
                ldif += "replace: displayName\n" +
                        b64Line("displayName", "Ömer Çelik " + QByteArray::number(m_random.bounded(1000)));
                break;
            }
            ldif += "-\n\n";
        }
        // A rename to an RDN that needs escaping: a leading '#', a comma, a plus, non-ASCII.
        if (User* u = pick(inBase)) {
            const QByteArray old = dnOf(*u);
            u->rdn = "CN=\\#Inc\\, Müller\\+" + QByteArray::number(++m_serial);
            ldif += b64Line("dn", old) + "changetype: modrdn\n" + b64Line("newrdn", u->rdn) + "deleteoldrdn: 1\n\n";
        }
        // Moves: to the other sub-OU, out of the base DN, and back in.
        const auto move = [&](User* u, int to) {
            if (!u)
                return;
            const QByteArray old = dnOf(*u);
            u->parent = to;
            ldif += b64Line("dn", old) + "changetype: modrdn\n" + b64Line("newrdn", u->rdn) + "deleteoldrdn: 1\n" +
                    b64Line("newsuperior", parentDn(u->parent)) + '\n';
        };
        if (User* u = pick([](const User& u) { return u.parent == 0; }))
            move(u, 1);
        move(pick([](const User& u) { return u.parent == 1; }), 0);
        move(pick(inBase), 2);
        if (round % 2 == 0)
            move(pick([](const User& u) { return u.parent == 2; }), 0);
        // Mail attributes removed (the object leaves the filter), and given back to one without.
        if (User* u = pick([](const User& u) { return u.mail; })) {
            u->mail = false;
            ldif += b64Line("dn", dnOf(*u)) +
                    "changetype: modify\nreplace: proxyAddresses\n-\nreplace: mailNickname\n-\nreplace: "
                    "msExchRecipientTypeDetails\n-\nreplace: targetAddress\n-\n\n";
        }
        if (User* u = pick([](const User& u) { return !u.mail; }); u && round % 2 == 0) {
            u->mail = true;
            ldif += b64Line("dn", dnOf(*u)) + "changetype: modify\nreplace: mailNickname\nmailNickname: back" +
                    QByteArray::number(++m_serial) + "\n-\n\n";
        }
        // A deletion and additions.
        if (User* u = pick([](const User&) { return true; })) {
            ldif += b64Line("dn", dnOf(*u)) + "changetype: delete\n\n";
            m_users.erase(m_users.begin() + (u - m_users.data()));
        }
        ldif += newUser(0) + newUser(1);
        return ldif;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_domain = SambaTestDomain::load();
        QVERIFY2(m_domain.error.isEmpty(), qPrintable(m_domain.error));
        QVERIFY(m_state.isValid());
        bool seeded = false;
        const quint32 seed = qEnvironmentVariableIntValue("SUNSET_TEST_SEED", &seeded);
        const quint32 used = seeded ? seed : 20261207u;
        qInfo("TestAdIncrementalLive: seed %u (SUNSET_TEST_SEED=%u repeats this run)", used, used);
        m_random.seed(used);

        m_root = "OU=Sunset Incremental Tests," + m_domain.baseDn();
        m_outside = "OU=Sunset Incremental Outside," + m_domain.baseDn();
        m_alpha = "OU=Alpha," + m_root;
        m_beta = "OU=Beta," + m_root;
        for (const QByteArray& ou : {m_root, m_outside})
            m_domain.runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(ou)}, {}, true); // an aborted run's
        QByteArray ldif;
        for (const QByteArray& ou : {m_root, m_outside, m_alpha, m_beta})
            ldif += "dn: " + ou + "\nobjectClass: organizationalUnit\n\n";
        for (int i = 0; i < 24; ++i)
            ldif += newUser(i % 2);
        QVERIFY(apply(ldif));
    }

    void cleanupTestCase()
    {
        for (const QByteArray& ou : {m_root, m_outside})
            m_domain.runLdapTool(u"ldapdelete"_s, {u"-r"_s, QString::fromUtf8(ou)}, {}, true);
    }

    void firstScanIsFullAndKeepsACursor()
    {
        const AdIncrementalResult first = readBothAndCompare();
        QVERIFY(first.stateWarning.isEmpty());
        QVERIFY(!first.incremental);
        QVERIFY2(first.fullReason.contains(u"no previous scan"_s), qPrintable(first.fullReason));
        QCOMPARE(qint64(first.snapshot.records.size()), 24);
        const auto cursor = loadAdScanCursor(m_state.path());
        QVERIFY(cursor && cursor.value());
        QVERIFY(cursor.value()->highestCommittedUsn > 0);
        QCOMPARE(cursor.value()->entries, 24);
        // Owner-only, both files.
        for (const QString& path : {adCursorPath(m_state.path()), adEntriesPath(m_state.path())})
            QCOMPARE(QFile::permissions(path) & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                  QFileDevice::ReadUser | QFileDevice::WriteUser),
                     QFileDevice::Permissions());
    }

    void roundsOfRandomChangesEqualAFullRead()
    {
        for (int round = 1; round <= 5; ++round) {
            QByteArray ldif = oneRound(round);
            // The OU that holds half the mailboxes: renamed (descendants' DNs change, their uSNChanged does not),
            // moved out of the base DN, moved back.
            if (round == 2 || round == 3 || round == 4) {
                const QByteArray old = m_beta;
                const QByteArray newRdn = round == 2 ? "OU=Beta\\, renamed" : "OU=Beta";
                const QByteArray newParent = round == 3 ? m_outside : m_root;
                m_beta = newRdn + ',' + newParent;
                ldif += b64Line("dn", old) + "changetype: modrdn\n" + b64Line("newrdn", newRdn) +
                        "deleteoldrdn: 1\n" + b64Line("newsuperior", newParent) + '\n';
            }
            QVERIFY2(apply(ldif), ldif.constData());
            const AdIncrementalResult result = readBothAndCompare();
            QVERIFY2(result.stateWarning.isEmpty(), qPrintable(u"round %1: "_s.arg(round) + result.stateWarning));
            QVERIFY2(result.incremental, qPrintable(u"round %1: "_s.arg(round) + result.describe()));
            QVERIFY(result.reread > 0);
            qInfo("round %d: %s", round, qPrintable(result.describe()));
        }
    }

    void untrustedCursorsReadInFull_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("reason");
        QTest::newRow("another DC") << u"dcHost"_s << u"otherdc.sunset.test"_s << u"otherdc.sunset.test"_s;
        QTest::newRow("restored DC") << u"invocationId"_s << u"00000000-0000-0000-0000-000000000001"_s
                                     << u"invocationId"_s;
        QTest::newRow("too old") << u"savedAt"_s << u"2026-01-01T00:00:00Z"_s << u"days ago"_s;
        QTest::newRow("another base DN") << u"baseDn"_s << u"OU=Elsewhere,DC=sunset,DC=test"_s << u"Elsewhere"_s;
        QTest::newRow("damaged entries") << u"entries"_s << QString() << u"damaged"_s;
        QTest::newRow("--ad-full") << QString() << QString() << u"--ad-full"_s;
    }

    void untrustedCursorsReadInFull()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, reason);
        // A good cursor first, then the fault.
        QVERIFY(readBothAndCompare().stateWarning.isEmpty());
        if (field == u"entries"_s) {
            QFile entries(adEntriesPath(m_state.path()));
            QVERIFY(entries.open(QIODevice::ReadWrite));
            QByteArray bytes = entries.readAll();
            bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == 'a' ? 'b' : 'a';
            QVERIFY(entries.seek(0));
            QCOMPARE(entries.write(bytes), bytes.size());
        } else if (!field.isEmpty()) {
            QFile file(adCursorPath(m_state.path()));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QJsonObject cursor = QJsonDocument::fromJson(file.readAll()).object();
            file.close();
            cursor.insert(field, value);
            QVERIFY(!writeOwnerOnlyFileForTest(adCursorPath(m_state.path()), QJsonDocument(cursor).toJson()));
        }
        AdIncrementalResult result;
        if (field.isEmpty()) {
            auto c = connection();
            QVERIFY(c);
            auto read = readAdSnapshotIncrementally(*c, m_root, {}, incrementalOptions(true));
            QVERIFY2(read, read ? "" : qPrintable(read.error().toString()));
            result = std::move(read.value());
        } else {
            result = readBothAndCompare();
            QVERIFY(result.stateWarning.isEmpty());
        }
        QVERIFY(!result.incremental);
        QVERIFY2(result.fullReason.contains(reason), qPrintable(result.fullReason));
        QVERIFY2(result.describe().contains(reason), qPrintable(result.describe()));
        // And the next scan continues from the fresh cursor.
        const AdIncrementalResult next = readBothAndCompare();
        QVERIFY(next.stateWarning.isEmpty());
        QVERIFY2(next.incremental, qPrintable(next.describe()));
    }

private:
    static std::optional<QString> writeOwnerOnlyFileForTest(const QString& path, const QByteArray& bytes)
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
            return file.errorString();
        return std::nullopt;
    }
};

QTEST_GUILESS_MAIN(TestAdIncrementalLive)
#include "TestAdIncrementalLive.moc"
