// SPDX-License-Identifier: Apache-2.0
// Help › About Sunset and `--version`: the version of the build, the licence, and the libraries in use, the same in
// the dialog, in `sunset --version` (which needs no display) and in `sunset-cli --version`.
#include "AboutDialog.h"
#include "BuildInfo.h"
#include "MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

QString run(const QString& program, const QStringList& arguments, const QProcessEnvironment& env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        qWarning().noquote() << program << arguments << "failed:" << process.readAllStandardError();
    return QString::fromUtf8(process.readAllStandardOutput());
}

// "X.Y.Z", a Debian version from git ("0.1.0~git147.ge2756f1", "0.2.0+git3.gabc1234.dirty").
const QRegularExpression kVersion(u"^\\d+\\.\\d+\\.\\d+([~+]git\\d+\\.g[0-9a-f]+)?(\\.dirty)?$"_s);

} // namespace

class TestAboutDialog final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void componentsAreTheLibrariesInUse()
    {
        QVERIFY2(kVersion.match(buildVersion()).hasMatch(), qPrintable(buildVersion()));
        const QStringList lines = componentLines();
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines[0], u"Qt %1 (LGPL-3.0-only)"_s.arg(QString::fromLatin1(qVersion())));
        QVERIFY2(QRegularExpression(u"^OpenLDAP libldap 2\\.\\d+\\.\\d+ \\(TLS by \\w+; OLDAP-2\\.8\\)$"_s)
                     .match(lines[1])
                     .hasMatch(),
                 qPrintable(lines[1]));
        QVERIFY2(QRegularExpression(u"^OpenSSL 3\\.\\d+\\.\\d+ \\(Apache-2\\.0\\)$"_s).match(lines[2]).hasMatch(),
                 qPrintable(lines[2]));
        // Asked of the SQLite behind Qt's QSQLITE driver: a version, not "unknown" or "not available".
        QVERIFY2(QRegularExpression(u"^SQLite 3\\.\\d+\\.\\d+ \\(public domain\\)$"_s).match(lines[3]).hasMatch(),
                 qPrintable(lines[3]));
    }

    void bothProgramsPrintTheSameVersionWithoutADisplay()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(u"DISPLAY"_s);
        env.remove(u"WAYLAND_DISPLAY"_s);
        env.remove(u"QT_QPA_PLATFORM"_s); // a QApplication would abort here: --version must not make one
        const QString expected = u"Licence: Apache-2.0\n"_s + componentLines().join(u'\n') + u'\n';
        QCOMPARE(run(QStringLiteral(SUNSET_CLI_PATH), {u"--version"_s}, env),
                 u"sunset-cli "_s + buildVersion() + u'\n' + expected);
        QCOMPARE(run(QStringLiteral(SUNSET_GUI_PATH), {u"--version"_s}, env),
                 u"sunset "_s + buildVersion() + u'\n' + expected);
        QVERIFY(run(QStringLiteral(SUNSET_GUI_PATH), {u"--help"_s}, env).contains(u"--demo"_s));
        QVERIFY(run(QStringLiteral(SUNSET_CLI_PATH), {u"--help"_s}, env).contains(u"-v, --version"_s));
    }

    void helpMenuOpensTheAboutDialog()
    {
        MainWindow window;
        const AboutFacts facts{
            u"9.8.7"_s, u"Apache-2.0"_s, {u"Qt 6.4.2 (LGPL-3.0-only)"_s, u"SQLite 3.40.1 (public domain)"_s}};
        window.setAboutFacts(facts);
        window.resize(1200, 800);
        window.show();
        auto* about = window.findChild<QAction*>(u"aboutAction"_s);
        QVERIFY(about);
        QCOMPARE(about->text(), u"&About Sunset"_s);
        about->trigger();
        AboutDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<AboutDialog*>()) && dialog->isVisible());
        QVERIFY(dialog->findChild<QLabel*>(u"aboutVersion"_s)->text().contains(u"Version 9.8.7"_s));
        QVERIFY(dialog->findChild<QLabel*>(u"aboutLicence"_s)->text().contains(u"Apache License, Version 2.0"_s));
        const QString components = dialog->findChild<QLabel*>(u"aboutComponents"_s)->text();
        QVERIFY(components.contains(u"<li>Qt 6.4.2 (LGPL-3.0-only)</li><li>SQLite 3.40.1 (public domain)</li>"_s));
        if (const QByteArray shot = qgetenv("SUNSET_ABOUT_SCREENSHOT"); !shot.isEmpty())
            dialog->grab().save(QString::fromLocal8Bit(shot));

        QTest::mouseClick(dialog->findChild<QPushButton*>(u"copyAbout"_s), Qt::LeftButton);
        QCOMPARE(QApplication::clipboard()->text(),
                 u"Sunset 9.8.7\nLicence: Apache-2.0\nQt 6.4.2 (LGPL-3.0-only)\nSQLite 3.40.1 (public domain)"_s);
        dialog->reject();
        QTRY_VERIFY(!window.findChild<AboutDialog*>()); // deleted on close
    }
};

QTEST_MAIN(TestAboutDialog)
#include "TestAboutDialog.moc"
