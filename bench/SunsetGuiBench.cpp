// sunset-gui-bench [MAILBOXES] [DATA_DIR]: the desktop app's mailbox list at 600,000 mailboxes a side (the GA
// limit per tenant), offscreen. Reads the generated tenant through the GUI's ScanLoader (both sides at once),
// then times what the GUI thread does: the model load (one reset), the first sort, a filter keystroke and a
// quick filter, each against a plain-C++ baseline doing the same work in the same run (sorting the same integer
// keys, scanning the same search text). Reports RSS with both sides loaded. Figures, not pass/fail; targets:
// filter < 50 ms, sort < 500 ms, load < 2 s, RSS < 2 GiB.
#include "DemoTenantGenerator.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"
#include "MainWindow.h"
#include "ScanLoader.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QTableView>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

long rssMiB(bool peak)
{
    if (peak) {
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        return usage.ru_maxrss / 1024;
    }
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLong() / 1024;
    return -1;
}

// The same tenant as sunset-bench (same options, same directory layout), so the two share it.
bool generateInChild(const QString& dir, int mailboxes)
{
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
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double msSince(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

void row(const char* step, double ms, double baselineMs, const char* target)
{
    if (baselineMs > 0)
        std::printf("%-44s %10.1f ms %8.1fx  %s\n", step, ms, ms / baselineMs, target);
    else
        std::printf("%-44s %10.1f ms %9s  %s\n", step, ms, "", target);
}

} // namespace

int main(int argc, char* argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int mailboxes = argc > 1 ? QByteArray(argv[1]).toInt() : 600000;
    QTemporaryDir tmp;
    const QString dir = argc > 2 ? QString::fromLocal8Bit(argv[2]) + u'/' + QString::number(mailboxes) : tmp.path();
    std::printf("Sunset GUI benchmark: %d mailboxes a side, 2%% drift, offscreen\n", mailboxes);
    QElapsedTimer t;
    t.start();
    if (QFile::exists(dir + u"/complete"_s)) {
        std::printf("reusing the tenant in %s\n", qPrintable(dir));
    } else {
        QDir().mkpath(dir);
        if (!generateInChild(dir, mailboxes)) {
            std::fprintf(stderr, "generating the tenant failed\n");
            return 1;
        }
        QFile marker(dir + u"/complete"_s);
        (void)marker.open(QIODevice::WriteOnly);
        std::printf("generated in %.1f s\n", double(t.nsecsElapsed()) / 1e9);
    }
    const long rssBefore = rssMiB(false);

    // The scan as the app runs it: both files read at once off the GUI thread, then compared and collated.
    ScanLoader loader;
    std::shared_ptr<const DriftScan> scan;
    ScanLoader::NameOrder nameOrder;
    double adReadMs = 0, cloudReadMs = 0;
    QObject::connect(&loader, &ScanLoader::sideProgress, &app, [&](ScanSide side, const SideProgress& p) {
        if (p.stage == SideProgress::Stage::Done)
            (side == ScanSide::Ad ? adReadMs : cloudReadMs) = msSince(t);
    });
    QObject::connect(&loader, &ScanLoader::finished, &app,
                     [&](std::shared_ptr<const DriftScan> s, ScanLoader::NameOrder order) {
                         scan = std::move(s);
                         nameOrder = std::move(order);
                         app.quit();
                     });
    QObject::connect(&loader, &ScanLoader::failed, &app, [&](const ImportError& e) {
        std::fprintf(stderr, "%s\n", qPrintable(e.toString()));
        app.exit(1);
    });
    t.restart();
    loader.start(ReportSources{dir + u"/ad.ldif"_s, dir + u"/exo.json"_s, {}});
    if (app.exec() != 0 || !scan)
        return 1;
    const double scanMs = msSince(t);
    const size_t rows = scan->rows().size();

    // Collation alone, for the record (the loader did it already, off the GUI thread).
    t.restart();
    const auto collated = MailboxTableModel::collateNames(*scan, QLocale());
    const double collateMs = msSince(t);

    // Baselines: the same work without Qt's model machinery.
    // Best of three, so a cold cache does not flatter the ratios.
    double sortBaselineMs = 1e18, filterBaselineMs = 1e18;
    const QByteArray needle = "müller";
    qint64 hits = 0;
    for (int run = 0; run < 3; ++run) {
        std::vector<quint32> order(rows);
        std::iota(order.begin(), order.end(), 0u);
        t.restart();
        std::stable_sort(order.begin(), order.end(), [&](quint32 a, quint32 b) {
            const ScanRow& ra = scan->rows()[a];
            const ScanRow& rb = scan->rows()[b];
            if (ra.worstSeverity != rb.worstSeverity)
                return ra.worstSeverity > rb.worstSeverity;
            return (*nameOrder)[a] < (*nameOrder)[b];
        });
        sortBaselineMs = std::min(sortBaselineMs, msSince(t));
        t.restart();
        hits = 0;
        for (const ScanRow& r : scan->rows())
            hits += scan->searchText(r).contains(needle) ? 1 : 0;
        filterBaselineMs = std::min(filterBaselineMs, msSince(t));
    }

    // The window, as `sunset` shows it: one reset, sorting switched on (first sort), the overview chart.
    MainWindow window;
    window.resize(1500, 900);
    window.show();
    QCoreApplication::processEvents();
    t.restart();
    window.showScan(scan, nameOrder);
    const double showMs = msSince(t);
    t.restart();
    QCoreApplication::processEvents(); // first paint of the list
    const double paintMs = msSince(t);

    MailboxFilterProxyModel* filter = window.mailboxFilter();
    QTableView* view = window.mailboxView();
    t.restart();
    view->sortByColumn(MailboxTableModel::DisplayName, Qt::AscendingOrder);
    const double sortNameMs = msSince(t);
    t.restart();
    view->sortByColumn(MailboxTableModel::Drift, Qt::DescendingOrder);
    const double sortDriftMs = msSince(t);

    // A search typed one key at a time: what the debounced keystroke costs when it fires.
    double keystrokeMs[6] = {};
    QString typed;
    for (int i = 0; i < 6; ++i) {
        typed += QString::fromUtf8(needle).at(i);
        t.restart();
        filter->setSearchText(typed);
        keystrokeMs[i] = msSince(t);
    }
    const int matches = filter->rowCount();
    t.restart();
    filter->setSearchText({});
    const double clearMs = msSince(t);
    t.restart();
    filter->setQuickFilter(MailboxFilterProxyModel::QuickFilter::DriftOnly);
    const double quickMs = msSince(t);
    filter->setQuickFilter(MailboxFilterProxyModel::QuickFilter::All);
    t.restart();
    view->scrollToBottom();
    QCoreApplication::processEvents();
    const double scrollMs = msSince(t);

    std::printf("\n%zu rows (%lld matched, %lld with drift); search \"%s\": %d rows (baseline %lld)\n\n", rows,
                static_cast<long long>(scan->summary.matched),
                static_cast<long long>(scan->summary.mailboxesWithDrift), needle.constData(), matches,
                static_cast<long long>(hits));
    std::printf("%-44s %13s %9s\n", "step", "time", "ratio");
    row("scan: both files at once, compare, collate", scanMs, 0, "(off the GUI thread)");
    row("  AD side read (from start)", adReadMs, 0, "");
    row("  cloud side read (from start)", cloudReadMs, 0, "");
    row("  name collation (QCollator sort keys)", collateMs, 0, "(off the GUI thread)");
    row("model load: showScan (reset + first sort)", showMs, sortBaselineMs, "target < 2000 ms");
    row("first paint", paintMs, 0, "");
    row("sort by name (GUI thread)", sortNameMs, sortBaselineMs, "target < 500 ms");
    row("sort by drift (GUI thread)", sortDriftMs, sortBaselineMs, "target < 500 ms");
    row("  baseline: std::stable_sort of the row keys", sortBaselineMs, 0, "");
    for (int i = 0; i < 6; ++i) {
        char label[64];
        std::snprintf(label, sizeof label, "filter keystroke %d (\"%s\")", i + 1, qPrintable(typed.left(i + 1)));
        row(label, keystrokeMs[i], filterBaselineMs, "target < 50 ms");
    }
    row("  baseline: substring scan of every row", filterBaselineMs, 0, "");
    row("clear the search", clearMs, filterBaselineMs, "target < 50 ms");
    row("quick filter \"With drift\"", quickMs, filterBaselineMs, "target < 50 ms");
    row("scroll to the bottom and paint", scrollMs, 0, "");
    std::printf("%-44s %10ld MiB (before the scan %ld MiB, peak %ld MiB)  target < 2048 MiB\n",
                "RSS, both sides loaded", rssMiB(false), rssBefore, rssMiB(true));
    (void)collated;
    return 0;
}
