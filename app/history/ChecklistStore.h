// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ChecklistJournal.h"
#include "HistoryStore.h"

#include <optional>

namespace sunset {

// The decommission checklist in the history database. Every record (a run of a step's checks with its findings,
// an attestation given or withdrawn, a note, an override with its reason) is an event of the hash-chained audit
// log ("checklist.run", "checklist.attest", "checklist.note", "checklist.override"; subject "checklist <step>"),
// with who and when; load() replays them, so re-running a step keeps the earlier runs. checklist_steps holds each
// step's current status and note, derived from the events after each record (if a crash falls between the two
// writes, the next record of that step rewrites the row; load() never reads it).
class ChecklistStore final : public ChecklistJournal {
public:
    explicit ChecklistStore(HistoryStore& history) : m_history(history) {}

    Expected<Checklist, QString> load() const override;
    Expected<void, QString> recordRun(ChecklistStep step, const ChecklistRun& run) override;
    Expected<void, QString> recordAttestation(ChecklistStep step, const QString& item, bool given) override;
    Expected<void, QString> recordNote(ChecklistStep step, const QString& text) override;
    Expected<void, QString> recordOverride(ChecklistStep step, const QString& reason) override;
    QString actorName() const override;

    // The latest scan recorded in the history, for the verification step; nullopt when there is none.
    HistoryResult<std::optional<ScanFacts>> latestScan() const;

private:
    Expected<void, QString> record(ChecklistStep step, const QString& kind, const QByteArray& detailJson);

    HistoryStore& m_history;
};

} // namespace sunset
