#pragma once

#include <QStringList>
#include <QTextStream>

namespace sunset {

// sunset-cli's writeback and history commands, on the history database (--db FILE; default: the profile's):
//   batch show N | batch approve N [--confirm-large] | batch undo N
//   apply --batch N --dry-run            prints the LDIF change file it would send
//   apply --batch N --ad ldaps://… …     applies an approved batch (journalled, optimistic)
//   history verify                       checks the audit log's hash chain; exit 1 at the first broken link
int runBatchCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runApplyCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runHistoryCommand(const QStringList& args, QTextStream& out, QTextStream& err);

} // namespace sunset
