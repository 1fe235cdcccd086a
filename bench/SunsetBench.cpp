// make bench: 600,000 mailboxes a side (the GA limit per tenant), 2 % drift, one mailbox with 1,600 addresses.
// Times a plain read of each file (the baseline, same run, same bytes), the LDIF and Get-Mailbox JSON parses,
// matching and diff, and reports peak RSS. Figures, not pass/fail: see README.md for the targets.
#include "DemoTenantGenerator.h"
#include "DriftReportWriter.h"
#include "SnapshotFiles.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

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
    std::fprintf(stderr, "(checksum %llu)\n", static_cast<unsigned long long>(checksum));
    return s;
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
    // sunset-bench [MAILBOXES] [DATA_DIR]: the generated tenant is kept in DATA_DIR (if given) and reused by
    // later runs, since generating 600,000 mailboxes takes minutes and is not what is measured.
    const int mailboxes = argc > 1 ? QByteArray(argv[1]).toInt() : 600000;
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

    qint64 ldifBytes = 0, jsonBytes = 0;
    const double ldifRead = plainReadSeconds(dir + u"/ad.ldif"_s, &ldifBytes);
    const double jsonRead = plainReadSeconds(dir + u"/exo.json"_s, &jsonBytes);

    t.restart();
    auto ad = loadAdSnapshotFile(dir + u"/ad.ldif"_s);
    const double ldifParse = t.nsecsElapsed() / 1e9;
    if (!ad) {
        std::fprintf(stderr, "%s\n", qPrintable(ad.error().toString()));
        return 1;
    }
    t.restart();
    auto cloud = loadCloudSnapshotFile(dir + u"/exo.json"_s, nullptr);
    const double jsonParse = t.nsecsElapsed() / 1e9;
    if (!cloud) {
        std::fprintf(stderr, "%s\n", qPrintable(cloud.error().toString()));
        return 1;
    }
    t.restart();
    MatchResult match = matchMailboxes(ad->records, cloud->records);
    const double matchSeconds = t.nsecsElapsed() / 1e9;
    t.restart();
    const DriftReport report = computeDrift(ad.value(), cloud.value(), std::move(match));
    const double diffSeconds = t.nsecsElapsed() / 1e9;
    const DriftSummary summary = summarize(report, ad.value(), cloud.value());
    t.restart();
    qint64 reportBytes = 0;
    const ReportSources sources{u"ad.ldif"_s, u"exo.json"_s, {}};
    writeDriftReportJson({report, ad.value(), cloud.value(), summary, sources},
                         [&](const QByteArray& chunk) { reportBytes += chunk.size(); });
    const double reportSeconds = t.nsecsElapsed() / 1e9;

    std::printf("%-28s %10s %10s %10s\n", "step", "seconds", "MB", "ratio");
    std::printf("%-28s %10.3f %10.1f %10s\n", "plain read, LDIF", ldifRead, ldifBytes / 1e6, "1.0");
    std::printf("%-28s %10.3f %10.1f %9.1fx  (target <= 5x)\n", "parse LDIF", ldifParse, ldifBytes / 1e6,
                ldifParse / ldifRead);
    std::printf("%-28s %10.3f %10.1f %10s\n", "plain read, JSON", jsonRead, jsonBytes / 1e6, "1.0");
    std::printf("%-28s %10.3f %10.1f %9.1fx  (target <= 5x)\n", "parse Get-Mailbox JSON", jsonParse,
                jsonBytes / 1e6, jsonParse / jsonRead);
    std::printf("%-28s %10.3f\n", "match", matchSeconds);
    std::printf("%-28s %10.3f\n", "diff", diffSeconds);
    std::printf("%-28s %10.3f %10s %10s  (target < 1.5 s)\n", "match + diff", matchSeconds + diffSeconds, "", "");
    std::printf("%-28s %10.3f %10.1f\n", "JSON report (in memory)", reportSeconds, reportBytes / 1e6);
    std::printf("%-28s %10ld MiB  (target < 2048 MiB)\n", "peak RSS", peakRssMiB());
    std::printf("\nAD %lld mailboxes, cloud %lld, matched %lld, with drift %lld (%lld items)\n",
                static_cast<long long>(summary.adMailboxes), static_cast<long long>(summary.cloudMailboxes),
                static_cast<long long>(summary.matched), static_cast<long long>(summary.mailboxesWithDrift),
                static_cast<long long>(summary.driftItems));
    return 0;
}
