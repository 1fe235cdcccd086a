// SPDX-License-Identifier: Apache-2.0
#include "WindowScreenshot.h"

#include "DesktopSession.h"

#include <QApplication>
#include <QFile>
#include <QPixmap>
#include <QTimer>
#include <QWidget>

#include <cstdio>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

ThrowawayHome::ThrowawayHome()
{
    qputenv("HOME", QFile::encodeName(m_home.path()));
    qunsetenv("XDG_DATA_HOME");
    qunsetenv("XDG_CONFIG_HOME");
}

void savePixmapAndQuit(const QPixmap& shot, const QString& path)
{
    if (!shot.save(path, "PNG")) {
        std::fprintf(stderr, "sunset: cannot write %s\n", qPrintable(path));
        QCoreApplication::exit(1);
        return;
    }
    QCoreApplication::quit();
}

void grabAndQuit(QWidget& widget, const QString& path)
{
    // One round of layout and painting is not enough for the item views' deferred layouts: give them a moment.
    QTimer::singleShot(500, &widget, [&widget, path] { savePixmapAndQuit(widget.grab(), path); });
}

void grabWindowAfterFirstScan(DesktopSession& session, const QString& path, std::function<void()> prepare)
{
    QObject::connect(&session.loader(), &ScanLoader::failed, qApp, [](const ImportError& error) {
        std::fprintf(stderr, "sunset: %s\n", qPrintable(error.toString()));
        QCoreApplication::exit(1);
    });
    QObject::connect(&session.window(), &MainWindow::scanShown, qApp,
                     [&session, path, prepare = std::move(prepare)] {
                         if (prepare)
                             prepare();
                         grabAndQuit(session.window(), path);
                     },
                     Qt::SingleShotConnection);
}

} // namespace sunset
