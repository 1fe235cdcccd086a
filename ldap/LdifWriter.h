// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "LdifReader.h"

#include <QByteArray>
#include <QByteArrayView>

#include <functional>

namespace sunset {

struct ModifyRequest;

// Writes directory entries as RFC 2849 LDIF content records, the way ldapsearch -L does: "version: 1" first,
// a value that is not a SAFE-STRING (non-ASCII, leading space, ':' or '<', trailing space, CR, LF, NUL) and
// every value of a binary attribute (objectGUID, objectSid, ms-DS-ConsistencyGuid, ...) in base64 ("name::"),
// lines folded at 76 columns. What it writes reads back through LdifReader into the same entries.
class LdifWriter final {
public:
    using Sink = std::function<void(const QByteArray& chunk)>;
    static constexpr qsizetype kFoldColumn = 76;

    // comment: optional lines written as "# ..." before "version: 1" (e.g. where the entries came from).
    explicit LdifWriter(Sink sink, QByteArrayView comment = {});

    void writeEntry(const LdifEntry& entry);
    void writeEntry(QByteArrayView dn, std::span<const LdifAttribute> attributes);
    qint64 entries() const { return m_entries; }

    // A change record (RFC 2849 "changetype: modify") in the delete-old/add-new form that ldapmodify and ldifde
    // accept: per attribute "delete:" with the exact values read (so the server refuses when they changed, as
    // Sunset's own modify does), then "add:" with the new ones, each part ended by "-". Values base64 where
    // needed. A request without changes writes nothing.
    void writeModify(const ModifyRequest& request);

    static bool isSafeString(QByteArrayView value);
    // Attributes whose values are bytes, not text; always base64.
    static bool isBinaryAttribute(QByteArrayView name);

private:
    void writeLine(QByteArrayView name, QByteArrayView value, bool forceBase64);

    Sink m_sink;
    QByteArray m_buffer; // flushed to the sink per entry
    qint64 m_entries = 0;
};

} // namespace sunset
