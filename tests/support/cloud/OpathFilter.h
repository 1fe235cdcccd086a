// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QJsonValue>
#include <QString>

#include <functional>

namespace sunset {

// The emulator's evaluator of Exchange's OPATH -Filter for Get-Mailbox: the subset Microsoft documents for
// recipient filters ("Recipient filters in Exchange PowerShell commands", filter-properties): -and, -or, -not,
// parentheses, -eq, -ne, -like / -notlike with the * wildcard, -lt, -le, -gt, -ge; values in single quotes (a
// quote inside doubled, ''), double quotes, $true / $false / $null, or a bare word. Operators are
// case-insensitive, as in PowerShell [documented]. WhenChangedUTC, WhenChanged, WhenCreatedUTC and WhenCreated
// compare as dates; every other property as text.
//
// How Exchange Online orders strings for -lt/-ge is not documented: the directory compares case-insensitively
// under a culture's collation [assumed]. The emulator can be told which order to use, so that a client's slice
// borders are tested under each plausible one (ordinal, case-insensitive ordinal, culture-aware).
//
// Unknown syntax (an unknown operator, an unclosed quote or parenthesis, a missing value) is refused with the
// message Exchange gives for it [observed: "Invalid filter syntax. … at position N." in PowerShell sessions], which
// the emulator answers as 400.
class OpathFilter final {
public:
    enum class Collation { IgnoreCase, Ordinal, Culture };
    // A mailbox's property by name (case-insensitive; undefined when it has none).
    using Properties = std::function<QJsonValue(const QString& name)>;
    using Predicate = std::function<bool(const Properties&)>;

    struct Parsed {
        Predicate match; // null when the filter is refused
        QString error;   // Exchange's message when refused
        bool ok() const { return bool(match); }
    };

    static Parsed parse(const QString& filter, Collation collation = Collation::IgnoreCase);
};

} // namespace sunset
