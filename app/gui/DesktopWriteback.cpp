// SPDX-License-Identifier: Apache-2.0
#include "DesktopWriteback.h"

#include "BatchFlow.h"
#include "BreakGlassReasonPrompt.h"
#include "Confirmer.h"
#include "HistoryPresenter.h"
#include "LdapBatchTarget.h"
#include "LdifFileBatchTarget.h"
#include "MainWindow.h"
#include "OnDemandFlow.h"
#include "ScanLoader.h"
#include "TickedDriftItems.h"
#include "UiLogging.h"
#include "WindowScreenshot.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QPainter>
#include <QPointer>
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

QString noDirectoryMessage()
{
    return QCoreApplication::translate(
        "BatchFlow", "Sunset is comparing export files, without a connection to AD, so it cannot apply here. "
                     "Approve the batch, then export it as LDIF from History (Ctrl+H) and apply it with "
                     "ldapmodify, or connect to AD and apply it from History.");
}

std::shared_ptr<BatchTarget> batchTargetFor(const AdSourceProfile& ad, const QByteArray& password)
{
    if (ad.kind != AdSourceProfile::Kind::Live)
        return nullptr;
    // The same connection settings as ScanLoader's live read of this side.
    const LdapConnectionOptions options = connectionOptionsFor(ad.dc);
    const bool kerberos = ad.dc.kerberos;
    const QString bindName = ad.dc.bindName;
    // The password is kept in memory only, in a copy of its own that is overwritten when the target goes (the next
    // scan replaces it; the app quits). Never written anywhere: the history records the bind name only.
    struct WipedSecret {
        QByteArray bytes;
        ~WipedSecret() { bytes.fill('\0'); }
    };
    auto secret = std::make_shared<WipedSecret>();
    secret->bytes = QByteArray(password.constData(), password.size()); // a deep copy: fill() must not detach
    // Called on the apply worker, which owns the connection it returns.
    auto factory = [options, kerberos, bindName, secret]() -> LdapResult<std::unique_ptr<LdapConnection>> {
        auto connection = std::make_unique<LdapConnection>(options);
        if (auto bound = kerberos ? connection->kerberosBind() : connection->simpleBind(bindName, secret->bytes);
            !bound)
            return bound.error();
        return connection;
    };
    const QString description =
        kerberos ? QCoreApplication::translate("BatchFlow", "the domain controller %1 (bound with your Kerberos ticket)")
                       .arg(ad.dc.uri)
                 : QCoreApplication::translate("BatchFlow", "the domain controller %1 (bound as %2)").arg(ad.dc.uri, bindName);
    // What the CLI records for the same binds (sunset-cli apply --kerberos / --bind UPN).
    return std::make_shared<LdapBatchTarget>(description, kerberos ? u"kerberos"_s : bindName, std::move(factory));
}

void followScannedDirectory(BatchFlow& flow, ScanLoader& loader)
{
    // Each finished scan decides where Apply writes: the DC it read (with the same settings and password), or
    // none for an export file. A scan that fails or is cancelled changes nothing: the window still shows the last
    // scan, and Apply still writes where that one was read.
    QObject::connect(&loader, &ScanLoader::adSourceRead, &flow,
                     [&flow](const AdSourceProfile& ad, const QByteArray& password) {
                         flow.setTarget(batchTargetFor(ad, password), noDirectoryMessage());
                     });
}

