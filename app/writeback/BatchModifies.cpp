// SPDX-License-Identifier: Apache-2.0
#include "BatchModifies.h"

#include "BreakGlass.h"
#include "LdifWriter.h"

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArrayList utf8(const QStringList& values)
{
    QByteArrayList out;
    out.reserve(values.size());
    for (const QString& v : values)
        out << v.toUtf8();
    return out;
}

} // namespace

std::vector<ModifyRequest> modifyRequestsFor(const std::vector<StoredChange>& changes)
{
    std::vector<ModifyRequest> requests;
    for (const StoredChange& c : changes) {
        if (requests.empty() || requests.back().id != quint64(c.objectSeq))
            requests.push_back({quint64(c.objectSeq), c.dn.toUtf8(), {}});
        requests.back().changes.push_back({QByteArray(AttributeCatalog::spec(c.attribute).ldapName.data(),
                                                      AttributeCatalog::spec(c.attribute).ldapName.size()),
                                           utf8(c.before), utf8(c.after)});
    }
    return requests;
}

QByteArray batchLdif(const StoredBatch& batch, const std::vector<StoredChange>& changes)
{
    QByteArray out;
    QByteArray comment = "Sunset writeback batch " + QByteArray::number(batch.id) + " (" +
                         batchStateName(batch.state).toString().toUtf8() + "), created " +
                         batch.createdAt.toString(Qt::ISODate).toUtf8() + " by " + batch.createdBy.toUtf8();
    if (batch.approvedAt.isValid())
        comment += "\nApproved " + batch.approvedAt.toString(Qt::ISODate).toUtf8() + " by " + batch.approvedBy.toUtf8();
    // The break-glass reason and what Cloud Sync could do, one comment line each (simplified: a reason typed on
    // several lines stays a comment).
    comment += "\nBreak-glass reason: " + breakGlassReasonText(batch).simplified().toUtf8();
    for (const QString& label : cloudSyncLabels(batch.breakGlassCloudSync))
        comment += "\n" + label.simplified().toUtf8();
    // The objects in this file (a dry run of a partial batch holds only those never sent), not the batch's count.
    const std::vector<ModifyRequest> requests = modifyRequestsFor(changes);
    comment += "\n" + QByteArray::number(qsizetype(requests.size())) + " of the batch's " +
               QByteArray::number(batch.objectCount) +
               " objects. Apply with: ldapmodify -f FILE (or ldifde -i -f "
               "FILE)";
    LdifWriter writer([&out](const QByteArray& chunk) { out += chunk; }, comment);
    for (const ModifyRequest& request : requests)
        writer.writeModify(request);
    return out;
}

HistoryResult<QByteArray> batchLdifExport(const HistoryStore& store, qint64 batchId)
{
    const auto batch = store.batch(batchId);
    if (!batch)
        return batch.error();
    const auto changes = store.changes(batchId);
    if (!changes)
        return changes.error();
    return batchLdif(batch.value(), changes.value());
}

} // namespace sunset
