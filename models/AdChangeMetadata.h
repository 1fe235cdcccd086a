// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>

#include <vector>

namespace sunset {

// When and where Active Directory last changed one catalog attribute of one object, as its replication
// metadata records it (replPropertyMetaData, which Windows and Samba return when asked for it, or the
// msDS-ReplAttributeMetaData that Windows constructs). The "originating" change is the write a client made
// on some DC, not the replication of it to the DC that was read: the evidence that tells which writer was
// last, and when.
// Kept for about 11 catalog attributes of each of up to 600,000 mailboxes, so 16 bytes: the writing DC is an
// index into its snapshot's table of DCs (AdChangeMetadata::dcs), which a forest has a handful of.
struct AttributeLastChange {
    qint64 originatingChangeMsecs = 0; // UTC milliseconds since the epoch
    quint32 version = 0;               // bumped by every originating write of the attribute
    quint16 dc = kUnknownDc;           // index into AdChangeMetadata::dcs
    AttributeId attribute = AttributeId::ExtensionAttribute1;

    static constexpr quint16 kUnknownDc = 0xffff;
};
static_assert(sizeof(AttributeLastChange) == 16, "AttributeLastChange is kept per attribute of 600,000 mailboxes");

// One DC that originated changes: its invocation id (GUID text, lower case) and its name when the configuration
// partition (nTDSDSA and server objects) or the metadata itself named it, else empty.
struct OriginatingDc {
    QString invocationId;
    QString name;
};

// Per AD object, keyed by its distinguished name exactly as the mailbox record stores it
// (IdentityField::DistinguishedName); an object absent here had no metadata read. The DCs its changes name.
struct AdChangeMetadata {
    QHash<QByteArray, std::vector<AttributeLastChange>> byDn;
    std::vector<OriginatingDc> dcs;

    // Read like the hash it holds (one entry per object).
    bool isEmpty() const { return byDn.isEmpty(); }
    qsizetype size() const { return byDn.size(); }
    bool contains(QByteArrayView dn) const { return find(dn) != nullptr; }
    // The object's changes, empty when none were read: a reference into the hash (valid while it is unchanged),
    // never a copy, so that a pointer into it stays valid as long as the snapshot.
    const std::vector<AttributeLastChange>& value(QByteArrayView dn) const
    {
        static const std::vector<AttributeLastChange> kNone;
        const auto* changes = find(dn);
        return changes ? *changes : kNone;
    }
    QList<QByteArray> keys() const { return byDn.keys(); }
    auto cbegin() const { return byDn.cbegin(); }
    auto cend() const { return byDn.cend(); }
    auto begin() const { return byDn.cbegin(); }
    auto end() const { return byDn.cend(); }

    const std::vector<AttributeLastChange>* find(QByteArrayView dn) const
    {
        const auto it = byDn.constFind(QByteArray::fromRawData(dn.data(), dn.size()));
        return it == byDn.cend() ? nullptr : &*it;
    }
    QString invocationId(const AttributeLastChange& change) const
    {
        return change.dc < dcs.size() ? dcs[change.dc].invocationId : QString();
    }
    QString dcName(const AttributeLastChange& change) const
    {
        return change.dc < dcs.size() ? dcs[change.dc].name : QString();
    }
};

} // namespace sunset
