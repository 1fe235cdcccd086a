// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace sunset {

// Conversions between the binary identity values AD stores and the text forms the cloud uses.

// objectSid bytes (revision, sub-authority count, 48-bit big-endian authority, little-endian sub-authorities)
// to "S-1-5-21-...". nullopt when the bytes are not a well-formed SID.
std::optional<QByteArray> sidToText(QByteArrayView binary);
std::optional<QByteArray> sidFromText(QByteArrayView text);

// objectGUID / ms-DS-ConsistencyGuid: 16 bytes in Guid.ToByteArray() order (first three fields little-endian)
// to the registry form "xxxxxxxx-xxxx-...", lower case. nullopt unless exactly 16 bytes.
std::optional<QByteArray> guidToText(QByteArrayView binary);
std::optional<QByteArray> guidFromText(QByteArrayView text);

// The source anchor Entra uses as onPremisesImmutableId: base64 of the 16 raw bytes.
QByteArray sourceAnchorOf(QByteArrayView guidBytes);

// msDS-ExternalDirectoryObjectId is "User_<guid>"; Exchange Online's ExternalDirectoryObjectId is the bare
// GUID. Both become the lower-case bare GUID; nullopt when it is not a GUID.
std::optional<QByteArray> normalizeExternalDirectoryObjectId(QByteArrayView value);

// Timestamps, to milliseconds since the epoch (UTC). nullopt when not in the expected form.
std::optional<qint64> parseGeneralizedTime(QByteArrayView text); // AD: "20261124085422.0Z"
std::optional<qint64> parseCloudTimestamp(QByteArrayView text);  // ISO 8601, "/Date(ms)/", or en-US "M/d/yyyy h:mm:ss AM"

} // namespace sunset
