// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QStringList>
#include <QTextStream>

namespace sunset {

// Exit codes of sunset-cli, stable for scripts.
enum CliExit : int { CliOk = 0, CliBadInput = 1, CliUsage = 2, CliOutputFailed = 3 };

// A command's failure before it could run (an option's value, a file it names): the exit code (CliUsage or
// CliBadInput) and the problem in a sentence, which the command prints after its prefix.
struct CliError {
    int exitCode = CliBadInput;
    QString message;
};

// `sunset-cli <command> ...`; arguments exclude the program name. Output and errors go to the streams given,
// so tests can run commands in-process.
int runCli(const QStringList& arguments, QTextStream& out, QTextStream& err);

// Whether these arguments need QtGui: a PDF export (`history export` or `checklist export` with --format pdf)
// draws text with QtGui's fonts, so main() makes a QGuiApplication on the offscreen platform for it; every other
// command stays a plain QCoreApplication (no display, no platform plugin).
bool cliNeedsGui(const QStringList& arguments);

} // namespace sunset
