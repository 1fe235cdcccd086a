// The main window driven like an admin would: type in the search box, pick a mailbox, load the demo tenant
// through ScanLoader, see a load error inline.
#include "AttributeComparisonModel.h"
#include "ConnectionDialog.h"
#include "DemoScan.h"
#include "DemoTenantGenerator.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"
#include "MainWindow.h"
#include "OverviewWidget.h"
#include "ScanLoader.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QHeaderView>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QToolBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QSignalSpy>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

// Connects a loader to a window the way main() does.
void wire(ScanLoader& loader, MainWindow& window)
{
    QObject::connect(&window, &MainWindow::scanRequested, &loader, [&loader](const ScanRequest& r) { loader.start(r); });
    QObject::connect(&window, &MainWindow::cancelRequested, &loader, &ScanLoader::cancel);
    QObject::connect(&loader, &ScanLoader::started, &window, &MainWindow::showLoadStarted);
    QObject::connect(&loader, &ScanLoader::sideProgress, &window, &MainWindow::showSideProgress);
    QObject::connect(&loader, &ScanLoader::comparing, &window, &MainWindow::showComparing);
    QObject::connect(&loader, &ScanLoader::finished, &window, &MainWindow::showScan);
    QObject::connect(&loader, &ScanLoader::failed, &window, &MainWindow::showLoadError);
    QObject::connect(&loader, &ScanLoader::cancelled, &window, &MainWindow::showLoadCancelled);
}

} // namespace

class TestMainWindow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void searchFiltersAfterDebounce();
    void quickAndAttributeFilters();
    void selectingRowFillsComparison();
    void copyPutsComparisonOnClipboard();
    void demoLoadsThroughScanLoader();
    void loadErrorShownInline();
    void cancelStopsLoading();
    void perSideProgressAndCancelStopsBoth();
    void demoOpensThroughConnectionDialog();
    void overviewChartShowsPerAttributeCounts();
    void nameSortFollowsLocale();
    void everyMenuActionHasShortcut();
    void settingsRoundTrip();

private:
    std::shared_ptr<const DriftScan> m_scan;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_scan = test::loadDemoScan();
    QVERIFY(m_scan);
}

void TestMainWindow::searchFiltersAfterDebounce()
{
    MainWindow window;
    window.showScan(m_scan);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* search = window.findChild<QLineEdit*>(u"searchEdit"_s);
    QVERIFY(search);
    const int total = window.mailboxFilter()->rowCount();
    QCOMPARE(total, int(m_scan->rows().size()));
    search->setFocus();
    // QTest::keyClicks() takes ASCII only: the umlaut comes as a key event carrying its text.
    QTest::keyClicks(search, u"m"_s);
    QTest::sendKeyEvent(QTest::Click, search, Qt::Key_Udiaeresis, u"ü"_s, Qt::NoModifier);
    QTest::keyClicks(search, u"ller"_s);
    QCOMPARE(search->text(), u"müller"_s);
    QCOMPARE(window.mailboxFilter()->rowCount(), total); // debounced: not on every keystroke
    QTRY_VERIFY(window.mailboxFilter()->rowCount() < total);
    QVERIFY(window.mailboxFilter()->rowCount() >= 1);
    QStringList names;
    for (int r = 0; r < window.mailboxFilter()->rowCount(); ++r)
        names << window.mailboxFilter()->index(r, MailboxTableModel::DisplayName).data().toString();
    QVERIFY2(names.contains(u"Jürgen Müller"_s), qPrintable(names.join(u", "_s)));
    auto* shown = window.findChild<QLabel*>(u"shownLabel"_s);
    QVERIFY(shown->text().startsWith(u"Showing"_s));

    // The mailbox being compared stays current while the search still lists it.
    const int muller = int(names.indexOf(u"Jürgen Müller"_s));
    window.mailboxView()->setCurrentIndex(window.mailboxFilter()->index(muller, 0));
    QCOMPARE(window.comparisonModel()->title(), u"Jürgen Müller — matched by Source anchor"_s);
    search->setText(u"müll"_s);
    QTRY_VERIFY(window.mailboxFilter()->searchText() == u"müll"_s);
    QVERIFY(window.mailboxView()->currentIndex().isValid());
    QCOMPARE(window.mailboxView()->currentIndex().data().toString(), u"Jürgen Müller"_s);
    QVERIFY(window.mailboxView()->selectionModel()->isRowSelected(window.mailboxView()->currentIndex().row()));

    // Ctrl+F focuses the box; clearing it shows everything again.
    window.mailboxView()->setFocus();
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(search->hasFocus());
    search->clear();
    QTRY_COMPARE(window.mailboxFilter()->rowCount(), total);
}

