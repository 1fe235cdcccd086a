#include "ChecklistCommands.h"
#include "CliCommands.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <cstdio>
#include <memory>

int main(int argc, char* argv[])
{
    // A PDF export draws with QtGui: a QGuiApplication on the offscreen platform, for that command only.
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    const bool gui = sunset::checklistCommandNeedsGui(arguments);
    if (gui)
        qputenv("QT_QPA_PLATFORM", "offscreen");
    std::unique_ptr<QCoreApplication> application =
        gui ? std::make_unique<QGuiApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sunset-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SUNSET_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int code = sunset::runCli(QCoreApplication::arguments().mid(1), out, err);
    out.flush();
    err.flush();
    return code;
}
