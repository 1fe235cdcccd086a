// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "WritebackBatch.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QSqlQuery;

namespace sunset {

// What went wrong with the history database, for an admin: which file, what, and what to do.
struct HistoryError {
    QString message;
};

template <typename T>
using HistoryResult = Expected<T, HistoryError>;

// Who acts: the OS user running Sunset and the identity it binds to AD with (never a password).
struct HistoryActor {
    QString osUser;
    QString bindIdentity;
    static HistoryActor current(const QString& bindIdentity = {}); // osUser from the environment
};

struct ScanRecord {
    QString adSource;
    QString exoSource;
    QString graphSource;
    QDateTime started;
    QDateTime finished;
    qint64 adMailboxes = 0;
    qint64 cloudMailboxes = 0;
    qint64 matched = 0;
    qint64 driftItems = 0;
    QByteArray summaryJson; // the scan's summary, as DriftReportWriter writes it
    QByteArray driftJson;   // the drift found (may be empty), so two scans can be compared
    // The scan's mailboxes (ScanMailboxList text), stored zlib-compressed; nullopt for a scan recorded before
    // schema version 3 (or without them).
    std::optional<QByteArray> mailboxes;
};

// A recorded scan: the record plus when and by whom it was recorded. scans() leaves summaryJson, driftJson and
// mailboxes empty (they can be large); scan(id) fills them.
struct StoredScan {
    qint64 id = 0;
    ScanRecord record;
    QDateTime recordedAt;
    QString recordedBy; // OS user
};

enum class DecisionKind : quint8 { Approve, Ignore };
QLatin1StringView decisionKindName(DecisionKind kind); // "approve", "ignore"
struct DecisionRecord {
    qint64 scanId = 0;
    QString dn;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    DecisionKind decision = DecisionKind::Approve;
    QString reason;
};

struct StoredDecision {
    qint64 id = 0;
    DecisionRecord record;
    QString osUser;
    QString bindIdentity;
    QDateTime decidedAt;
};

// One row of the audit log, as stored.
struct StoredEvent {
    qint64 id = 0;
    QDateTime at;
    QString osUser;
    QString bindIdentity;
    QString kind;
    QString subject;
    QByteArray detailJson;
    QByteArray prevHash; // hex SHA-256
    QByteArray hash;     // hex SHA-256
};

// BatchState (planned -> approved -> applying -> applied | partial; cancelled) is in WritebackBatch.h.
QLatin1StringView batchStateName(BatchState state);
std::optional<BatchState> batchStateFromName(QStringView name);

// One change row: one attribute of one object. Rows of one object share objectSeq and are sent as one modify.
enum class ChangeState : quint8 { Planned, Pending, Applied, Conflict, Error, Refused, Unknown, NotSent };
QLatin1StringView changeStateName(ChangeState state);
std::optional<ChangeState> changeStateFromName(QStringView name);

struct StoredChange {
    qint64 id = 0;
    qint64 batchId = 0;
    qint64 objectSeq = 0; // 0-based, in batch order
    QString dn;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    QStringList before;
    QStringList after;
    bool cloudManaged = false; // the mailbox was cloud-managed when the batch was made (see BatchObjectChange)
    ChangeState state = ChangeState::Planned;
    int ldapCode = 0;
    QString ldapMessage;
    QDateTime sentAt;
    QDateTime settledAt;
};

struct StoredBatch {
    qint64 id = 0;
    qint64 scanId = 0; // 0: none
    BatchState state = BatchState::Planned;
    QDateTime createdAt;
    QString createdBy;
    QDateTime approvedAt;
    QString approvedBy;
    QString approvedBind;
    qint64 objectCount = 0;
    qint64 valueCount = 0;
    bool secondConfirmation = false; // needed before apply (more objects than the threshold)
    qint64 undoOf = 0;               // the batch this one reverses; 0: none
    QStringList warnings;
    // Given at approval (schema version 5): why this direct LDAP write, Cloud Sync's break-glass path, was chosen,
    // and what Sunset said Cloud Sync could do then (a JSON array, BreakGlass.h's cloudSyncJson). nullopt while
    // not approved, and for a batch approved before version 5.
    std::optional<QString> breakGlassReason;
    QByteArray breakGlassCloudSync; // "[]" when none was recorded
};

// The batch's break-glass reason for reports: the reason, "not approved yet", or for a batch approved before
// schema version 5 "no reason recorded (before break-glass reasons)".
QString breakGlassReasonText(const StoredBatch& batch);

// What the admin gives when approving a batch: the break-glass reason (breakGlassReasonProblem() must accept it)
// and the Cloud Sync state it was given against (a JSON array, BreakGlass.h's cloudSyncJson()).
struct BreakGlassApproval {
    QString reason;
    QByteArray cloudSyncJson = "[]";
};

// One settled outcome for all rows of one object of a batch.
struct ChangeOutcome {
    qint64 objectSeq = 0;
    ChangeState state = ChangeState::Applied;
    int ldapCode = 0;
    QString message;
};

// An external anchor for the audit log: the head hash (and optionally the event count) an admin noted, or an
// export (JSON, PDF) carried, at some earlier time. The hash chain alone cannot tell that the newest events were
// deleted; a chain that no longer reaches a noted head can.
struct HistoryAnchor {
    QByteArray headHash; // hex SHA-256, lower case
    std::optional<qint64> events;
    // "HASH" or "HASH:COUNT"; nullopt when malformed
    static std::optional<HistoryAnchor> parse(QStringView text);
    QString toString() const; // "HASH:COUNT" (or "HASH")
};

struct HistoryVerification {
    qint64 events = 0;
    QByteArray headHash; // the hash of the newest event (of the intact prefix); 64 '0' for an empty log
    std::optional<qint64> firstBrokenId; // nullopt: the chain is intact
    QString message;                     // for an admin
    bool intact() const { return !firstBrokenId.has_value(); }
};

// The per-profile SQLite history: scans, decisions, batches and their changes, checklist steps, and an append-only
// audit log whose rows are hash-chained (each row's hash covers the previous hash and the row's content).
// One connection, one thread. The file is created owner-only (0600) before anything is written; WAL journal,
// synchronous=FULL, foreign keys on. An older schema is upgraded on open; a newer one or a file that is not a
// Sunset history is refused with nothing touched.
class HistoryStore final {
public:
    static constexpr int kSchemaVersion = 5;
    static constexpr qint32 kApplicationId = 0x53554E53; // "SUNS", in the SQLite header

