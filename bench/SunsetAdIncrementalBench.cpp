// SPDX-License-Identifier: Apache-2.0
// make bench-ad-incremental (bench/ldap-bench.sh with SUNSET_LDAP_BENCH_PROGRAM=sunset-ad-incremental-bench): an
// incremental AD rescan (readAdSnapshotIncrementally continuing the profile's cursor) against a full read
// (readAdSnapshotFromLdap) of the same Samba AD DC after the same changes, in the same run, on loopback and through
// a proxy in this process that adds a latency each way. Each round first changes P % of the seeded mailboxes
// (extensionAttribute9, one modify each, not timed), then reads in full and incrementally; both reads are checked
// to hold the same records and values. Connect, TLS and bind are timed in both. Figures, not pass/fail (issue 15's
// target: the incremental rescan at most 5 % of the full read's time).
//
// sunset-ad-incremental-bench SAMBA_DIR [--percent P] [--rounds R] [--delay-ms MS]
#include "../tests/support/ApprovedForTests.h"
#include "../tests/support/samba/SambaTestDomain.h"
#include "AdIncrementalRead.h"
#include "BenchFigures.h"
#include "BenchLdapBind.h"
#include "DelayingTcpProxy.h"
#include "LdapConnection.h"
#include "LdapModify.h"
#include "LdapSnapshotReader.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QUrl>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr char kAttribute[] = "extensionAttribute9"; // the seed never sets it

using Domain = SambaTestDomain;

std::unique_ptr<LdapConnection> bound(const Domain& domain, const QString& uri, QString& error)
{
    return bindForBench(uri, domain.caFile(), domain.bindUpn(), domain.password(), &error);
}

// The snapshot's content, independent of record order: every record's identity and catalog values.
QByteArray fingerprint(const Snapshot& snapshot)
{
    std::vector<QByteArray> records;
    records.reserve(snapshot.records.size());
    for (const MailboxRecord& record : snapshot.records) {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (int f = 0; f < int(IdentityField::Count); ++f) {
            hash.addData(record.identity(IdentityField(f)).toByteArray());
            hash.addData(QByteArrayView("\0", 1));
        }
        for (int k = 0; k < kAttributeCount; ++k) {
            for (QByteArrayView v : record.adValues(AttributeId(k))) {
                hash.addData(v);
                hash.addData(QByteArrayView("\1", 1));
            }
            hash.addData(QByteArrayView("\2", 1));
        }
        records.push_back(hash.result());
    }
    std::sort(records.begin(), records.end());
    QCryptographicHash all(QCryptographicHash::Sha256);
    for (const QByteArray& r : records)
        all.addData(r);
    return all.result().toHex();
}

struct Read {
    double seconds = 0;
    qint64 records = 0;
    QByteArray fingerprint;
    QString note; // the incremental read's describe()
    bool incremental = false;
    qint64 reread = 0;
    QString error;
};

// A full read as a scan without a cursor makes it.
Read fullRead(const Domain& domain, const QString& uri)
{
    Read r;
    QElapsedTimer timer;
    timer.start();
    auto connection = bound(domain, uri, r.error);
    if (!connection)
        return r;
    const Result<Snapshot> snapshot = readAdSnapshotFromLdap(*connection, domain.baseDn());
    connection.reset(); // the unbind too
    r.seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!snapshot) {
        r.error = snapshot.error().toString();
        return r;
    }
    r.records = qint64(snapshot->records.size());
    r.fingerprint = fingerprint(snapshot.value());
    return r;
}

