// SPDX-License-Identifier: Apache-2.0
// make bench: 600,000 mailboxes a side (the GA limit per tenant), 2 % drift, one mailbox with 1,600 addresses.
// Times a plain read of each file (the baseline, same run, same bytes), the LDIF and Get-Mailbox JSON parses,
// matching and diff, and reports peak RSS, with a verdict against the targets of docs/benchmarks.md. The files are read once
// untimed first (the page cache warm for baseline and parse alike); then every step runs RUNS times, baseline
// and parse side by side in each round, and the medians are compared.
#include "BenchFigures.h"
#include "DemoTenantGenerator.h"
#include "DriftReportWriter.h"
#include "SnapshotFiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <vector>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

volatile quint64 g_checksum = 0;

double plainReadSeconds(const QString& path, qint64* bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    QElapsedTimer t;
    t.start();
    QByteArray buffer(4 << 20, Qt::Uninitialized);
    quint64 checksum = 0;
    qint64 total = 0;
    for (qint64 n; (n = f.read(buffer.data(), buffer.size())) > 0;) {
        for (qint64 i = 0; i < n; i += 64) // touch every cache line, as a parser must
            checksum += static_cast<unsigned char>(buffer[i]);
        total += n;
    }
    *bytes = total;
    const double s = t.nsecsElapsed() / 1e9;
    g_checksum = g_checksum + checksum; // read by no one: keeps the loop from being optimised away
    return s;
}

// "ok" or "MISSED", so a run can be judged at a glance; counts the misses.
const char* verdict(bool met, int& missed)
{
    missed += met ? 0 : 1;
    return met ? "ok" : "MISSED";
}

long peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

