// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "BatchTarget.h"

namespace sunset {

// Demo mode has no directory: an approved batch is "applied" by appending its LDIF change records (the
// delete-old/add-new form ldapmodify accepts) to one file in the demo profile, and its changes are settled as
// applied in the history. Journalled like the real applier: rows are pending before their records are written,
// the file is flushed to disk before they are settled, and each object's record carries a marker comment so
// settleInterrupted() can tell after a crash which pending objects reached the file.
class LdifFileBatchTarget final : public BatchTarget {
public:
    static constexpr int kObjectsPerChunk = 50; // one journal transaction and one fsync per chunk

    explicit LdifFileBatchTarget(QString path);

    const QString& path() const { return m_path; }
    QString description() const override;
    HistoryResult<ApplyReport> apply(HistoryStore& store, qint64 batchId, const ApplyControl& control) override;
    HistoryResult<ApplyReport> settleInterrupted(HistoryStore& store, qint64 batchId) override;

    // The comment line that marks one object's record in the file.
    static QByteArray marker(qint64 batchId, qint64 objectSeq);

private:
    HistoryResult<void> append(const QByteArray& records) const;

    QString m_path;
};

} // namespace sunset
