// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QCommandLineOption>
#include <QDateTime>
#include <QList>
#include <QStringList>
#include <QTextStream>

class QCommandLineParser;

namespace sunset {

struct DriftReportInput;

// sunset-cli's writeback and history commands, on the history database (--db FILE; default: the profile's):
//   batch plan [--attribute A]… [--mailbox UPN]… [--scan N]   a batch from a recorded scan's writable drift
//   batch show N | batch approve N [--confirm-large] | batch undo N
//   drift ignore|approve --mailbox UPN --attribute A [--reason TEXT]   a decision on a drift item
//   apply --batch N --dry-run            prints the LDIF change file it would send (the objects never sent)
//   apply --batch N --ad ldaps://… …     applies an approved batch (journalled, optimistic)
//   history verify [--expect-head HASH[:COUNT]]   checks the audit log's hash chain (and an external anchor)
//   history export --format csv|json|ldif|pdf [--batch N] [--since D] [--until D] [--object X] --out FILE
int runBatchCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runApplyCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runHistoryCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runDriftCommand(const QStringList& args, QTextStream& out, QTextStream& err);

// For `diff`: --db FILE and --no-history, and recording the finished scan (false when it could not be recorded;
// the message is on err).
QList<QCommandLineOption> scanHistoryOptions();
bool recordScanInHistory(const QCommandLineParser& parser, const DriftReportInput& input, const QDateTime& started,
                         QTextStream& out, QTextStream& err);

} // namespace sunset