bool generateInChild(const QString& dir, int mailboxes)
{
    // In a child process, so the generator's own memory does not count in the benchmark's peak RSS.
    const pid_t pid = fork();
    if (pid == 0) {
        DemoTenantOptions options;
        options.mailboxes = mailboxes;
        options.plantScenarios = false;
        options.randomDriftPercent = 2.0;
        QFile ldif(dir + u"/ad.ldif"_s), json(dir + u"/exo.json"_s);
        if (!ldif.open(QIODevice::WriteOnly) || !json.open(QIODevice::WriteOnly))
            _exit(1);
        generateDemoTenant(options, {[&](const QByteArray& c) { ldif.write(c); },
                                     [&](const QByteArray& c) { json.write(c); }, {},
                                     [](const QByteArray&) {}, {}, {}, {}, {}, {}, {}});
        ldif.close();
        json.close();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    // sunset-bench [MAILBOXES] [DATA_DIR] [RUNS]: the generated tenant is kept in DATA_DIR (if given) and reused by
    // later runs, since generating 600,000 mailboxes takes minutes and is not what is measured. RUNS (default 5)
    // rounds of every step give the medians.
    const int mailboxes = argc > 1 ? QByteArray(argv[1]).toInt() : 600000;
    const int runs = argc > 3 ? QByteArray(argv[3]).toInt() : 5;
    if (mailboxes < 40 || runs < 1) {
        std::fprintf(stderr, "usage: sunset-bench [MAILBOXES (>= 40)] [DATA_DIR] [RUNS (>= 1)]\n");
        return 2;
    }
    QTemporaryDir tmp;
    const QString dir = argc > 2 ? QString::fromLocal8Bit(argv[2]) + u'/' + QString::number(mailboxes) : tmp.path();
    std::printf("Sunset benchmark: %d mailboxes a side, 2%% drift, one mailbox with 1,600 addresses\n", mailboxes);
    QElapsedTimer t;
    t.start();
    if (QFile::exists(dir + u"/complete"_s)) {
        std::printf("reusing the tenant in %s\n\n", qPrintable(dir));
    } else {
        QDir().mkpath(dir);
        if (!generateInChild(dir, mailboxes)) {
            std::fprintf(stderr, "generating the tenant failed\n");
            return 1;
        }
        QFile marker(dir + u"/complete"_s);
        (void)marker.open(QIODevice::WriteOnly);
        std::printf("generated in %.1f s\n\n", t.nsecsElapsed() / 1e9);
    }

    // Warm the page cache: the first read of a just-generated (or long untouched) file may come from disk, which
    // would make the baseline slow and the parse's ratio flattering.
    qint64 ldifBytes = 0, jsonBytes = 0;
    if (plainReadSeconds(dir + u"/ad.ldif"_s, &ldifBytes) < 0 || plainReadSeconds(dir + u"/exo.json"_s, &jsonBytes) < 0) {
        std::fprintf(stderr, "cannot read the tenant in %s\n", qPrintable(dir));
        return 1;
    }

    std::vector<double> ldifRead, jsonRead, ldifParse, jsonParse, matchSeconds, diffSeconds, reportSeconds;
    DriftSummary summary;
    qint64 reportBytes = 0;
    for (int run = 0; run < runs; ++run) {
        ldifRead.push_back(plainReadSeconds(dir + u"/ad.ldif"_s, &ldifBytes));
        t.restart();
        auto ad = loadAdSnapshotFile(dir + u"/ad.ldif"_s);
        ldifParse.push_back(t.nsecsElapsed() / 1e9);
        if (!ad) {
            std::fprintf(stderr, "%s\n", qPrintable(ad.error().toString()));
            return 1;
        }
        jsonRead.push_back(plainReadSeconds(dir + u"/exo.json"_s, &jsonBytes));
        t.restart();
        auto cloud = loadCloudSnapshotFile(dir + u"/exo.json"_s, nullptr);
        jsonParse.push_back(t.nsecsElapsed() / 1e9);
        if (!cloud) {
            std::fprintf(stderr, "%s\n", qPrintable(cloud.error().toString()));
            return 1;
        }
        t.restart();
        MatchResult match = matchMailboxes(ad->records, cloud->records);
        matchSeconds.push_back(t.nsecsElapsed() / 1e9);
        t.restart();
        const DriftReport report = computeDrift(ad.value(), cloud.value(), std::move(match));
        diffSeconds.push_back(t.nsecsElapsed() / 1e9);
        summary = summarize(report, ad.value(), cloud.value());
        t.restart();
        reportBytes = 0;
        const ReportSources sources{u"ad.ldif"_s, u"exo.json"_s, {}};
        writeDriftReportJson({report, ad.value(), cloud.value(), summary, sources},
                             [&](const QByteArray& chunk) { reportBytes += chunk.size(); });
        reportSeconds.push_back(t.nsecsElapsed() / 1e9);
        std::printf("run %d of %d: read LDIF %.3f s, parse %.3f s; read JSON %.3f s, parse %.3f s; match + diff "
                    "%.3f s\n",
                    run + 1, runs, ldifRead.back(), ldifParse.back(), jsonRead.back(), jsonParse.back(),
                    matchSeconds.back() + diffSeconds.back());
    }
    std::vector<double> matchDiff;
    for (int run = 0; run < runs; ++run)
        matchDiff.push_back(matchSeconds[size_t(run)] + diffSeconds[size_t(run)]);
    const double ldifRatio = median(ldifParse) / median(ldifRead);
    const double jsonRatio = median(jsonParse) / median(jsonRead);
    const long peakRss = peakRssMiB();
    int missed = 0;

    std::printf("\nmedians of %d runs (page cache warm)\n", runs);
    std::printf("%-28s %10s %10s %10s\n", "step", "seconds", "MB", "ratio");
    std::printf("%-28s %10.3f %10.1f %10s\n", "plain read, LDIF", median(ldifRead), ldifBytes / 1e6, "1.0");
    std::printf("%-28s %10.3f %10.1f %9.1fx  target <= 5x: %s\n", "parse LDIF", median(ldifParse), ldifBytes / 1e6,
                ldifRatio, verdict(ldifRatio <= 5, missed));
    std::printf("%-28s %10.3f %10.1f %10s\n", "plain read, JSON", median(jsonRead), jsonBytes / 1e6, "1.0");
    std::printf("%-28s %10.3f %10.1f %9.1fx  target <= 5x: %s\n", "parse Get-Mailbox JSON", median(jsonParse),
                jsonBytes / 1e6, jsonRatio, verdict(jsonRatio <= 5, missed));
    std::printf("%-28s %10.3f\n", "match", median(matchSeconds));
    std::printf("%-28s %10.3f\n", "diff", median(diffSeconds));
    std::printf("%-28s %10.3f %21s  target < 1.5 s: %s\n", "match + diff", median(matchDiff), "",
                verdict(median(matchDiff) < 1.5, missed));
    std::printf("%-28s %10.3f %10.1f\n", "JSON report (in memory)", median(reportSeconds), reportBytes / 1e6);
    std::printf("%-28s %10ld MiB %17s  target < 2048 MiB: %s\n", "peak RSS", peakRss, "",
                verdict(peakRss < 2048, missed));
    std::printf("\nAD %lld mailboxes, cloud %lld, matched %lld, with drift %lld (%lld items)\n",
                static_cast<long long>(summary.adMailboxes), static_cast<long long>(summary.cloudMailboxes),
                static_cast<long long>(summary.matched), static_cast<long long>(summary.mailboxesWithDrift),
                static_cast<long long>(summary.driftItems));
    printMachineLoad();
    if (missed == 0)
        std::printf("verdict: all 4 targets met\n");
    else
        std::printf("verdict: %d of 4 targets MISSED\n", missed);
    return 0;
}
