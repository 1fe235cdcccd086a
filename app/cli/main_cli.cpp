// SPDX-License-Identifier: Apache-2.0
#include "BuildInfo.h"
#include "CliCommands.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

int main(int argc, char* argv[])
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    std::unique_ptr<QCoreApplication> app;
    if (sunset::cliNeedsGui(arguments)) {
        // A server or a CI job has no display: the offscreen platform renders fonts all the same.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("sunset-cli"));
    QCoreApplication::setApplicationVersion(sunset::buildVersion());
    QTextStream out(stdout);
    QTextStream err(stderr);
    int code = 0;
    // Here rather than in runCli: only the programs link the build's version, so a new commit relinks no test.
    if (arguments.value(0) == QStringLiteral("--version") || arguments.value(0) == QStringLiteral("-v"))
        out << sunset::versionText(QStringLiteral("sunset-cli"));
    else
        code = sunset::runCli(QCoreApplication::arguments().mid(1), out, err);
    out.flush();
    err.flush();
    return code;
}
