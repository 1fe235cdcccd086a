// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "MailboxRecord.h"

#include <QByteArray>

#include <initializer_list>
#include <utility>

// Small builders for hand-made records in tests.
namespace testing {

using AdValues = std::initializer_list<std::pair<sunset::AttributeId, QByteArray>>;
using CloudValues = std::initializer_list<std::pair<sunset::CloudProperty, QByteArray>>;
using Ids = std::initializer_list<std::pair<sunset::IdentityField, QByteArray>>;

inline sunset::MailboxRecord adRecord(AdValues values, Ids ids = {})
{
    sunset::MailboxRecordBuilder b(sunset::Side::ActiveDirectory);
    for (const auto& [f, v] : ids)
        b.setIdentity(f, v);
    for (const auto& [a, v] : values)
        b.addAdValue(a, v);
    return b.build();
}

inline sunset::MailboxRecord cloudRecord(CloudValues values, Ids ids = {})
{
    sunset::MailboxRecordBuilder b(sunset::Side::Cloud);
    for (const auto& [f, v] : ids)
        b.setIdentity(f, v);
    for (const auto& [p, v] : values)
        b.addCloudValue(p, v);
    return b.build();
}

} // namespace testing
