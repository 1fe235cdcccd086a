// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <vector>

namespace sunset {

// When and where Active Directory last changed one catalog attribute of one object, as its replication
// metadata records it (replPropertyMetaData, which Windows and Samba return when asked for it, or the
// msDS-ReplAttributeMetaData that Windows constructs). The "originating" change is the write a client made
// on some DC, not the replication of it to the DC that was read: the evidence that tells which writer was
// last, and when.
struct AttributeLastChange {
    AttributeId attribute = AttributeId::ExtensionAttribute1;
    quint32 version = 0;                // bumped by every originating write of the attribute
    qint64 originatingChangeMsecs = 0;  // UTC milliseconds since the epoch
    QString originatingInvocationId;    // the writing DC's invocation id, GUID text, lower case
    QString originatingDc;              // that DC's name when the configuration partition names it, else empty
};

// Per AD object, keyed by its distinguished name exactly as the mailbox record stores it
// (IdentityField::DistinguishedName); an object absent here had no metadata read.
using AdChangeMetadata = QHash<QByteArray, std::vector<AttributeLastChange>>;

} // namespace sunset
