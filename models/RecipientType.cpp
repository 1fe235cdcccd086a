// SPDX-License-Identifier: Apache-2.0
#include "RecipientType.h"

#include <QStringList>

#include <charconv>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

std::optional<CloudMailboxType> cloudMailboxTypeFromName(QByteArrayView name)
{
    // Get-Mailbox JSON carries the enum name; Export-Csv does too. Accept the case variants admins produce.
    // Compared in place: this runs three times per mailbox pair in a diff.
    const QByteArrayView n = name.trimmed();
    const auto is = [n](QLatin1StringView candidate) {
        return QLatin1StringView(n.data(), n.size()).compare(candidate, Qt::CaseInsensitive) == 0;
    };
    if (is(QLatin1StringView("UserMailbox")))
        return CloudMailboxType::User;
    if (is(QLatin1StringView("SharedMailbox")))
        return CloudMailboxType::Shared;
    if (is(QLatin1StringView("RoomMailbox")))
        return CloudMailboxType::Room;
    if (is(QLatin1StringView("EquipmentMailbox")))
        return CloudMailboxType::Equipment;
    return std::nullopt;
}

qint64 remoteRecipientTypeFor(CloudMailboxType type)
{
    switch (type) {
    case CloudMailboxType::User: return RecipientTypeValue::RemoteUserMailbox;
    case CloudMailboxType::Shared: return RecipientTypeValue::RemoteSharedMailbox;
    case CloudMailboxType::Room: return RecipientTypeValue::RemoteRoomMailbox;
    case CloudMailboxType::Equipment: return RecipientTypeValue::RemoteEquipmentMailbox;
    }
    return 0;
}

QList<qint64> acceptedDisplayTypesFor(CloudMailboxType type)
{
    using namespace RecipientDisplayTypeValue;
    switch (type) {
    case CloudMailboxType::User:
    case CloudMailboxType::Shared: return {SyncedMailboxUser, AclableSyncedMailboxUser};
    case CloudMailboxType::Room: return {SyncedConferenceRoomMailbox};
    case CloudMailboxType::Equipment: return {SyncedEquipmentMailbox};
    }
    return {};
}

qint64 remoteRecipientTypeBitsFor(CloudMailboxType type)
{
    switch (type) {
    case CloudMailboxType::User: return 0;
    case CloudMailboxType::Shared: return RemoteRecipientFlag::Shared;
    case CloudMailboxType::Room: return RemoteRecipientFlag::Room;
    case CloudMailboxType::Equipment: return RemoteRecipientFlag::Equipment;
    }
    return 0;
}

std::optional<qint64> parseInteger(QByteArrayView text)
{
    const QByteArrayView t = text.trimmed();
    qint64 value = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || end != t.data() + t.size() || t.isEmpty())
        return std::nullopt;
    return value;
}

QString recipientTypeDetailsName(qint64 value)
{
    using namespace RecipientTypeValue;
    QLatin1StringView name;
    switch (value) {
    case UserMailbox: name = "UserMailbox"_L1; break;
    case LinkedMailbox: name = "LinkedMailbox"_L1; break;
    case SharedMailbox: name = "SharedMailbox"_L1; break;
    case RoomMailbox: name = "RoomMailbox"_L1; break;
    case EquipmentMailbox: name = "EquipmentMailbox"_L1; break;
    case MailUser: name = "MailUser"_L1; break;
    case RemoteUserMailbox: name = "RemoteUserMailbox"_L1; break;
    case RemoteRoomMailbox: name = "RemoteRoomMailbox"_L1; break;
    case RemoteEquipmentMailbox: name = "RemoteEquipmentMailbox"_L1; break;
    case RemoteSharedMailbox: name = "RemoteSharedMailbox"_L1; break;
    default: return QString::number(value) + " (unknown type)"_L1;
    }
    return QString::number(value) + " ("_L1 + name + u')';
}

QString recipientDisplayTypeName(qint64 value)
{
    using namespace RecipientDisplayTypeValue;
    QLatin1StringView name;
    switch (value) {
    case SyncedMailboxUser: name = "SyncedMailboxUser"_L1; break;
    case AclableSyncedMailboxUser: name = "ACLableSyncedMailboxUser"_L1; break;
    case SyncedConferenceRoomMailbox: name = "SyncedConferenceRoomMailbox"_L1; break;
    case SyncedEquipmentMailbox: name = "SyncedEquipmentMailbox"_L1; break;
    case 0: name = "MailboxUser"_L1; break;
    case 6: name = "RemoteMailUser"_L1; break;
    case 7: name = "ConferenceRoomMailbox"_L1; break;
    case 8: name = "EquipmentMailbox"_L1; break;
    default: return QString::number(value) + " (unknown display type)"_L1;
    }
    return QString::number(value) + " ("_L1 + name + u')';
}

QString remoteRecipientTypeFlagsText(qint64 value)
{
    using namespace RemoteRecipientFlag;
    QStringList parts;
    if (value & ProvisionMailbox)
        parts << u"ProvisionMailbox"_s;
    if (value & ProvisionArchive)
        parts << u"ProvisionArchive"_s;
    if (value & Migrated)
        parts << u"Migrated"_s;
    if (value & DeprovisionMailbox)
        parts << u"DeprovisionMailbox"_s;
    if (value & DeprovisionArchive)
        parts << u"DeprovisionArchive"_s;
    switch (value & TypeMask) {
    case Shared: parts << u"Shared"_s; break;
    case Room: parts << u"Room"_s; break;
    case Equipment: parts << u"Equipment"_s; break;
    default: break;
    }
    const qint64 unknown = value & ~qint64(127);
    if (unknown)
        parts << u"unknown bits 0x"_s + QString::number(unknown, 16);
    return QString::number(value) + " ("_L1 + (parts.isEmpty() ? u"none"_s : parts.join(", "_L1)) + u')';
}

QString decodedAdValue(AttributeId id, const QString& raw)
{
    const auto number = parseInteger(raw.toUtf8());
    if (!number)
        return raw;
    switch (id) {
    case AttributeId::MsExchRecipientTypeDetails: return recipientTypeDetailsName(*number);
    case AttributeId::MsExchRecipientDisplayType: return recipientDisplayTypeName(*number);
    case AttributeId::MsExchRemoteRecipientType: return remoteRecipientTypeFlagsText(*number);
    default: return raw;
    }
}

} // namespace sunset