void TestMainWindow::quickAndAttributeFilters()
{
    MainWindow window;
    window.showScan(m_scan);
    auto* quick = window.findChild<QComboBox*>(u"quickFilter"_s);
    auto* attribute = window.findChild<QComboBox*>(u"attributeFilter"_s);
    QVERIFY(quick && attribute);
    quick->setCurrentIndex(quick->findData(int(MailboxFilterProxyModel::QuickFilter::Critical)));
    QCOMPARE(window.mailboxFilter()->rowCount(), 5);
    quick->setCurrentIndex(0);
    attribute->setCurrentIndex(attribute->findData(int(AttributeId::ProxyAddresses)));
    QCOMPARE(window.mailboxFilter()->rowCount(), 3);
    QCOMPARE(attribute->currentText(), u"proxyAddresses (3)"_s);
}

void TestMainWindow::selectingRowFillsComparison()
{
    MainWindow window;
    window.showScan(m_scan);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.comparisonModel()->rowCount(), 0);
    QVERIFY(window.selectFirstCritical());
    QCOMPARE(window.comparisonModel()->rowCount(), 34);
    const int scanRow = window.comparisonModel()->scanRowIndex();
    QCOMPARE(m_scan->rows()[size_t(scanRow)].worstSeverity, qint8(Severity::Critical));
    auto* title = window.findChild<QLabel*>(u"detailTitle"_s);
    QCOMPARE(title->text(), window.comparisonModel()->title());
    QVERIFY(title->text().contains(u"matched by"_s));

    // Clicking another mailbox in the list switches the comparison.
    const QModelIndex muller = [&] {
        for (int r = 0; r < window.mailboxFilter()->rowCount(); ++r) {
            const QModelIndex i = window.mailboxFilter()->index(r, MailboxTableModel::DisplayName);
            if (i.data().toString() == u"Jürgen Müller"_s)
                return i;
        }
        return QModelIndex();
    }();
    QVERIFY(muller.isValid());
    window.mailboxView()->scrollTo(muller);
    const QRect rect = window.mailboxView()->visualRect(muller);
    QTest::mouseClick(window.mailboxView()->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_COMPARE(title->text(), u"Jürgen Müller — matched by Source anchor"_s);
    // "Differences only" (the default) hides agreeing attributes but keeps the identity rows.
    QTableView* view = window.comparisonView();
    QVERIFY(!view->isRowHidden(window.comparisonModel()->rowOf(AttributeId::ExtensionAttribute1)));
    QVERIFY(view->isRowHidden(window.comparisonModel()->rowOf(AttributeId::ExtensionAttribute2)));
    QVERIFY(!view->isRowHidden(AttributeComparisonModel::UpnRow));
}

void TestMainWindow::copyPutsComparisonOnClipboard()
{
    MainWindow window;
    window.showScan(m_scan);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.selectFirstCritical());
    window.comparisonView()->setFocus();
    QApplication::clipboard()->clear();
    QTest::keyClick(window.comparisonView(), Qt::Key_C, Qt::ControlModifier);
    QTRY_COMPARE(QApplication::clipboard()->text(), window.comparisonModel()->toPlainText());
}

