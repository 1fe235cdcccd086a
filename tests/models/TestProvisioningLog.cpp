// SPDX-License-Identifier: Apache-2.0
// The provisioning log's fold (issue 14): per object the latest entry and, for an object that failed or was
// skipped, how often, from when to when and its newest such entry, even once a later entry succeeded; the same
// whatever order the entries come in, and nothing kept for an object that never failed.
#include "CloudSyncState.h"

#include <QTest>

#include <algorithm>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kNow = 1795510800000; // 2026-11-24T09:00:00Z
const QString kJob = u"Entra2ADExchangeOnlineAttributeWriteback.a.contoso"_s;

struct Logged {
    QByteArray id;
    ProvisioningEntry entry;
    std::vector<AttributeWrite> writes;
};

Logged failure(const QByteArray& id, qint64 minutesAgo, const QString& code = u"InsufficientRights"_s)
{
    return {id,
            {kNow - minutesAgo * kMinute, ProvisioningStatus::Failure, kJob, code, u"NonServiceFailure"_s,
             u"Access is denied (%1 minutes ago)."_s.arg(minutesAgo), u"Grant write access."_s, {}},
            {}};
}

Logged skip(const QByteArray& id, qint64 minutesAgo)
{
    return {id, {kNow - minutesAgo * kMinute, ProvisioningStatus::Skipped, kJob, {}, {}, {}, {}, u"NotInScope"_s}, {}};
}

Logged success(const QByteArray& id, qint64 minutesAgo)
{
    return {id,
            {kNow - minutesAgo * kMinute, ProvisioningStatus::Success, kJob, {}, {}, {}, {}, {}},
            {{AttributeId::ExtensionAttribute1, 0, u"value %1"_s.arg(minutesAgo)}}};
}

ProvisioningLog fold(const std::vector<Logged>& entries)
{
    ProvisioningLog log;
    for (const Logged& e : entries)
        log.add(e.id, e.entry, e.writes);
    return log;
}

const ProvisioningTrouble* troubleOf(const ProvisioningLog& log, const QByteArray& id)
{
    const auto it = log.indexById.constFind(id);
    return it == log.indexById.cend() ? nullptr : log.troubleOf(*it);
}

QString entryText(const ProvisioningEntry& e)
{
    return u"%1 %2 %3 %4 %5 %6"_s.arg(QString::number(e.activityMsecs), provisioningStatusName(e.status), e.errorCode,
                                      e.reason, e.recommendedAction, e.skipReason);
}

// Everything the fold kept, one line per object in id order: equal lists mean equal states.
QStringList describe(const ProvisioningLog& log)
{
    QStringList lines;
    for (auto it = log.indexById.cbegin(); it != log.indexById.cend(); ++it) {
        const ObjectProvisioning& o = log.objects[size_t(*it)];
        QString line = QString::fromLatin1(it.key()) + u" latest: "_s + entryText(o.latest);
        std::vector<AttributeWrite> writes = o.writes;
        std::sort(writes.begin(), writes.end(),
                  [](const AttributeWrite& a, const AttributeWrite& b) { return a.attribute < b.attribute; });
        for (const AttributeWrite& w : writes)
            line += u" write %1 %2 %3"_s.arg(int(w.attribute)).arg(w.activityMsecs).arg(w.newValue);
        if (const ProvisioningTrouble* t = log.troubleOf(*it))
            line += u" trouble %1/%2 %3 %4 last: %5 standing %6"_s.arg(t->failedEntries)
                        .arg(t->skippedEntries)
                        .arg(t->firstMsecs)
                        .arg(t->lastWrittenBackMsecs)
                        .arg(entryText(t->last))
                        .arg(int(log.standing(*t)));
        lines << line;
    }
    lines.sort();
    return lines << u"read %1, %2 to %3"_s.arg(log.entriesRead).arg(log.oldestMsecs).arg(log.newestMsecs);
}

// Four objects over the last cycles: one failing for three cycles, one that failed twice and was written back
// since, one skipped now after an earlier write-back, one that never failed.
std::vector<Logged> lastCycles()
{
    return {failure("failing", 88), failure("failing", 68, u"SystemForCrossDomainIdentityManagementBadRequest"_s),
            failure("failing", 48),
            failure("recovered", 100), failure("recovered", 80), success("recovered", 60),
            success("skipped", 90), skip("skipped", 30),
            success("clean", 80), success("clean", 40)};
}

} // namespace

