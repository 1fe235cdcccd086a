#include "CliCommands.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sunset-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SUNSET_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int code = sunset::runCli(QCoreApplication::arguments().mid(1), out, err);
    out.flush();
    err.flush();
    return code;
}
