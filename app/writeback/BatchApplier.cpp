// SPDX-License-Identifier: Apache-2.0
#include "BatchApplier.h"

#include "BatchModifies.h"

#include "BatchLock.h"
#include "LdapEscape.h"

#include <QMap>
#include <QSet>

#include <algorithm>
#include <map>
#include <variant>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

QByteArrayList sortedBytes(QByteArrayList values)
{
    std::sort(values.begin(), values.end());
    return values;
}

QString quoted(const QByteArrayList& values)
{
    if (values.isEmpty())
        return u"(none)"_s;
    QStringList out;
    for (const QByteArray& v : values)
        out << u'"' + QString::fromUtf8(v) + u'"';
    return out.join(u", "_s);
}

ChangeState stateFor(ModifyOutcomeKind kind)
{
    switch (kind) {
    case ModifyOutcomeKind::Applied:
        return ChangeState::Applied;
    case ModifyOutcomeKind::Conflict:
        return ChangeState::Conflict;
    case ModifyOutcomeKind::Error:
        return ChangeState::Error;
    case ModifyOutcomeKind::Refused:
        return ChangeState::Refused;
    case ModifyOutcomeKind::Unknown:
        return ChangeState::Unknown;
    case ModifyOutcomeKind::NotSent:
        return ChangeState::NotSent;
    }
    return ChangeState::Unknown;
}

struct CurrentValues {
    bool found = false;
    std::map<QByteArray, QByteArrayList> values; // lower-case attribute name -> values, every requested name
};

// The object's values of the request's attributes now, byte-exact; found is false when the object is gone.
std::variant<CurrentValues, LdapError> readCurrent(LdapConnection& connection, const ModifyRequest& request)
{
    LdapSearchRequest read;
    read.baseDn = request.dn;
    read.scope = LdapScope::Base;
    read.pageSize = 0;
    CurrentValues current;
    for (const AttributeChange& change : request.changes) {
        read.attributes << change.attribute;
        current.values[change.attribute.toLower()];
    }
    const auto searched = connection.search(read, [&](const LdifEntry& entry) -> LdapResult<void> {
        current.found = true;
        for (const LdifAttribute& a : entry.attributes) {
            QByteArray name = a.name.toByteArray().toLower();
            if (const qsizetype semicolon = name.indexOf(';'); semicolon >= 0)
                name.truncate(semicolon);
            current.values[name] << a.value.toByteArray();
        }
        return {};
    });
    if (!searched && searched.error().code != LdapErrorCode::NoSuchObject)
        return searched.error();
    return current;
}

void count(ApplyReport& report, ChangeState state)
{
    switch (state) {
    case ChangeState::Applied:
        ++report.applied;
        break;
    case ChangeState::Conflict:
        ++report.conflicts;
        break;
    case ChangeState::Error:
        ++report.errors;
        break;
    case ChangeState::Refused:
        ++report.refused;
        break;
    case ChangeState::Unknown:
        ++report.unknown;
        break;
    case ChangeState::NotSent:
        ++report.notSent;
        break;
    case ChangeState::Planned:
    case ChangeState::Pending:
        break;
    }
}

} // namespace

BatchApplier::BatchApplier(HistoryStore& store, LdapConnection& connection, ModifyPipelineOptions options)
    : m_store(store)
    , m_connection(connection)
    , m_options(options)
{
}