void TestMainWindow::demoLoadsThroughScanLoader()
{
    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    QSignalSpy shown(&window, &MainWindow::scanShown);
    QSignalSpy progress(&loader, &ScanLoader::sideProgress);
    window.show();
    Q_EMIT window.scanRequested(ScanRequest{ConnectionProfile::fromFiles(test::demoSources()), {}});
    QVERIFY(loader.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 60000);
    QVERIFY(!loader.isRunning());
    QVERIFY(progress.size() >= 4); // at least a start and an end per side
    QVERIFY(window.scan());
    const DriftSummary& s = window.scan()->summary;
    QCOMPARE(s.mailboxesWithDrift, 13);
    auto* counts = window.findChild<QLabel*>(u"countsLabel"_s);
    const QLocale l;
    QCOMPARE(counts->text(), window.countsText());
    QVERIFY(counts->text().contains(l.toString(s.matched) + u" matched"_s));
    QVERIFY(counts->text().contains(u"2 only in AD"_s));
    QVERIFY(counts->text().contains(u"2 only in Exchange Online"_s));
    QVERIFY(counts->text().contains(u"13 with drift (5 critical)"_s));
    QVERIFY(window.findChild<QLabel*>(u"sourcesLabel"_s)->text().contains(u"demo-ad.ldif"_s));
    QVERIFY(!window.findChild<QLabel*>(u"asOfLabel"_s)->text().isEmpty());
    QVERIFY(!window.findChild<QWidget*>(u"cancelButton"_s)->isVisible());
    QCOMPARE(window.mailboxFilter()->rowCount(), int(window.scan()->rows().size()));
}

void TestMainWindow::loadErrorShownInline()
{
    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    window.show();
    QSignalSpy failed(&loader, &ScanLoader::failed);
    ReportSources files = test::demoSources();
    files.ad = u"/nonexistent/contoso-ad.ldif"_s;
    Q_EMIT window.scanRequested(ScanRequest{ConnectionProfile::fromFiles(files), {}});
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 60000);
    auto* bar = window.findChild<QFrame*>(u"messageBar"_s);
    QVERIFY(bar->isVisible());
    const QString text = window.findChild<QLabel*>(u"messageText"_s)->text();
    QVERIFY2(text.contains(u"/nonexistent/contoso-ad.ldif"_s), qPrintable(text));
    QVERIFY2(text.contains(u"file not found"_s), qPrintable(text));
    QVERIFY2(text.contains(u"Connect"_s), qPrintable(text));
    QVERIFY(!window.scan());
}

void TestMainWindow::cancelStopsLoading()
{
    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    QSignalSpy cancelled(&loader, &ScanLoader::cancelled);
    QSignalSpy finished(&loader, &ScanLoader::finished);
    Q_EMIT window.scanRequested(ScanRequest{ConnectionProfile::fromFiles(test::demoSources()), {}});
    Q_EMIT window.cancelRequested();
    QCOMPARE(cancelled.size(), 1);
    QVERIFY(!loader.isRunning());
    QTest::qWait(300); // whatever the worker still had under way must not arrive
    QCOMPARE(finished.size(), 0);
    QVERIFY(!window.scan());
}