// A rescan continuing the cursor in stateDirectory (or, forceFull, a full read that keeps a fresh one).
Read incrementalRead(const Domain& domain, const QString& uri, const QString& stateDirectory, bool forceFull)
{
    Read r;
    AdIncrementalOptions options;
    options.stateDirectory = stateDirectory;
    options.forceFull = forceFull;
    QElapsedTimer timer;
    timer.start();
    auto connection = bound(domain, uri, r.error);
    if (!connection)
        return r;
    Result<AdIncrementalResult> result = readAdSnapshotIncrementally(*connection, domain.baseDn(), {}, options);
    connection.reset();
    r.seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!result) {
        r.error = result.error().toString();
        return r;
    }
    if (!result->stateWarning.isEmpty()) {
        r.error = u"the cursor was not kept: "_s + result->stateWarning;
        return r;
    }
    r.records = qint64(result->snapshot.records.size());
    r.fingerprint = fingerprint(result->snapshot);
    r.note = result->describe();
    r.incremental = result->incremental;
    r.reread = result->reread;
    return r;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"sunset.ldap.debug=false\nsunset.ldap.info=false"_s); // a line per connection
    const QStringList args = app.arguments();
    if (args.size() < 2 || args[1].startsWith(u'-')) {
        std::fprintf(stderr, "usage: %s SAMBA_DIR [--percent P] [--rounds R] [--delay-ms MS]\n", argv[0]);
        return 2;
    }
    double percent = 1;
    int rounds = 3, delayMs = 10;
    for (qsizetype i = 2; i < args.size(); ++i) {
        if (args[i] == u"--percent"_s && i + 1 < args.size())
            percent = args[++i].toDouble();
        else if (args[i] == u"--rounds"_s && i + 1 < args.size())
            rounds = std::max(1, args[++i].toInt());
        else if (args[i] == u"--delay-ms"_s && i + 1 < args.size())
            delayMs = args[++i].toInt();
        else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(args[i]));
            return 2;
        }
    }

    qputenv("SUNSET_SAMBA_DIR", QFile::encodeName(args[1])); // where SambaTestDomain reads the DC's facts
    const Domain domain = SambaTestDomain::load();
    if (!domain.error.isEmpty()) {
        std::fprintf(stderr, "%s: start the DC with tests/support/samba/samba-dc.sh start DIR\n", qPrintable(domain.error));
        return 1;
    }
    DelayingTcpProxy proxy{std::uint16_t(QUrl(domain.ldapsUri()).port(636)), std::chrono::milliseconds(delayMs)};
    if (!proxy.port()) {
        std::fprintf(stderr, "the delaying proxy could not listen on 127.0.0.1\n");
        return 1;
    }
    const QByteArray proxyName = "proxy, +" + QByteArray::number(delayMs) + " ms each way";
    const std::vector<std::pair<QByteArray, QString>> settings = {
        {"loopback", domain.ldapsUri()}, {proxyName, u"ldaps://127.0.0.1:"_s + QString::number(proxy.port())}};

    // The mailboxes to change: the seeded ones, in DN order; each round changes every Nth, from another offset.
    QString error;
    auto admin = bound(domain, domain.ldapsUri(), error);
    if (!admin) {
        std::fprintf(stderr, "bind failed: %s\n", qPrintable(error));
        return 1;
    }
    QByteArrayList seeded;
    QHash<QByteArray, QByteArray> current; // DN -> its value of kAttribute (an earlier run's on a DC kept running)
    {
        LdapSearchRequest request;
        request.baseDn = domain.mailboxOu();
        request.scope = LdapScope::OneLevel;
        request.filter = "(&(objectClass=user)(sAMAccountName=mbx*))";
        request.attributes = {"objectGUID", kAttribute};
        const auto listed = admin->search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
            seeded << entry.dn.toByteArray();
            for (const LdifAttribute& attribute : entry.attributes) {
                if (attribute.name.compare(QByteArrayView(kAttribute), Qt::CaseInsensitive) == 0)
                    current.insert(entry.dn.toByteArray(), attribute.value.toByteArray());
            }
            return {};
        });
        if (!listed) {
            std::fprintf(stderr, "listing the mailboxes failed: %s\n", qPrintable(listed.error().toString()));
            return 1;
        }
        std::sort(seeded.begin(), seeded.end());
    }
    const qsizetype stride = std::max<qsizetype>(1, qsizetype(100.0 / percent));
    // Values no earlier run set: this run's start in them.
    const QByteArray runTag = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    int changeRound = 0;
    const auto changeSome = [&]() -> qint64 {
        ++changeRound;
        std::vector<ModifyRequest> requests;
        for (qsizetype i = changeRound % stride; i < seeded.size(); i += stride) {
            const QByteArray& dn = seeded[i];
            const QByteArray next = "bench " + runTag + " round " + QByteArray::number(changeRound);
            QByteArrayList old;
            if (current.contains(dn))
                old << current.value(dn);
            requests.push_back(ModifyRequest{quint64(i), dn, {{kAttribute, old, {next}}}});
            current.insert(dn, next);
        }
        const std::vector<ApprovedModify> modifies = test::approvedAll(requests);
        LdapModifyPipeline pipeline(*admin, ModifyPipelineOptions{32, {}, true});
        const ModifyRunStats stats = pipeline.run(modifies, [](const ModifyOutcome&) {});
        return stats.applied == qint64(requests.size()) ? stats.applied : -1;
    };

    std::printf("Sunset incremental AD rescan against a full read, the Samba AD DC in %s (%s), %lld seeded "
                "mailboxes; every round changes %.3g %% of them (%s, one modify each, not timed), then reads in full "
                "(readAdSnapshotFromLdap) and incrementally (readAdSnapshotIncrementally); connect + TLS + bind "
                "timed in both; median of %d rounds\n\n",
                qPrintable(args[1]), qPrintable(domain.ldapsUri()), static_cast<long long>(seeded.size()), percent,
                kAttribute, rounds);
    std::printf("%-22s %10s %13s %8s %10s  %s\n", "setting", "full s", "incremental s", "ratio", "read again",
                "(target <= 5 %)");
    bool allMet = true;
    for (const auto& [name, uri] : settings) {
        QTemporaryDir state; // the profile's directory: a fresh cursor per setting
        const Read primed = incrementalRead(domain, uri, state.path(), true);
        if (!primed.error.isEmpty()) {
            std::fprintf(stderr, "the first (full) read through %s failed: %s\n", name.constData(),
                         qPrintable(primed.error));
            return 1;
        }
        std::fprintf(stderr, "%s: a full read keeping the cursor: %.3f s, %lld mailboxes\n", name.constData(),
                     primed.seconds, static_cast<long long>(primed.records));
        std::vector<double> full, incremental;
        qint64 rereadTotal = 0;
        for (int round = 0; round < rounds; ++round) {
            const qint64 changed = changeSome();
            if (changed < 0) {
                std::fprintf(stderr, "the changes of round %d were not all applied\n", changeRound);
                return 1;
            }
            const Read f = fullRead(domain, uri);
            const Read i = incrementalRead(domain, uri, state.path(), false);
            for (const Read* r : {&f, &i})
                if (!r->error.isEmpty()) {
                    std::fprintf(stderr, "a read through %s failed: %s\n", name.constData(), qPrintable(r->error));
                    return 1;
                }
            if (!i.incremental || i.fingerprint != f.fingerprint || i.records != f.records || i.reread != changed) {
                std::fprintf(stderr, "round %d through %s: the incremental read does not equal the full read (%s; "
                                     "%lld records vs %lld, %lld changed)\n",
                             changeRound, name.constData(), qPrintable(i.note), static_cast<long long>(i.records),
                             static_cast<long long>(f.records), static_cast<long long>(changed));
                return 1;
            }
            std::fprintf(stderr, "%s, round %d: %lld changed; full %.3f s, incremental %.3f s: %s\n", name.constData(),
                         round + 1, static_cast<long long>(changed), f.seconds, i.seconds, qPrintable(i.note));
            full.push_back(f.seconds);
            incremental.push_back(i.seconds);
            rereadTotal += i.reread;
        }
        const double ratio = median(incremental) / median(full);
        allMet &= ratio <= 0.05;
        std::printf("%-22s %10.3f %13.3f %7.1f%% %10lld  %s\n", name.constData(), median(full), median(incremental),
                    ratio * 100, static_cast<long long>(rereadTotal / rounds), ratio <= 0.05 ? "met" : "NOT MET");
        std::fflush(stdout);
    }
    std::printf("\nEvery incremental read held the records and values of the full read of its round; target %s.\n",
                allMet ? "met" : "NOT MET");
    return 0;
}