    // <GenericDataLocation>/sunset/profiles/<profile>/history.sqlite, shared by sunset and sunset-cli
    static QString defaultPath(const QString& profile = QStringLiteral("default"));
    static HistoryResult<std::unique_ptr<HistoryStore>> open(const QString& path, HistoryActor actor);
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    const QString& path() const { return m_path; }
    const HistoryActor& actor() const { return m_actor; }
    // Who acts from now on (the desktop app's bind identity changes when a scan of another directory finishes).
    void setActor(HistoryActor actor) { m_actor = std::move(actor); }
    // The Qt SQL connection, for stores of their own tables over the same file (ChecklistStore); same thread only.
    const QString& connectionName() const { return m_connectionName; }
    int schemaVersion() const;

    // Records the scan, and drops the mailbox lists of all but the newest kScansKeepingMailboxes scans: a list
    // only serves the next scan's "mailboxes added and removed since" (the newest scan's list), and at 600,000
    // mailboxes each is megabytes, so keeping every one would grow the file without bound (issue 15). The rest
    // of an older scan (counts, summary, drift) stays; its mailboxes read back as unknown, like a scan recorded
    // before lists were kept.
    static constexpr int kScansKeepingMailboxes = 3;
    HistoryResult<qint64> recordScan(const ScanRecord& scan);
    // Newest first, without summaryJson and driftJson.
    HistoryResult<std::vector<StoredScan>> scans() const;
    // One scan with its summary and drift JSON.
    HistoryResult<StoredScan> scan(qint64 scanId) const;
    // The newest scan (with its JSON); nullopt when none was recorded.
    HistoryResult<std::optional<StoredScan>> latestScan() const;

    HistoryResult<qint64> recordDecision(const DecisionRecord& decision);
    // The decisions on one scan's items, oldest first (scanId 0: all decisions of all scans).
    HistoryResult<std::vector<StoredDecision>> decisions(qint64 scanId = 0) const;

