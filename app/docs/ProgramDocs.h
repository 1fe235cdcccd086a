// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "HelpText.h"

namespace sunset {

// Everything a program says about its options: its own --help and, for sunset-cli, each command's --help.
struct CommandHelp final {
    QString name; // "diff"
    HelpText help;
};

struct ProgramHelp final {
    QString program;     // "sunset-cli"
    QString executable;  // the path it ran as: Qt's usage line names it, and that line is left out
    QString summary;     // the NAME line
    QString description; // the DESCRIPTION's first paragraph; the --help's own text (bar its usage line) follows
    QString version;     // "0.1.0~git150.g1234567"
    QString date;        // YYYY-MM-DD
    HelpText help;       // `program --help`
    QList<CommandHelp> commands;
    QString files;       // the FILES section, plain text, one entry per line "PATH\tWHAT"
    QStringList seeAlso; // "sunset(1)"
};

// The man page (man(7) macros, UTF-8).
QString manPage(const ProgramHelp& program);

// A bash completion script: the commands, each command's options and positional actions, and file names for
// the values of options that take one.
QString bashCompletion(const ProgramHelp& program);

// The option names a --help lists ("--ad", "-h", …), for the test that the man page and completion hold them all.
QStringList optionNames(const HelpText& help);

} // namespace sunset
