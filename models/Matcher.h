// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "MailboxRecord.h"

#include <QLatin1StringView>
#include <QString>

#include <vector>

namespace sunset {

// The keys AD and cloud objects are matched on, strongest first (facts: shared/reference/exchange-recipients.md).
enum class MatchKey : quint8 {
    SourceAnchor,              // base64(ms-DS-ConsistencyGuid, else objectGUID) = onPremisesImmutableId
    ObjectSid,                 // objectSid = onPremisesSecurityIdentifier
    ExternalDirectoryObjectId, // msDS-ExternalDirectoryObjectId "User_<id>" = ExternalDirectoryObjectId
    UserPrincipalName,         // soft
    PrimarySmtpAddress,        // soft
    Count
};
QLatin1StringView matchKeyName(MatchKey key);
bool isSoftMatch(MatchKey key);

struct MatchedPair {
    qint32 ad;    // index into the AD snapshot's records
    qint32 cloud; // index into the cloud snapshot's records
    MatchKey matchedBy;
};

// Objects that cannot be paired safely: one key value held by several objects on a side, or a pair that a
// weaker key would join although a stronger key (present on both) says they are different objects.
struct AmbiguousGroup {
    MatchKey key;
    QString value;
    QString reason;
    std::vector<qint32> ad;
    std::vector<qint32> cloud;
};

struct MatchResult {
    std::vector<MatchedPair> pairs;     // in AD input order
    std::vector<qint32> unmatchedAd;    // in input order
    std::vector<qint32> unmatchedCloud; // in input order
    std::vector<AmbiguousGroup> ambiguous;
    qint64 countBy(MatchKey key) const;
};

// Pairs AD records with cloud records: each key in turn, over the objects no earlier key settled.
MatchResult matchMailboxes(const std::vector<MailboxRecord>& ad, const std::vector<MailboxRecord>& cloud);

} // namespace sunset
