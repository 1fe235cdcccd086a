// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdChangeMetadata.h"
#include "ImportError.h"
#include "LdifReader.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QString>

#include <optional>
#include <vector>

namespace sunset {

// AD's per-attribute replication metadata, decoded. Two wire forms carry the same facts:
//  - replPropertyMetaData: binary, returned by Windows and Samba when asked for by name. Its layout is Samba's
//    replPropertyMetaDataBlob (librpc/idl/drsblobs.idl) and MS-DRSR's PROPERTY_META_DATA_EXT_VECTOR [observed
//    on Samba; documented by Samba's IDL, not by a Microsoft LDAP document]:
//      u32 version (= 1), u32 reserved, u32 count, u32 reserved,
//      count x { u32 attid, u32 version, i64 originating change time (seconds since 1601-01-01 UTC),
//                GUID originating invocation id (16 bytes), i64 originating USN, i64 local USN }   (48 bytes)
//    all little-endian. An attid names the attribute through the schema (MS-DRSR 5.16.4 OidFromAttid).
//  - msDS-ReplAttributeMetaData: constructed by Windows only (Samba does not), one XML value per attribute,
//    <DS_REPL_ATTR_META_DATA> with the attribute's LDAP display name [documented: MS-ADTS 3.1.1.4.5,
//    DS_REPL_ATTR_META_DATA_2 in ntdsapi.h].

// One entry of replPropertyMetaData, as stored.
struct PropertyStamp {
    quint32 attid = 0;
    quint32 version = 0;
    qint64 originatingChangeMsecs = 0; // UTC milliseconds since the epoch
    QByteArray originatingInvocationId; // the 16 GUID bytes as stored (first three fields little-endian)
    qint64 originatingUsn = 0;
    qint64 localUsn = 0;
};

// The entries of one replPropertyMetaData value; an error naming what is wrong (version, count against length).
Expected<std::vector<PropertyStamp>, QString> decodeReplPropertyMetaData(QByteArrayView blob);

// The test helper's inverse, also what the unit tests build blobs with.
QByteArray encodeReplPropertyMetaData(const std::vector<PropertyStamp>& stamps);

// MS-DRSR 5.16.4 OidFromAttid over the static default prefix table (NewPrefixTable): "1.2.840.113556.1.2.423"
// for 0x000201a7. nullopt for an attid in the msDS-IntId range (>= 0x80000000) or whose prefix index is not in
// the static table (a prefix the forest's schema added to its own prefixMap, which Sunset does not read).
std::optional<QByteArray> oidFromAttid(quint32 attid);

// One value of msDS-ReplAttributeMetaData.
struct AttributeStampXml {
    QString attributeName;             // pszAttributeName: the LDAP display name
    quint32 version = 0;               // dwVersion
    qint64 originatingChangeMsecs = 0; // ftimeLastOriginatingChange, "2026-12-07T09:12:44Z"
    QString originatingInvocationId;   // uuidLastOriginatingDsaInvocationID, lower case, without braces
    QByteArray originatingDsaDn;       // pszLastOriginatingDsaDN: the writer's nTDSDSA object, may be empty
};
Expected<AttributeStampXml, QString> parseReplAttributeMetaDataXml(QByteArrayView value);

// What turns metadata into AttributeLastChange values: the schema facts of the catalog attributes (attributeID,
// lDAPDisplayName, msDS-IntId) and the domain controllers (nTDSDSA invocationId, the server object's name and
// dNSHostName). Fed the directory entries that hold them, from a live read or from an LDIF that carries them
// (sunset-cli dump writes them before the mailboxes).
class ReplicationMetadataDecoder final {
public:
    enum class EntryKind : quint8 { None, AttributeSchema, DsaSettings, Server };
    // By objectClass: attributeSchema, nTDSDSA, server.
    static EntryKind kindOf(const LdifEntry& entry);

    // Takes one entry of a kind above; entries of other attributes are ignored. An error names what is wrong.
    Expected<void, QString> addDictionaryEntry(const LdifEntry& entry, EntryKind kind);
    bool knowsSchema() const { return !m_byOid.isEmpty() || !m_byIntId.isEmpty(); }

    // The catalog attribute an attid names, nullopt when it names another attribute (or the schema is unknown).
    std::optional<AttributeId> attributeFor(quint32 attid) const;

    // The catalog attributes' changes in one replPropertyMetaData value, in the blob's order; each names its DC by
    // an index into the decoder's table of DCs (nameDomainControllers hands it to the snapshot once every DC is
    // known).
    Expected<std::vector<AttributeLastChange>, QString> changesFromBlob(QByteArrayView blob);
    // The change one msDS-ReplAttributeMetaData value records, nullopt for an attribute outside the catalog.
    Expected<std::optional<AttributeLastChange>, QString> changeFromXml(QByteArrayView value);

    // Sets metadata.dcs: every DC the changes decoded so far name, with its name where known (for XML values
    // whose invocation id no nTDSDSA names, the RDN of the server above the pszLastOriginatingDsaDN the value
    // carried).
    void nameDomainControllers(AdChangeMetadata& metadata) const;

private:
    quint16 dcFromBytes(QByteArrayView guidBytes);
    quint16 dcFromText(QByteArrayView lowerCaseText);

    QHash<QByteArray, AttributeId> m_byOid; // attributeID text
    QHash<quint32, AttributeId> m_byIntId;  // msDS-IntId
    // attributeFor's answers by attid (AttributeId::Count: none), emptied when the schema entries change: a
    // mailbox's replPropertyMetaData names some 50 attids, the same ones on every mailbox, and turning one into
    // OID text for m_byOid was most of an incremental rescan's time (about 0.6 of 1 s at 20,000 mailboxes).
    mutable QHash<quint32, AttributeId> m_byAttid;
    QHash<QString, QByteArray> m_serverDnByInvocationId; // lower-case server DN (the nTDSDSA's parent)
    QHash<QByteArray, QString> m_serverNameByDn;          // lower-case server DN -> dNSHostName, else its CN
    QHash<QString, QString> m_dcNameFromXml;              // invocation id -> CN from pszLastOriginatingDsaDN
    // The DCs the changes name, by index (AttributeLastChange::dc): a forest has a handful, its mailboxes'
    // changes 600,000 x 11, so a change holds the index, not the text.
    std::vector<QString> m_invocationIds;
    QHash<QByteArray, quint16> m_dcByBytes;
    QHash<QByteArray, quint16> m_dcByText;
};

} // namespace sunset
