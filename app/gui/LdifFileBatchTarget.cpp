// SPDX-License-Identifier: Apache-2.0
#include "LdifFileBatchTarget.h"

#include "BatchLock.h"
#include "BatchModifies.h"
#include "DisplayPath.h"
#include "LdifWriter.h"
#include "UiLogging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <map>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// The object's rows by objectSeq, in batch order.
std::map<qint64, std::vector<StoredChange>> byObject(const std::vector<StoredChange>& changes)
{
    std::map<qint64, std::vector<StoredChange>> objects;
    for (const StoredChange& c : changes)
        objects[c.objectSeq].push_back(c);
    return objects;
}

bool isUnsent(ChangeState state) { return state == ChangeState::Planned || state == ChangeState::NotSent; }

void count(ApplyReport& report, ChangeState state)
{
    switch (state) {
    case ChangeState::Applied: ++report.applied; break;
    case ChangeState::Conflict: ++report.conflicts; break;
    case ChangeState::Error: ++report.errors; break;
    case ChangeState::Refused: ++report.refused; break;
    case ChangeState::Unknown:
    case ChangeState::Pending: ++report.unknown; break;
    case ChangeState::Planned:
    case ChangeState::NotSent: ++report.notSent; break;
    }
}

} // namespace

LdifFileBatchTarget::LdifFileBatchTarget(QString path) : m_path(std::move(path)) {}

QString LdifFileBatchTarget::description() const
{
    return QCoreApplication::translate("LdifFileBatchTarget", "the LDIF file %1 (demo mode: no directory is changed)")
        .arg(displayPath(m_path));
}

QByteArray LdifFileBatchTarget::marker(qint64 batchId, qint64 objectSeq)
{
    return "# sunset batch " + QByteArray::number(batchId) + " object " + QByteArray::number(objectSeq) + "\n";
}

