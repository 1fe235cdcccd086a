// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ScanDifference.h"

#include <QCommandLineOption>
#include <QDateTime>
#include <QList>
#include <QStringList>
#include <QTextStream>

#include <memory>
#include <optional>

class QCommandLineParser;

namespace sunset {

struct DriftReportInput;
class HistoryStore;

// sunset-cli's writeback and history commands, on the history database (--db FILE; default: the profile's):
//   batch plan [--attribute A]… [--mailbox UPN]… [--scan N]   a batch from a recorded scan's writable drift
//   batch show N | batch approve N --reason TEXT [--confirm-large] | batch undo N
//   drift ignore|approve --mailbox UPN --attribute A [--reason TEXT]   a decision on a drift item
//   apply --batch N --dry-run            prints the LDIF change file it would send (the objects never sent)
//   apply --batch N --ad ldaps://… …     applies an approved batch (journalled, optimistic)
//   history verify [--expect-head HASH[:COUNT]]   checks the audit log's hash chain (and an external anchor)
//   history export --format csv|json|ldif|pdf [--batch N] [--since D] [--until D] [--object X] --out FILE
int runBatchCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runApplyCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runHistoryCommand(const QStringList& args, QTextStream& out, QTextStream& err);
int runDriftCommand(const QStringList& args, QTextStream& out, QTextStream& err);

// For `diff`: --db FILE and --no-history.
QList<QCommandLineOption> scanHistoryOptions();

// For `diff`: the profile's history, opened before the reports are written (unless --no-history) so they can say
// what changed since its newest scan, and the finished scan recorded into it afterwards.
class DiffHistory final {
public:
    DiffHistory(const QCommandLineParser& parser, QTextStream& err); // an unusable history is said on err
    ~DiffHistory();
    DiffHistory(const DiffHistory&) = delete;
    DiffHistory& operator=(const DiffHistory&) = delete;

    bool used() const { return m_store != nullptr; } // an open history (not --no-history, not unusable)
    // What changed since the newest recorded scan; nullopt with --no-history or an unusable history (said on err).
    std::optional<SinceScan> sinceLastScan(const ScanIdentity& current, QTextStream& err) const;
    // Records the finished scan; false when it could not be (the message is on err).
    bool record(const DriftReportInput& input, const ScanMailboxList& mailboxes, const QDateTime& started,
                QTextStream& out, QTextStream& err);

private:
    bool m_disabled = false;
    std::unique_ptr<HistoryStore> m_store;
};

} // namespace sunset
