// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <variant>

namespace sunset {

// One option (or positional argument) as QCommandLineParser::helpText() prints it.
struct HelpEntry final {
    QStringList names;   // "-h", "--help" (positional arguments: the bare name)
    QString valueName;   // "FILE" for "--db <FILE>"; empty for a switch
    QString description; // the wrapped lines joined back into one paragraph
};

// A program's or a command's --help, read back into its parts: the man pages and the bash completion are made
// from what the programs print, so they cannot say anything --help does not.
struct HelpText final {
    QString preamble; // what comes before "Options:": usage lines and the description
    QList<HelpEntry> options;
    QList<HelpEntry> arguments;                  // the "Arguments:" section
    QList<std::pair<QString, QString>> commands; // "Commands:" (name, summary), sunset-cli's own --help
};

struct HelpTextError final {
    int line = 0; // 1-based
    QString message;
};

// Reads QCommandLineParser's layout: two spaces, the names padded to a column, one space, the description
// wrapped at 79 columns. A line it cannot place is an error naming it, never skipped: a new layout must fail the
// build, not drop an option from the man page.
std::variant<HelpText, HelpTextError> parseHelpText(const QString& text);

} // namespace sunset
