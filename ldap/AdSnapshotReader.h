// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "LdifReader.h"
#include "MailboxRecord.h"
#include "ReplicationMetadata.h"
#include "Snapshot.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QMultiHash>
#include <QString>

#include <optional>
#include <vector>

namespace sunset {

// Turns directory entries into the Active Directory snapshot: keeps mail-enabled users, counts everything
// else, and merges AD's ranged retrieval ("proxyAddresses;range=0-1499" ...) back into one value list per
// attribute. Fed entry by entry so that a live LDAP search can use it as well as an LDIF file.
// Replication metadata: a mailbox's replPropertyMetaData (or msDS-ReplAttributeMetaData, preferred when present)
// becomes Snapshot::changeMetadata for the catalog attributes, decoded with the attributeSchema, nTDSDSA and
// server entries the same input carries (a live read and sunset-cli dump give them first); those entries are
// dictionary, not counted as skipped.
class AdSnapshotReader final {
public:
    explicit AdSnapshotReader(QString source);

    Result<void> addEntry(const LdifEntry& entry);
    // Checks that every ranged attribute arrived complete, then hands over the snapshot (the reader is
    // spent).
    Result<Snapshot> finish();

private:
    // What an attribute name means to us; decided once per spelling and cached.
    enum class Role : quint8 {
        Other,
        ObjectClass,
        HomeMdb, // marks a mailbox; not compared
        UserPrincipalName,
        DisplayName,
        ObjectGuid,
        ConsistencyGuid,
        ObjectSid,
        ExternalDirectoryObjectId,
        WhenChanged,
        ReplPropertyMetaData,
        ReplAttributeMetaData,
        Catalog,
    };
    struct NameInfo {
        Role role = Role::Other;
        AttributeId id = AttributeId::Count; // when role == Catalog
    };
    struct Classified {
        NameInfo info;
        bool ranged = false;
        qint64 low = 0;
        qint64 high = 0; // -1 for "*"
    };
    // One ";range=L-H" block of values of a catalog attribute, to check completeness at the end.
    struct RangePiece {
        qsizetype record;
        AttributeId id;
        qint64 low;
        qint64 high; // -1 for "*"
    };
    // An entry that was not a mailbox but carried ranged values: its continuation entries are skipped too.
    struct SkippedRanged {
        QByteArray dn;
        qint64 line;
    };

    NameInfo classify(QByteArrayView name);
    Result<void> classifyAll(const LdifEntry& entry);
    Result<void> addMailbox(const LdifEntry& entry);
    Result<void> addContinuation(const LdifEntry& entry, qsizetype record);
    Result<void> addCatalogValue(const LdifEntry& entry, const LdifAttribute& attribute, const Classified& c,
                                 qsizetype record);
    Result<void> setGuid(const LdifEntry& entry, const LdifAttribute& attribute, IdentityField field);
    Result<void> checkRanges() const;
    Result<void> addChangeMetadata(const LdifEntry& entry, QByteArrayView blob,
                                   std::span<const LdifAttribute* const> xmlValues);
    Result<void> decodePendingBlobs();
    std::optional<qsizetype> findRecord(QByteArrayView dn, size_t key) const;
    const SkippedRanged* findSkippedRanged(QByteArrayView dn, size_t key) const;
    ImportError error(qint64 line, QByteArrayView dn, const QString& message) const;

    Snapshot m_snapshot;
    MailboxRecordBuilder m_builder{Side::ActiveDirectory};
    struct CachedName {
        QByteArray name; // base name as written
        size_t hash = 0;
        NameInfo info;
        bool used = false;
    };
    static constexpr size_t kNameSlots = 1024; // a power of two; distinct spellings in an export are a few dozen
    std::vector<CachedName> m_nameSlots;
    size_t m_cachedNames = 0;
    std::vector<Classified> m_classified;        // per attribute of the current entry
    QMultiHash<size_t, qsizetype> m_recordsByDn; // case-insensitive DN hash -> index in m_snapshot.records
    QMultiHash<size_t, SkippedRanged> m_skippedRanged;
    std::vector<RangePiece> m_ranges;
    qsizetype m_entryRangesBegin = 0; // first of m_ranges noted for the current entry
    ReplicationMetadataDecoder m_metadata;
    std::vector<const LdifAttribute*> m_xmlValues; // msDS-ReplAttributeMetaData values of the current entry
    // replPropertyMetaData read before any schema entry: decoded at finish() (an LDIF that puts its dictionary
    // last; a live read and sunset-cli dump put it first, so this stays empty).
    struct PendingBlob {
        QByteArray dn;
        qint64 line;
        QByteArray blob;
    };
    std::vector<PendingBlob> m_pendingBlobs;
};

// The LDIF export of AD (ldifde or ldapsearch) as a snapshot.
Result<Snapshot> readAdSnapshotFromLdif(QByteArrayView data, const QString& fileName,
                                        const ReadProgress& progress = {});

} // namespace sunset
