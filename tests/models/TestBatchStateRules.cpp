// SPDX-License-Identifier: Apache-2.0
// The rules of a writeback batch's life as pure functions: which state moves exist, the names the history stores,
// and what an undo reverses. The history store's own tests (tests/app/history) check the same rules on its rows.
#include "BatchStateRules.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr BatchState kAllStates[] = {BatchState::Planned, BatchState::Approved, BatchState::Applying,
                                     BatchState::Applied, BatchState::Partial,  BatchState::Cancelled};

StoredChange change(qint64 objectSeq, const QString& dn, AttributeId attribute, ChangeState state,
                    const QStringList& before, const QStringList& after)
{
    StoredChange c;
    c.objectSeq = objectSeq;
    c.dn = dn;
    c.attribute = attribute;
    c.state = state;
    c.before = before;
    c.after = after;
    c.cloudManaged = true;
    return c;
}

} // namespace

class TestBatchStateRules final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesRoundTrip()
    {
        for (const BatchState state : kAllStates)
            QCOMPARE(batchStateFromName(QString(batchStateName(state))), std::optional<BatchState>(state));
        QCOMPARE(batchStateName(BatchState::Partial), "partial"_L1);
        QVERIFY(!batchStateFromName(u"done"_s));
        for (int i = 0; i <= int(ChangeState::NotSent); ++i)
            QCOMPARE(changeStateFromName(QString(changeStateName(ChangeState(i)))),
                     std::optional<ChangeState>(ChangeState(i)));
        // The history's CHECK constraint spells it with a dash.
        QCOMPARE(changeStateName(ChangeState::NotSent), "not-sent"_L1);
        QVERIFY(!changeStateFromName(u"notsent"_s));
    }

    void movesFollowTheLifeCycle()
    {
        QVERIFY(batchStatesBefore(BatchState::Planned).empty());
        QVERIFY(batchMayMove(BatchState::Planned, BatchState::Approved));
        QVERIFY(!batchMayMove(BatchState::Approved, BatchState::Approved));
        QVERIFY(batchMayMove(BatchState::Approved, BatchState::Applying));
        QVERIFY(batchMayMove(BatchState::Partial, BatchState::Applying));  // a partial batch is resumed
        QVERIFY(!batchMayMove(BatchState::Planned, BatchState::Applying)); // never sent unapproved
        QVERIFY(!batchMayMove(BatchState::Applying, BatchState::Applying));
        for (const BatchState end : {BatchState::Applied, BatchState::Partial}) {
            QCOMPARE(batchStatesBefore(end), std::vector<BatchState>{BatchState::Applying});
        }
        QCOMPARE(batchStatesBefore(BatchState::Cancelled),
                 (std::vector<BatchState>{BatchState::Planned, BatchState::Approved}));
        QVERIFY(!batchMayMove(BatchState::Applying, BatchState::Cancelled)); // something may have been sent
        QVERIFY(!batchMayMove(BatchState::Applied, BatchState::Cancelled));
    }

    void aContinuingApplyOnlyFollowsItsOwnFirstChunk()
    {
        QCOMPARE(batchStatesBefore(BatchState::Applying, ApplyStep::Continuing),
                 std::vector<BatchState>{BatchState::Applying});
        QVERIFY(!batchMayMove(BatchState::Approved, BatchState::Applying, ApplyStep::Continuing));
        QVERIFY(batchMayMove(BatchState::Applying, BatchState::Applying, ApplyStep::Continuing));
    }

    void onlyEndingAndCancellingArePlainMoves()
    {
        for (const BatchState state : kAllStates) {
            const bool plain =
                state == BatchState::Applied || state == BatchState::Partial || state == BatchState::Cancelled;
            QCOMPARE(isPlainBatchMove(state), plain);
        }
    }

    void undoReversesOnlyWhatAdTook()
    {
        const std::vector<StoredChange> changes{
            change(0, u"CN=A"_s, AttributeId::Mail, ChangeState::Applied, {u"a@old"_s}, {u"a@new"_s}),
            change(0, u"CN=A"_s, AttributeId::ExtensionAttribute1, ChangeState::Applied, {}, {u"x"_s}),
            change(1, u"CN=B"_s, AttributeId::Mail, ChangeState::Conflict, {u"b@old"_s}, {u"b@new"_s}),
            change(2, u"CN=C"_s, AttributeId::Mail, ChangeState::Applied, {u"c@old"_s}, {}),
        };
        const auto plan = planUndo(7, BatchState::Partial, changes);
        QVERIFY2(plan, qPrintable(plan.ok() ? QString() : plan.error()));
        QCOMPARE(plan->size(), size_t(2));
        const BatchObjectChange& a = plan->at(0);
        QCOMPARE(a.dn, u"CN=A"_s);
        QVERIFY(a.cloudManaged);
        QCOMPARE(a.changes.size(), size_t(2));
        QCOMPARE(a.changes[0].attribute, AttributeId::Mail);
        QCOMPARE(a.changes[0].before, QStringList{u"a@new"_s}); // what the batch wrote is what the undo deletes
        QCOMPARE(a.changes[0].after, QStringList{u"a@old"_s});
        QCOMPARE(a.changes[1].before, QStringList{u"x"_s});
        QVERIFY(a.changes[1].after.isEmpty());
        QCOMPARE(plan->at(1).dn, u"CN=C"_s);
        QVERIFY(plan->at(1).changes[0].before.isEmpty());
        QCOMPARE(plan->at(1).changes[0].after, QStringList{u"c@old"_s});
    }

    void undoRefusesABatchNotApplied()
    {
        const std::vector<StoredChange> changes{
            change(0, u"CN=A"_s, AttributeId::Mail, ChangeState::Applied, {u"a@old"_s}, {u"a@new"_s})};
        for (const BatchState state : kAllStates) {
            const auto plan = planUndo(3, state, changes);
            QCOMPARE(plan.ok(), batchMayBeUndone(state));
            if (!plan.ok())
                QCOMPARE(plan.error(), u"Batch 3 is %1: only an applied (or partly applied) batch can be undone."_s.arg(
                                           batchStateName(state)));
        }
        const auto nothing =
            planUndo(4, BatchState::Partial,
                     {change(0, u"CN=A"_s, AttributeId::Mail, ChangeState::Conflict, {u"a@old"_s}, {u"a@new"_s})});
        QVERIFY(!nothing);
        QCOMPARE(nothing.error(), u"Batch 4 has no applied change to undo."_s);
    }
};

QTEST_GUILESS_MAIN(TestBatchStateRules)
#include "TestBatchStateRules.moc"
