// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftEngine.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace sunset {

// One drift item an admin chose to write back, with the facts about its mailbox the guard rails need.
struct WritebackSelection {
    QString dn;           // the AD object, as read
    QString label;        // for messages (UPN or DN)
    QString cloudManaged; // the cloud record's CloudManaged: "true", "false", or empty when not stated
    DriftItem item;
    QString entraObjectId; // the cloud record's ExternalDirectoryObjectId (provisionOnDemand's subject); may be empty
};

// The selections of a scan whose items pass `accept` (all writable items when accept is empty).
using WritebackFilter = std::function<bool(const MailboxRecord& ad, const MailboxRecord& cloud, const DriftItem&)>;
std::vector<WritebackSelection> writebackSelections(const DriftReport& report, const Snapshot& ad,
                                                    const Snapshot& cloud, const WritebackFilter& accept = {});

// One attribute of one object: the exact AD values read at scan time (deleted) and the values that replace
// them (added), in one LDAP modify per object (see LdapModify.h).
struct BatchAttributeChange {
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    QStringList before; // exactly as read; empty when the attribute had none
    QStringList after;  // the cloud's values as AD holds them; empty clears the attribute
};

struct BatchObjectChange {
    QString dn;
    QString label;
    std::vector<BatchAttributeChange> changes; // catalog order, one per attribute
    // The mailbox is cloud-managed (build() keeps only those). Recorded with each change row: the LDAP layer
    // refuses to write an object not marked so (ApprovedModify), whoever made the batch.
    bool cloudManaged = false;
};

// A batch's life: planned -> approved -> applying -> applied | partial; cancelled from planned or approved.
// Here rather than in the history because the LDAP layer's write guard (ApprovedModify) checks it too.
enum class BatchState : quint8 { Planned, Approved, Applying, Applied, Partial, Cancelled };

// A direct LDAP write of written-back attributes is Cloud Sync's break-glass path (issue 14): approving a batch takes
// a reason, kept in the history with the Cloud Sync state it was given against. One rule for the CLI, the GUI and
// the history store: non-empty after trimming and at least this long, so "x" or "ok" does not pass for a reason.
inline constexpr qsizetype kBreakGlassReasonMinLength = 10;
// nullopt when the reason is acceptable, else what is wrong with it, for an admin (without naming an option).
std::optional<QString> breakGlassReasonProblem(const QString& reason);

// Why a selection was left out of the batch (a refusal) or what the admin should know (a warning).
enum class BatchIssueKind : quint8 {
    NotWritable,        // the catalog does not let Sunset write this attribute
    NotCloudManaged,    // Exchange attributes are still owned on-premises: Sunset must not write them
    PrimaryAddressLost, // the change removes the primary SMTP address and gives no new one
    NothingToWrite,     // the target equals what AD holds
    DuplicateItem,      // the same attribute of the same object selected twice
    ManyObjects,        // more objects than the confirmation threshold: a second confirmation is needed
};
QLatin1StringView batchIssueKindKey(BatchIssueKind kind);

struct BatchIssue {
    BatchIssueKind kind = BatchIssueKind::NotWritable;
    QString dn; // empty for batch-wide warnings
    std::optional<AttributeId> attribute;
    QString message; // for an admin
};

struct WritebackBatchOptions {
    qint64 confirmAboveObjects = 100; // more objects than this need a second confirmation
};

// A writeback batch: what will be sent, per DN, and what was refused and why. Built once; immutable.
class WritebackBatch final {
public:
    static WritebackBatch build(std::span<const WritebackSelection> selections,
                                const WritebackBatchOptions& options = {});
    // From stored changes (history): no guard rails run again, the objects are taken as they are.
    static WritebackBatch fromObjects(std::vector<BatchObjectChange> objects,
                                      const WritebackBatchOptions& options = {});

    const std::vector<BatchObjectChange>& objects() const { return m_objects; }
    const std::vector<BatchIssue>& refusals() const { return m_refusals; }
    const std::vector<BatchIssue>& warnings() const { return m_warnings; }
    qint64 objectCount() const { return qint64(m_objects.size()); }
    qint64 attributeCount() const;
    qint64 valuesDeleted() const;
    qint64 valuesAdded() const;
    bool isEmpty() const { return m_objects.empty(); }
    bool needsSecondConfirmation() const;

    // What will be sent, for review: per DN, the values deleted and added, then counts, refusals, warnings.
    QString describe() const;

private:
    void addCountWarning(const WritebackBatchOptions& options);
    std::vector<BatchObjectChange> m_objects;
    std::vector<BatchIssue> m_refusals;
    std::vector<BatchIssue> m_warnings;
};

// Whether the change removes the primary address without a new one: proxyAddresses losing its only "SMTP:"
// value, or mail cleared. nullopt when fine, else the admin's message.
std::optional<QString> primaryAddressLoss(const BatchAttributeChange& change);

} // namespace sunset
