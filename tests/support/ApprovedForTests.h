// SPDX-License-Identifier: Apache-2.0
#pragma once

// Modifies for tests of the LDAP write path, approved as a batch of cloud-managed mailboxes would be: tests of the
// pipeline itself, and changes "someone else" makes behind a batch's back, go through the same guard as Sunset.
#include "LdapModify.h"

#include <QtGlobal>

#include <span>
#include <vector>

namespace sunset::test {

inline ApprovedModify approved(ModifyRequest request)
{
    auto modify = ApprovedModify::approve(std::move(request), {1, BatchState::Approved, true});
    if (!modify)
        qFatal("a test's modify was not approved: %s", qPrintable(modify.error()));
    return std::move(modify.value());
}

inline std::vector<ApprovedModify> approvedAll(std::span<const ModifyRequest> requests)
{
    std::vector<ApprovedModify> out;
    out.reserve(requests.size());
    for (const ModifyRequest& request : requests)
        out.push_back(approved(request));
    return out;
}

} // namespace sunset::test
