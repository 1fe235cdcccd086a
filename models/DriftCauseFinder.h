// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftEngine.h"

namespace sunset {

// Measures the cause of each drift item of one matched pair from the evidence read (see DriftCause). Built once
// per scan; begin() per pair looks up the pair's job, provisioning entry and AD metadata once, explain() per item.
class DriftCauseFinder final {
public:
    explicit DriftCauseFinder(const CloudSyncState& state);

    void begin(const MailboxRecord& ad, const MailboxRecord& cloud, const AdChangeMetadata& adMetadata);
    void explain(DriftItem& item) const;

    // A write to AD within this long after the provisioning log's entry (or the run's end) is taken to be the
    // writeback's own: the log's time is when the service processed the object, the agent writes AD moments
    // later, and the DC's clock may differ a little from Entra's [assumed; no documented bound].
    static constexpr qint64 kWritebackSlackMsecs = 5 * 60 * 1000;

private:
    const CloudSyncState& m_state;
    std::vector<bool> m_jobUnhealthy; // per job, decided once
    const MailboxRecord* m_cloud = nullptr;
    QByteArrayView m_managed;
    qint32 m_job = -1;
    bool m_noJobForDomain = false;
    qint32 m_provisioning = -1;
    const AdChangeMetadata* m_adMetadata = nullptr;
    const std::vector<AttributeLastChange>* m_adChanges = nullptr;
};

} // namespace sunset

namespace sunset {

// What an Unexplained item lacked, one sentence per missing piece, each saying how to provide it.
QStringList missingEvidenceTexts(const DriftEvidence& evidence, const CloudSyncState& state);

// The cause with its evidence in one or two sentences for the GUI's cause column and the CLI
// ("Cloud Sync failed at 2026-11-24 09:12 UTC: InsufficientRights. Grant …").
QString causeInWords(const DriftItem& item, const CloudSyncState& state);

} // namespace sunset