BatchFlow* setUpWriteback(MainWindow& window, ScanLoader& loader, bool demo, std::shared_ptr<Confirmer> confirmer)
{
    auto* flow = new BatchFlow(window, std::move(confirmer));
    BatchFlowConfig config;
    config.actor = HistoryActor::current();
    if (demo) {
        config.historyPath = HistoryStore::defaultPath(u"demo"_s);
        config.target = std::make_shared<LdifFileBatchTarget>(demoWritebackPath());
    } else {
        config.historyPath = HistoryStore::defaultPath();
        config.noTarget = noDirectoryMessage();
        // The demo keeps its LDIF file: its history is not the real one.
        followScannedDirectory(*flow, loader);
    }
    flow->installActions();
    // "Ask Cloud Sync to write it back now": needs the live cloud sign-in of the last scan.
    auto* onDemand = new OnDemandFlow(window, *flow);
    onDemand->installActions();
    QObject::connect(&loader, &ScanLoader::cloudSourceRead, onDemand,
                     [onDemand](const CloudScanSettings& settings) { onDemand->setCloudSettings(settings); });
    if (auto opened = flow->open(std::move(config)); !opened)
        window.statusBar()->showMessage(opened.error().message);
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

const QString kScreenshotReason = u"Writeback job of emea quarantined since Monday (CHG-4711)"_s;

// The screenshots' admin. For the review's picture the break-glass reason is typed into the real prompt, which is
// left open to be drawn; for the history's, whose batch must be approved and applied, the reason is given at once.
// Every confirmation is answered yes.
class ScreenshotConfirmer final : public Confirmer {
public:
    explicit ScreenshotConfirmer(bool giveReasonAtOnce) : m_giveReasonAtOnce(giveReasonAtOnce) {}

    void ask(QWidget*, const QString&, const QString&, const QString&, std::function<void(bool yes)> then) override
    {
        then(true);
    }
    void askReason(QWidget* parent, const QString& title, const QString& question, const QString& okText,
                   std::function<void(std::optional<QString> reason)> then) override
    {
        if (m_giveReasonAtOnce)
            return then(kScreenshotReason);
        m_prompt = new BreakGlassReasonPrompt(title, question, okText, std::move(then), parent);
        m_prompt->setReason(kScreenshotReason);
        m_prompt->open();
    }
    BreakGlassReasonPrompt* openPrompt() const { return m_prompt; }

private:
    const bool m_giveReasonAtOnce;
    QPointer<BreakGlassReasonPrompt> m_prompt;
};

// The review as the admin sees it after Approve…: the break-glass reason prompt (window-modal, so a window of its
// own) drawn over the review's centre, with a reason typed.
void showReasonPromptAndQuit(BatchReviewDialog* dialog, std::shared_ptr<const ScreenshotConfirmer> answers,
                             const QString& path)
{
    dialog->approve();
    QTimer::singleShot(500, dialog, [dialog, answers, path] {
        QPixmap shot = dialog->grab();
        if (BreakGlassReasonPrompt* prompt = answers->openPrompt()) {
            const QPixmap over = prompt->grab();
            QPainter painter(&shot);
            const QPoint at((shot.width() - over.width()) / 2, (shot.height() - over.height()) / 3);
            painter.fillRect(QRect(at, over.size()).adjusted(-1, -1, 1, 1), Qt::darkGray);
            painter.drawPixmap(at, over);
        }
        savePixmapAndQuit(shot, path);
    });
}

} // namespace

void takeWritebackScreenshot(MainWindow& window, BatchFlow& flow, bool history, const QString& path)
{
    auto answers = std::make_shared<ScreenshotConfirmer>(/*giveReasonAtOnce=*/history);
    flow.setConfirmer(answers);
    // After the scan is recorded, so the batch names its scan in the history.
    QObject::connect(&flow, &BatchFlow::scanRecorded, &flow, [&window, &flow, answers, history, path] {
        tickSomeItems(window);
        flow.reviewTicked();
        BatchReviewDialog* dialog = flow.reviewDialog();
        if (!history)
            return showReasonPromptAndQuit(dialog, answers, path);
        QObject::connect(&flow, &BatchFlow::batchApplied, &flow, [&flow, dialog, path](qint64 id) {
            dialog->close();
            flow.undoBatch(id); // a planned undo beside the applied batch
            if (flow.reviewDialog())
                flow.reviewDialog()->close();
            flow.showHistory();
            grabAndQuit(*flow.historyPresenter()->view(), path);
        });
        dialog->approve();
        dialog->applyButton()->click();
    });
}

} // namespace sunset
