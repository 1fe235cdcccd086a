// The main window driven like an admin would: type in the search box, pick a mailbox, load the demo tenant
// through ScanLoader, see a load error inline.
#include "AttributeComparisonModel.h"
#include "DemoScan.h"
#include "MailboxFilterProxyModel.h"
#include "MailboxTableModel.h"
#include "MainWindow.h"
#include "ScanLoader.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHeaderView>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
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