std::variant<QString, LdapError> BatchApplier::addressHeldElsewhere(const ModifyRequest& request)
{
    for (const AttributeChange& change : request.changes) {
        const bool proxy = change.attribute.compare("proxyAddresses", Qt::CaseInsensitive) == 0;
        if (!proxy && change.attribute.compare("mail", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray& value : change.newValues) {
            if (change.oldValues.contains(value))
                continue; // the object's own already
            QByteArray address = value;
            if (proxy) {
                if (!value.toLower().startsWith("smtp:"))
                    continue; // X500:, SIP: ... are not mail routing addresses
                address = value.mid(5);
            }
            if (m_searchBase.isEmpty()) {
                auto rootDse = m_connection.readRootDse();
                if (!rootDse)
                    return rootDse.error();
                m_searchBase = rootDse->defaultNamingContext;
            }
            LdapSearchRequest search;
            search.baseDn = m_searchBase;
            const std::optional<QByteArray> filter = addressHolderFilter(address);
            if (!filter)
                return u"%1 holds a NUL byte, which no address holds. Nothing was sent for this object."_s.arg(
                    QString::fromUtf8(address.replace('\0', "\\00")));
            search.filter = *filter;
            search.attributes = {"1.1"};
            QByteArray other;
            const auto searched = m_connection.search(search, [&](const LdifEntry& entry) -> LdapResult<void> {
                if (other.isEmpty() && !sameDn(entry.dn, request.dn))
                    other = entry.dn.toByteArray();
                return {};
            });
            if (!searched)
                return searched.error();
            if (!other.isEmpty())
                return u"%1 is already held by %2 (as its mail or one of its proxyAddresses); an address must belong "
                       u"to one object only. Nothing was sent for this object; remove the address there first."_s.arg(
                           QString::fromUtf8(address), QString::fromUtf8(other));
        }
    }
    return QString();
}

HistoryResult<ApplyReport> BatchApplier::apply(qint64 batchId)
{
    // Held until the batch is settled: no other process applies or settles it meanwhile.
    const auto lock = BatchLock::acquire(m_store.path(), batchId, u"apply"_s);
    if (!lock)
        return lock.error();
    const auto batch = m_store.batch(batchId);
    if (!batch)
        return batch.error();
    if (batch->state != BatchState::Approved && batch->state != BatchState::Partial)
        return HistoryError{u"Batch %1 is %2: only an approved batch is applied (or a partial one resumed). Review "
                            u"it with \"batch show %1\" and approve it first."_s.arg(batchId)
                                .arg(batchStateName(batch->state))};
    const auto changes = m_store.changes(batchId);
    if (!changes)
        return changes.error();
    const std::vector<ModifyRequest> all = modifyRequestsFor(changes.value());

    ApplyReport report;
    report.objects = qint64(all.size());
    std::vector<ChangeOutcome> settledBeforeSending;
    std::vector<ApprovedModify> toSend;
    std::map<qint64, ChangeState> stateOf; // per object (its rows share one modify, so one state)
    std::map<qint64, bool> cloudManagedOf; // per object: every one of its rows says so
    for (const StoredChange& c : changes.value()) {
        stateOf.try_emplace(c.objectSeq, c.state);
        auto [it, first] = cloudManagedOf.try_emplace(c.objectSeq, c.cloudManaged);
        if (!first)
            it->second = it->second && c.cloudManaged;
    }
    for (const ModifyRequest& request : all) {
        // Only what was never sent goes out: a resumed batch never sends an object twice, never retries a conflict.
        if (const ChangeState state = stateOf[qint64(request.id)];
            state != ChangeState::Planned && state != ChangeState::NotSent) {
            count(report, state);
            continue;
        }
        // The LDAP layer's guard (approved batch, writable catalog attributes, cloud-managed mailbox): the pipeline
        // sends nothing else.
        auto approved = ApprovedModify::approve(request, {batchId, batch->state, cloudManagedOf[qint64(request.id)]});
        if (!approved) {
            settledBeforeSending.push_back({qint64(request.id), ChangeState::Refused, 0, approved.error()});
            continue;
        }
        if (const auto why = whyModifyRefused(request)) {
            settledBeforeSending.push_back({qint64(request.id), ChangeState::Refused, 0, *why});
            continue;
        }
        // Re-read now: the values must still be, byte for byte, the ones the scan read.
        auto current = readCurrent(m_connection, request);
        if (const auto* failure = std::get_if<LdapError>(&current))
            return HistoryError{u"Batch %1 was not applied: re-reading %2 before sending failed: %3. Nothing was "
                                u"sent; the batch is still approved."_s.arg(batchId)
                                    .arg(QString::fromUtf8(request.dn), failure->toString())};
        auto& [found, now] = std::get<CurrentValues>(current);
        QStringList drift;
        if (!found) {
            drift << u"the object is gone (deleted, renamed or moved)"_s;
        } else {
            for (const AttributeChange& change : request.changes) {
                const QByteArrayList current = now[change.attribute.toLower()];
                if (sortedBytes(current) != sortedBytes(change.oldValues))
                    drift << u"%1 now holds %2, the scan read %3"_s.arg(QString::fromUtf8(change.attribute),
                                                                        quoted(current), quoted(change.oldValues));
            }
        }
        if (!drift.isEmpty()) {
            settledBeforeSending.push_back(
                {qint64(request.id), ChangeState::Conflict, 0,
                 u"Changed in AD since the scan: %1. Nothing was sent; scan again to see the new values."_s.arg(
                     drift.join(u"; "_s))});
            ++report.conflictsBeforeSending;
            continue;
        }
        // An address added here must not be held by another object (AD would route mail for it ambiguously).
        auto holder = addressHeldElsewhere(request);
        if (const auto* failure = std::get_if<LdapError>(&holder))
            return HistoryError{u"Batch %1 was not applied: checking the addresses of %2 failed: %3. Nothing was "
                                u"sent; the batch is still approved."_s.arg(batchId)
                                    .arg(QString::fromUtf8(request.dn), failure->toString())};
        if (const QString& why = std::get<QString>(holder); !why.isEmpty()) {
            settledBeforeSending.push_back({qint64(request.id), ChangeState::Refused, 0, why});
            continue;
        }
        toSend.push_back(std::move(approved.value()));
    }

    std::vector<qint64> pending;
    for (const ApprovedModify& r : toSend)
        pending.push_back(qint64(r.id()));
    // Journal first (committed), then send: a crash after this leaves pending rows to re-read, never a lost write.
    if (auto marked = m_store.markPending(batchId, pending); !marked)
        return marked.error();
    if (auto settled = m_store.settle(batchId, settledBeforeSending); !settled)
        return settled.error();
    for (const ChangeOutcome& o : settledBeforeSending)
        count(report, o.state);

    if (m_beforeSending)
        m_beforeSending();
    HistoryResult<void> journalled; // the first outcome that could not be journalled stops the sending
    LdapModifyPipeline pipeline(m_connection, m_options);
    pipeline.run(
        toSend,
        [&](const ModifyOutcome& outcome) {
            const ChangeState state = stateFor(outcome.kind);
            count(report, state);
            QString message;
            if (outcome.kind != ModifyOutcomeKind::Applied) {
                message = outcome.error.message;
                if (!outcome.error.serverMessage.isEmpty())
                    message += u" (server: "_s + outcome.error.serverMessage + u')';
            }
            if (journalled)
                journalled =
                    m_store.settle(batchId, {{qint64(outcome.id), state, outcome.error.ldapResultCode, message}});
        },
        [&](const ModifyRunStats&) { return journalled.ok(); });
    if (!journalled)
        return HistoryError{journalled.error().message +
                            u" Sending was stopped; the batch stays in applying and is settled by a re-read."_s};

    report.finalState = report.applied == report.objects ? BatchState::Applied : BatchState::Partial;
    if (auto moved = m_store.setBatchState(batchId, report.finalState); !moved)
        return moved.error();
    report.message = u"Batch %1: %2 of %3 objects applied, %4 conflicts (%5 found by the re-read, nothing sent for "
                     u"them), %6 errors, %7 refused, %8 unknown, %9 not sent."_s.arg(batchId)
                         .arg(report.applied)
                         .arg(report.objects)
                         .arg(report.conflicts)
                         .arg(report.conflictsBeforeSending)
                         .arg(report.errors)
                         .arg(report.refused)
                         .arg(report.unknown)
                         .arg(report.notSent);
    return report;
}

} // namespace sunset

