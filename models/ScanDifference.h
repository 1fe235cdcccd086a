// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"
#include "DriftEngine.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <optional>
#include <vector>

namespace sunset {

class MailboxRecord;
struct Snapshot;

// "What changed since the last scan" (issue 15): the difference between two scans of one profile, by identity.
// A mailbox is known across scans by a key that survives renames and OU moves (scanMailboxKey); a drift item by
// its mailbox's key and its attribute.

// The key of a mailbox across scans: "eid:<Entra object id>" when either side knows it (Exchange Online's
// ExternalDirectoryObjectId, AD's msDS-ExternalDirectoryObjectId), else "guid:<AD objectGUID>", else
// "upn:<UPN>" (case-folded), else "dn:<DN>" (case-folded). `cloud` or `ad` may be null (an unmatched mailbox).
QByteArray scanMailboxKey(const MailboxRecord* ad, const MailboxRecord* cloud);

// The mailboxes of a scan (matched and unmatched alike) as the history keeps them: one line per mailbox,
// "key<TAB>label<LF>", sorted by key, no key twice; UTF-8. Plain text so it compresses well and is merged by a
// single pass over two lists without building 600,000 strings.
class ScanMailboxList final {
public:
    ScanMailboxList() = default;
    // Every mailbox of a scan: its matched pairs (labelled by the cloud mailbox) and the unmatched of each side.
    static ScanMailboxList ofScan(const Snapshot& ad, const Snapshot& cloud, const MatchResult& match);
    // From (key, label) pairs in any order; a key given twice is kept once (the first label).
    static ScanMailboxList fromEntries(std::vector<std::pair<QByteArray, QString>> entries);
    // The stored text; nullopt when it is not sorted lines of "key<TAB>label" (a damaged history).
    static std::optional<ScanMailboxList> fromText(QByteArray text);

    const QByteArray& text() const { return m_text; }
    qsizetype size() const { return m_count; }
    std::optional<QString> labelOf(QByteArrayView key) const; // binary search; nullopt when absent

private:
    QByteArray m_text;
    qsizetype m_count = 0;
};

// One drift item of a scan, by identity, with what is needed to name it.
struct ScanDriftKey {
    QByteArray mailboxKey;
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    QString label; // the mailbox as the admin knows it (UPN, else DN)
    DriftCause cause = DriftCause::Unexplained;
};

// What a scan is compared by. mailboxes is nullopt for a scan recorded before the history kept them.
struct ScanIdentity {
    qint64 scanId = 0; // 0: the scan being made (not recorded yet)
    QDateTime finished;
    std::optional<ScanMailboxList> mailboxes;
    std::vector<ScanDriftKey> drift;
};

// The difference from the previous scan. previousScanId 0: nothing to compare with (see note).
struct SinceScan {
    qint64 previousScanId = 0;
    QDateTime previousFinished;
    bool mailboxesCompared = false; // the previous scan kept its mailboxes (else added/removed are not known)
    QString note;                   // why something could not be compared; empty when everything was
    struct DriftChange {
        ScanDriftKey item;
        bool mailboxChanged = false; // new: the mailbox itself is new; resolved: the mailbox is gone
    };
    std::vector<DriftChange> newDrift;      // in this scan, not in the previous one
    std::vector<DriftChange> resolvedDrift; // in the previous scan, not in this one
    qint64 unchangedDrift = 0;              // in both
    struct Mailbox {
        QByteArray key;
        QString label;
    };
    std::vector<Mailbox> mailboxesAdded;
    std::vector<Mailbox> mailboxesRemoved;

    bool hasPrevious() const { return previousScanId > 0; }
    // Whether (mailboxKey, attribute) is new drift in this scan (the GUI's marker and filter).
    bool isNew(QByteArrayView mailboxKey, AttributeId attribute) const;
};

// Compares `current` with `previous` (nullopt: this is the first scan of the profile). Pure: no I/O.
SinceScan compareScans(const std::optional<ScanIdentity>& previous, const ScanIdentity& current);

// The difference in a few lines for the CLI summary (at most `listed` items of each kind named).
QString formatSinceScanText(const SinceScan& since, int listed = 10);

} // namespace sunset