void TestMainWindow::perSideProgressAndCancelStopsBoth()
{
    // A tenant big enough that neither side is read by the time Cancel is pressed.
    QTemporaryDir dir;
    {
        QFile ldif(dir.filePath(u"ad.ldif"_s)), exo(dir.filePath(u"exo.json"_s)), graph(dir.filePath(u"graph.json"_s));
        QVERIFY(ldif.open(QIODevice::WriteOnly) && exo.open(QIODevice::WriteOnly) && graph.open(QIODevice::WriteOnly));
        DemoTenantOptions options;
        options.mailboxes = 40000;
        options.plantScenarios = false;
        generateDemoTenant(options, {[&](const QByteArray& b) { ldif.write(b); },
                                     [&](const QByteArray& b) { exo.write(b); }, {},
                                     [&](const QByteArray& b) { graph.write(b); }, {}, {}, {}, {}, {}, {}});
    }
    const ReportSources files{dir.filePath(u"ad.ldif"_s), dir.filePath(u"exo.json"_s), dir.filePath(u"graph.json"_s)};

    MainWindow window;
    ScanLoader loader;
    wire(loader, window);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy progress(&loader, &ScanLoader::sideProgress);
    QSignalSpy cancelled(&loader, &ScanLoader::cancelled);
    QSignalSpy finished(&loader, &ScanLoader::finished);
    Q_EMIT window.scanRequested(ScanRequest{ConnectionProfile::fromFiles(files), {}});

    // Both sides started at once, each with its own bar and text.
    QCOMPARE(loader.activeReaders(), 2);
    QVERIFY(window.findChild<QWidget*>(u"scanPanel"_s)->isVisible());
    auto* cloudText = window.findChild<QLabel*>(u"cloudProgressText"_s);
    auto* adText = window.findChild<QLabel*>(u"adProgressText"_s);
    QVERIFY2(cloudText->text().startsWith(u"graph.json"_s), qPrintable(cloudText->text()));
    QVERIFY2(adText->text().startsWith(u"ad.ldif"_s), qPrintable(adText->text()));
    QVERIFY(adText->text().contains(u"of"_s)); // bytes of the file's size
    QSet<int> sides;
    for (const QList<QVariant>& args : progress)
        sides.insert(int(args[0].value<ScanSide>()));
    QCOMPARE(sides.size(), 2);

    // Cancel (the button, as the admin would): both sides stop, nothing arrives later.
    QTest::mouseClick(window.findChild<QPushButton*>(u"cancelButton"_s), Qt::LeftButton);
    QCOMPARE(cancelled.size(), 1);
    QVERIFY(!loader.isRunning());
    QVERIFY(!window.findChild<QWidget*>(u"scanPanel"_s)->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(loader.activeReaders(), 0, 20000); // each reader stops at its next chunk
    const qsizetype reports = progress.size();
    QTest::qWait(200);
    QCOMPARE(progress.size(), reports);
    for (const QList<QVariant>& args : progress)
        QVERIFY(args[1].value<SideProgress>().stage != SideProgress::Stage::Done);
    QCOMPARE(finished.size(), 0);
    QVERIFY(!window.scan());
}

void TestMainWindow::demoOpensThroughConnectionDialog()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(u"sunset.ini"_s), QSettings::IniFormat);
    MainWindow window;
    window.setProfileSettings(&settings);
    ScanLoader loader;
    wire(loader, window);
    QSignalSpy shown(&window, &MainWindow::scanShown);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    bool filled = false;
    QTimer::singleShot(0, &window, [&] {
        auto* dialog = qobject_cast<ConnectionDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        const ReportSources demo = test::demoSources();
        QTest::keyClicks(dialog->findChild<QComboBox*>(u"profileName"_s), u"Demo tenant"_s);
        dialog->findChild<QLineEdit*>(u"adLdifFile"_s)->setText(demo.ad);
        dialog->findChild<QLineEdit*>(u"cloudExoFile"_s)->setText(demo.exo);
        dialog->findChild<QLineEdit*>(u"cloudGraphFile"_s)->setText(demo.graph);
        filled = true;
        QTest::mouseClick(dialog->findChild<QPushButton*>(u"scanButton"_s), Qt::LeftButton);
    });
    QTest::keyClick(&window, Qt::Key_O, Qt::ControlModifier); // File › Connect…
    QVERIFY(filled);
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, 60000);
    QCOMPARE(window.scan()->summary.mailboxesWithDrift, 13);
    QCOMPARE(window.profile().name, u"Demo tenant"_s);
    const QString sources = window.findChild<QLabel*>(u"sourcesLabel"_s)->text();
    QVERIFY2(sources.contains(u"Demo tenant"_s) && sources.contains(u"demo-exo.json"_s) &&
                 sources.contains(u"demo-ad.ldif"_s),
             qPrintable(sources));
    QVERIFY(window.findChild<QLabel*>(u"asOfLabel"_s)->text().startsWith(u"Scanned"_s));
    QCOMPARE(ConnectionProfileStore(settings).names(), QStringList{u"Demo tenant"_s});

    // F5 scans the same sources again, without the dialog.
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_F5);
    QVERIFY(loader.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(shown.size(), 2, 60000);
}

