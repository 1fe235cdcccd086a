// SPDX-License-Identifier: Apache-2.0
#include "LdapBatchTarget.h"

#include <QSet>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

LdapBatchTarget::LdapBatchTarget(QString description, QString bindIdentity, ConnectionFactory factory)
    : m_description(std::move(description))
    , m_bindIdentity(std::move(bindIdentity))
    , m_factory(std::move(factory))
{
}

LdapResult<std::unique_ptr<LdapConnection>> LdapBatchTarget::connect() const
{
    if (!m_factory)
        return LdapError{LdapErrorCode::Other, 0, u"No directory connection is set up: connect to AD first (File › Connect)."_s, {}};
    return m_factory();
}

HistoryResult<ApplyReport> LdapBatchTarget::apply(HistoryStore& store, qint64 batchId, const ApplyControl& control)
{
    if (control.cancelled && control.cancelled())
        return HistoryError{u"Cancelled before connecting; nothing was sent."_s};
    auto connection = connect();
    if (!connection)
        return HistoryError{u"Batch %1 was not applied: %2"_s.arg(batchId).arg(connection.error().toString())};
    BatchApplier applier(store, *connection.value());
    if (control.progress) {
        // After the re-read: conflicts it found are settled and the rest journalled pending; show that much.
        applier.setBeforeSending([&store, &control, batchId] {
            const auto changes = store.changes(batchId);
            if (!changes)
                return;
            QSet<qint64> objects;
            QSet<qint64> open;
            for (const StoredChange& c : changes.value()) {
                objects.insert(c.objectSeq);
                if (c.state == ChangeState::Pending || c.state == ChangeState::Planned ||
                    c.state == ChangeState::NotSent)
                    open.insert(c.objectSeq);
            }
            control.progress(changes.value(), objects.size() - open.size(), objects.size());
        });
    }
    auto report = applier.apply(batchId);
    if (report && control.progress) {
        if (const auto changes = store.changes(batchId))
            control.progress(changes.value(), report->objects, report->objects);
    }
    return report;
}

HistoryResult<ApplyReport> LdapBatchTarget::settleInterrupted(HistoryStore& store, qint64 batchId)
{
    auto connection = connect();
    if (!connection)
        return HistoryError{u"Batch %1 could not be settled: %2"_s.arg(batchId).arg(connection.error().toString())};
    BatchApplier applier(store, *connection.value());
    return applier.settleInterrupted(batchId);
}

} // namespace sunset
