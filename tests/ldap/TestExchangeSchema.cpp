// SPDX-License-Identifier: Apache-2.0
// The schema check's message for an admin, without a server (the fixture's schema: tests/support/samba).
#include "AttributeCatalog.h"
#include "ExchangeSchema.h"

#include <QTest>

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

class TestExchangeSchema final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void catalogNamesAreAsked()
    {
        const QByteArrayList names = exchangeSchemaAttributes();
        QCOMPARE(names.size(), qsizetype(AttributeCatalog::all().size()));
        QVERIFY(names.contains("msExchRecipientTypeDetails"));
        QVERIFY(names.contains("proxyAddresses"));
    }

    void completeSchemaHasNoMessage()
    {
        SchemaCheck check;
        check.present = exchangeSchemaAttributes();
        QVERIFY(check.complete());
        QCOMPARE(describeSchemaCheck(check), QString());
    }

    void forestWithoutExchangeSchema()
    {
        // What a forest that never had Exchange answers: only the base schema's mail and proxyAddresses.
        SchemaCheck check;
        for (const QByteArray& name : exchangeSchemaAttributes())
            (name == "mail" || name == "proxyAddresses" ? check.present : check.missing) << name;
        const QString message = describeSchemaCheck(check);
        QVERIFY2(message.startsWith(u"This forest has no Exchange schema: msExchRecipientTypeDetails, "_s),
                 qPrintable(message));
        QVERIFY2(message.contains(u" and %1 more missing."_s.arg(check.missing.size() - 6)), qPrintable(message));
        QVERIFY2(message.contains(u"Sunset needs the Exchange schema extensions, which the decommissioning must "
                                  "keep"_s),
                 qPrintable(message));
    }

    void olderExchangeSchema()
    {
        SchemaCheck check;
        check.present = {"mail", "proxyAddresses", "msExchRecipientTypeDetails"};
        check.missing = {"msExchExtensionCustomAttribute1", "msExchExtensionCustomAttribute2"};
        const QString message = describeSchemaCheck(check);
        QCOMPARE(message.section(u'.', 0, 0),
                 u"The forest's schema lacks msExchExtensionCustomAttribute1, msExchExtensionCustomAttribute2 (2 of "
                 "the 5 attributes Sunset compares): AD can hold no values for them, so Sunset can neither read "
                 "nor write them there"_s);
        QVERIFY(message.contains(u"/PrepareSchema"_s));
    }
};

QTEST_GUILESS_MAIN(TestExchangeSchema)
#include "TestExchangeSchema.moc"
