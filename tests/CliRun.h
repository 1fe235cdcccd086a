// SPDX-License-Identifier: Apache-2.0
#pragma once

// sunset-cli run in-process for the tests: the exit code and what it printed.
#include "CliCommands.h"

#include <QString>
#include <QStringList>
#include <QTextStream>

namespace sunset::test {

struct CliRun {
    int code = -1;
    QString out;
    QString err;
};

inline CliRun cli(const QStringList& arguments)
{
    CliRun run;
    QTextStream out(&run.out);
    QTextStream err(&run.err);
    run.code = runCli(arguments, out, err);
    out.flush();
    err.flush();
    return run;
}

} // namespace sunset::test
