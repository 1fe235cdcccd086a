// SPDX-License-Identifier: Apache-2.0
// The emulator's -Filter cache (tests/support/cloud): evaluating a filter only within a cached selection of one of
// its parenthesised "-and" terms selects exactly what evaluating it over every mailbox does, for the filters the
// slices and rescans send, and a filter with a top-level -or is never narrowed so.
#include "ExoLoadModel.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestMailboxFilterCache final : public QObject {
    Q_OBJECT

private:
    static QJsonArray tenant()
    {
        QJsonArray mailboxes;
        const QStringList names{u"anna"_s, u"Ben"_s, u"carl (it)"_s, u"Dora"_s, u"emil"_s, u"Öz"_s};
        for (qsizetype i = 0; i < names.size(); ++i) {
            mailboxes.append(QJsonObject{
                {u"Name"_s, names[i]},
                {u"WhenChangedUTC"_s, u"2026-12-0%1T10:00:00.0000000Z"_s.arg(i + 1)},
            });
        }
        return mailboxes;
    }

    // What the filter selects when nothing is cached: every mailbox evaluated.
    static QList<qsizetype> fresh(const QJsonArray& mailboxes, const QString& filter)
    {
        MailboxFilterCache cache;
        cache.reset(&mailboxes);
        QString error;
        const QList<qsizetype>* selected = cache.select(filter, &error);
        return selected ? *selected : QList<qsizetype>{-1};
    }

private Q_SLOTS:
    void narrowedSelectionsEqualFullOnes_data()
    {
        QTest::addColumn<QStringList>("asked");
        const QString borders = u"Name -ge 'B' -and -not (Name -ge 'e')"_s;
        const QString changed = u"WhenChangedUTC -gt '2026-12-02T12:00:00Z'"_s;
        QTest::newRow("rescan slice after its date term") << QStringList{changed, u"(%1) -and (%2)"_s.arg(borders, changed)};
        QTest::newRow("rescan slices, nothing asked alone")
            << QStringList{u"(Name -ge 'a' -and -not (Name -ge 'c')) -and (%1)"_s.arg(changed),
                           u"(%1) -and (%2)"_s.arg(borders, changed)};
        QTest::newRow("full-read slice within its parent")
            << QStringList{borders, u"(%1) -and Name -ge 'C' -and -not (Name -ge 'D')"_s.arg(borders)};
        QTest::newRow("top-level -or is not narrowed")
            << QStringList{changed, u"(%1) -and (Name -eq 'Dora') -or (Name -eq 'anna')"_s.arg(changed)};
        QTest::newRow("a parenthesis inside quotes")
            << QStringList{u"Name -eq 'carl (it)'"_s, u"(Name -eq 'carl (it)') -and (%1)"_s.arg(changed)};
    }

    void narrowedSelectionsEqualFullOnes()
    {
        QFETCH(QStringList, asked);
        const QJsonArray mailboxes = tenant();
        MailboxFilterCache cache;
        cache.reset(&mailboxes);
        for (const QString& filter : asked) {
            QString error;
            const QList<qsizetype>* selected = cache.select(filter, &error);
            QVERIFY2(selected, qPrintable(filter + u": "_s + error));
            QCOMPARE(*selected, fresh(mailboxes, filter));
        }
    }
};

QTEST_GUILESS_MAIN(TestMailboxFilterCache)
#include "TestMailboxFilterCache.moc"
