// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AttributeCatalog.h"

#include <QByteArrayView>
#include <QString>

#include <optional>

namespace sunset {

// msExchRecipientTypeDetails values (facts: shared/reference/exchange-recipients.md).
namespace RecipientTypeValue {
inline constexpr qint64 UserMailbox = 1;
inline constexpr qint64 LinkedMailbox = 2;
inline constexpr qint64 SharedMailbox = 4;
inline constexpr qint64 RoomMailbox = 16;
inline constexpr qint64 EquipmentMailbox = 32;
inline constexpr qint64 MailUser = 128;
inline constexpr qint64 RemoteUserMailbox = 2147483648;
inline constexpr qint64 RemoteRoomMailbox = 8589934592;
inline constexpr qint64 RemoteEquipmentMailbox = 17179869184;
inline constexpr qint64 RemoteSharedMailbox = 34359738368;
} // namespace RecipientTypeValue

// msExchRecipientDisplayType values seen on remote mailboxes.
namespace RecipientDisplayTypeValue {
inline constexpr qint64 SyncedMailboxUser = -2147483642;
inline constexpr qint64 AclableSyncedMailboxUser = -1073741818;
inline constexpr qint64 SyncedConferenceRoomMailbox = -2147481850;
inline constexpr qint64 SyncedEquipmentMailbox = -2147481594;
} // namespace RecipientDisplayTypeValue

// msExchRemoteRecipientType bit flags.
namespace RemoteRecipientFlag {
inline constexpr qint64 ProvisionMailbox = 1;
inline constexpr qint64 ProvisionArchive = 2;
inline constexpr qint64 Migrated = 4;
inline constexpr qint64 DeprovisionMailbox = 8;
inline constexpr qint64 DeprovisionArchive = 16;
inline constexpr qint64 Room = 32;
inline constexpr qint64 Equipment = 64;
inline constexpr qint64 Shared = 96; // Room | Equipment together mean Shared
inline constexpr qint64 TypeMask = 96;
} // namespace RemoteRecipientFlag

// The cloud mailbox types Cloud Sync represents on-premises by a remote type.
enum class CloudMailboxType : quint8 { User, Shared, Room, Equipment };

std::optional<CloudMailboxType> cloudMailboxTypeFromName(QByteArrayView recipientTypeDetails);
qint64 remoteRecipientTypeFor(CloudMailboxType type);
// Display types AD may hold for that type. The first is what Sunset writes. -1073741818 (ACL-able) is accepted
// for user and shared mailboxes because hybrid setups with ACL-able objects write it (assumed from field reports).
QList<qint64> acceptedDisplayTypesFor(CloudMailboxType type);
qint64 remoteRecipientTypeBitsFor(CloudMailboxType type);

std::optional<qint64> parseInteger(QByteArrayView text);

// Human-readable decodings for the GUI and reports, e.g. "2147483648 (RemoteUserMailbox)".
QString recipientTypeDetailsName(qint64 value);
QString recipientDisplayTypeName(qint64 value);
QString remoteRecipientTypeFlagsText(qint64 value); // e.g. "Migrated, Shared"
// An AD value of a catalog attribute as an admin reads it: recipient type numbers as names, the raw number in
// front so that it can be searched for; any other value unchanged.
QString decodedAdValue(AttributeId id, const QString& raw);

} // namespace sunset
