#include "CliCommands.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <cstdio>
#include <memory>

namespace {

// The PDF report draws text, which needs QtGui's fonts and so a QGuiApplication; every other command stays a
// plain QCoreApplication (no display, no platform plugin).
bool needsGui(int argc, char* argv[])
{
    bool history = false;
    bool exporting = false;
    bool pdf = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        history |= i == 1 && arg == "history";
        exporting |= arg == "export";
        pdf |= arg == "--format=pdf" || (arg == "--format" && i + 1 < argc && QByteArrayView(argv[i + 1]) == "pdf");
    }
    return history && exporting && pdf;
}

} // namespace

int main(int argc, char* argv[])
{
    std::unique_ptr<QCoreApplication> app;
    if (needsGui(argc, argv)) {
        // A server or a CI job has no display: the offscreen platform renders fonts all the same.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("sunset-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SUNSET_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int code = sunset::runCli(QCoreApplication::arguments().mid(1), out, err);
    out.flush();
    err.flush();
    return code;
}