HistoryResult<void> LdifFileBatchTarget::append(const QByteArray& records) const
{
    const auto fail = [this](const QString& what) {
        return HistoryError{u"Demo writeback file %1: %2"_s.arg(QDir::toNativeSeparators(m_path), what)};
    };
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return fail(u"cannot create its folder."_s);
    QFile file(m_path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return fail(u"cannot open it for writing: %1. Check the folder's permissions."_s.arg(file.errorString()));
    QByteArray out;
    if (file.size() == 0) // one header for the whole file: ldapmodify wants "version: 1" once, first
        out = "# Sunset demo writeback: the batches applied in demo mode, as LDIF change records.\n"
              "# Apply to a test directory with: ldapmodify -f FILE\nversion: 1\n\n";
    out += records;
    if (file.write(out) != out.size() || !file.flush())
        return fail(u"cannot write it: %1."_s.arg(file.errorString()));
#ifdef Q_OS_UNIX
    // Settled as applied only once the records are on disk: a crash must not leave "applied" without them.
    if (::fsync(file.handle()) != 0)
        return fail(u"cannot flush it to disk."_s);
#endif
    return {};
}

HistoryResult<ApplyReport> LdifFileBatchTarget::apply(HistoryStore& store, qint64 batchId, const ApplyControl& control)
{
    // As BatchApplier: a second demo window on the same profile must not write the same batch twice.
    const auto lock = BatchLock::acquire(store.path(), batchId, u"apply"_s);
    if (!lock)
        return lock.error();
    const auto batch = store.batch(batchId);
    if (!batch)
        return batch.error();
    if (batch->state != BatchState::Approved && batch->state != BatchState::Partial)
        return HistoryError{u"Batch %1 is %2; only an approved (or partly applied) batch is applied."_s.arg(batchId).arg(
            batchStateName(batch->state))};
    const auto changes = store.changes(batchId);
    if (!changes)
        return changes.error();
    const auto objects = byObject(changes.value());

    ApplyReport report;
    report.objects = qint64(objects.size());
    qint64 done = 0;
    std::vector<std::vector<StoredChange>> pending;
    for (const auto& [seq, rows] : objects) {
        if (isUnsent(rows.front().state))
            pending.push_back(rows);
        else
            ++done;
    }
    if (control.progress)
        control.progress({}, done, report.objects);

    const QString message = u"written to %1"_s.arg(QFileInfo(m_path).fileName());
    bool cancelled = false;
    for (size_t from = 0; from < pending.size(); from += kObjectsPerChunk) {
        if (control.cancelled && control.cancelled()) {
            cancelled = true;
            break;
        }
        const size_t to = std::min(pending.size(), from + kObjectsPerChunk);
        std::vector<qint64> seqs;
        QByteArray records;
        for (size_t i = from; i < to; ++i) {
            seqs.push_back(pending[i].front().objectSeq);
            QByteArray record;
            LdifWriter writer([&record](const QByteArray& chunk) { record += chunk; });
            for (const ModifyRequest& request : modifyRequestsFor(pending[i]))
                writer.writeModify(request);
            if (record.startsWith("version: 1\n\n"))
                record.remove(0, 12);
            records += marker(batchId, pending[i].front().objectSeq) + record;
        }
        if (auto marked = store.markPending(batchId, seqs, /*continuing=*/from > 0); !marked)
            return marked.error();
        if (auto appended = append(records); !appended) {
            // Nothing of this chunk is known to be in the file: settle it as not sent, so a retry sends it again.
            std::vector<ChangeOutcome> notSent;
            for (qint64 seq : seqs)
                notSent.push_back({seq, ChangeState::NotSent, 0, appended.error().message});
            // Best effort: what of this fails leaves the rows pending, which settleInterrupted() resolves from the
            // file; the write's own error is the one to report.
            if (const auto settled = store.settle(batchId, notSent); !settled)
                qCWarning(lcUi) << settled.error().message;
            if (const auto partial = store.setBatchState(batchId, BatchState::Partial); !partial)
                qCWarning(lcUi) << partial.error().message;
            return appended.error();
        }
        std::vector<ChangeOutcome> outcomes;
        std::vector<StoredChange> settled;
        for (size_t i = from; i < to; ++i) {
            outcomes.push_back({pending[i].front().objectSeq, ChangeState::Applied, 0, message});
            for (StoredChange c : pending[i]) {
                c.state = ChangeState::Applied;
                c.ldapMessage = message;
                settled.push_back(std::move(c));
            }
        }
        if (auto settled = store.settle(batchId, outcomes); !settled)
            return settled.error();
        done += qint64(to - from);
        if (control.progress)
            control.progress(settled, done, report.objects);
    }

    const auto after = store.changes(batchId);
    if (!after)
        return after.error();
    for (const auto& [seq, rows] : byObject(after.value()))
        count(report, rows.front().state);
    report.finalState = report.applied == report.objects ? BatchState::Applied : BatchState::Partial;
    if (auto moved = store.setBatchState(batchId, report.finalState); !moved)
        return moved.error();
    report.message = cancelled ? u"Cancelled: %1 of %2 objects written to %3; the rest can be resumed."_s.arg(
                                     report.applied).arg(report.objects).arg(QDir::toNativeSeparators(m_path))
                               : u"%1 of %2 objects written to %3."_s.arg(report.applied).arg(report.objects).arg(
                                     QDir::toNativeSeparators(m_path));
    qCInfo(lcUi) << "batch" << batchId << report.message;
    return report;
}

HistoryResult<ApplyReport> LdifFileBatchTarget::settleInterrupted(HistoryStore& store, qint64 batchId)
{
    const auto lock = BatchLock::acquire(store.path(), batchId, u"settle"_s);
    if (!lock)
        return lock.error();
    const auto batch = store.batch(batchId);
    if (!batch)
        return batch.error();
    if (batch->state != BatchState::Applying)
        return HistoryError{u"Batch %1 is %2, not interrupted while applying."_s.arg(batchId).arg(
            batchStateName(batch->state))};
    const auto changes = store.changes(batchId);
    if (!changes)
        return changes.error();
    QByteArray written;
    QFile file(m_path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly))
            return HistoryError{u"Demo writeback file %1: cannot read it (%2); nothing was settled."_s.arg(
                QDir::toNativeSeparators(m_path), file.errorString())};
        written = file.readAll();
    }
    const QString message = u"found in %1 after an interruption"_s.arg(QFileInfo(m_path).fileName());
    std::vector<ChangeOutcome> outcomes;
    for (const auto& [seq, rows] : byObject(changes.value())) {
        const ChangeState state = rows.front().state;
        if (state != ChangeState::Pending && state != ChangeState::Unknown)
            continue;
        if (written.contains(marker(batchId, seq)))
            outcomes.push_back({seq, ChangeState::Applied, 0, message});
        else
            outcomes.push_back({seq, ChangeState::NotSent, 0, u"not in the file: never written"_s});
    }
    if (auto settled = store.settle(batchId, outcomes); !settled)
        return settled.error();
    ApplyReport report;
    const auto after = store.changes(batchId);
    if (!after)
        return after.error();
    for (const auto& [seq, rows] : byObject(after.value())) {
        ++report.objects;
        count(report, rows.front().state);
    }
    report.finalState = report.applied == report.objects ? BatchState::Applied : BatchState::Partial;
    if (auto moved = store.setBatchState(batchId, report.finalState); !moved)
        return moved.error();
    report.message = u"Settled: %1 of %2 objects were written, %3 can be resumed."_s.arg(report.applied)
                         .arg(report.objects)
                         .arg(report.notSent);
    return report;
}

} // namespace sunset
