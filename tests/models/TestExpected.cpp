// SPDX-License-Identifier: Apache-2.0
// Expected's void form: a call that yields nothing on success is true when it worked and carries the error when
// not (the reverse of the std::optional<Error> it replaces). That a dropped outcome does not compile is
// [[nodiscard]]'s job, a compile-time property no test can run.
#include "ImportError.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

struct DiskError {
    QString message;
};

Expected<void, DiskError> writeUnlessFull(bool full)
{
    if (full)
        return DiskError{u"disk full"_s};
    return {};
}

Expected<void, DiskError> writeTwice(bool firstFull, bool secondFull)
{
    if (auto first = writeUnlessFull(firstFull); !first)
        return first;
    return writeUnlessFull(secondFull);
}

} // namespace

class TestExpected final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void successIsTrue()
    {
        const auto written = writeUnlessFull(false);
        QVERIFY(written.ok());
        QVERIFY(static_cast<bool>(written));
    }

    void failureIsFalseAndCarriesItsError()
    {
        const auto written = writeUnlessFull(true);
        QVERIFY(!written.ok());
        QVERIFY(!written);
        QCOMPARE(written.error().message, u"disk full"_s);
    }

    void defaultConstructedIsSuccess()
    {
        const Expected<void, QString> nothingWrong{};
        QVERIFY(nothingWrong.ok());
    }

    void errorTypeConvertsImplicitly()
    {
        // A journal's errors are plain text: returning the message is the failure.
        const auto refused = []() -> Expected<void, QString> { return u"refused"_s; }();
        QVERIFY(!refused);
        QCOMPARE(refused.error(), u"refused"_s);
    }

    void failurePropagatesUnchanged()
    {
        QVERIFY(writeTwice(false, false));
        const auto second = writeTwice(false, true);
        QVERIFY(!second);
        QCOMPARE(second.error().message, u"disk full"_s);
        QVERIFY(!writeTwice(true, false));
    }

    void valueFormStillHoldsValueOrError()
    {
        const Expected<int, QString> counted = 3;
        QVERIFY(counted);
        QCOMPARE(counted.value(), 3);
        const Expected<int, QString> failed = u"unreadable"_s;
        QVERIFY(!failed);
        QCOMPARE(failed.error(), u"unreadable"_s);
    }
};

QTEST_GUILESS_MAIN(TestExpected)
#include "TestExpected.moc"