    HistoryResult<qint64> createBatch(const WritebackBatch& batch, qint64 scanId = 0, qint64 undoOf = 0);
    // The reverse of an applied (or partial) batch, from its recorded values: each applied change's after-values
    // become the values to delete and its before-values the values to add. A new planned batch, reviewed,
    // approved and applied like any other (with the same re-read and optimistic checks).
    HistoryResult<qint64> createUndoBatch(qint64 batchId);
    HistoryResult<StoredBatch> batch(qint64 batchId) const;
    HistoryResult<std::vector<StoredChange>> changes(qint64 batchId) const;
    HistoryResult<std::vector<StoredBatch>> batches() const;
    // Approve a planned batch: the admin's consent to a direct LDAP write, Cloud Sync's break-glass path. The
    // reason is required (breakGlassReasonProblem); it and the Cloud Sync state are stored with the batch and in
    // the batch.approved audit event, in one transaction. secondConfirmation must be true when the batch needs one.
    std::optional<HistoryError> approveBatch(qint64 batchId, const BreakGlassApproval& approval,
                                             bool secondConfirmation = false);
    // Ends an apply (applying -> applied | partial) or cancels a batch not yet sent (planned | approved ->
    // cancelled); any other move is refused, naming the batch's state.
    std::optional<HistoryError> setBatchState(qint64 batchId, BatchState state);

    // In one transaction, before sending: the objects' rows become Pending (sentAt now), the batch Applying.
    // Refused, nothing changed, unless the batch is approved (or partial, resumed) and every row never sent.
    // A writer that journals in chunks passes continuing=true for every chunk after its first: the batch must
    // then already be applying (its own first chunk moved it there), so another apply still cannot join in.
    std::optional<HistoryError> markPending(qint64 batchId, const std::vector<qint64>& objectSeqs,
                                            bool continuing = false);
    // Settles rows (one transaction for the list), with the LDAP result code and message.
    std::optional<HistoryError> settle(qint64 batchId, const std::vector<ChangeOutcome>& outcomes);

    // The audit log: append one event (kind like "batch.approved", subject like "batch 3", detail JSON object).
    HistoryResult<qint64> appendEvent(const QString& kind, const QString& subject, const QByteArray& detailJson = "{}");
    // The same, with rows of another record family written first in the same transaction (a store over this
    // connection, e.g. OnDemandStore): the rows and their audit event land together or not at all.
    using RowWriter = std::function<std::optional<HistoryError>()>;
    HistoryResult<qint64> appendEventWith(const QString& kind, const QString& subject, const QByteArray& detailJson,
                                          const RowWriter& rows);
    // Checks the hash chain; with an anchor, also that the chain still reaches that head (the event COUNT, when
    // given, has exactly that hash): deleting the newest events behind Sunset's back is then caught.
    HistoryVerification verify(const std::optional<HistoryAnchor>& expected = std::nullopt) const;
    // The audit log, oldest first.
    HistoryResult<std::vector<StoredEvent>> events() const;

private:
    HistoryStore(QString path, QString connectionName, HistoryActor actor);
    std::optional<HistoryError> migrate();
    std::optional<HistoryError> appendEventInTransaction(const QString& kind, const QString& subject,
                                                         const QByteArray& detailJson, qint64* id = nullptr);
    HistoryError sqlError(const QString& doing, const QSqlQuery& query) const;
    // Every write: BEGIN IMMEDIATE (checked), then COMMIT, rolled back when the commit fails.
    std::optional<HistoryError> beginWrite();
    std::optional<HistoryError> commitWrite();
    // "Batch N is STATE: RULE." with the state read now (a refused state move).
    HistoryError stateRefusal(qint64 batchId, const QString& rule) const;

    QString m_path;
    QString m_connectionName;
    HistoryActor m_actor;
    QString m_openKey; // the canonical path, in the process's count of open histories
};

// Values as stored: a JSON array of strings (exact text; AD values of catalog attributes are text).
QByteArray valuesToJson(const QStringList& values);
QStringList valuesFromJson(const QByteArray& json);

} // namespace sunset
