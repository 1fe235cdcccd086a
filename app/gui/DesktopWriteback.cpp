#include "DesktopWriteback.h"

#include "BatchConfirmation.h"
#include "BatchFlow.h"
#include "HistoryPresenter.h"
#include "LdifFileBatchTarget.h"
#include "MainWindow.h"
#include "ScanLoader.h"
#include "TickedDriftItems.h"
#include "UiLogging.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QSet>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

QString demoWritebackPath()
{
    return QFileInfo(HistoryStore::defaultPath(u"demo"_s)).absoluteDir().filePath(u"demo-writeback.ldif"_s);
}

BatchFlow* setUpWriteback(MainWindow& window, ScanLoader& loader, bool demo)
{
    auto* flow = new BatchFlow(window);
    BatchFlowConfig config;
    config.actor = HistoryActor::current();
    if (demo) {
        config.historyPath = HistoryStore::defaultPath(u"demo"_s);
        config.target = std::make_shared<LdifFileBatchTarget>(demoWritebackPath());
    } else {
        config.historyPath = HistoryStore::defaultPath();
        config.noTarget = QCoreApplication::translate(
            "BatchFlow", "Sunset is comparing export files, without a connection to AD, so it cannot apply here. "
                         "Approve the batch, then export it as LDIF from History (Ctrl+H) and apply it with "
                         "ldapmodify, or connect to AD and apply it from History.");
    }
    flow->installActions();
    if (auto error = flow->open(std::move(config)))
        window.statusBar()->showMessage(error->message);
    QObject::connect(&loader, &ScanLoader::started, flow, &BatchFlow::noteScanStarted);
    QObject::connect(&window, &MainWindow::scanShown, flow, [flow, &window] { flow->recordScan(window.scan()); });
    QTimer::singleShot(0, flow, &BatchFlow::offerInterruptedBatches);
    return flow;
}

namespace {

// Writable drift items to show: one per attribute (a single value, an address list, a trailing space, a value
// where AD has none, a recipient type), and one of a mailbox that is not cloud-managed, so the review shows a
// refusal too.
void tickSomeItems(const MainWindow& window)
{
    const auto& scan = window.scan();
    if (!scan)
        return;
    QSet<int> attributes;
    bool refused = false;
    for (const ScanRow& row : scan->rows()) {
        if (row.pair < 0 || row.driftCount == 0)
            continue;
        const bool managed = row.cloudManaged == CloudManagedState::Yes;
        for (const DriftItem& item : scan->driftOf(row)) {
            if (!item.writable || (managed ? attributes.contains(int(item.attribute)) : refused))
                continue;
            tickDriftItem(window, {row.pair, item.attribute});
            (managed ? (void)attributes.insert(int(item.attribute)) : (void)(refused = true));
            break; // one item per mailbox
        }
    }
}

void saveAndQuit(QWidget* widget, const QString& path)
{
    // Let the views lay out and paint once before grabbing.
    QTimer::singleShot(500, widget, [widget, path] {
        if (!widget->grab().save(path, "PNG")) {
            std::fprintf(stderr, "sunset: cannot write %s\n", qPrintable(path));
            QApplication::exit(1);
            return;
        }
        QApplication::quit();
    });
}

} // namespace

void takeWritebackScreenshot(MainWindow& window, BatchFlow& flow, bool history, const QString& path)
{
    // After the scan is recorded, so the batch names its scan in the history.
    QObject::connect(&flow, &BatchFlow::scanRecorded, &flow, [&window, &flow, history, path] {
        tickSomeItems(window);
        flow.reviewTicked();
        BatchReviewDialog* dialog = flow.reviewDialog();
        if (!history)
            return saveAndQuit(dialog, path);
        QObject::connect(&flow, &BatchFlow::batchApplied, &flow, [&flow, dialog, path](qint64 id) {
            dialog->close();
            flow.undoBatch(id); // a planned undo beside the applied batch
            if (flow.reviewDialog())
                flow.reviewDialog()->close();
            flow.showHistory();
            saveAndQuit(flow.historyPresenter()->view(), path);
        });
        BatchConfirmation::queueAnswers({true, true});
        dialog->approve();
        if (auto* apply = dialog->findChild<QPushButton*>(u"batchApply"_s))
            apply->click();
    });
}

} // namespace sunset
