// SPDX-License-Identifier: Apache-2.0
#include "LdifWriter.h"

#include "LdapModify.h"
#include "ProxyAddress.h"

#include <QByteArrayList>

namespace sunset {

LdifWriter::LdifWriter(Sink sink, QByteArrayView comment)
    : m_sink(std::move(sink))
{
    if (!comment.isEmpty()) {
        for (const QByteArray& line : comment.toByteArray().split('\n'))
            m_buffer += "# " + line + '\n';
    }
    m_buffer += "version: 1\n\n";
    m_sink(m_buffer);
    m_buffer.clear();
}

bool LdifWriter::isSafeString(QByteArrayView value)
{
    if (value.isEmpty())
        return true;
    const auto first = static_cast<unsigned char>(value.front());
    if (first == ' ' || first == ':' || first == '<' || value.back() == ' ')
        return false;
    return std::all_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u != 0 && u != '\n' && u != '\r' && u < 0x80;
    });
}

bool LdifWriter::isBinaryAttribute(QByteArrayView name)
{
    const qsizetype semicolon = name.indexOf(';');
    const QByteArrayView base = semicolon < 0 ? name : name.first(semicolon);
    if (semicolon >= 0 && name.sliced(semicolon).contains(";binary"))
        return true;
    static constexpr QByteArrayView kBinary[] = {
        "objectGUID",
        "objectSid",
        "mS-DS-ConsistencyGuid",
        "sIDHistory",
        "msExchMailboxGuid",
        "msExchMailboxSecurityDescriptor",
        "nTSecurityDescriptor",
        "thumbnailPhoto",
        "userCertificate",
        "msExchArchiveGUID",
        "jpegPhoto",
        "logonHours",
        "msExchMasterAccountSid",
        "replPropertyMetaData",
        "invocationId",
    };
    return std::any_of(std::begin(kBinary), std::end(kBinary),
                       [&](QByteArrayView b) { return equalsCaseInsensitive(base, b); });
}

void LdifWriter::writeLine(QByteArrayView name, QByteArrayView value, bool forceBase64)
{
    QByteArray line = name.toByteArray();
    if (forceBase64 || !isSafeString(value))
        line += ":: " + value.toByteArray().toBase64();
    else
        line += ": " + value.toByteArray();
    // Folding: the first line holds kFoldColumn bytes, each continuation a space and kFoldColumn - 1 more.
    // Everything written is ASCII, so a fold never splits a character.
    qsizetype at = 0;
    qsizetype width = kFoldColumn;
    while (line.size() - at > width) {
        m_buffer += QByteArrayView(line).sliced(at, width);
        m_buffer += "\n ";
        at += width;
        width = kFoldColumn - 1;
    }
    m_buffer += QByteArrayView(line).sliced(at);
    m_buffer += '\n';
}

void LdifWriter::writeEntry(QByteArrayView dn, std::span<const LdifAttribute> attributes)
{
    writeLine("dn", dn, false);
    for (const LdifAttribute& attribute : attributes)
        writeLine(attribute.name, attribute.value, isBinaryAttribute(attribute.name));
    m_buffer += '\n';
    ++m_entries;
    m_sink(m_buffer);
    m_buffer.clear();
}

void LdifWriter::writeModify(const ModifyRequest& request)
{
    bool any = false;
    for (const AttributeChange& change : request.changes)
        any = any || !change.oldValues.isEmpty() || !change.newValues.isEmpty();
    if (!any)
        return;
    writeLine("dn", request.dn, false);
    m_buffer += "changetype: modify\n";
    for (const AttributeChange& change : request.changes) {
        const bool binary = isBinaryAttribute(change.attribute);
        if (!change.oldValues.isEmpty()) {
            writeLine("delete", change.attribute, false);
            for (const QByteArray& value : change.oldValues)
                writeLine(change.attribute, value, binary);
            m_buffer += "-\n";
        }
        if (!change.newValues.isEmpty()) {
            writeLine("add", change.attribute, false);
            for (const QByteArray& value : change.newValues)
                writeLine(change.attribute, value, binary);
            m_buffer += "-\n";
        }
    }
    m_buffer += '\n';
    ++m_entries;
    m_sink(m_buffer);
    m_buffer.clear();
}

void LdifWriter::writeEntry(const LdifEntry& entry)
{
    writeEntry(entry.dn, entry.attributes);
}

} // namespace sunset
