// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "Snapshot.h"

#include <QByteArrayView>
#include <QString>

namespace sunset {

// Reads Microsoft Graph users saved to a file: one page {"@odata.context":..,"value":[users],"@odata.nextLink":..},
// a bare array of users, or an array of such pages (admins concatenate the pages they fetched).
// Only id, userPrincipalName, onPremisesImmutableId and onPremisesSecurityIdentifier are kept; ids are lower-cased.
// Users marked "@removed" (saved delta pages) are left out. progress is called about every MiB.
Result<GraphDirectory> readGraphUsersJson(QByteArrayView data, const QString& fileName,
                                          const ReadProgress& progress = {});

} // namespace sunset