void TestMainWindow::overviewChartShowsPerAttributeCounts()
{
    MainWindow window;
    window.showScan(m_scan);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* dock = window.findChild<QDockWidget*>(u"overviewDock"_s);
    QVERIFY(!dock->isVisible());
    QTest::keyClick(&window, Qt::Key_G, Qt::ControlModifier);
    QTRY_VERIFY(dock->isVisible());

    OverviewWidget* overview = window.overview();
    const QStringList categories = overview->attributeCategories();
    const QList<qreal> critical = overview->severityValues(Severity::Critical);
    const QList<qreal> warning = overview->severityValues(Severity::Warning);
    const QList<qreal> normal = overview->severityValues(Severity::Normal);
    QCOMPARE(critical.size(), categories.size());
    int shown = 0;
    for (const AttributeSpec& spec : AttributeCatalog::all()) {
        const qint64 expected = m_scan->summary.itemsByAttribute[size_t(spec.id)];
        const qsizetype at = categories.indexOf(QString(spec.ldapName));
        if (expected == 0) {
            QVERIFY2(at < 0, spec.ldapName.data());
            continue;
        }
        ++shown;
        QVERIFY2(at >= 0, spec.ldapName.data());
        QCOMPARE(qint64(critical[at] + warning[at] + normal[at]), expected);
    }
    QCOMPARE(categories.size(), shown);
    qreal criticalTotal = 0;
    for (qreal v : critical)
        criticalTotal += v;
    QCOMPARE(qint64(criticalTotal), m_scan->summary.itemsBySeverity[size_t(Severity::Critical)]);
    // The demo plants three proxyAddresses drifts (see quickAndAttributeFilters).
    QCOMPARE(qint64(critical[categories.indexOf(u"proxyAddresses"_s)] + warning[categories.indexOf(u"proxyAddresses"_s)]),
             3);

    // Trend: shown once two scans are known.
    QCOMPARE(overview->trendPointCount(), 0);
    const QDateTime t0 = QDateTime::currentDateTimeUtc();
    window.setScanTrend({{t0.addDays(-1), 20, 7}, {t0, 13, 5}});
    QCOMPARE(overview->trendPointCount(), 2);
}

void TestMainWindow::nameSortFollowsLocale()
{
    // Position of the first display name starting with `initial`, sorted by name with this name order.
    const auto firstWith = [this](MailboxTableModel::NameOrder order, QChar initial) {
        MainWindow window;
        window.showScan(m_scan, std::move(order));
        window.mailboxView()->sortByColumn(MailboxTableModel::DisplayName, Qt::AscendingOrder);
        for (int r = 0; r < window.mailboxFilter()->rowCount(); ++r) {
            const QString name = window.mailboxFilter()->index(r, MailboxTableModel::DisplayName).data().toString();
            if (name.startsWith(initial))
                return r;
        }
        return -1;
    };
    // By case-folded bytes, "Łukasz" and "Åsa" come after every ASCII name; an English reader looks for them
    // under L and A.
    const int lBytes = firstWith({}, u'Ł');
    const int mBytes = firstWith({}, u'M');
    QVERIFY(lBytes > mBytes);
    const auto english = MailboxTableModel::collateNames(*m_scan, QLocale(QLocale::English, QLocale::UnitedStates));
    QVERIFY(firstWith(english, u'Ł') < firstWith(english, u'M'));
    QVERIFY(firstWith(english, u'Å') < firstWith(english, u'B'));
    // Swedish puts Å after Z.
    const auto swedish = MailboxTableModel::collateNames(*m_scan, QLocale(QLocale::Swedish, QLocale::Sweden));
    QVERIFY(firstWith(swedish, u'Å') > firstWith(swedish, u'Z'));
}

void TestMainWindow::everyMenuActionHasShortcut()
{
    MainWindow window;
    QStringList missing;
    for (QAction* action : window.findChildren<QAction*>()) {
        if (action->isSeparator() || action->menu() || action->text().isEmpty())
            continue;
        // Show/hide toggles of the tool bar and the dock: the overview has Ctrl+G through the View menu.
        if (qobject_cast<QToolBar*>(action->parent()) || qobject_cast<QDockWidget*>(action->parent()))
            continue;
        if (action->shortcut().isEmpty())
            missing << action->text();
    }
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u", "_s)));
}

void TestMainWindow::settingsRoundTrip()
{
    QTemporaryDir dir;
    QSettings settings(dir.filePath(u"sunset.ini"_s), QSettings::IniFormat);
    {
        MainWindow window;
        QVERIFY(!window.restoreSettings(settings));
        window.resize(1200, 700);
        window.mailboxView()->horizontalHeader()->resizeSection(MailboxTableModel::UserPrincipalName, 333);
        window.setSources(test::demoSources());
        window.saveSettings(settings);
    }
    MainWindow window;
    QVERIFY(window.restoreSettings(settings));
    QCOMPARE(window.mailboxView()->horizontalHeader()->sectionSize(MailboxTableModel::UserPrincipalName), 333);
}

QTEST_MAIN(TestMainWindow)
#include "TestMainWindow.moc"