namespace sunset {

HistoryResult<ApplyReport> BatchApplier::settleInterrupted(qint64 batchId)
{
    // A batch in `applying` is only interrupted if no live process holds its lock: one that does is still sending.
    const auto lock = BatchLock::acquire(m_store.path(), batchId, u"settle"_s);
    if (!lock)
        return lock.error();
    const auto batch = m_store.batch(batchId);
    if (!batch)
        return batch.error();
    if (batch->state != BatchState::Applying)
        return HistoryError{u"Batch %1 is %2, not interrupted while applying: nothing to settle."_s.arg(batchId).arg(
            batchStateName(batch->state))};
    const auto changes = m_store.changes(batchId);
    if (!changes)
        return changes.error();
    std::map<qint64, ChangeState> stateOf;
    for (const StoredChange& c : changes.value())
        stateOf.try_emplace(c.objectSeq, c.state);

    ApplyReport report;
    std::vector<ChangeOutcome> outcomes;
    for (const ModifyRequest& request : modifyRequestsFor(changes.value())) {
        ++report.objects;
        const ChangeState state = stateOf[qint64(request.id)];
        if (state != ChangeState::Pending && state != ChangeState::Unknown) {
            count(report, state);
            continue;
        }
        // Sent or maybe sent: what AD holds now tells whether the modify was applied (it is atomic: all or none).
        auto current = readCurrent(m_connection, request);
        if (const auto* failure = std::get_if<LdapError>(&current))
            return HistoryError{u"Batch %1 is still applying: re-reading %2 failed: %3. Nothing was changed; try "
                                u"again."_s.arg(batchId)
                                    .arg(QString::fromUtf8(request.dn), failure->toString())};
        auto& [found, now] = std::get<CurrentValues>(current);
        bool holdsAfter = found;
        bool holdsBefore = found;
        for (const AttributeChange& change : request.changes) {
            const QByteArrayList values = sortedBytes(now[change.attribute.toLower()]);
            holdsAfter = holdsAfter && values == sortedBytes(change.newValues);
            holdsBefore = holdsBefore && values == sortedBytes(change.oldValues);
        }
        ChangeOutcome outcome{qint64(request.id), ChangeState::Conflict, 0, {}};
        if (holdsAfter) {
            outcome.state = ChangeState::Applied;
            outcome.message = u"Found applied by the re-read after the interruption."_s;
        } else if (holdsBefore) {
            outcome.state = ChangeState::NotSent;
            outcome.message = u"Found not applied by the re-read after the interruption; safe to send again."_s;
        } else {
            outcome.message = found ? u"After the interruption AD holds neither the values read at scan time nor the "
                                      u"new ones: someone else changed it. Nothing is sent; scan again."_s
                                    : u"After the interruption the object is gone (deleted, renamed or moved)."_s;
        }
        count(report, outcome.state);
        outcomes.push_back(std::move(outcome));
    }
    if (auto settled = m_store.settle(batchId, outcomes); !settled)
        return settled.error();
    report.finalState = report.applied == report.objects ? BatchState::Applied : BatchState::Partial;
    if (auto moved = m_store.setBatchState(batchId, report.finalState); !moved)
        return moved.error();
    report.message = u"Batch %1 settled after an interruption: %2 of %3 objects applied, %4 not sent (resume with "
                     u"apply --batch %1), %5 conflicts, %6 errors."_s.arg(batchId)
                         .arg(report.applied)
                         .arg(report.objects)
                         .arg(report.notSent)
                         .arg(report.conflicts)
                         .arg(report.errors);
    return report;
}

} // namespace sunset
