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

// Only the exit code, and what it printed on standard error when errors is given (tests that compare codes).
inline int cliCode(const QStringList& arguments, QString* errors = nullptr)
{
    CliRun run = cli(arguments);
    if (errors)
        *errors = run.err;
    return run.code;
}

} // namespace sunset::test