class TestProvisioningLog final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void failuresAreCountedFromFirstToLast()
    {
        const ProvisioningLog log = fold(lastCycles());
        const ProvisioningTrouble* failing = troubleOf(log, "failing");
        QVERIFY(failing);
        QCOMPARE(failing->failedEntries, 3);
        QCOMPARE(failing->skippedEntries, 0);
        QCOMPARE(failing->firstMsecs, kNow - 88 * kMinute);
        QCOMPARE(failing->last.activityMsecs, kNow - 48 * kMinute);
        QCOMPARE(failing->last.errorCode, u"InsufficientRights"_s);
        QCOMPARE(failing->last.reason, u"Access is denied (48 minutes ago)."_s);
        QCOMPARE(failing->last.recommendedAction, u"Grant write access."_s);
        QCOMPARE(failing->lastWrittenBackMsecs, 0);
        QCOMPARE(log.standing(*failing), TroubleStanding::FailingNow);
        QCOMPARE(failing->entraObjectId, QByteArray("failing"));
        QCOMPARE(&log.objects[size_t(failing->object)], log.find("failing"));
    }

    // A later success leaves the latest entry a success (as the drift causes read it) and keeps the failures.
    void aLaterSuccessKeepsTheFailures()
    {
        const ProvisioningLog log = fold(lastCycles());
        QCOMPARE(log.find("recovered")->latest.status, ProvisioningStatus::Success);
        const ProvisioningTrouble* recovered = troubleOf(log, "recovered");
        QVERIFY(recovered);
        QCOMPARE(recovered->failedEntries, 2);
        QCOMPARE(recovered->firstMsecs, kNow - 100 * kMinute);
        QCOMPARE(recovered->last.activityMsecs, kNow - 80 * kMinute);
        QCOMPARE(recovered->last.status, ProvisioningStatus::Failure);
        QCOMPARE(recovered->last.errorCode, u"InsufficientRights"_s);
        QCOMPARE(recovered->lastWrittenBackMsecs, kNow - 60 * kMinute);
        QCOMPARE(log.standing(*recovered), TroubleStanding::Recovered);

        const ProvisioningTrouble* skipped = troubleOf(log, "skipped");
        QVERIFY(skipped);
        QCOMPARE(skipped->failedEntries, 0);
        QCOMPARE(skipped->skippedEntries, 1);
        QCOMPARE(skipped->last.skipReason, u"NotInScope"_s);
        QCOMPARE(skipped->lastWrittenBackMsecs, kNow - 90 * kMinute); // before the skip: not recovered
        QCOMPARE(log.standing(*skipped), TroubleStanding::SkippedNow);

        const TroubleCounts counts = log.troubleCounts();
        QCOMPARE(counts.failingNow, 1);
        QCOMPARE(counts.skippedNow, 1);
        QCOMPARE(counts.recovered, 1);
    }

    // 600,000 objects per tenant, most of them clean: a clean object has its latest entry and writes, nothing more.
    void nothingExtraForACleanObject()
    {
        const ProvisioningLog log = fold(lastCycles());
        QVERIFY(log.find("clean"));
        QVERIFY(!troubleOf(log, "clean"));
        QCOMPARE(log.troubles.size(), size_t(3));
        QCOMPARE(log.troubleByObject.size(), 3);

        const ProvisioningLog onlyClean = fold({success("a", 30), success("b", 20), success("a", 10)});
        QVERIFY(onlyClean.troubles.empty());
        QVERIFY(onlyClean.troubleByObject.isEmpty());
    }

    // Graph's pages are not sorted: forward, backward and interleaved, the same entries fold to the same state.
    void theOrderOfEntriesDoesNotMatter()
    {
        std::vector<Logged> entries = lastCycles();
        entries.push_back(skip("failing", 20)); // a skip after the failures: skipped now, failures still counted
        entries.push_back(failure("recovered", 80, u"AnotherCodeAtTheSameTime"_s)); // a tie on time
        const QStringList forward = describe(fold(entries));
        std::reverse(entries.begin(), entries.end());
        QCOMPARE(describe(fold(entries)), forward);
        std::vector<Logged> interleaved;
        for (size_t i = 0; i < entries.size(); i += 2)
            interleaved.push_back(entries[i]);
        for (size_t i = 1; i < entries.size(); i += 2)
            interleaved.push_back(entries[i]);
        QCOMPARE(describe(fold(interleaved)), forward);
        // Every permutation of one object's entries: the success first, between or last.
        std::vector<Logged> one{failure("o", 50), success("o", 40), failure("o", 30), skip("o", 20)};
        std::sort(one.begin(), one.end(),
                  [](const Logged& a, const Logged& b) { return a.entry.activityMsecs < b.entry.activityMsecs; });
        const QStringList first = describe(fold(one));
        do {
            QCOMPARE(describe(fold(one)), first);
        } while (std::next_permutation(one.begin(), one.end(), [](const Logged& a, const Logged& b) {
            return a.entry.activityMsecs < b.entry.activityMsecs;
        }));
        const ProvisioningLog log = fold(one);
        const ProvisioningTrouble* o = troubleOf(log, "o");
        QCOMPARE(o->failedEntries, 2);
        QCOMPARE(o->skippedEntries, 1);
        QCOMPARE(o->firstMsecs, kNow - 50 * kMinute);
        QCOMPARE(o->last.status, ProvisioningStatus::Skipped);
        QCOMPARE(o->lastWrittenBackMsecs, kNow - 40 * kMinute); // the write-back between: "again after …"
    }

    // The CLI's summary of what was read counts the objects that recovered beside those failing and skipped now.
    void theTextSummaryCountsRecoveredObjects()
    {
        CloudSyncState state;
        state.jobsRead = true;
        state.jobsSource = u"jobs.json"_s;
        state.provisioningRead = true;
        state.provisioningSource = u"provisioning.json"_s;
        state.provisioning = fold(lastCycles());
        const QString text = formatCloudSyncText(state);
        QVERIFY2(text.contains(u"10 writeback entries for 4 objects"_s), qPrintable(text));
        QVERIFY2(text.contains(u"not written back: 1 object failing now, 1 skipped, 1 recovered (failed or skipped "
                               "earlier in the log read, written back since)"_s),
                 qPrintable(text));
        state.provisioning = fold({success("a", 10)});
        QVERIFY(!formatCloudSyncText(state).contains(u"not written back"_s));
    }
};

QTEST_GUILESS_MAIN(TestProvisioningLog)
#include "TestProvisioningLog.moc"
