// SPDX-License-Identifier: Apache-2.0
#include "BatchPlanning.h"

namespace sunset {

std::vector<WritebackSelection> selectionsForTicked(const DriftScan& scan, std::span<const TickedDriftItem> ticked)
{
    std::vector<WritebackSelection> selections;
    const auto& pairs = scan.report.match.pairs;
    for (const TickedDriftItem& t : ticked) {
        if (t.pair < 0 || size_t(t.pair) >= pairs.size())
            continue;
        const MatchedPair& pair = pairs[size_t(t.pair)];
        const MailboxRecord& ad = scan.ad.records[size_t(pair.ad)];
        const MailboxRecord& cloud = scan.cloud.records[size_t(pair.cloud)];
        for (const DriftItem& item : scan.report.driftOf(size_t(t.pair))) {
            if (item.attribute != t.attribute)
                continue;
            selections.push_back({ad.identityText(IdentityField::DistinguishedName), cloud.label(),
                                  cloud.identityText(IdentityField::CloudManaged), item,
                                  cloud.identityText(IdentityField::ExternalDirectoryObjectId)});
        }
    }
    return selections;
}

BatchCounts countsOf(const WritebackBatch& batch)
{
    return {batch.objectCount(), batch.attributeCount(), batch.valuesDeleted(), batch.valuesAdded()};
}

} // namespace sunset
