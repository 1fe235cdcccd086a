// SPDX-License-Identifier: Apache-2.0
#include "VisibleValues.h"

#include "AttributeComparisonModel.h"

namespace sunset {

VisibleText visibleValues(const QStringList& values, const QString& none, const QStringList& other)
{
    if (values.isEmpty())
        return {none, {{0, int(none.size()), HighlightKind::Note}}};
    std::vector<AttributeComparisonModel::ShownValue> shown;
    shown.reserve(size_t(values.size()));
    for (const QString& v : values)
        shown.push_back({v, !other.contains(v), false}); // exact: case and spaces matter to AD
    // Every value: a batch review must never cut what will be sent.
    AttributeComparisonModel::Cell cell =
        AttributeComparisonModel::buildCell(std::move(shown), false, true, int(values.size()));
    return {cell.text, cell.spans};
}

} // namespace sunset
